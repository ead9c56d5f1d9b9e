//! Issue 14 item 1: what sockviz says about damaged files, link types and encapsulations is
//! Korean in a Korean run. Each test switches the whole test binary to Korean first, reads the
//! checked-in damaged and variant captures (and captures damaged here from their frames) the
//! way `sockviz inspect` does, and asserts every warning has no English left but protocol
//! names. The English texts are asserted by the other tests, unchanged.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use sockviz::capture::{CaptureFile, LinkType, Timestamp};
use sockviz::i18n::{Lang, english_words};
use sockviz::inspect::inspect_file;

use common::{captures_in, data};

/// Lower-case names that stay as written: link types and pseudo-headers as tcpdump names them
/// (`Linux cooked`, `radiotap`, `pflog`), kernel interfaces, pcap's field and tool names.
const NAMES: &[&str] = &[
    "radiotap", "pflog", "enc", "ipnet", "cooked", "vsock", "netlink", "snaplen", "libpcap",
    "editcap", "pppd",
];

fn korean() {
    sockviz::i18n::set(Lang::Ko);
}

/// English words left in `text`, protocol names aside.
fn english_left(text: &str) -> Vec<&str> {
    english_words(text)
        .into_iter()
        .filter(|w| !NAMES.contains(w))
        .collect()
}

fn assert_korean(what: &str, lines: &[String]) {
    for line in lines {
        let left = english_left(line);
        assert!(left.is_empty(), "{what}: English left {left:?} in {line:?}");
        assert!(
            line.chars().any(|c| ('가'..='힣').contains(&c)),
            "{what}: no Korean in {line:?}"
        );
    }
}

/// `inspect`'s warnings for `path`, in Korean, each checked.
fn korean_warnings(path: &Path) -> Vec<String> {
    let report = inspect_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_korean(&path.display().to_string(), &report.warnings);
    report.warnings
}

/// A classic little-endian µs pcap of `link` with these records (`captured`, `orig_len`).
fn pcap(link: u32, snaplen: u32, records: &[(Vec<u8>, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&snaplen.to_le_bytes());
    out.extend_from_slice(&link.to_le_bytes());
    for (i, (data, orig_len)) in records.iter().enumerate() {
        out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&orig_len.to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// The frames of a checked-in capture, with its link type.
fn frames_of(path: &Path) -> (LinkType, Vec<Vec<u8>>) {
    let mut file = CaptureFile::open(path).expect("a checked-in capture");
    let mut link = LinkType::ETHERNET;
    let mut frames = Vec::new();
    while let Ok(Some((frame, _))) = file.next_frame() {
        link = frame.link;
        frames.push(frame.data.to_vec());
    }
    (link, frames)
}

/// A file in this test binary's own temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("sockviz-ko-diag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // The last test out removes the directory (it fails while others still use it).
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The checked-in damaged files that still open: the damage is a Korean warning naming the
/// record and its offset, as the English one does.
#[test]
fn damaged_files_are_described_in_korean() {
    korean();
    for (name, record, offset) in [
        ("cut-tail.pcap", 10, 818),
        ("cut-tail.pcapng", 12, 1084),
        ("record-past-eof.pcap", 4, 286),
        ("record-huge.pcap", 4, 286),
    ] {
        let warnings = korean_warnings(&data(&format!("damaged/{name}")));
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("레코드 {record}"))
                    && w.contains(&format!("오프셋 {offset}"))),
            "{name}: a warning naming record {record} at offset {offset}: {warnings:?}"
        );
    }
    assert!(korean_warnings(&data("damaged/header-only.pcap")).is_empty());
}

/// The files that are no capture at all: `sockviz --lang ko inspect` says why in Korean, on
/// one stderr line naming the file.
#[test]
fn unusable_files_are_refused_in_korean() {
    korean();
    let version3 = {
        let mut bytes = pcap(1, 65535, &[]);
        bytes[4] = 3;
        TempFile::new("version3.pcap", &bytes)
    };
    for path in [
        data("damaged/empty.pcap"),
        data("damaged/short-header.pcap"),
        data("damaged/unknown-magic.pcap"),
        version3.0.clone(),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sockviz"))
            .args(["--lang", "ko", "inspect"])
            .arg(&path)
            .output()
            .expect("running sockviz");
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        assert_korean(&path.display().to_string(), &[stderr]);
    }
}

