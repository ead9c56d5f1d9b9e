//! Arbitrary bytes as a capture file: open, read every frame, decode it, and read it back by
//! its `FrameRef`. Must never panic, hang or allocate without bound; what is read back must be
//! what was streamed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockviz::capture::CaptureFile;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = CaptureFile::from_bytes("fuzz.pcap", data.to_vec()) else {
        return;
    };
    let mut index = Vec::new();
    let mut streamed = Vec::new();
    while let Ok(Some((frame, at))) = file.next_frame() {
        assert_eq!(frame.data.len(), at.captured_len as usize);
        let _ = sockviz::wire::decode(frame.link, frame.data);
        index.push(at);
        streamed.push(frame.data.to_vec());
    }
    let mut buf = Vec::new();
    for (at, bytes) in index.iter().zip(&streamed) {
        let back = file
            .read_frame(at, &mut buf)
            .expect("a streamed frame reads back");
        assert_eq!(back, &bytes[..]);
    }
    let _ = file.warnings();
});
