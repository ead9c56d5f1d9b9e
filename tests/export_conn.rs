//! `export` without `--conn`, as `--help` says: a recording's whole lab session (backlog's three
//! clients are the lesson), a plain capture's first connection; the title says which.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn export(file: &std::path::Path, conn: Option<&str>) -> String {
    let mut cmd = Command::new(BIN);
    cmd.arg("export").arg(file).args(["--format", "txt"]);
    if let Some(n) = conn {
        cmd.args(["--conn", n]);
    }
    let out = cmd.output().expect("run sockviz export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn export_without_conn_is_a_recordings_session_or_a_captures_first_connection() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("export-conn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("backlog.pcapng");
    let out = Command::new(BIN)
        .args([
            "lab",
            "--scenario",
            "backlog",
            "--headless",
            "--force",
            "--record",
        ])
        .arg(&file)
        .output()
        .expect("run sockviz lab");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ports = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == '│')
            .filter_map(|w| w.strip_prefix("127.0.0.1:"))
            .filter(|p| *p != "7" && !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    let whole = export(&file, None);
    assert!(whole.contains("all 3 connections"), "{whole}");
    let first = export(&file, Some("0"));
    assert!(first.contains("connection 0 of 3"), "{first}");
    assert_eq!(
        ports(&first).len(),
        1,
        "one client: {:?}\n{first}",
        ports(&first)
    );
    assert_ne!(first, export(&file, Some("1")));
    assert!(
        whole.len() > first.len(),
        "the session holds more than its first connection"
    );

    // A capture of unrelated connections: the first one.
    let multi = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/multi.pcap");
    let default = export(&multi, None);
    assert_eq!(default, export(&multi, Some("0")), "no --conn is --conn 0");
    assert!(default.contains("connection 0 of 7"), "{default}");

    let help = Command::new(BIN)
        .args(["export", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Default: a recording's whole lab session"),
        "{help}"
    );
    assert!(help.contains("a capture's first connection (0)"), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}
