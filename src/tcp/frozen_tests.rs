use std::net::{Ipv6Addr, SocketAddrV6};

use super::*;
use crate::tcp::{Analysis, ConnId};
use crate::wire::RelSeq;

/// Every field at its longest (IPv6 with flow info and scope, counts at their maximum,
/// times far apart): the record fits [`MAX_FROZEN`] and reads back the same.
#[test]
fn the_longest_record_fits_and_reads_back() {
    let addr = |port| {
        SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(u128::MAX),
            port,
            u32::MAX,
            u32::MAX,
        ))
    };
    let far = Timestamp(i64::MIN);
    let stats = DirStats {
        packets: u64::MAX,
        bytes: u64::MAX,
        payload_bytes: u64::MAX,
    };
    let endpoint = |port: u16| Endpoint {
        addr: addr(port + 1),
        isn: Some(SeqNum(7)),
        base_seq: SeqNum(u32::MAX),
        base_known: true,
        mss: Some(u16::MAX),
        window_scale_option: Some(u8::MAX),
        sack_permitted: true,
        timestamps: true,
        window_scale: WindowScale::Shift(u8::MAX),
        last_window: u32::MAX,
        next_seq: RelSeq(u32::MAX),
        fin_seq: Some(RelSeq(u32::MAX)),
    };
    let mut analysis = AnalysisCounts::default();
    for _ in 0..2 {
        analysis.add(Analysis(u16::MAX));
    }
    let conn = Connection {
        id: ConnId(3),
        client: addr(1),
        server: addr(2),
        first_ts: Timestamp(i64::MAX),
        last_ts: far,
        handshake_seen: true,
        mid_stream: true,
        half_close: true,
        refused: true,
        to_server: stats,
        to_client: stats,
        flags: FlagCounts {
            syn: u32::MAX,
            syn_ack: u32::MAX,
            fin: u32::MAX,
            rst: u32::MAX,
        },
        analysis: AnalysisCounts {
            retransmission: u32::MAX,
            reused_ports: u32::MAX,
            ..analysis
        },
        client_state: TcpState::TimeWait,
        server_state: TcpState::LastAck,
        client_endpoint: endpoint(10),
        server_endpoint: endpoint(20),
    };
    let flow = SeqFlow {
        nextseq: SeqNum(3),
        nextseq_time: far,
        lastack: SeqNum(4),
        lastack_time: far,
        maxseqtobeacked: SeqNum(5),
        dupacknum: i32::MIN,
        window: u32::MAX - 1,
        is_first_ack: true,
        last_flags: Analysis(u16::MAX),
        unacked: u32::MAX,
    };
    let track = Track {
        client_is_a: true,
        flows: [flow, flow],
        last_syn: Some(far),
        first_rtt_ns: i64::MIN,
        syn_seen: true,
        synack_seen: true,
    };
    let mut out = vec![9];
    freeze(&conn, &track, &mut out);
    assert!(out.len() - 1 <= MAX_FROZEN, "{} bytes", out.len() - 1);
    let (c, t, len) = thaw(ConnId(3), &out[1..]);
    assert_eq!(len, out.len() - 1);
    assert_eq!(format!("{c:?}"), format!("{conn:?}"));
    assert_eq!(format!("{t:?}"), format!("{track:?}"));
    assert_eq!(
        format!("{:?}", thaw_connection(ConnId(3), &out[1..])),
        format!("{conn:?}")
    );
}
