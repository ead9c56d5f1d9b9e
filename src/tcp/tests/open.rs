//! Connection identity, roles, the handshake and relative numbering.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use super::*;
use crate::tcp::{Analysis, ConnId, Direction, RelSeq, SeqNum, SeqRange, TcpState::*};

#[test]
fn syn_sender_is_client_and_first_id_is_zero() {
    let mut w = Wire::new();
    let info = w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    assert_eq!(info.conn, ConnId(0));
    assert_eq!(info.dir, Direction::ToServer);
    assert_eq!(w.conn(0).client, addr(CLIENT));
    assert_eq!(w.conn(0).server, addr(SERVER));
    assert!(!w.conn(0).mid_stream);
}

#[test]
fn synack_first_makes_its_receiver_the_client() {
    let mut w = Wire::new();
    let info = w.push(s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0));
    assert_eq!(info.dir, Direction::ToClient);
    assert_eq!(w.conn(0).client, addr(CLIENT));
    assert!(!w.conn(0).mid_stream);
    assert_eq!(
        (info.client_state, info.server_state),
        (Established, SynReceived)
    );
}

#[test]
fn handshake_states_after_each_segment() {
    let mut w = Wire::new();
    let [syn, synack, ack] = w.handshake();
    assert_eq!((syn.client_state, syn.server_state), (SynSent, SynReceived));
    assert_eq!(
        (synack.client_state, synack.server_state),
        (Established, SynReceived)
    );
    assert_eq!(
        (ack.client_state, ack.server_state),
        (Established, Established)
    );
}

#[test]
fn handshake_seen_only_after_the_ack_of_the_synack() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    w.push(s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0));
    assert!(!w.conn(0).handshake_seen);
    w.push(c2s(ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0));
    assert!(w.conn(0).handshake_seen);
}

#[test]
fn relative_numbers_count_from_each_isn() {
    let mut w = Wire::new();
    let [syn, synack, ack] = w.handshake();
    assert_eq!((syn.rel_seq, syn.rel_ack), (RelSeq(0), None));
    assert_eq!(
        (synack.rel_seq, synack.rel_ack),
        (RelSeq(0), Some(RelSeq(1)))
    );
    assert_eq!((ack.rel_seq, ack.rel_ack), (RelSeq(1), Some(RelSeq(1))));
    let data = w.push(c2s(ACK | PSH, CLIENT_ISN + 1, SERVER_ISN + 1, 100));
    assert_eq!(
        data.payload,
        SeqRange {
            start: RelSeq(1),
            end: RelSeq(101)
        }
    );
    let reply = w.push(s2c(ACK, SERVER_ISN + 1, CLIENT_ISN + 101, 0));
    assert_eq!(
        (reply.rel_seq, reply.rel_ack),
        (RelSeq(1), Some(RelSeq(101)))
    );
}

#[test]
fn isn_and_syn_options_are_recorded() {
    let mut w = Wire::new();
    let mut syn = c2s(SYN, CLIENT_ISN, 0, 0);
    syn.options.mss = Some(1460);
    syn.options.sack_permitted = true;
    syn.options.timestamps = Some((7, 0));
    w.push(syn);
    let client = &w.conn(0).client_endpoint;
    assert_eq!(client.isn, Some(SeqNum(CLIENT_ISN)));
    assert_eq!(client.mss, Some(1460));
    assert!(client.sack_permitted && client.timestamps);
    assert_eq!(w.conn(0).server_endpoint.isn, None);
}

#[test]
fn mid_stream_lower_port_is_server_and_numbers_start_at_one() {
    let mut w = Wire::new();
    let info = w.push(s2c(ACK | PSH, 777_777, 123_456, 10));
    let c = w.conn(0);
    assert!(c.mid_stream);
    assert_eq!(c.server, addr(SERVER));
    assert_eq!(info.dir, Direction::ToClient);
    assert_eq!((info.rel_seq, info.rel_ack), (RelSeq(1), Some(RelSeq(1))));
    assert_eq!(
        (info.client_state, info.server_state),
        (Established, Established)
    );
}

#[test]
fn mid_stream_equal_ports_make_the_receiver_the_server() {
    let mut w = Wire::new();
    w.push(seg(5000, 5000, ACK, 1, 1, 0));
    // Same port on both sides of 127.0.0.1 is one socket talking to itself; roles still fixed.
    assert!(w.conn(0).mid_stream);
    assert_eq!(w.tracker.connections().len(), 1);
}

