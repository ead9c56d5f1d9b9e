//! Each Wireshark analysis flag, and none on normal traffic.

use super::*;
use crate::tcp::Analysis as A;

const C1: u32 = CLIENT_ISN + 1;
const S1: u32 = SERVER_ISN + 1;
const MS: i64 = 1_000_000;

#[test]
fn normal_exchange_and_close_raise_nothing() {
    let mut w = Wire::new();
    let mut infos = w.handshake().to_vec();
    infos.push(w.push(c2s(ACK | PSH, C1, S1, 100)));
    infos.push(w.push(s2c(ACK, S1, C1 + 100, 0)));
    infos.push(w.push(s2c(ACK | PSH, S1, C1 + 100, 300)));
    infos.push(w.push(c2s(ACK, C1 + 100, S1 + 300, 0)));
    infos.push(w.push(c2s(FIN | ACK, C1 + 100, S1 + 300, 0)));
    infos.push(w.push(s2c(FIN | ACK, S1 + 300, C1 + 101, 0)));
    infos.push(w.push(c2s(ACK, C1 + 101, S1 + 301, 0)));
    for info in &infos {
        assert_eq!(info.analysis, A::NONE, "{info:?}");
    }
    assert_eq!(w.conn(0).analysis, crate::tcp::AnalysisCounts::default());
}

#[test]
fn resent_data_later_is_a_retransmission() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK, C1, S1, 100));
    let again = w.push_after(200 * MS, c2s(ACK, C1, S1, 100));
    assert_eq!(again.analysis, A::RETRANSMISSION);
    assert_eq!(w.conn(0).analysis.retransmission, 1);
}

#[test]
fn resent_data_already_acked_is_spurious() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK, C1, S1, 100));
    w.push(s2c(ACK, S1, C1 + 100, 0));
    let again = w.push_after(200 * MS, c2s(ACK, C1, S1, 100));
    assert_eq!(
        again.analysis,
        A::SPURIOUS_RETRANSMISSION | A::RETRANSMISSION
    );
}

#[test]
fn resend_after_three_duplicate_acks_is_a_fast_retransmission() {
    let mut w = Wire::new();
    w.handshake();
    w.step = MS;
    for i in 0..3 {
        w.push(c2s(ACK, C1 + i * 100, S1, 100));
    }
    // The first data segment was lost before the receiver: it keeps asking for C1.
    for n in 1..=3u32 {
        let dup = w.push(s2c(ACK, S1, C1, 0));
        assert_eq!(dup.analysis, A::DUP_ACK);
        assert_eq!(w.conn(0).analysis.dup_ack, n);
    }
    let fast = w.push(c2s(ACK, C1, S1, 100));
    assert_eq!(fast.analysis, A::FAST_RETRANSMISSION | A::RETRANSMISSION);
}

#[test]
fn gap_then_quick_fill_is_lost_then_out_of_order() {
    let mut w = Wire::new();
    w.handshake();
    w.step = MS;
    w.push(c2s(ACK, C1, S1, 100));
    let ahead = w.push(c2s(ACK, C1 + 200, S1, 100));
    assert_eq!(ahead.analysis, A::LOST_SEGMENT);
    let fill = w.push(c2s(ACK, C1 + 100, S1, 100));
    assert_eq!(fill.analysis, A::OUT_OF_ORDER);
    let c = w.conn(0).analysis;
    assert_eq!((c.lost_segment, c.out_of_order), (1, 1));
}

#[test]
fn ack_beyond_anything_sent_is_acked_unseen() {
    let mut w = Wire::new();
    w.handshake();
    let ack = w.push(s2c(ACK, S1, C1 + 500, 0));
    assert_eq!(ack.analysis, A::ACKED_UNSEEN);
}

#[test]
fn zero_window_probe_probe_ack_and_window_update() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK, C1, S1, 100));
    let zero = w.push(with_window(s2c(ACK, S1, C1 + 100, 0), 0));
    assert_eq!(zero.analysis, A::ZERO_WINDOW);
    let probe = w.push_after(200 * MS, c2s(ACK, C1 + 100, S1, 1));
    assert_eq!(probe.analysis, A::ZERO_WINDOW_PROBE);
    let probe_ack = w.push(with_window(s2c(ACK, S1, C1 + 100, 0), 0));
    assert_eq!(
        probe_ack.analysis,
        A::ZERO_WINDOW | A::ZERO_WINDOW_PROBE_ACK
    );
    let update = w.push(with_window(s2c(ACK, S1, C1 + 100, 0), 1000));
    assert_eq!(update.analysis, A::WINDOW_UPDATE);
    let c = w.conn(0).analysis;
    assert_eq!(
        (
            c.zero_window,
            c.zero_window_probe,
            c.zero_window_probe_ack,
            c.window_update
        ),
        (2, 1, 1, 1)
    );
}

#[test]
fn data_up_to_the_peer_window_edge_is_window_full() {
    let mut w = Wire::new();
    w.handshake();
    // The server advertised 1000 (unscaled: no window scale option) acknowledging C1.
    let full = w.push(c2s(ACK, C1, S1, 1000));
    assert_eq!(full.analysis, A::WINDOW_FULL);
}

#[test]
fn window_full_is_not_judged_when_the_scale_is_unknown() {
    let mut w = Wire::new();
    w.push(s2c(ACK, S1, C1, 0));
    let data = w.push(c2s(ACK, C1, S1, 1000));
    assert_eq!(data.analysis, A::NONE);
}

#[test]
fn keep_alive_and_its_ack() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK, C1, S1, 100));
    w.push(s2c(ACK, S1, C1 + 100, 0));
    let probe = w.push_after(1_000 * MS, c2s(ACK, C1 + 99, S1, 0));
    assert_eq!(probe.analysis, A::KEEP_ALIVE);
    let answer = w.push(s2c(ACK, S1, C1 + 100, 0));
    assert_eq!(answer.analysis, A::KEEP_ALIVE_ACK);
    let c = w.conn(0).analysis;
    assert_eq!((c.keep_alive, c.keep_alive_ack, c.dup_ack), (1, 1, 0));
}

#[test]
fn one_octet_keep_alive_is_not_a_retransmission() {
    let mut w = Wire::new();
    w.handshake();
    w.push(c2s(ACK, C1, S1, 100));
    w.push(s2c(ACK, S1, C1 + 100, 0));
    let probe = w.push_after(1_000 * MS, c2s(ACK, C1 + 99, S1, 1));
    assert_eq!(probe.analysis, A::KEEP_ALIVE);
}
