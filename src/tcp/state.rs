//! Endpoint states of RFC 9293 §3.3.2, as far as the wire shows them.
//!
//! A capture sees segments, not sockets: a sender's state changes when its segment appears
//! (it was sent), the receiver's as if the segment arrived right then. Where the capture point
//! hides the order of events (simultaneous open or close), the acknowledgment field tells whether
//! the sender had already received the peer's SYN or FIN when it sent.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TcpState {
    #[default]
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

impl TcpState {
    /// Every state, in RFC 9293's order.
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
    ];

    /// The state [`TcpState::name`] prints as `name` (reading JSON lines and recordings back).
    pub fn from_name(name: &str) -> Option<TcpState> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The name as RFC 9293 and `ss` print it: `ESTABLISHED`, `FIN_WAIT_1`, ...
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynReceived => "SYN_RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN_WAIT_1",
            TcpState::FinWait2 => "FIN_WAIT_2",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST_ACK",
            TcpState::TimeWait => "TIME_WAIT",
        }
    }

    /// True once the endpoint has nothing left to exchange on this connection: CLOSED, or
    /// TIME_WAIT (which only waits out 2*MSL, RFC 9293 §3.6.1).
    pub fn is_finished(self) -> bool {
        matches!(self, TcpState::Closed | TcpState::TimeWait)
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one segment means for the state machines of its sender and receiver.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Transition {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    /// The ack field covers the receiver's SYN (or the receiver's ISN is unknown).
    pub acks_receiver_syn: bool,
    /// The receiver has sent a FIN and the ack field covers it.
    pub acks_receiver_fin: bool,
}

impl Transition {
    /// Both endpoints' states after the segment: `(sender, receiver)`.
    #[inline]
    pub fn apply(self, sender: TcpState, receiver: TcpState) -> (TcpState, TcpState) {
        use TcpState::*;
        // RFC 9293 §3.10.7.2-4: a reset aborts the connection in every state. A RST answering a
        // SYN (SYN-SENT, §3.10.7.3) is what `connect()` reports as ECONNREFUSED.
        if self.rst {
            return (Closed, Closed);
        }
        (self.on_send(sender), self.on_arrival(receiver))
    }

    /// The sender's state change by sending this segment.
    fn on_send(self, s: TcpState) -> TcpState {
        use TcpState::*;
        match (self.syn, self.ack) {
            // RFC 9293 §3.10.1 OPEN call: CLOSED -> SYN-SENT. A SYN from a side that has the
            // peer's SYN (SYN-RECEIVED by our guess) is a simultaneous open (§3.5, Figure 8).
            (true, false) => match s {
                Closed | Listen | SynSent | TimeWait => SynSent,
                other => other,
            },
            // §3.10.7.2 LISTEN: a SYN arrived, the SYN,ACK goes out in SYN-RECEIVED; from
            // SYN-SENT this is the simultaneous open's SYN,ACK (§3.10.7.3 "Otherwise...").
            (true, true) => match s {
                Closed | Listen | SynSent => SynReceived,
                other => other,
            },
            _ if self.fin => match s {
                // §3.10.4 CLOSE call: SYN-RECEIVED or ESTABLISHED -> FIN-WAIT-1.
                SynReceived | Established => FinWait1,
                // §3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK. If the FIN does not acknowledge the
                // peer's FIN, the sender had not received it yet: a simultaneous close
                // (§3.6, Figure 13), so it went FIN-WAIT-1 and then CLOSING on that FIN.
                CloseWait if self.acks_receiver_fin => LastAck,
                CloseWait => Closing,
                other => other,
            },
            // Sending a plain ACK from SYN-SENT means the SYN,ACK arrived (§3.10.7.3), even if
            // the capture missed it.
            (false, true) if s == SynSent => Established,
            _ => s,
        }
    }

    /// The receiver's state change when this segment arrives (RFC 9293 §3.10.7).
    fn on_arrival(self, r: TcpState) -> TcpState {
        use TcpState::*;
        if self.syn {
            return match (self.ack, r) {
                // §3.10.7.2 LISTEN + SYN -> SYN-RECEIVED; §3.10.7.3 SYN-SENT + SYN (no ACK) ->
                // SYN-RECEIVED (simultaneous open).
                (false, Closed | Listen | SynSent | TimeWait) => SynReceived,
                // §3.10.7.3 SYN-SENT + SYN,ACK acknowledging our SYN -> ESTABLISHED; an endpoint
                // whose SYN was not captured (CLOSED here) is in the same position.
                (true, SynSent | Closed | Listen) if self.acks_receiver_syn => Established,
                // §3.10.7.4 SYN-RECEIVED + acceptable ACK -> ESTABLISHED (simultaneous open).
                (true, SynReceived) if self.acks_receiver_syn => Established,
                (_, other) => other,
            };
        }
        // §3.10.7.4 "fifth, check the ACK field", before the FIN bit ("eighth").
        let mut r = r;
        if self.ack {
            r = match r {
                SynReceived if self.acks_receiver_syn => Established,
                FinWait1 if self.acks_receiver_fin => FinWait2,
                Closing if self.acks_receiver_fin => TimeWait,
                LastAck if self.acks_receiver_fin => Closed,
                other => other,
            };
        }
        if self.fin {
            r = match r {
                // "eighth, check the FIN bit": SYN-RECEIVED/ESTABLISHED -> CLOSE-WAIT;
                // FIN-WAIT-1 (our FIN not yet acknowledged) -> CLOSING; FIN-WAIT-2 -> TIME-WAIT.
                SynReceived | Established => CloseWait,
                FinWait1 => Closing,
                FinWait2 => TimeWait,
                other => other,
            };
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::TcpState::*;
    use super::*;

    fn seg(syn: bool, ack: bool, fin: bool) -> Transition {
        Transition {
            syn,
            ack,
            fin,
            acks_receiver_syn: ack,
            ..Transition::default()
        }
    }

    #[test]
    fn three_way_handshake() {
        let (c, s) = seg(true, false, false).apply(Closed, Listen);
        assert_eq!((c, s), (SynSent, SynReceived));
        let (s, c) = seg(true, true, false).apply(s, c);
        assert_eq!((c, s), (Established, SynReceived));
        let (c, s) = seg(false, true, false).apply(c, s);
        assert_eq!((c, s), (Established, Established));
    }

    #[test]
    fn rst_closes_both() {
        let t = Transition {
            rst: true,
            ..Transition::default()
        };
        assert_eq!(t.apply(SynReceived, SynSent), (Closed, Closed));
    }

    #[test]
    fn fin_acked_then_peer_fin_gives_time_wait() {
        let fin = seg(false, true, true);
        let (a, b) = fin.apply(Established, Established);
        assert_eq!((a, b), (FinWait1, CloseWait));
        let ack_fin = Transition {
            acks_receiver_fin: true,
            ..seg(false, true, false)
        };
        let (b, a) = ack_fin.apply(b, a);
        assert_eq!((a, b), (FinWait2, CloseWait));
        let last = Transition {
            acks_receiver_fin: true,
            ..fin
        };
        let (b, a) = last.apply(b, a);
        assert_eq!((a, b), (TimeWait, LastAck));
        let (a, b) = ack_fin.apply(a, b);
        assert_eq!((a, b), (TimeWait, Closed));
    }

    #[test]
    fn fins_crossing_give_closing_then_time_wait() {
        let fin = seg(false, true, true);
        let (a, b) = fin.apply(Established, Established);
        // b's FIN does not acknowledge a's: it was sent before a's FIN arrived.
        let (b, a) = fin.apply(b, a);
        assert_eq!((a, b), (Closing, Closing));
    }
}
