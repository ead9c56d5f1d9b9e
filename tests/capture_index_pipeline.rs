//! The scan that builds a capture's index reads and decodes on one thread while another tracks
//! connections (`src/timeline/capture_index/read_ahead.rs`). Whatever the file, it must give
//! what the same scan in one thread gives: the same connections, frames, notes, warnings and
//! progress, the same partial result for a damaged file, the same error for a failed read, and
//! no thread left behind when the tracking side stops early.

mod common;
mod encap_support;

use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{captures_in, data};
use encap_support::{Record, read_pcap, write_pcap};
use sockviz::capture::{CaptureFile, FileError};
use sockviz::timeline::capture_index::{CaptureIndex, IndexedFrame};

fn built_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capture_index_pipeline");
    std::fs::create_dir_all(&dir).expect("creating the test's capture directory");
    dir
}

/// Both scans of `path`, each with the progress it reported.
fn both(path: &Path) -> ((CaptureIndex, Vec<u64>), (CaptureIndex, Vec<u64>)) {
    let open = || CaptureFile::open(path).expect("the capture opens");
    let (mut one, mut two) = (Vec::new(), Vec::new());
    let single = CaptureIndex::scan_in_one_thread(open(), |b| one.push(b)).expect("scans");
    let piped = CaptureIndex::scan_file(open(), |b| two.push(b)).expect("scans");
    ((single, one), (piped, two))
}

/// Everything a scan found, compared: connections (their debug form lists every field), every
/// frame's place and connection, the warnings, the progress, and connections loaded back with
/// the scan's notes (where a damaged file stopped, the first undecodable frame) and its
/// reused-port flags. Returns (connections, frames, warnings) for the figures.
fn assert_same(path: &Path) -> (usize, usize, usize) {
    let name = path.display();
    let ((single, one), (piped, two)) = both(path);
    assert_eq!(piped.origin(), single.origin(), "{name}: origin");
    assert_eq!(
        format!("{:?}", piped.connections()),
        format!("{:?}", single.connections()),
        "{name}: connections"
    );
    let frames = |i: &CaptureIndex| i.frames().iter().collect::<Vec<IndexedFrame>>();
    assert_eq!(frames(&piped), frames(&single), "{name}: frames");
    assert_eq!(piped.frames().len(), single.frames().len(), "{name}: count");
    assert_eq!(piped.warnings(), single.warnings(), "{name}: warnings");
    assert_eq!(two, one, "{name}: progress");
    let origin = single.origin().unwrap_or_default();
    let count = single.connections().len();
    // Each load reads the whole index: a dozen connections spread over the file are enough.
    let step = (count / 12).max(1);
    for n in (0..count).filter(|n| n % step == 0 || n + 1 == count) {
        let id = single.connections().get(n).expect("listed").id;
        let a = single.load(id, origin, true).expect("loads");
        let b = piped.load(id, origin, true).expect("loads");
        assert_eq!(b.events(), a.events(), "{name}: connection {n} loaded");
    }
    (count, single.frames().len(), single.warnings().len())
}

#[test]
fn every_checked_in_capture_scans_the_same_on_two_threads() {
    let mut files = captures_in("");
    files.extend(captures_in("variants"));
    files.extend([
        data("damaged/cut-tail.pcap"),
        data("damaged/cut-tail.pcapng"),
    ]);
    for path in &files {
        assert_same(path);
    }
    // The damaged ones stop with their warning, and keep what came before it.
    let (conns, frames, warnings) = assert_same(&data("damaged/cut-tail.pcap"));
    assert!(conns >= 1 && frames > 0 && warnings >= 1, "cut-tail.pcap");
}

/// Every Ethernet fixture's records one after the other, 40 times, each copy later than the one
/// before (the same 4-tuples come back: ports reused, connections thawed): 16,000 frames, eight
/// batches (9.6 MB, nine reads). Made once for the tests here.
fn many_batches() -> PathBuf {
    static MADE: OnceLock<PathBuf> = OnceLock::new();
    MADE.get_or_init(|| fixtures_again(40)).clone()
}

