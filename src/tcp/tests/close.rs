//! Closing: FIN sequences, resets, half-close, and new connections on a reused 4-tuple.

use super::*;
use crate::tcp::{Analysis, ConnId, TcpState::*};

const C1: u32 = CLIENT_ISN + 1;
const S1: u32 = SERVER_ISN + 1;

#[test]
fn active_close_by_client_walks_the_fin_states() {
    let mut w = Wire::new();
    w.handshake();
    let fin = w.push(c2s(FIN | ACK, C1, S1, 0));
    assert_eq!((fin.client_state, fin.server_state), (FinWait1, CloseWait));
    let ack = w.push(s2c(ACK, S1, C1 + 1, 0));
    assert_eq!((ack.client_state, ack.server_state), (FinWait2, CloseWait));
    let fin2 = w.push(s2c(FIN | ACK, S1, C1 + 1, 0));
    assert_eq!((fin2.client_state, fin2.server_state), (TimeWait, LastAck));
    let last = w.push(c2s(ACK, C1 + 1, S1 + 1, 0));
    assert_eq!((last.client_state, last.server_state), (TimeWait, Closed));
    let c = w.conn(0);
    assert_eq!((c.client_state, c.server_state), (TimeWait, Closed));
    assert_eq!(c.flags.fin, 2);
    assert!(!c.half_close);
}

#[test]
fn fin_that_acks_the_peer_fin_goes_straight_to_time_wait() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    // The server's FIN also acknowledges the client's: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT.
    let fin2 = w.push(s2c(FIN | ACK, S1, C1 + 1, 0));
    assert_eq!((fin2.client_state, fin2.server_state), (TimeWait, LastAck));
}

#[test]
fn simultaneous_close_goes_through_closing() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    // Sent before the client's FIN arrived: it does not acknowledge it.
    let crossing = w.push(s2c(FIN | ACK, S1, C1, 0));
    assert_eq!(
        (crossing.client_state, crossing.server_state),
        (Closing, Closing)
    );
    let a = w.push(c2s(ACK, C1 + 1, S1 + 1, 0));
    assert_eq!(a.server_state, TimeWait);
    let b = w.push(s2c(ACK, S1 + 1, C1 + 1, 0));
    assert_eq!((b.client_state, b.server_state), (TimeWait, TimeWait));
}

#[test]
fn rst_answering_syn_closes_both_and_marks_refused() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    let rst = w.push(s2c(RST | ACK, 0, C1, 0));
    assert_eq!((rst.client_state, rst.server_state), (Closed, Closed));
    let c = w.conn(0);
    assert!(c.refused);
    assert_eq!(c.flags.rst, 1);
    assert!(!c.handshake_seen);
}

#[test]
fn rst_in_established_closes_both_without_refused() {
    let mut w = Wire::new();
    w.handshake();
    let rst = w.push(c2s(RST | ACK, C1, S1, 0));
    assert_eq!((rst.client_state, rst.server_state), (Closed, Closed));
    assert!(!w.conn(0).refused);
}

#[test]
fn data_after_acking_the_peer_fin_is_a_half_close() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    w.push(s2c(ACK, S1, C1 + 1, 0));
    assert!(!w.conn(0).half_close);
    let data = w.push(s2c(ACK | PSH, S1, C1 + 1, 50));
    assert_eq!(data.client_state, FinWait2);
    assert!(w.conn(0).half_close);
}

#[test]
fn data_crossing_the_fin_is_not_a_half_close() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    w.push(s2c(ACK | PSH, S1, C1, 50));
    assert!(!w.conn(0).half_close);
}

#[test]
fn new_syn_after_close_starts_a_new_connection() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    w.push(s2c(FIN | ACK, S1, C1 + 1, 0));
    w.push(c2s(ACK, C1 + 1, S1 + 1, 0));
    let syn = w.push(c2s(SYN, 90_000, 0, 0));
    assert_eq!(syn.conn, ConnId(1));
    assert!(syn.analysis.contains(Analysis::REUSED_PORTS));
    assert_eq!((syn.client_state, syn.server_state), (SynSent, SynReceived));
    let synack = w.push(s2c(SYN | ACK, 70_000, 90_001, 0));
    assert_eq!(synack.conn, ConnId(1));
    assert_eq!(synack.rel_ack, Some(crate::tcp::RelSeq(1)));
    let old = w.conn(0);
    assert_eq!((old.client_state, old.server_state), (TimeWait, Closed));
    assert_eq!(old.to_server.packets, 4);
}

#[test]
fn new_syn_after_rst_starts_a_new_connection() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    w.push(s2c(RST | ACK, 0, C1, 0));
    let again = w.push(c2s(SYN, 42, 0, 0));
    assert_eq!(again.conn, ConnId(1));
}

#[test]
fn retransmitted_syn_stays_in_the_connection() {
    let mut w = Wire::new();
    w.push(c2s(SYN, CLIENT_ISN, 0, 0));
    let again = w.push_after(1_000_000_000, c2s(SYN, CLIENT_ISN, 0, 0));
    assert_eq!(again.conn, ConnId(0));
    assert!(again.analysis.contains(Analysis::RETRANSMISSION));
    assert_eq!(w.tracker.connections().len(), 1);
}

#[test]
fn syn_with_new_isn_on_an_open_connection_starts_a_new_one() {
    // Wireshark's rule (its issue 15097): the old connection's end was not captured.
    let mut w = Wire::new();
    w.handshake();
    let syn = w.push(c2s(SYN, 777, 0, 0));
    assert_eq!(syn.conn, ConnId(1));
}

#[test]
fn fin_retransmission_does_not_change_states() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(FIN | ACK, C1, S1, 0));
    let again = w.push_after(300_000_000, c2s(FIN | ACK, C1, S1, 0));
    assert_eq!(
        (again.client_state, again.server_state),
        (FinWait1, CloseWait)
    );
    assert!(again.analysis.contains(Analysis::RETRANSMISSION));
}
