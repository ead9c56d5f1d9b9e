//! Arbitrary captures through the whole model: reader, decoder, and the TCP tracker.
//! Seeded with the real captures in tests/data, so the tracker sees real handshakes and closes
//! that the fuzzer then bends.
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
    while let Ok(Some((frame, _))) = file.next_frame() {
        if let Ok(Decoded::Tcp(seg)) = decode(frame.link, frame.data) {
            tracker.push(frame.ts, frame.orig_len, &seg);
        }
    }
    let _ = tracker.into_connections();
});