fn fixtures_again(copies: u32) -> PathBuf {
    let mut out: Vec<Record> = Vec::new();
    let mut at = 1_700_000_000u32;
    for copy in 0..copies {
        for path in captures_in("") {
            let (link, records) = read_pcap(&path);
            assert_eq!(link, 1, "{}", path.display());
            let first = records.first().map_or(0, |r| r.secs);
            for r in records {
                out.push(Record {
                    secs: at + r.secs.saturating_sub(first),
                    ..r
                });
            }
            at = out.last().map_or(at, |r| r.secs) + 1 + copy;
        }
    }
    let path = built_dir().join(format!("fixtures-x{copies}.pcap"));
    write_pcap(&path, 1, &out);
    path
}

/// `path` cut `keep` bytes short of its end: its last record is damaged.
fn cut(path: &Path, keep_short: usize) -> PathBuf {
    let bytes = std::fs::read(path).expect("reading the capture");
    let out = path.with_extension(format!("cut{keep_short}.pcap"));
    std::fs::write(&out, &bytes[..bytes.len() - keep_short]).expect("writing the cut capture");
    out
}

#[test]
fn a_capture_of_many_batches_scans_the_same_whole_fragmented_and_cut() {
    let big = many_batches();
    let (conns, frames, _) = assert_same(&big);
    assert!(frames > 6 * 2048, "{frames} frames: several batches");
    assert!(conns > 100, "{conns} connections");
    // Fragments held in one batch and rebuilt in a later one, in order and last-first.
    for reverse in [false, true] {
        let fragmented = encap_support::build_fragmented(&big, &built_dir(), 300, reverse);
        let (_, frames_fragmented, _) = assert_same(&fragmented);
        assert!(frames_fragmented > frames, "{}", fragmented.display());
    }
    // Cut in the middle of its last record: the same partial index and the same warning.
    let damaged = cut(&big, 7);
    let (_, frames_cut, warnings) = assert_same(&damaged);
    assert_eq!(frames_cut, frames - 1, "all frames but the cut one");
    assert!(warnings >= 1, "the damage is reported");
}

/// A stream that fails after `left` bytes, as a disk or a network file system may.
struct FailsAfter {
    bytes: io::Cursor<Vec<u8>>,
    left: usize,
}

impl Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("the disk went away (test)"));
        }
        let n = buf.len().min(self.left);
        let n = self.bytes.read(&mut buf[..n])?;
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn a_read_error_on_the_reading_thread_arrives_whole() {
    let big = many_batches();
    let bytes = std::fs::read(&big).expect("reading the capture");
    let failing = |left| {
        let stream = FailsAfter {
            bytes: io::Cursor::new(bytes.clone()),
            left,
        };
        CaptureFile::from_reader("/captures/flaky.pcap", stream).expect("its header reads")
    };
    // Past the first window (1 MiB): frames were read, handed over and tracked first.
    let left = bytes.len() * 3 / 4;
    assert!(left > 1 << 20, "the capture is larger than one read");
    let single = CaptureIndex::scan_in_one_thread(failing(left), |_| {}).expect_err("fails");
    let piped = CaptureIndex::scan_file(failing(left), |_| {}).expect_err("fails");
    let FileError::Io { path, source } = &piped else {
        panic!("an I/O error, not {piped:?}");
    };
    assert_eq!(path, Path::new("/captures/flaky.pcap"));
    assert_eq!(source.to_string(), "the disk went away (test)");
    assert_eq!(format!("{piped:#}"), format!("{single:#}"));
    assert_eq!(piped.to_string(), "cannot read /captures/flaky.pcap");
}

#[test]
fn tracking_that_stops_early_ends_the_reading_thread_without_a_panic_of_its_own() {
    let big = many_batches();
    let file = CaptureFile::open(&big).expect("opens");
    let mut calls = 0;
    // The tracking side panics at its second progress report, with batches still to come;
    // the reading thread, blocked handing one over, must return (the scan joins it) rather
    // than wait for ever or panic in turn.
    let ended = catch_unwind(AssertUnwindSafe(|| {
        CaptureIndex::scan_file(file, |_| {
            calls += 1;
            if calls == 2 {
                panic!("the tracking side stopped (test)");
            }
        })
    }));
    let payload = ended.expect_err("the panic comes through");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the tracking side stopped (test)")
    );
    // The same capture scans again, whole.
    let (conns, _, _) = assert_same(&big);
    assert!(conns > 0);
}
