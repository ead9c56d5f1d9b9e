//! `export` without `--conn` exports the first connection, as `--help` says, for a recording of
//! several connections (backlog's three clients) as for a capture; the title says which.

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
fn export_without_conn_is_the_first_connection_and_help_says_so() {
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
    let default = export(&file, None);
    let first = export(&file, Some("0"));
    let second = export(&file, Some("1"));
    assert_eq!(default, first, "no --conn is --conn 0");
    assert_ne!(first, second);
    assert!(default.contains("connection 0 of 3"), "{default}");
    // Only one client's port in the first connection's export.
    let ports: std::collections::BTreeSet<&str> = default
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter_map(|w| w.strip_prefix("127.0.0.1:"))
        .filter(|p| *p != "7")
        .collect();
    assert_eq!(ports.len(), 1, "one client: {ports:?}\n{default}");

    let help = Command::new(BIN)
        .args(["export", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("default: the first, 0"), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}
