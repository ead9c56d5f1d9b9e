//! Window scaling (RFC 7323 §2).

use super::*;
use crate::tcp::WindowScale;

const C1: u32 = CLIENT_ISN + 1;
const S1: u32 = SERVER_ISN + 1;

fn handshake_with(w: &mut Wire, client_ws: Option<u8>, server_ws: Option<u8>) {
    let mut syn = with_window(c2s(SYN, CLIENT_ISN, 0, 0), 64_240);
    let mut synack = with_window(s2c(SYN | ACK, SERVER_ISN, C1, 0), 65_160);
    if let Some(shift) = client_ws {
        syn = with_wscale(syn, shift);
    }
    if let Some(shift) = server_ws {
        synack = with_wscale(synack, shift);
    }
    let a = w.push(syn);
    let b = w.push(synack);
    assert_eq!(
        (a.window, b.window),
        (64_240, 65_160),
        "SYN windows are never scaled"
    );
    w.push(c2s(ACK, C1, S1, 0));
}

#[test]
fn both_syns_with_the_option_scale_later_windows() {
    let mut w = Wire::new();
    handshake_with(&mut w, Some(7), Some(8));
    let c = w.push(with_window(c2s(ACK, C1, S1, 0), 502));
    let s = w.push(with_window(s2c(ACK, S1, C1, 0), 509));
    assert_eq!(c.window, 502 << 7);
    assert_eq!(s.window, 509 << 8);
    assert_eq!(
        w.conn(0).server_endpoint.window_scale,
        WindowScale::Shift(8)
    );
    assert_eq!(w.conn(0).server_endpoint.last_window, 509 << 8);
}

#[test]
fn option_only_in_syn_means_no_scaling() {
    let mut w = Wire::new();
    handshake_with(&mut w, Some(7), None);
    let c = w.push(with_window(c2s(ACK, C1, S1, 0), 502));
    assert_eq!(c.window, 502);
    assert_eq!(w.conn(0).client_endpoint.window_scale, WindowScale::NotUsed);
}

#[test]
fn option_only_in_synack_is_ignored() {
    let mut w = Wire::new();
    handshake_with(&mut w, None, Some(7));
    let s = w.push(with_window(s2c(ACK, S1, C1, 0), 502));
    assert_eq!(s.window, 502);
}

#[test]
fn mid_stream_window_is_raw_and_scale_unknown() {
    let mut w = Wire::new();
    let info = w.push(with_window(c2s(ACK, C1, S1, 0), 502));
    assert_eq!(info.window, 502);
    assert_eq!(w.conn(0).client_endpoint.window_scale, WindowScale::Unknown);
}

#[test]
fn shift_above_14_is_used_as_14() {
    let mut w = Wire::new();
    handshake_with(&mut w, Some(15), Some(2));
    let c = w.push(with_window(c2s(ACK, C1, S1, 0), 1));
    assert_eq!(c.window, 1 << 14);
}
