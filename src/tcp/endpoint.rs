//! What the model learned about one side of a connection: its initial sequence number, the
//! options its SYN offered, and the window scale that applies to the windows it advertises.

use std::net::SocketAddr;

use crate::wire::{RelSeq, Segment, SeqNum, TcpOptions};

/// The shift that applies to the windows one side advertises (RFC 7323 §2.3), as Wireshark
/// tracks it (`win_scale` -1, -2 or the shift).
///
/// RFC 7323 §2.2: scaling is in effect only when both SYNs carried the option, and never applies
/// to the window in a SYN. Without the handshake in the capture the shift is [`Unknown`] and
/// windows are reported raw, as Wireshark does with its default preference: a raw window may
/// then understate the real one.
///
/// [`Unknown`]: WindowScale::Unknown
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WindowScale {
    /// The SYNs were not seen: the shift cannot be known (windows used raw).
    #[default]
    Unknown,
    /// The handshake showed that scaling is not in use (a SYN lacked the option).
    NotUsed,
    /// Windows this side sends are shifted left by this many bits (at most 14).
    Shift(u8),
}

impl WindowScale {
    /// The window in bytes for a raw window field sent by this side on a non-SYN segment.
    pub fn apply(self, raw: u16) -> u32 {
        match self {
            WindowScale::Shift(n) => u32::from(raw) << n.min(14),
            WindowScale::Unknown | WindowScale::NotUsed => u32::from(raw),
        }
    }

    /// After a SYN or SYN-ACK: Wireshark's `verify_tcp_window_scaling`. A SYN without the option
    /// means neither side scales; a SYN-ACK with it after a SYN without it is ignored (RFC 7323
    /// §1.3: the option must be offered in the SYN to be used).
    pub(crate) fn verify(is_synack: bool, sender: &mut WindowScale, peer: &mut WindowScale) {
        if *sender == WindowScale::Unknown {
            *sender = WindowScale::NotUsed;
            *peer = WindowScale::NotUsed;
        } else if is_synack && *peer == WindowScale::NotUsed {
            *sender = WindowScale::NotUsed;
        }
    }
}

/// One side of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub addr: SocketAddr,
    /// The initial sequence number from this side's SYN, when the capture has it.
    pub isn: Option<SeqNum>,
    /// What relative sequence numbers count from: the ISN, or one below the first sequence
    /// number seen (or the peer's first ack minus one) when the SYN was not captured, so that
    /// relative numbers start at 1 as in Wireshark.
    pub base_seq: SeqNum,
    pub(crate) base_known: bool,
    /// Options from this side's SYN (RFC 9293 §3.7.1 MSS, RFC 7323 §2 window scale and §3
    /// timestamps, RFC 2018 §2 SACK-permitted). `None`/false when absent or not captured.
    pub mss: Option<u16>,
    pub window_scale_option: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: bool,
    /// The shift applied to this side's advertised windows.
    pub window_scale: WindowScale,
    /// The last window this side advertised, in bytes (scaled when the scale is known).
    pub last_window: u32,
    /// Relative sequence number just past the highest octet (or SYN/FIN) this side has sent.
    pub next_seq: RelSeq,
    /// Relative sequence number of this side's FIN, once seen.
    pub fin_seq: Option<RelSeq>,
}

impl Endpoint {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Endpoint {
            addr,
            isn: None,
            base_seq: SeqNum(0),
            base_known: false,
            mss: None,
            window_scale_option: None,
            sack_permitted: false,
            timestamps: false,
            window_scale: WindowScale::Unknown,
            last_window: 0,
            next_seq: RelSeq(0),
            fin_seq: None,
        }
    }

    /// `seq` (this side's sequence space) relative to [`Endpoint::base_seq`].
    pub fn relative(&self, seq: SeqNum) -> RelSeq {
        seq.since(self.base_seq)
    }

    pub(crate) fn set_base(&mut self, base: SeqNum) {
        self.base_seq = base;
        self.base_known = true;
    }

    /// Record what a SYN or SYN-ACK from this side offers.
    pub(crate) fn learn_syn_options(&mut self, seg: &Segment<'_>) {
        let o: &TcpOptions = &seg.options;
        self.isn = Some(seg.seq);
        self.mss = o.mss;
        self.window_scale_option = o.window_scale;
        self.sack_permitted = o.sack_permitted;
        self.timestamps = o.timestamps.is_some();
        if let Some(shift) = o.window_scale {
            // RFC 7323 §2.3: a shift above 14 is used as 14.
            self.window_scale = WindowScale::Shift(shift.min(14));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_applies_and_caps_at_14() {
        assert_eq!(WindowScale::Shift(7).apply(100), 12_800);
        assert_eq!(WindowScale::Shift(20).apply(1), 1 << 14);
        assert_eq!(WindowScale::Unknown.apply(100), 100);
        assert_eq!(WindowScale::NotUsed.apply(100), 100);
    }

    #[test]
    fn syn_without_option_disables_scaling_both_ways() {
        let (mut client, mut server) = (WindowScale::Unknown, WindowScale::Unknown);
        WindowScale::verify(false, &mut client, &mut server);
        assert_eq!(
            (client, server),
            (WindowScale::NotUsed, WindowScale::NotUsed)
        );
    }

    #[test]
    fn synack_option_ignored_when_syn_had_none() {
        let (mut server, mut client) = (WindowScale::Shift(7), WindowScale::NotUsed);
        WindowScale::verify(true, &mut server, &mut client);
        assert_eq!(server, WindowScale::NotUsed);
    }
}
