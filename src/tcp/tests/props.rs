//! Arbitrary segment sequences never panic, and what comes back stays consistent.

use proptest::prelude::*;

use super::*;
use crate::capture::Timestamp;

fn any_segment() -> impl Strategy<Value = (Segment<'static>, i64)> {
    (
        (0usize..3, 0usize..3),
        any::<u16>(),
        // Near-equal sequence numbers make the interesting cases (retransmissions, wraps).
        prop_oneof![any::<u32>(), (u32::MAX - 4..=u32::MAX), (0u32..8)],
        prop_oneof![any::<u32>(), (0u32..8)],
        prop_oneof![Just(0u32), Just(1u32), 0u32..3000, any::<u32>()],
        prop_oneof![Just(0u16), any::<u16>()],
        proptest::option::of(any::<u8>()),
        -5_000_000i64..50_000_000,
    )
        .prop_map(|((s, d), flags, seq, ack, len, window, ws, dt)| {
            let ports = [CLIENT, SERVER, CLIENT];
            let mut seg = seg(
                ports[s],
                ports[d] + u16::from(d == 2),
                flags & 0x1ff,
                seq,
                ack,
                len,
            );
            seg.window = window;
            seg.options.window_scale = ws;
            (seg, dt)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_segments_never_panic(segs in proptest::collection::vec(any_segment(), 0..60)) {
        let mut tracker = Tracker::new();
        let mut now = 1_700_000_000_000_000_000i64;
        for (seg, dt) in &segs {
            now += dt;
            let info = tracker.push(Timestamp(now), 66, seg);
            let conns = tracker.connections();
            prop_assert!((info.conn.0 as usize) < conns.len());
            let c = conns.get(info.conn.0 as usize).expect("its connection");
            prop_assert_eq!((c.client_state, c.server_state), (info.client_state, info.server_state));
        }
        let conns = tracker.connections();
        let packets: u64 = conns.iter().map(|c| c.to_server.packets + c.to_client.packets).sum();
        prop_assert_eq!(packets, segs.len() as u64);
        for (i, c) in conns.iter().enumerate() {
            prop_assert_eq!(c.id.0 as usize, i);
        }
    }

    /// Freezing a finished connection changes nothing: a tracker that freezes at once (and
    /// thaws for every late segment) reports what one that never freezes does, segment by
    /// segment and connection by connection.
    #[test]
    fn freezing_finished_connections_is_lossless(segs in proptest::collection::vec(any_segment(), 0..60)) {
        let mut at_once = Tracker::retiring_after(0);
        let mut never = Tracker::retiring_after(usize::MAX);
        let mut now = 1_700_000_000_000_000_000i64;
        for (seg, dt) in &segs {
            now += dt;
            let a = at_once.push(Timestamp(now), 66, seg);
            let b = never.push(Timestamp(now), 66, seg);
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(
            format!("{:?}", at_once.connections()),
            format!("{:?}", never.connections())
        );
        prop_assert_eq!(
            format!("{:?}", at_once.into_connections()),
            format!("{:?}", never.into_connections())
        );
    }
}