/// Every variant (pcapng, nanosecond, big-endian, cooked, raw, NULL/LOOP, VLAN, snaplen-cut):
/// whatever it warns about is Korean; the snaplen-cut ones say so.
#[test]
fn variants_warn_in_korean() {
    korean();
    let files = captures_in("variants");
    assert!(files.len() >= 20, "{files:?}");
    for path in files {
        let warnings = korean_warnings(&path);
        if path.to_string_lossy().contains("snap80") {
            assert!(
                warnings.iter().any(|w| w.contains("snaplen에 잘렸다")),
                "{}: {warnings:?}",
                path.display()
            );
        }
    }
}

/// Each variant's frames cut at every length (the capture keeping what it claims, so the
/// headers themselves are broken): each reason is one Korean warning with its count and
/// first frame, grouped as in English.
#[test]
fn broken_headers_of_every_link_type_are_korean() {
    korean();
    let mut reasons = std::collections::BTreeSet::new();
    for path in captures_in("variants") {
        let (link, frames) = frames_of(&path);
        let records: Vec<(Vec<u8>, u32)> = frames
            .iter()
            .take(3)
            .flat_map(|f| (0..f.len().min(80)).map(|n| (f[..n].to_vec(), n as u32)))
            .collect();
        let name = format!("cut-{}", path.file_name().unwrap().to_string_lossy());
        let broken = TempFile::new(&name, &pcap(link.0, 65535, &records));
        for w in korean_warnings(&broken.0) {
            assert!(w.starts_with("프레임 "), "{name}: {w}");
            // The reason after the count: one warning per reason, never per frame.
            let reason = w
                .split_once("): ")
                .map_or(w.as_str(), |(_, r)| r)
                .to_string();
            assert!(reasons.insert((name.clone(), reason)), "{name}: {w} twice");
        }
    }
    assert!(reasons.len() >= 10, "{reasons:?}");
}

/// Link types sockviz does not decode, a snaplen that cut the frames, an IP fragment never
/// completed and a record over the file's snaplen: each warning is Korean.
#[test]
fn refused_link_types_fragments_and_snaplen_are_korean() {
    korean();
    let (_, frames) = frames_of(&data("variants/echo.vlan.pcap"));
    for link in [147, 189, 253, 271, 9999] {
        let records: Vec<(Vec<u8>, u32)> =
            frames.iter().map(|f| (f.clone(), f.len() as u32)).collect();
        let file = TempFile::new(&format!("link{link}.pcap"), &pcap(link, 65535, &records));
        let warnings = korean_warnings(&file.0);
        assert!(
            warnings.iter().any(|w| w.contains("건너뛰었다")),
            "{link}: {warnings:?}"
        );
    }
    // echo.pcap's frames: the first as an IPv4 fragment (MF set) never completed; the
    // second cut by a snaplen of 60; the third longer than the file's snaplen of 64.
    let (_, frames) = frames_of(&data("echo.pcap"));
    let mut fragment = frames[0].clone();
    fragment[14 + 6] |= 0x20;
    let records = vec![
        (fragment.clone(), fragment.len() as u32),
        (frames[1][..60].to_vec(), frames[1].len() as u32),
        (frames[2].clone(), frames[2].len() as u32),
    ];
    let file = TempFile::new("fragment.pcap", &pcap(1, 64, &records));
    let warnings = korean_warnings(&file.0);
    let all = warnings.join("\n");
    for expected in ["재조립하지 못했다", "snaplen에 잘렸다", "그래도 읽었다"] {
        assert!(all.contains(expected), "{expected}: {warnings:?}");
    }
}

/// A `Write` whose bytes the test can take back after the writer owns it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A recording cut short (SIGKILL, full disk): the cut and the missing summary are Korean.
#[test]
fn a_recording_cut_short_is_described_in_korean() {
    korean();
    let out = Shared::default();
    let mut w = sockviz::record::RecordingWriter::to_writer(
        Box::new(out.clone()),
        Path::new("cut.pcapng"),
        LinkType::ETHERNET,
        "lo",
    )
    .expect("in memory");
    for at in [1_000, 2_000, 3_000] {
        w.write(&sockviz::timeline::SourceEvent::Note {
            at: Timestamp(at),
            text: "scenario echo".into(),
        })
        .expect("write");
    }
    drop(w);
    let mut bytes = out.0.lock().expect("not poisoned").clone();
    bytes.truncate(bytes.len() - 10);
    let file = CaptureFile::from_bytes("cut.pcapng", bytes).expect("a pcapng");
    let rec = sockviz::record::reader::read(file, |_| {}).expect("reads");
    assert_eq!(rec.warnings.len(), 2, "{:?}", rec.warnings);
    assert_korean("cut.pcapng", &rec.warnings);
    assert!(
        rec.warnings[0].contains("중간에 잘린 녹화 파일"),
        "{:?}",
        rec.warnings
    );
}
