//! One frame: the first byte picks a link type, the rest is the frame. Decoding must never
//! panic, and a decoded segment must be consistent with the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::LinkType;
use sockviz::wire::{Decoded, decode};

const LINKS: [LinkType; 11] = [
    LinkType::ETHERNET,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW_12,
    LinkType::RAW_14,
    LinkType::RAW,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType(147),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, frame)) = data.split_first() else {
        return;
    };
    let link = LINKS[usize::from(pick) % LINKS.len()];
    if let Ok(Decoded::Tcp(seg)) = decode(link, frame) {
        assert!(seg.payload.len() <= frame.len());
        assert!(seg.payload.len() as u64 <= u64::from(seg.payload_len));
        assert!(seg.truncated || seg.payload.len() as u64 == u64::from(seg.payload_len));
        assert!(usize::from(seg.options.sack_count) <= 4);
    }
});
