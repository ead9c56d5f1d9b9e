//! Issue 12: record, replay and export over a link. The recording keeps both capture points,
//! each on its own interface (`client0`, `server0`); replaying it gives the live run's JSON
//! lines back, lost segment included; the exports draw that segment stopping midway.

mod lab_support;
mod link_support;

use std::process::Command;

use lab_support::BIN;
use link_support::{As, run_as};

fn out_of(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("run sockviz");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn a_link_recording_replays_and_exports_with_its_lost_segment() {
    let dir = std::env::temp_dir().join(format!("sockviz-link-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("loss.pcapng");
    let path = file.to_str().expect("a UTF-8 path");
    let live = run_as(As::Me, &["--scenario", "loss", "--record", path, "--force"]);
    let bytes = std::fs::read(&file).expect("the recording");
    for name in ["client0", "server0"] {
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "an interface named {name}"
        );
    }
    let replay = out_of(&["replay", path, "--json"]);
    let replayed: Vec<serde_json::Value> = replay
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .filter(|v: &serde_json::Value| v["kind"] == "segment")
        .collect();
    let segments = live.segments();
    assert_eq!(replayed.len(), segments.len(), "each segment once, as live");
    for (r, l) in replayed.iter().zip(&segments) {
        assert_eq!(
            (&r["seen"], &r["lost"], &r["seq"]),
            (&l["seen"], &l["lost"], &l["seq"])
        );
    }
    assert_eq!(replayed.iter().filter(|s| s["lost"] == true).count(), 1);
    let txt = out_of(&["export", path, "--format", "txt"]);
    // The ladder's rows (between the lifelines), not the transcript after it.
    let lost_rows: Vec<&str> = txt
        .lines()
        .filter(|l| l.contains('✗') && l.contains('│'))
        .collect();
    assert_eq!(lost_rows.len(), 1, "{txt}");
    assert!(!lost_rows[0].contains('►'), "{}", lost_rows[0]);
    let svg = out_of(&["export", path, "--format", "svg"]);
    assert_eq!(svg.matches('✗').count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
