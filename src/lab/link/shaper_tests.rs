use std::time::Duration;

use super::*;
use crate::lab::link::spec::LinkSpec;

const MS: fn(u64) -> Duration = Duration::from_millis;

fn spec(text: &str) -> LinkSpec {
    text.parse().expect("a valid spec")
}

fn data(len: usize) -> FrameInfo {
    FrameInfo {
        len,
        tcp: true,
        syn: false,
    }
}

const SYN: FrameInfo = FrameInfo {
    len: 74,
    tcp: true,
    syn: true,
};

#[test]
fn a_frame_arrives_one_delay_later() {
    let mut s = Shaper::new(spec("rtt=80ms"));
    assert_eq!(
        s.admit(Way::ToServer, MS(5), data(1514)),
        Verdict::Deliver(MS(45))
    );
    assert_eq!(
        s.admit(Way::ToClient, MS(5), data(66)),
        Verdict::Deliver(MS(45))
    );
}

#[test]
fn a_rate_serialises_frames_one_after_another() {
    // 1000 bytes at 1 mbit/s take 8 ms on the wire.
    let mut s = Shaper::new(spec("rate=1mbit,delay=10ms"));
    assert_eq!(
        s.admit(Way::ToServer, MS(0), data(1000)),
        Verdict::Deliver(MS(18))
    );
    assert_eq!(
        s.admit(Way::ToServer, MS(1), data(1000)),
        Verdict::Deliver(MS(26)),
        "waits for the first"
    );
    assert_eq!(
        s.admit(Way::ToClient, MS(1), data(1000)),
        Verdict::Deliver(MS(19)),
        "the other direction has its own queue"
    );
    assert_eq!(
        s.admit(Way::ToServer, MS(100), data(1000)),
        Verdict::Deliver(MS(118)),
        "an idle link starts at once"
    );
}

#[test]
fn a_full_queue_drops_the_newcomer() {
    let mut s = Shaper::new(spec("rate=1mbit,queue=2"));
    assert!(matches!(
        s.admit(Way::ToServer, MS(0), data(1000)),
        Verdict::Deliver(_)
    ));
    assert!(matches!(
        s.admit(Way::ToServer, MS(0), data(1000)),
        Verdict::Deliver(_)
    ));
    assert_eq!(
        s.admit(Way::ToServer, MS(0), data(1000)),
        Verdict::Drop(DropReason::QueueFull)
    );
    // After the first has left (8 ms), there is room again.
    assert!(matches!(
        s.admit(Way::ToServer, MS(9), data(1000)),
        Verdict::Deliver(_)
    ));
}

#[test]
fn a_byte_queue_counts_bytes() {
    let mut s = Shaper::new(spec("rate=1mbit,queue=3000b"));
    assert!(matches!(
        s.admit(Way::ToServer, MS(0), data(1500)),
        Verdict::Deliver(_)
    ));
    assert!(matches!(
        s.admit(Way::ToServer, MS(0), data(1500)),
        Verdict::Deliver(_)
    ));
    assert_eq!(
        s.admit(Way::ToServer, MS(0), data(100)),
        Verdict::Drop(DropReason::QueueFull)
    );
}

#[test]
fn nth_drops_exactly_the_nth_client_segment() {
    let mut s = Shaper::new(spec("loss=nth:3"));
    let verdicts: Vec<bool> = (0..6)
        .map(|i| {
            // A server segment between each: they are not counted.
            assert!(matches!(
                s.admit(Way::ToClient, MS(i), data(66)),
                Verdict::Deliver(_)
            ));
            matches!(s.admit(Way::ToServer, MS(i), data(100)), Verdict::Drop(_))
        })
        .collect();
    assert_eq!(verdicts, [false, false, true, false, false, false]);
}

#[test]
fn syn_loss_drops_every_syn_and_nothing_else() {
    let mut s = Shaper::new(spec("loss=syn"));
    for i in 0..4 {
        assert_eq!(
            s.admit(Way::ToServer, MS(i), SYN),
            Verdict::Drop(DropReason::Syn)
        );
    }
    assert!(matches!(
        s.admit(Way::ToServer, MS(5), data(100)),
        Verdict::Deliver(_)
    ));
}

#[test]
fn random_loss_follows_its_rate_and_its_seed() {
    let count = |seed: u64| {
        let mut s = Shaper::new(spec(&format!("loss=10%,seed={seed}")));
        (0..10_000)
            .map(|i| s.admit(Way::ToServer, MS(i), data(100)))
            .filter(|v| matches!(v, Verdict::Drop(DropReason::Random)))
            .count()
    };
    let n = count(1);
    assert!((900..1100).contains(&n), "{n} of 10,000 at 10%");
    assert_eq!(count(1), n, "the same seed drops the same frames");
    assert_ne!(count(2), n, "another seed, another pattern");
}

#[test]
fn arp_is_never_lost() {
    let mut s = Shaper::new(spec("loss=100%"));
    let arp = FrameInfo {
        len: 42,
        tcp: false,
        syn: false,
    };
    assert!(matches!(
        s.admit(Way::ToServer, MS(0), arp),
        Verdict::Deliver(_)
    ));
}

#[test]
fn reordered_frames_are_held_back() {
    let mut s = Shaper::new(spec("reorder=100%,delay=1ms"));
    assert_eq!(
        s.admit(Way::ToServer, MS(0), data(100)),
        Verdict::Deliver(MS(1) + REORDER_HOLD)
    );
}

#[test]
fn frames_are_classified_from_their_headers() {
    let mut frame = vec![0u8; 54];
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[23] = 6;
    frame[14 + 20 + 13] = 0x02;
    assert_eq!(FrameInfo::of(&frame), SYN_OF(54));
    frame[14 + 20 + 13] = 0x12;
    assert!(!FrameInfo::of(&frame).syn, "SYN,ACK is not a request");
    frame[23] = 17;
    assert!(!FrameInfo::of(&frame).tcp, "UDP");
    assert!(!FrameInfo::of(&[0u8; 10]).tcp, "a runt");
}

#[allow(non_snake_case)]
fn SYN_OF(len: usize) -> FrameInfo {
    FrameInfo {
        len,
        tcp: true,
        syn: true,
    }
}
