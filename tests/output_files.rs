//! Files sockviz writes (issue 16, item 4): `export --out` and `lab --record` never write through
//! a symbolic link, keep an existing file unless `--force`, and a failed export leaves no file
//! and says the OS error once. (Ctrl-R's own names: `src/output_file.rs` and
//! `src/ui/live_record.rs` tests.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("output_files")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn echo_pcap() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/echo.pcap")
}

fn export(out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("export")
        .arg(echo_pcap())
        .args(["--format", "svg", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run sockviz export")
}

fn record(out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(["lab", "--scenario", "refused", "--headless", "--record"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run sockviz lab")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A link named like the output, pointing at a file that must stay as it is.
fn planted_link(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious").expect("victim");
    let link = dir.join(name);
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    (link, victim)
}

#[test]
fn export_does_not_write_through_a_symbolic_link() {
    let dir = scratch("export-link");
    let (link, victim) = planted_link(&dir, "slide.svg");
    for extra in [&[][..], &["--force"][..]] {
        let o = export(&link, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        assert!(std::fs::symlink_metadata(&link).expect("link").is_symlink());
    }
    assert_eq!(
        names(&dir),
        ["slide.svg", "victim"],
        "no temporary file left"
    );
}

#[test]
fn export_keeps_an_existing_file_unless_forced() {
    let dir = scratch("export-exists");
    let out = dir.join("slide.svg");
    std::fs::write(&out, "my slide").expect("seed");
    let o = export(&out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "my slide");
    let o = export(&out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&out).expect("read");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{svg:.80}"
    );
    assert_eq!(names(&dir), ["slide.svg"]);
}

#[test]
fn a_failed_export_leaves_no_file_and_says_the_os_error_once() {
    let dir = scratch("export-fails");
    // The directory is missing.
    let out = dir.join("no-such-dir").join("slide.svg");
    let o = export(&out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("no-such-dir/slide.svg"), "{err}");

    // The disk fills up halfway (a file size limit of 1 KiB stands in for a full disk).
    let out = dir.join("slide.svg");
    let o = Command::new("/bin/sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(BIN)
        .arg("export")
        .arg(echo_pcap())
        .args(["--format", "svg", "--out"])
        .arg(&out)
        .output()
        .expect("run sockviz export");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("File too large").count(), 1, "{err}");
    assert!(
        names(&dir).is_empty(),
        "no 0-byte or partial file: {:?}",
        names(&dir)
    );
}

#[test]
fn a_recording_is_not_written_through_a_symbolic_link() {
    let dir = scratch("record-link");
    let (link, victim) = planted_link(&dir, "lab.pcapng");
    for extra in [&[][..], &["--force"][..]] {
        let o = record(&link, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
    }
    // A dangling link would otherwise create the file it names.
    let dangling = dir.join("dangling.pcapng");
    std::os::unix::fs::symlink(dir.join("made-through-link"), &dangling).expect("symlink");
    let o = record(&dangling, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.join("made-through-link").exists());
}

#[test]
fn a_recording_keeps_an_existing_file_unless_forced() {
    let dir = scratch("record-exists");
    let out = dir.join("lab.pcapng");
    std::fs::write(&out, "last week's lecture").expect("seed");
    let o = record(&out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "refused before the lab ran");
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "last week's lecture"
    );
    let o = record(&out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let head = std::fs::read(&out).expect("read");
    assert_eq!(&head[..4], &[0x0a, 0x0d, 0x0d, 0x0a], "a pcapng now");
}
