//! Arbitrary bytes as a sockviz recording: the container, the event records on the events
//! interface (versioned JSON), the timeline they rebuild (settle, byte map) and the playback
//! index the screens build over it. Seed with recordings made by
//! `sockviz lab --scenario NAME --headless --record FILE`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::CaptureFile;
use sockviz::record::reader;
use sockviz::timeline::playback::PlaybackIndex;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = CaptureFile::from_bytes("fuzz.pcapng", data.to_vec()) else {
        return;
    };
    if let Ok(rec) = reader::read(file, |_| {}) {
        let _ = PlaybackIndex::build(rec.timeline.events());
    }
});
