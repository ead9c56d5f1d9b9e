//! Property tests: whatever bytes arrive, the capture reader and the frame decoder answer with
//! frames, segments or errors, and never panic, hang or read out of bounds.
//!
//! Random bytes rarely get past a magic number, so most cases start from a valid file header
//! (pcap in each variant, or a pcapng section with an interface) followed by arbitrary bytes,
//! or from a valid record stream with some bytes flipped.

use proptest::prelude::*;
use sockviz::capture::{CaptureFile, LinkType};
use sockviz::wire::{Decoded, decode};

/// Read everything, decode every frame; check frame/segment invariants. Returns frames read.
fn read_everything(bytes: Vec<u8>) -> usize {
    let Ok(mut file) = CaptureFile::from_bytes("prop.pcap", bytes) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(Some((frame, at))) = file.next_frame() {
        n += 1;
        assert_eq!(frame.number, n as u64);
        assert_eq!(frame.data.len(), at.captured_len as usize);
        if let Ok(Decoded::Tcp(seg)) = decode(frame.link, frame.data) {
            assert!(seg.payload.len() as u64 <= u64::from(seg.payload_len));
        }
    }
    n
}

fn pcap_header(magic: u32, big_endian: bool, link: u32) -> Vec<u8> {
    let mut h = Vec::new();
    let (m, v, s, l) = if big_endian {
        (
            magic.to_be_bytes(),
            [0, 2, 0, 4],
            65535u32.to_be_bytes(),
            link.to_be_bytes(),
        )
    } else {
        (
            magic.to_le_bytes(),
            [2, 0, 4, 0],
            65535u32.to_le_bytes(),
            link.to_le_bytes(),
        )
    };
    h.extend_from_slice(&m);
    h.extend_from_slice(&v);
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&s);
    h.extend_from_slice(&l);
    h
}

fn pcapng_header(link: u16) -> Vec<u8> {
    let mut h = vec![
        0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
    ];
    h.extend_from_slice(&[0xFF; 8]);
    h.extend_from_slice(&[28, 0, 0, 0]);
    h.extend_from_slice(&[1, 0, 0, 0, 20, 0, 0, 0]);
    h.extend_from_slice(&link.to_le_bytes());
    h.extend_from_slice(&[0, 0, 0, 0, 0, 0, 20, 0, 0, 0]);
    h
}

const LINKS: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        read_everything(bytes);
    }

    #[test]
    fn arbitrary_records_after_a_pcap_header_never_panic(
        magic in prop::sample::select(vec![0xA1B2_C3D4u32, 0xA1B2_3C4D]),
        big_endian: bool,
        link in prop::sample::select(LINKS.to_vec()),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = pcap_header(magic, big_endian, link);
        bytes.extend_from_slice(&tail);
        read_everything(bytes);
    }

    #[test]
    fn arbitrary_blocks_after_a_pcapng_section_never_panic(
        link in prop::sample::select(LINKS.to_vec()),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = pcapng_header(link as u16);
        bytes.extend_from_slice(&tail);
        read_everything(bytes);
    }

    /// Well-formed records whose contents are random: every record must come out, in order.
    #[test]
    fn well_formed_pcap_records_all_come_out(
        link in prop::sample::select(LINKS.to_vec()),
        frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..20),
    ) {
        let mut bytes = pcap_header(0xA1B2_C3D4, false, link);
        for f in &frames {
            bytes.extend_from_slice(&[0; 8]);
            bytes.extend_from_slice(&(f.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&(f.len() as u32).to_le_bytes());
            bytes.extend_from_slice(f);
        }
        prop_assert_eq!(read_everything(bytes), frames.len());
    }

    #[test]
    fn arbitrary_frames_never_panic_the_decoder(
        link in prop::sample::select(LINKS.to_vec()),
        frame in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let _ = decode(LinkType(link), &frame);
    }

    /// A valid-looking IPv4/TCP prefix with random header fields and a random cut.
    #[test]
    fn mangled_ipv4_tcp_headers_never_panic(
        fields in proptest::collection::vec(any::<u8>(), 40..100),
        cut in 0usize..100,
    ) {
        let mut p = fields;
        p[0] = 0x40 | (p[0] & 0x0F);
        p[9] = 6;
        p.truncate(cut.max(1));
        if let Ok(Decoded::Tcp(seg)) = decode(LinkType::RAW, &p) {
            prop_assert!(seg.payload.len() <= p.len());
        }
    }
}
