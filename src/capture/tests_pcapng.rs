//! pcapng reader tests (draft-ietf-opsawg-pcapng): sections, interfaces, timestamp options,
//! the three packet blocks, skipped blocks, and damage.

use super::tests_pcap::{assert_damaged, open_err, read_all};
use super::{CaptureFile, CaptureFormat, LinkType, Timestamp};
use crate::wire::testframes::{PcapngBuilder, TcpSpec, wrap};

const TS_SEC: u64 = 1_700_000_000;

fn frame() -> Vec<u8> {
    TcpSpec::default().ethernet()
}

#[test]
fn reads_enhanced_packets_in_both_byte_orders() {
    for big_endian in [false, true] {
        let f = frame();
        let mut b = PcapngBuilder::new(big_endian);
        b.interface(1, 65535, &[]);
        b.enhanced(0, TS_SEC * 1_000_000 + 5, &f, 1514);
        let file = CaptureFile::from_bytes("x", b.bytes.clone()).expect("opens");
        assert_eq!(file.format(), CaptureFormat::Pcapng);
        let (frames, end) = read_all(b.bytes);
        assert!(end.is_none());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].data, f);
        assert_eq!(frames[0].orig_len, 1514);
        assert_eq!(
            frames[0].ts,
            Timestamp((TS_SEC * 1_000_000_000 + 5_000) as i64)
        );
        // SHB (28) + IDB (20) + EPB header (28).
        assert_eq!(frames[0].at.data_offset, 28 + 20 + 28);
    }
}

#[test]
fn interfaces_have_their_own_link_types_and_resolutions() {
    let ip = TcpSpec::default().ip_bytes();
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[(9, &[9])]); // nanoseconds
    b.interface(101, 0, &[(9, &[0x80 | 20])]); // 2^-20 s
    b.interface(276, 0, &[(9, &[3]), (14, &(-10i64).to_le_bytes())]); // ms, offset -10 s
    b.interface(113, 0, &[(9, &[12])]); // picoseconds
    b.enhanced(
        0,
        TS_SEC * 1_000_000_000 + 7,
        &wrap(LinkType::ETHERNET, &ip),
        0,
    );
    b.enhanced(1, (TS_SEC << 20) + (1 << 19), &ip, 0);
    b.enhanced(2, TS_SEC * 1000 + 250, &wrap(LinkType::LINUX_SLL2, &ip), 0);
    b.enhanced(
        3,
        1_000 * 1_000_000_000_000 + 5_000,
        &wrap(LinkType::LINUX_SLL, &ip),
        0,
    );
    let (frames, end) = read_all(b.bytes);
    assert!(end.is_none(), "{end:?}");
    let links: Vec<u32> = frames.iter().map(|f| f.link.0).collect();
    assert_eq!(links, [1, 101, 276, 113]);
    let ns = TS_SEC as i64 * 1_000_000_000;
    assert_eq!(frames[0].ts.as_nanos(), ns + 7);
    assert_eq!(frames[1].ts.as_nanos(), ns + 500_000_000);
    assert_eq!(frames[2].ts.as_nanos(), ns + 250_000_000 - 10_000_000_000);
    assert_eq!(frames[3].ts.as_nanos(), 1_000_000_000_005);
}

#[test]
fn a_new_section_resets_interfaces_and_may_switch_byte_order() {
    let f = frame();
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    b.enhanced(0, 1, &f, 60);
    b.section(true);
    b.interface(101, 0, &[]);
    b.enhanced(0, 2, &TcpSpec::default().ip_bytes(), 45);
    b.section(false);
    let second_section_packet = b.bytes.len() as u64;
    b.enhanced(0, 3, &f, 60); // no interface in this section yet
    let (frames, end) = read_all(b.bytes);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].link, LinkType::RAW);
    assert_eq!(frames[1].ts, Timestamp(2_000));
    let reason = assert_damaged(end, 8, second_section_packet);
    assert!(
        reason.contains("refers to interface 0 but its section describes only 0"),
        "{reason}"
    );
}

