//! pcap reader tests, and the file-level behaviour shared by both formats (open errors,
//! on-demand reads, streams).

use std::io::Write;
use std::path::PathBuf;

use super::{CaptureFile, CaptureFormat, FileError, FrameRef, LinkType, Timestamp};
use crate::wire::testframes::{TcpSpec, pcap_file};

/// A frame as read, owned, so tests can collect a whole file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read {
    pub number: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    pub orig_len: u32,
    pub data: Vec<u8>,
    pub at: FrameRef,
}

/// Every frame of `bytes`, and how the read ended (`None`: clean end of file).
pub(crate) fn read_all(bytes: Vec<u8>) -> (Vec<Read>, Option<FileError>) {
    let mut file = CaptureFile::from_bytes("test.pcap", bytes).expect("test file opens");
    let mut frames = Vec::new();
    loop {
        match file.next_frame() {
            Ok(Some((f, at))) => frames.push(Read {
                number: f.number,
                ts: f.ts,
                link: f.link,
                orig_len: f.orig_len,
                data: f.data.to_vec(),
                at,
            }),
            Ok(None) => return (frames, None),
            Err(e) => return (frames, Some(e)),
        }
    }
}

pub(crate) fn open_err(bytes: Vec<u8>) -> String {
    match CaptureFile::from_bytes("bad.pcap", bytes) {
        Ok(_) => panic!("expected the file to be refused"),
        Err(e @ FileError::NotACapture { .. }) => e.to_string(),
        Err(e) => panic!("expected NotACapture, got {e}"),
    }
}

/// Assert that reading stopped with `Damaged` at this record and offset; returns the reason.
pub(crate) fn assert_damaged(err: Option<FileError>, record: u64, offset: u64) -> String {
    match err {
        Some(FileError::Damaged {
            record: r,
            offset: o,
            reason,
            ..
        }) => {
            assert_eq!((r, o), (record, offset), "reason was: {reason}");
            reason
        }
        other => panic!("expected Damaged at record {record}, got {other:?}"),
    }
}

fn two_frames() -> (Vec<u8>, Vec<u8>) {
    let a = TcpSpec::default().ethernet();
    let b = TcpSpec {
        payload: vec![7; 100],
        ..TcpSpec::default()
    }
    .ethernet();
    (a, b)
}

#[test]
fn reads_all_four_pcap_variants() {
    let (a, b) = two_frames();
    for big_endian in [false, true] {
        for nanosecond in [false, true] {
            let recs = [
                (1_700_000_000, 123_456, &a[..], a.len() as u32),
                (1_700_000_001, 999_999, &b[..], 1500),
            ];
            let bytes = pcap_file(big_endian, nanosecond, 1, 65535, &recs);
            let file = CaptureFile::from_bytes("x", bytes.clone()).expect("opens");
            assert_eq!(
                file.format(),
                CaptureFormat::Pcap {
                    nanosecond,
                    big_endian
                }
            );
            let (frames, end) = read_all(bytes);
            assert!(end.is_none());
            assert_eq!(frames.len(), 2);
            let unit = if nanosecond { 1 } else { 1000 };
            assert_eq!(
                frames[0].ts,
                Timestamp(1_700_000_000_000_000_000 + 123_456 * unit)
            );
            assert_eq!(
                frames[1].ts.as_nanos(),
                1_700_000_001_000_000_000 + 999_999 * unit
            );
            assert_eq!((frames[0].number, frames[1].number), (1, 2));
            assert_eq!(frames[0].data, a);
            assert_eq!(frames[1].data, b);
            assert_eq!(frames[1].orig_len, 1500);
            assert_eq!(frames[0].link, LinkType::ETHERNET);
            assert_eq!(frames[0].at.data_offset, 24 + 16);
            assert_eq!(frames[1].at.data_offset, 24 + 16 + a.len() as u64 + 16);
            assert_eq!(frames[1].at.captured_len, b.len() as u32);
        }
    }
}

#[test]
fn link_type_keeps_low_16_bits_only() {
    // draft-ietf-opsawg-pcap §4: the upper bits of LinkType carry FCS information.
    let a = TcpSpec::default().ethernet();
    let bytes = pcap_file(false, false, 0x1000_0001, 65535, &[(0, 0, &a[..], 60)]);
    let (frames, _) = read_all(bytes);
    assert_eq!(frames[0].link, LinkType::ETHERNET);
    // An FCS length with its P bit is information, not a problem: no warning.
    let bytes = pcap_file(false, false, 0x4400_0001, 65535, &[(0, 0, &a[..], 60)]);
    let file = CaptureFile::from_bytes("x", bytes).expect("opens");
    assert!(file.warnings().is_empty());
}