#[test]
fn different_four_tuples_are_different_connections() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    let other = w.push(seg(CLIENT + 1, SERVER, SYN, 9, 0, 0));
    assert_eq!(other.conn, ConnId(1));
    let back = w.push(s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0));
    assert_eq!(back.conn, ConnId(0));
}

#[test]
fn stats_count_frames_payload_and_flags() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK | PSH, CLIENT_ISN + 1, SERVER_ISN + 1, 100));
    let c = w.conn(0);
    assert_eq!(c.to_server.packets, 3);
    assert_eq!(c.to_server.bytes, 66 * 3 + 100);
    assert_eq!(c.to_server.payload_bytes, 100);
    assert_eq!(c.to_client.packets, 1);
    assert_eq!(
        (c.flags.syn, c.flags.syn_ack, c.flags.fin, c.flags.rst),
        (1, 1, 0, 0)
    );
}

#[test]
fn sequence_numbers_wrap_without_findings() {
    let mut w = Wire::new();
    let isn = u32::MAX - 50;
    w.push(c2s(SYN, isn, 0, 0));
    w.push(s2c(SYN | ACK, SERVER_ISN, isn.wrapping_add(1), 0));
    w.push(c2s(ACK, isn.wrapping_add(1), SERVER_ISN + 1, 0));
    let a = w.push(c2s(ACK, isn.wrapping_add(1), SERVER_ISN + 1, 100));
    let b = w.push(c2s(ACK, isn.wrapping_add(101), SERVER_ISN + 1, 100));
    let ack = w.push(s2c(ACK, SERVER_ISN + 1, isn.wrapping_add(201), 0));
    assert_eq!(a.rel_seq, RelSeq(1));
    assert_eq!(b.rel_seq, RelSeq(101));
    assert_eq!(
        b.payload,
        SeqRange {
            start: RelSeq(101),
            end: RelSeq(201)
        }
    );
    assert_eq!(ack.rel_ack, Some(RelSeq(201)));
    for info in [a, b, ack] {
        assert_eq!(info.analysis, Analysis::NONE, "{info:?}");
    }
    assert_eq!(w.conn(0).client_endpoint.next_seq, RelSeq(201));
}

#[test]
fn ipv6_endpoints_are_tracked() {
    let mut w = Wire::new();
    let v6 = |port| SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    let mut s = c2s(SYN, CLIENT_ISN, 0, 0);
    (s.src, s.dst) = (v6(CLIENT), v6(SERVER));
    w.push(s);
    let mut r = s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0);
    (r.src, r.dst) = (v6(SERVER), v6(CLIENT));
    let info = w.push(r);
    assert_eq!(info.conn, ConnId(0));
    assert_eq!(w.conn(0).client, v6(CLIENT));
}

#[test]
fn simultaneous_open_ends_established_on_both_sides() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    let b = w.push(s2c(SYN, SERVER_ISN, 0, 0));
    assert_eq!(
        b.conn,
        ConnId(0),
        "a SYN from the peer is the same connection"
    );
    assert_eq!((b.client_state, b.server_state), (SynReceived, SynReceived));
    let x = w.push(c2s(SYN | ACK, CLIENT_ISN, SERVER_ISN + 1, 0));
    assert_eq!(x.server_state, Established);
    let y = w.push(s2c(SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0));
    assert_eq!((y.client_state, y.server_state), (Established, Established));
}

#[test]
fn sack_blocks_are_reported_in_the_peer_sequence_space() {
    let mut w = Wire::new();
    w.handshake();
    let mut ack = s2c(ACK, SERVER_ISN + 1, CLIENT_ISN + 1, 0);
    ack.options.sack[0] = crate::wire::segment::SackBlock {
        left: SeqNum(CLIENT_ISN + 101),
        right: SeqNum(CLIENT_ISN + 201),
    };
    ack.options.sack_count = 1;
    let info = w.push(ack);
    let blocks: Vec<SeqRange> = w.conn(0).sack_ranges(info.dir, &ack).collect();
    assert_eq!(
        blocks,
        [SeqRange {
            start: RelSeq(101),
            end: RelSeq(201)
        }]
    );
}

#[test]
fn every_state_name_reads_back_and_unknown_names_do_not() {
    for s in crate::tcp::TcpState::ALL {
        assert_eq!(crate::tcp::TcpState::from_name(s.name()), Some(s));
    }
    assert_eq!(crate::tcp::TcpState::from_name("ESTABLISHED?"), None);
}