#[test]
fn simple_packet_blocks_use_interface_zero_snaplen_and_previous_time() {
    let f = frame();
    let mut b = PcapngBuilder::new(true);
    b.interface(1, 40, &[]);
    b.enhanced(0, 77, &f[..40], 60);
    b.simple(&f[..40], 60);
    b.simple(&f[..20], 20);
    let (frames, end) = read_all(b.bytes);
    assert!(end.is_none());
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[1].data, &f[..40]);
    assert_eq!(frames[1].orig_len, 60);
    assert_eq!(frames[1].ts, Timestamp(77_000));
    assert_eq!(frames[2].data, &f[..20]);
}

#[test]
fn obsolete_packet_block_is_read() {
    let f = frame();
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    b.obsolete(0, 9, &f, 60);
    let (frames, end) = read_all(b.bytes);
    assert!(end.is_none());
    assert_eq!(
        (frames[0].data.clone(), frames[0].ts),
        (f, Timestamp(9_000))
    );
}

#[test]
fn other_blocks_and_comments_are_skipped() {
    let f = frame();
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[(1, b"a comment"), (2, b"eth0")]);
    b.block(4, &[1, 0, 4, 0, 10, 0, 0, 1, 0, 0, 0, 0]); // NRB
    b.block(5, &[0; 12]); // ISB
    b.block(10, &[0; 8]); // DSB
    b.block(0x0000_0BAD, &[1, 2, 3]); // custom
    b.block(0x4000_0000, &[]); // unknown
    b.enhanced(0, 1, &f, 60);
    let (frames, end) = read_all(b.bytes);
    assert!(end.is_none());
    assert_eq!(frames.len(), 1);
}

#[test]
fn broken_option_lists_lose_only_the_options() {
    let mut b = PcapngBuilder::new(false);
    // if_tsresol claims 200 bytes: options stop, the interface stays (microseconds).
    let mut body = b.u16b(1).to_vec();
    body.extend_from_slice(&[0, 0, 0, 0, 0, 0, 9, 0, 200, 0]);
    b.block(1, &body);
    b.enhanced(0, 3, &frame(), 60);
    let mut file = CaptureFile::from_bytes("x", b.bytes).expect("opens");
    let (f, _) = file.next_frame().expect("reads").expect("a frame");
    assert_eq!(f.ts, Timestamp(3_000));
    assert!(file.warnings()[0].contains("option running past its block"));
}

#[test]
fn unknown_section_version_is_read_with_a_warning() {
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    b.enhanced(0, 1, &TcpSpec::default().ethernet(), 60);
    let mut bytes = b.bytes;
    bytes[12] = 2; // major version 2.0
    let mut file = CaptureFile::from_bytes("x.pcapng", bytes).expect("opens");
    assert!(file.next_frame().expect("no damage").is_some());
    assert_eq!(
        file.warnings(),
        [
            "a section header says pcapng version 2.0, which is not 1.0; read as 1.0 (tshark \
          refuses such a file)"
        ]
    );
}

#[test]
fn open_refuses_a_broken_first_section_header() {
    let good = PcapngBuilder::new(false).bytes;
    let e = open_err(good[..10].to_vec());
    assert!(e.contains("10 byte(s) into a block header"), "{e}");
    let mut bom = good.clone();
    bom[8] = 0;
    assert!(open_err(bom).contains("byte-order magic"));
    let e = open_err(good[..20].to_vec());
    assert!(
        e.contains("claims 28 bytes but the file ends after 20"),
        "{e}"
    );
}

/// A file of SHB + IDB, then one block with its 4-byte length field at offset 4 replaced.
fn with_bad_block(len: u32, tail: &[u8]) -> (Vec<u8>, u64) {
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    let at = b.bytes.len() as u64;
    b.bytes.extend_from_slice(&6u32.to_le_bytes());
    b.bytes.extend_from_slice(&len.to_le_bytes());
    b.bytes.extend_from_slice(tail);
    (b.bytes, at)
}