#[test]
fn link_type_reserved_bits_are_read_with_a_warning() {
    // tshark refuses this file; sockviz reads it as Ethernet and says what it ignored.
    let a = TcpSpec::default().ethernet();
    let bytes = pcap_file(false, false, 0x0001_0001, 65535, &[(0, 0, &a[..], 60)]);
    let mut file = CaptureFile::from_bytes("x", bytes).expect("opens");
    let (f, _) = file.next_frame().expect("no damage").expect("a frame");
    assert_eq!(f.link, LinkType::ETHERNET);
    assert_eq!(
        file.warnings(),
        [
            "the file header's link-type field 0x00010001 has reserved bits set (0x00010000); \
          read as link type 1 (tshark refuses such a file)"
        ]
    );
}

#[test]
fn open_refuses_unusable_files_with_a_clear_message() {
    assert!(open_err(Vec::new()).contains("the file is empty"));
    assert!(open_err(vec![0xD4, 0xC3]).contains("only 2 byte(s)"));
    let e = open_err(b"GIF89a..........................".to_vec());
    assert!(e.contains("starts with 47494638"), "{e}");
    assert!(e.contains("bad.pcap"), "{e}");
    let header = pcap_file(false, false, 1, 65535, &[]);
    let e = open_err(header[..20].to_vec());
    assert!(
        e.contains("ends after 20 bytes, inside the 24-byte pcap file header"),
        "{e}"
    );
    let mut v3 = header.clone();
    v3[4] = 3;
    assert!(open_err(v3).contains("pcap version 3.4"));
}

#[test]
fn header_only_file_has_no_frames() {
    let (frames, end) = read_all(pcap_file(false, false, 1, 65535, &[]));
    assert!(frames.is_empty() && end.is_none());
}

#[test]
fn truncated_record_header_is_damaged_at_its_offset() {
    let (a, _) = two_frames();
    let mut bytes = pcap_file(false, false, 1, 65535, &[(0, 0, &a[..], 60)]);
    let second = bytes.len() as u64;
    bytes.extend_from_slice(&[1, 2, 3, 4, 5]);
    let (frames, end) = read_all(bytes);
    assert_eq!(frames.len(), 1);
    let reason = assert_damaged(end, 2, second);
    assert!(
        reason.contains("5 byte(s) into this record's 16-byte header"),
        "{reason}"
    );
}

#[test]
fn truncated_record_body_is_damaged_at_its_offset() {
    let (a, b) = two_frames();
    let mut bytes = pcap_file(
        true,
        false,
        1,
        65535,
        &[(0, 0, &a[..], 60), (0, 0, &b[..], 200)],
    );
    bytes.truncate(bytes.len() - 10);
    let (frames, end) = read_all(bytes);
    assert_eq!(frames.len(), 1);
    let reason = assert_damaged(end, 2, 24 + 16 + a.len() as u64);
    assert!(
        reason.contains(&format!(
            "claims {} captured bytes but the file ends after {}",
            b.len(),
            b.len() - 10
        )),
        "{reason}"
    );
}

#[test]
fn huge_record_length_is_damaged_without_allocating_it() {
    let mut bytes = pcap_file(false, false, 1, 65535, &[]);
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    bytes.extend_from_slice(&100u32.to_le_bytes());
    let (_, end) = read_all(bytes);
    let reason = assert_damaged(end, 1, 24);
    assert!(reason.contains("more than the 256 MiB"), "{reason}");
    // Just under the limit but far beyond the file: the read fails on the missing bytes.
    let mut bytes = pcap_file(false, false, 1, 65535, &[]);
    bytes.extend_from_slice(&[0; 8]);
    bytes.extend_from_slice(&(200u32 << 20).to_le_bytes());
    bytes.extend_from_slice(&100u32.to_le_bytes());
    bytes.extend_from_slice(&[0; 64]);
    let (_, end) = read_all(bytes);
    let reason = assert_damaged(end, 1, 24);
    assert!(reason.contains("file ends after 64"), "{reason}");
}

