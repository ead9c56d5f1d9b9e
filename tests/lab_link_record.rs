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

/// Issue 12, item 2, in the exports: over a link the handshake's last ACK and the data right
/// behind it are in flight together. The text handout draws each from its departure row down to
/// its arrival row (`►` at the server's lifeline), the data leaving before the ACK lands; the
/// SVG's arrows end on the rows where they arrived.
#[test]
fn the_exports_draw_segments_in_flight_together_across_the_same_rows() {
    let dir = std::env::temp_dir().join(format!("sockviz-link-inflight-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("echo-link.pcapng");
    let path = file.to_str().expect("a UTF-8 path");
    run_as(
        As::Me,
        &["--scenario", "echo-link", "--record", path, "--force"],
    );
    let txt = out_of(&["export", path, "--format", "txt"]);
    let lines: Vec<&str> = txt
        .lines()
        .take_while(|l| !l.starts_with("Transcript"))
        .collect();
    let row = |what: &str| {
        lines
            .iter()
            .position(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no row with {what}:\n{txt}"))
    };
    let ack = row("╲ ACK seq=1 ack=1");
    let data = row("╲ data 20 B");
    // The first two arrivals at the server after the ACK left: the ACK's, then the data's.
    let landed: Vec<usize> = (ack..lines.len())
        .filter(|&k| lines[k].contains("►│"))
        .take(2)
        .collect();
    assert!(
        ack < data && data < landed[0] && landed[0] < landed[1],
        "ACK leaves at {ack}, data at {data}, they land at {landed:?}:\n{txt}"
    );
    // On the rows between, the ACK's line is on its way: each row crossed by a step or a run.
    for l in &lines[ack..=landed[0]] {
        let wire: String = l.chars().skip_while(|&c| c != '│').collect();
        assert!(wire.contains('─'), "a row without the line:\n{l}\n{txt}");
    }
    // Times go down the page: an arrival row's time is the arrival's.
    let t = |k: usize| -> f64 {
        lines[k]
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("a time on {}", lines[k]))
    };
    let one_way = t(landed[0]) - t(ack);
    assert!(
        (36.0..60.0).contains(&one_way),
        "one way {one_way} ms:\n{txt}"
    );
    // The SVG: the data arrow's line ends further down than a one-row arrow's 12 px.
    let svg = out_of(&["export", path, "--format", "svg"]);
    let data_group = svg
        .lines()
        .find(|l| {
            l.contains("class=\"segment\"")
                && l.contains("len=20")
                && l.contains("text-anchor=\"start\"")
        })
        .unwrap_or_else(|| panic!("the data arrow:\n{svg}"));
    let attr = |name: &str| -> f64 {
        let at = data_group
            .find(&format!(" {name}=\""))
            .expect("the attribute")
            + name.len()
            + 3;
        data_group[at..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a number")
    };
    assert!(attr("y2") - attr("y1") > 60.0, "{data_group}");
    let _ = std::fs::remove_dir_all(&dir);
}