#[test]
fn bad_block_lengths_are_damaged_at_the_block() {
    for (len, what) in [(30, "invalid"), (8, "invalid"), (0x2000_0000, "invalid")] {
        let (bytes, at) = with_bad_block(len, &[0; 40]);
        let reason = assert_damaged(read_all(bytes).1, 3, at);
        assert!(reason.contains(what), "{len}: {reason}");
    }
    let (bytes, at) = with_bad_block(1000, &[0; 40]);
    let reason = assert_damaged(read_all(bytes).1, 3, at);
    assert!(
        reason.contains("claims 1000 bytes but the file ends after 48"),
        "{reason}"
    );
    let (bytes, at) = with_bad_block(16, &[0, 0, 0, 0, 20, 0, 0, 0]);
    let reason = assert_damaged(read_all(bytes).1, 3, at);
    assert!(
        reason.contains("16 at its start but 20 at its end"),
        "{reason}"
    );
    let (bytes, at) = with_bad_block(12, &[0; 2]);
    let reason = assert_damaged(read_all(bytes).1, 3, at);
    assert!(
        reason.contains("10 byte(s) into a block header"),
        "{reason}"
    );
}

#[test]
fn packet_blocks_that_lie_about_their_contents_are_damaged() {
    let f = frame();
    // caplen larger than the block.
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    let at = b.bytes.len() as u64;
    b.enhanced(0, 1, &f, 60);
    let caplen_at = at as usize + 8 + 12;
    b.bytes[caplen_at..caplen_at + 4].copy_from_slice(&500u32.to_le_bytes());
    let reason = assert_damaged(read_all(b.bytes).1, 3, at);
    assert!(
        reason.contains("claims 500 captured bytes but its block holds only 60"),
        "{reason}"
    );
    // EPB on an interface that was never described.
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    b.enhanced(0, 1, &f, 60);
    let at = b.bytes.len() as u64;
    b.enhanced(3, 1, &f, 60);
    let (frames, end) = read_all(b.bytes);
    assert_eq!(frames.len(), 1);
    let reason = assert_damaged(end, 4, at);
    assert!(
        reason.contains("interface 3 but its section describes only 1"),
        "{reason}"
    );
    // SPB before any interface, and a too-short EPB body.
    let mut b = PcapngBuilder::new(false);
    b.simple(&f, 60);
    assert_damaged(read_all(b.bytes).1, 2, 28);
    let mut b = PcapngBuilder::new(false);
    b.interface(1, 0, &[]);
    b.block(6, &[0; 8]);
    let reason = assert_damaged(read_all(b.bytes).1, 3, 48);
    assert!(reason.contains("shorter than the 20 it needs"), "{reason}");
}

#[test]
fn section_header_only_is_an_empty_capture() {
    let (frames, end) = read_all(PcapngBuilder::new(true).bytes);
    assert!(frames.is_empty() && end.is_none());
}

#[test]
fn odd_interfaces_still_yield_frames_with_a_note() {
    let f = frame();
    let mut b = PcapngBuilder::new(false);
    b.interface(147, 32, &[(9, &[50])]); // user link type, 10^-50 s: out of range
    b.enhanced(0, 4, &f, 60);
    b.enhanced(0, 5, &f, 60);
    let mut file = CaptureFile::from_bytes("x", b.bytes).expect("opens");
    let (frame, _) = file.next_frame().expect("reads").expect("a frame");
    assert_eq!((frame.link, frame.ts), (LinkType(147), Timestamp(4_000)));
    assert_eq!(
        crate::wire::decode(frame.link, frame.data),
        Err(crate::wire::DecodeError::UnsupportedLink(LinkType(147)))
    );
    assert!(file.next_frame().expect("reads").is_some());
    let notes = file.warnings().join("\n");
    assert!(notes.contains("if_tsresol 0x32, out of range"), "{notes}");
    assert!(
        notes.contains("captured 60 bytes, more than its snaplen of 32"),
        "{notes}"
    );
    assert_eq!(file.warnings().len(), 2, "one note per kind");
}
