//! Arbitrary captures through the whole model: reader, decoder, and the TCP tracker.
//! Seeded with the real captures in tests/data, so the tracker sees real handshakes and closes
//! that the fuzzer then bends. Differential: a tracker that freezes every connection the moment
//! it finishes must answer exactly as the default one (which keeps small captures whole).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::CaptureFile;
use sockviz::tcp::Tracker;
use sockviz::wire::{Decoded, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = CaptureFile::from_bytes("fuzz.pcap", data.to_vec()) else {
        return;
    };
    let mut tracker = Tracker::new();
    let mut frozen = Tracker::freezing_at_once();
    while let Ok(Some((frame, _))) = file.next_frame() {
        if let Ok(Decoded::Tcp(seg)) = decode(frame.link, frame.data) {
            let a = tracker.push(frame.ts, frame.orig_len, &seg);
            let b = frozen.push(frame.ts, frame.orig_len, &seg);
            assert_eq!(
                a, b,
                "frame {}: freezing changed a segment's analysis",
                frame.number
            );
        }
    }
    assert_eq!(
        format!("{:?}", tracker.into_connections()),
        format!("{:?}", frozen.into_connections()),
        "freezing changed a connection"
    );
});
