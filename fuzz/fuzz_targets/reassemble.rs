//! IP reassembly under overlapping, duplicate, out-of-order and endless fragments: no panic,
//! memory (payload, ranges and replay tags) within the bound after every fragment, rebuilt
//! datagrams within 65,535 bytes, replay tags in arrival order; and the same bytes as whole
//! frames through the `Decoder` (first byte's low bit picks which).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::{LinkType, Timestamp};
use sockviz::wire::fragments::{MAX_HELD_BYTES, MAX_TAGS};
use sockviz::wire::{Decoded, Decoder, FragmentRef, Reassembler};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        // Frames: [len u8][orig extra u8][bytes...], raw IP, time advancing a second each.
        let mut d = Decoder::new();
        let mut t = 0i64;
        while let [len, extra, tail @ ..] = rest {
            let n = usize::from(*len).min(tail.len());
            let (frame, next) = tail.split_at(n);
            rest = next;
            t += 1_000_000_000;
            let orig = n as u32 + u32::from(*extra);
            if let Ok(Decoded::Tcp(seg)) = d.decode(LinkType(101), frame, orig, Timestamp(t)) {
                assert!(seg.payload.len() as u64 <= u64::from(seg.payload_len));
                assert!(seg.payload.len() <= 65_535);
            }
        }
        d.finish();
        let _ = d.warnings();
        return;
    }
    // Fragments: [id][off hi][off lo][len][flags][dt] then `len` bytes (repeated as needed).
    // Up to 510 ids × 2 destinations × IPv4/6: enough datagrams near 64 KiB to reach the bound.
    let mut r = Reassembler::new();
    let mut out = Vec::new();
    let mut t = 0i64;
    let filler = [0x5Au8; 255];
    let mut tag = 0u64;
    while let [id, oh, ol, len, flags, dt, tail @ ..] = rest {
        rest = tail;
        let n = usize::from(*len);
        let (bytes, next) = if rest.len() >= n && flags & 0x10 != 0 {
            rest.split_at(n)
        } else {
            (&filler[..n], rest)
        };
        rest = next;
        t += i64::from(*dt) * 1_000_000_000;
        // Flag 0x80 sprays: `len` datagrams (ids id, id+1, ...) each get 8 filler bytes at this
        // offset, so one record can grow the memory held to the bound.
        let (copies, data) = if flags & 0x80 != 0 {
            (u32::from(*len).max(1), &filler[..8])
        } else {
            (1, bytes)
        };
        for k in 0..copies {
            let f = FragmentRef {
                src: "10.0.0.1".parse().expect("literal"),
                dst: if flags & 0x20 != 0 {
                    "10.0.0.3"
                } else {
                    "10.0.0.2"
                }
                .parse()
                .expect("literal"),
                id: u32::from(*id) + k,
                proto: 6,
                v6: flags & 0x01 != 0,
                offset: u32::from(u16::from_be_bytes([*oh, *ol]))
                    * if flags & 0x40 != 0 { 1 } else { 8 },
                more: flags & 0x02 != 0,
                data,
                cut: flags & 0x04 != 0 && flags & 0x08 != 0,
            };
            tag += 1;
            if r.add_tagged(Timestamp(t), &f, Some(tag), &mut out)
                .is_some()
            {
                assert!(out.len() <= 65_535);
                let tags = r.completed_tags();
                assert!(tags.len() <= MAX_TAGS);
                assert!(tags.windows(2).all(|w| w[0] < w[1]) && tags.iter().all(|&x| x <= tag));
            }
            assert!(r.held_bytes() <= r.held_memory());
            assert!(r.held_memory() <= MAX_HELD_BYTES);
        }
    }
    r.finish();
    assert_eq!((r.held_bytes(), r.held_memory()), (0, 0));
});