#[test]
fn caplen_beyond_snaplen_is_read_with_one_warning() {
    let (a, b) = two_frames();
    let bytes = pcap_file(
        false,
        false,
        1,
        64,
        &[(0, 0, &b[..], 200), (0, 0, &b[..], 200), (0, 0, &a[..], 60)],
    );
    let mut file = CaptureFile::from_bytes("x", bytes).expect("opens");
    let mut n = 0;
    while let Some((f, _)) = file.next_frame().expect("no damage") {
        assert!(!f.data.is_empty());
        n += 1;
    }
    assert_eq!(n, 3);
    assert_eq!(file.warnings().len(), 1);
    assert!(file.warnings()[0].contains("more than the file's snaplen of 64"));
    // Snaplen 0 means "not recorded": nothing to warn about.
    let bytes = pcap_file(false, false, 1, 0, &[(0, 0, &b[..], 200)]);
    let mut file = CaptureFile::from_bytes("x", bytes).expect("opens");
    while file.next_frame().expect("no damage").is_some() {}
    assert!(file.warnings().is_empty());
}

#[test]
fn record_larger_than_the_read_window_is_read_whole() {
    let big = vec![0x5A; super::buffer::WINDOW * 2 + 3];
    let (a, _) = two_frames();
    let recs = [(1, 2, &a[..], 60), (3, 4, &big[..], 9), (5, 6, &a[..], 60)];
    let bytes = pcap_file(false, true, 1, 0x0400_0000, &recs);
    // A stream reads through the full 1 MiB window, which the big record outgrows.
    let mut file = CaptureFile::from_reader("pipe", std::io::Cursor::new(bytes)).expect("opens");
    let mut lens = Vec::new();
    while let Some((f, _)) = file.next_frame().expect("reads") {
        lens.push(f.data.len());
        assert!(f.data.iter().all(|&b| b == f.data[0]) || f.data == a);
    }
    assert_eq!(lens, [a.len(), big.len(), a.len()]);
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sockviz-{}-{name}", std::process::id()))
}

#[test]
fn read_frame_reads_bytes_back_from_a_file() {
    let frames: Vec<Vec<u8>> = (0..300)
        .map(|i| {
            TcpSpec {
                seq: i,
                payload: vec![i as u8; (i as usize * 37) % 1500],
                ..TcpSpec::default()
            }
            .ethernet()
        })
        .collect();
    let recs: Vec<_> = frames
        .iter()
        .map(|f| (0, 0, &f[..], f.len() as u32))
        .collect();
    let path = temp_path("readback.pcap");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&pcap_file(false, false, 1, 65535, &recs)))
        .expect("write temp file");
    let mut file = CaptureFile::open(&path).expect("opens");
    let mut index = Vec::new();
    while let Some((_, at)) = file.next_frame().expect("reads") {
        index.push(at);
    }
    let mut buf = Vec::new();
    for (at, expected) in index.iter().zip(&frames).rev() {
        assert_eq!(
            file.read_frame(at, &mut buf).expect("reads back"),
            &expected[..]
        );
    }
    // Reading back does not disturb the stream: it is still at its end.
    assert!(file.next_frame().expect("clean end").is_none());
    let beyond = FrameRef {
        data_offset: 1 << 40,
        ..index[0]
    };
    assert!(matches!(
        file.read_frame(&beyond, &mut buf),
        Err(FileError::Io { .. })
    ));
    std::fs::remove_file(&path).ok();
}

#[test]
fn open_names_a_missing_file() {
    let path = temp_path("does-not-exist.pcap");
    let err = CaptureFile::open(&path).err().expect("missing file");
    assert!(matches!(err, FileError::Io { .. }));
    assert!(err.to_string().contains("does-not-exist.pcap"));
}

#[test]
fn streams_read_front_to_back_but_not_back() {
    let (a, _) = two_frames();
    let bytes = pcap_file(false, false, 1, 65535, &[(0, 0, &a[..], 60)]);
    let mut file = CaptureFile::from_reader("stdin", std::io::Cursor::new(bytes)).expect("opens");
    let (_, at) = file.next_frame().expect("reads").expect("one frame");
    let mut buf = Vec::new();
    assert!(matches!(
        file.read_frame(&at, &mut buf),
        Err(FileError::NotSeekable { .. })
    ));
    assert!(file.next_frame().expect("clean end").is_none());
}
