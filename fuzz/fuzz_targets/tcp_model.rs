//! Arbitrary captures through the whole model: reader, decoder, and the TCP tracker.
//! (The tracker is still a skeleton on the capture branch; this target becomes useful once
//! the TCP model lands.)
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
