//! Arbitrary bytes as a capture scanned for the connection picker: the two-thread scan (read
//! and decode on one thread, track on the other: `capture_index/read_ahead.rs`) must give what
//! the one-thread scan gives (connections, frames, warnings, each connection read back), and
//! must never panic, hang or leave its reading thread behind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::{CaptureFile, Timestamp};
use sockviz::timeline::capture_index::CaptureIndex;

fuzz_target!(|data: &[u8]| {
    let open = || CaptureFile::from_bytes("fuzz.pcap", data.to_vec());
    let (Ok(a), Ok(b)) = (open(), open()) else {
        return;
    };
    let two = CaptureIndex::scan_file(a, |_| {});
    let one = CaptureIndex::scan_in_one_thread(b, |_| {});
    let (two, one) = match (two, one) {
        (Ok(two), Ok(one)) => (two, one),
        (Err(e2), Err(e1)) => {
            assert_eq!(e2.to_string(), e1.to_string());
            return;
        }
        (two, one) => panic!(
            "the scans disagree: two threads {:?}, one thread {:?}",
            two.map(|i| i.connections().len()),
            one.map(|i| i.connections().len())
        ),
    };
    assert_eq!(two.warnings(), one.warnings());
    assert_eq!(two.frames().len(), one.frames().len());
    let conns = |i: &CaptureIndex| format!("{:?}", i.connections().iter().collect::<Vec<_>>());
    assert_eq!(conns(&two), conns(&one));
    for c in two.connections().iter().take(4) {
        let origin = two.origin().unwrap_or(Timestamp(0));
        let a = two.load(c.id, origin, true).map(|t| t.events().len());
        let b = one.load(c.id, origin, true).map(|t| t.events().len());
        assert_eq!(a.ok(), b.ok());
    }
});
