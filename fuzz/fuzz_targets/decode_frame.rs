//! One frame: the first byte picks a link type, the rest is the frame. Decoding must never
//! panic, and a decoded segment must be consistent with the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::LinkType;
use sockviz::wire::{Decoded, decode};

/// Every link type the decoder knows, and one it does not (147).
const LINKS: [u32; 52] = [
    0, 1, 3, 6, 7, 8, 9, 10, 12, 14, 50, 51, 99, 100, 101, 102, 104, 105, 106, 107, 108, 109, 113,
    117, 119, 122, 123, 127, 129, 138, 163, 166, 178, 179, 180, 181, 192, 202, 204, 205, 206, 226,
    228, 229, 239, 240, 241, 242, 258, 276, 147, 1,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, frame)) = data.split_first() else {
        return;
    };
    let link = LinkType(LINKS[usize::from(pick) % LINKS.len()]);
    if let Ok(Decoded::Tcp(seg)) = decode(link, frame) {
        assert!(seg.payload.len() <= frame.len());
        assert!(seg.payload.len() as u64 <= u64::from(seg.payload_len));
        assert!(seg.truncated || seg.payload.len() as u64 == u64::from(seg.payload_len));
        assert!(usize::from(seg.options.sack_count) <= 4);
    }
});
