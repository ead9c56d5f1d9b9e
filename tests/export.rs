//! `sockviz export`: the SVG parses as XML and carries the arrows' labels (Korean included), the
//! text has the ladder and the transcript, the cast is asciicast v2 with milestone markers.

mod lab_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lab_support::BIN;
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// A fresh recording of the echo scenario (once per test binary run).
fn echo_recording() -> PathBuf {
    static MADE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let file = scratch("echo.pcapng");
        let out = Command::new(BIN)
            .args([
                "lab",
                "--scenario",
                "echo",
                "--headless",
                "--json",
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
        file
    })
    .clone()
}

fn export(file: &Path, format: &str, extra: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("export")
        .arg(file)
        .args(["--format", format])
        .args(extra)
        .output()
        .expect("run sockviz export");
    assert!(
        out.status.success(),
        "export {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML ({e}):\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[test]
fn svg_of_a_recording_parses_and_labels_every_arrow() {
    let svg = export(&echo_recording(), "svg", &[]);
    let texts = svg_texts(&svg);
    let has = |prefix: &str| texts.iter().any(|t| t.starts_with(prefix));
    assert!(has("SYN seq=0"), "{texts:#?}");
    assert!(has("SYN,ACK seq=0 ack=1"), "{texts:#?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("PSH,ACK") && t.contains("\"Hello, 대한민국!\"")),
        "the data arrow carries the message: {texts:#?}"
    );
    assert!(has("FIN,ACK"), "{texts:#?}");
    assert!(
        has("recv(1024) → 20"),
        "calls sit on the lifelines: {texts:#?}"
    );
    let doc = roxmltree::Document::parse(&svg).expect("XML");
    let arrows = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("segment"))
        .count();
    assert_eq!(arrows, 10, "one arrow per captured segment of the echo");
    assert!(svg.contains("Noto Sans CJK KR"), "a font stack with Hangul");
    assert!(svg.contains(r#"fill="white""#), "a white slide");
}

#[test]
fn svg_of_a_plain_capture_escapes_and_parses() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for name in ["echo.pcap", "reset.pcap", "multi.pcap", "retrans.pcap"] {
        let texts = svg_texts(&export(&data.join(name), "svg", &[]));
        assert!(
            texts.iter().any(|t| t.starts_with("SYN")),
            "{name}: {texts:#?}"
        );
    }
}

#[test]
fn txt_has_the_ladder_and_the_transcript() {
    let txt = export(&echo_recording(), "txt", &[]);
    assert!(txt.contains("│──SYN seq=0 win="), "{txt}");
    assert!(txt.contains("│◄──SYN,ACK seq=0 ack=1 win="), "{txt}");
    assert!(txt.contains("SYN_SENT / SYN_RECEIVED"), "{txt}");
    // The client's calls sit left of its lifeline (a slow machine may add "(blocked N ms)").
    assert!(
        txt.lines().any(|l| l
            .split_once('│')
            .is_some_and(|(left, _)| left.contains("recv(1024) → 20"))),
        "client calls left of the lifeline: {txt}"
    );
    assert!(
        txt.contains("recv(1024) → b''"),
        "the FIN seen by recv, as the lecture writes it: {txt}"
    );
    assert!(txt.contains("\nTranscript\n"), "{txt}");
    assert!(
        txt.contains("client#2"),
        "the transcript names sockets: {txt}"
    );
    assert!(txt.contains("\"Hello, 대한민국!\""), "{txt}");
}

#[test]
fn cast_is_asciicast_v2_with_milestone_markers_in_order() {
    let out = scratch("echo.cast");
    let printed = export(
        &echo_recording(),
        "cast",
        &["--force", "--out", out.to_str().expect("UTF-8 path")],
    );
    assert!(printed.is_empty(), "--out writes the file, not stdout");
    let cast = std::fs::read_to_string(&out).expect("the cast was written");
    let mut lines = cast.lines();
    let header: Value = serde_json::from_str(lines.next().expect("header")).expect("JSON");
    assert_eq!(header["version"], 2);
    assert!(header["width"].as_u64().is_some_and(|w| w >= 80));
    assert!(header["height"].as_u64().is_some_and(|h| h >= 24));
    assert!(header["timestamp"].as_i64().is_some());
    let mut last = 0.0;
    let mut markers = Vec::new();
    let mut output = String::new();
    for line in lines {
        let ev: Vec<Value> = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(ev.len(), 3, "[t, code, data]: {line}");
        let t = ev[0].as_f64().expect("time");
        assert!(t >= last, "times never go back: {t} after {last}");
        last = t;
        match ev[1].as_str() {
            Some("o") => output.push_str(ev[2].as_str().expect("data")),
            Some("m") => markers.push(ev[2].as_str().expect("label").to_string()),
            other => panic!("unexpected event code {other:?}"),
        }
    }
    assert_eq!(
        markers,
        ["SYN", "ESTABLISHED", "first data", "FIN", "CLOSED"],
        "one marker per milestone, in order"
    );
    assert!(output.contains("\u{1b}["), "ANSI escapes");
    assert!(output.contains("REPLAY"), "the real TUI's header");
    assert!(output.contains("SYN,ACK"), "the real TUI's ladder");
}
