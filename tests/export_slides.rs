//! `sockviz export --format svg --phase …/--events …/--view stream-map`: slides. Every scenario
//! of the real lab is recorded, its handshake exported, and each slide checked: 16:9, every text
//! at least 1/40 of the slide's height (18 px on 720), every text inside the slide by its
//! drawn width, the CJK fallback fonts named, the client's and the server's headings, the state
//! names beside the lifelines.

mod lab_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lab_support::BIN;
use sockviz::export::svg::CJK_FALLBACKS;
use unicode_width::UnicodeWidthStr;

const SCENARIOS: [&str; 9] = [
    "echo",
    "segments",
    "coalesce",
    "half-close",
    "refused",
    "backlog",
    "slow-reader",
    "reset",
    "utf8-split",
];

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export_slides");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// A fresh recording of `scenario` by the real lab (once per test run; the tests share it).
fn record(scenario: &str) -> PathBuf {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, OnceLock};
    static MADE: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = made.get(scenario) {
        return p.clone();
    }
    let file = scratch(&format!("{scenario}.pcapng"));
    let out = Command::new(BIN)
        .args([
            "lab",
            "--scenario",
            scenario,
            "--headless",
            "--json",
            "--force",
        ])
        .arg("--record")
        .arg(&file)
        .output()
        .expect("run sockviz lab");
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    made.insert(scenario.to_string(), file.clone());
    file
}

/// `sockviz export FILE --format svg ARGS --out OUT --force`, then the slides written: `OUT`,
/// or `OUT-1.svg`, `OUT-2.svg` … in order.
fn export_slides(file: &Path, args: &[&str], out: &str) -> Vec<String> {
    let out_path = scratch(out);
    let stem = out.trim_end_matches(".svg");
    // Slides of an earlier run must not count.
    for entry in std::fs::read_dir(scratch(""))
        .expect("scratch dir")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == out || name.starts_with(&format!("{stem}-")) {
            std::fs::remove_file(entry.path()).expect("remove an old slide");
        }
    }
    let run = Command::new(BIN)
        .arg("export")
        .arg(file)
        .args(["--format", "svg"])
        .args(args)
        .arg("--out")
        .arg(&out_path)
        .arg("--force")
        .output()
        .expect("run sockviz export");
    assert!(
        run.status.success(),
        "export {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    if out_path.exists() {
        return vec![std::fs::read_to_string(&out_path).expect("the slide")];
    }
    (1..)
        .map(|k| scratch(&format!("{stem}-{k}.svg")))
        .take_while(|p| p.exists())
        .map(|p| std::fs::read_to_string(p).expect("a slide"))
        .collect()
}

/// The font size in effect at `node`: its own, else its nearest ancestor's.
fn font_size(node: roxmltree::Node<'_, '_>) -> f64 {
    node.ancestors()
        .find_map(|n| n.attribute("font-size"))
        .and_then(|s| s.parse().ok())
        .expect("every text has a font size")
}

/// Check one slide; returns its texts.
fn check_slide(svg: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: not XML ({e})"));
    let root = doc.root_element();
    let num = |k: &str| -> f64 {
        root.attribute(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}: no {k}"))
    };
    let (w, h) = (num("width"), num("height"));
    assert_eq!(w * 9.0, h * 16.0, "{what}: {w}×{h} is not 16:9");
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {w} {h}").as_str()),
        "{what}: the drawing is the slide's size, not scaled down"
    );
    let family = root.attribute("font-family").expect("a font list");
    for font in CJK_FALLBACKS {
        assert!(family.contains(font), "{what}: {font} missing in {family}");
    }
    assert!(family.trim_end().ends_with("monospace"), "{family}");
    let mut texts = Vec::new();
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let text = node.text().unwrap_or("");
        let size = font_size(node);
        assert!(
            size >= h / 40.0,
            "{what}: {text:?} at {size} px is under 1/40 of the height ({} px)",
            h / 40.0
        );
        // Inside the slide: DejaVu Sans Mono's advance is 0.6 em, a wide glyph two cells.
        let x: f64 = node.attribute("x").and_then(|v| v.parse().ok()).expect("x");
        let y: f64 = node.attribute("y").and_then(|v| v.parse().ok()).expect("y");
        let width = text.width() as f64 * 0.6 * size;
        let (left, right) = match node.attribute("text-anchor") {
            Some("end") => (x - width, x),
            Some("middle") => (x - width / 2.0, x + width / 2.0),
            _ => (x, x + width),
        };
        assert!(
            left >= 0.0 && right <= w && y - size >= 0.0 && y <= h,
            "{what}: {text:?} at x {left:.0}..{right:.0}, y {y} leaves the {w}×{h} slide"
        );
        texts.push(text.to_string());
    }
    texts
}

#[test]
fn the_handshake_of_every_scenario_fits_16_9_slides_at_a_readable_size() {
    for scenario in SCENARIOS {
        let file = record(scenario);
        let slides = export_slides(&file, &["--phase", "handshake"], &format!("{scenario}.svg"));
        assert!(
            !slides.is_empty() && slides.len() <= 2,
            "{scenario}: {} slides",
            slides.len()
        );
        let mut all = Vec::new();
        for (k, svg) in slides.iter().enumerate() {
            let texts = check_slide(svg, &format!("{scenario} slide {}", k + 1));
            assert!(
                texts.iter().any(|t| t.starts_with("client ")),
                "{scenario}: a heading for the client: {texts:?}"
            );
            assert!(
                texts.iter().any(|t| t.starts_with("server ")),
                "{scenario}: a heading for the server: {texts:?}"
            );
            all.extend(texts);
        }
        let has = |s: &str| all.iter().any(|t| t.starts_with(s));
        assert!(has("SYN seq=0"), "{scenario}: the SYN: {all:?}");
        assert!(has("SYN_SENT"), "{scenario}: the state names: {all:?}");
        if scenario == "refused" {
            assert!(has("RST"), "the refusal is part of the handshake: {all:?}");
            assert!(all.iter().any(|t| t.contains("ECONNREFUSED")), "{all:?}");
        } else {
            assert!(has("SYN,ACK"), "{scenario}: {all:?}");
            assert!(has("ESTABLISHED"), "{scenario}: {all:?}");
            assert!(
                !all.iter()
                    .any(|t| t.starts_with("FIN") || t.starts_with("PSH")),
                "{scenario}: no data and no FIN before the connection is established: {all:?}"
            );
        }
    }
}

#[test]
fn data_and_teardown_phases_and_event_ranges_split_into_numbered_slides() {
    let file = record("segments");
    // 70 segments and 98 recvs do not fit one slide at 18 px: numbered slides.
    let data = export_slides(&file, &["--phase", "data"], "seg-data.svg");
    assert!(data.len() > 3, "{} slides", data.len());
    for (k, svg) in data.iter().enumerate() {
        let texts = check_slide(svg, &format!("data {}", k + 1));
        let page = format!("data {}/{}", k + 1, data.len());
        assert!(texts.contains(&page), "{page}: {texts:?}");
        // Each slide names the states its lifelines are in.
        assert!(texts.iter().any(|t| t == "ESTABLISHED"), "{texts:?}");
    }
    let teardown = export_slides(&file, &["--phase", "teardown"], "seg-teardown.svg");
    let texts: Vec<String> = teardown
        .iter()
        .flat_map(|s| check_slide(s, "teardown"))
        .collect();
    assert!(texts.iter().any(|t| t.starts_with("FIN")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("SYN")), "{texts:?}");
    // Event numbers: the rows printed are the ones asked for.
    let cut = export_slides(&file, &["--events", "10..14"], "seg-cut.svg");
    assert_eq!(cut.len(), 1);
    let texts = check_slide(&cut[0], "events 10..14");
    let numbers: Vec<usize> = texts
        .iter()
        .filter_map(|t| t.strip_prefix('#')?.parse().ok())
        .collect();
    assert!(!numbers.is_empty(), "{texts:?}");
    assert!(numbers.iter().all(|n| (10..=14).contains(n)), "{numbers:?}");
}

#[test]
fn several_slides_to_standard_output_are_refused_with_what_to_do() {
    let file = record("coalesce");
    let out = Command::new(BIN)
        .arg("export")
        .arg(&file)
        .args(["--format", "svg", "--phase", "all"])
        .output()
        .expect("run sockviz export");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("slides; give --out FILE.svg"), "{err}");
    let bad = Command::new(BIN)
        .arg("export")
        .arg(&file)
        .args(["--format", "txt", "--phase", "handshake"])
        .output()
        .expect("run sockviz export");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("are for --format svg"));
}

#[test]
fn the_stream_map_slide_shows_one_sendall_cut_by_segments_and_recvs() {
    let file = record("segments");
    let slides = export_slides(&file, &["--view", "stream-map"], "seg-map.svg");
    assert_eq!(slides.len(), 1, "one direction carries bytes: one slide");
    let texts = check_slide(&slides[0], "stream map");
    assert!(texts.iter().any(|t| t.contains("no record boundaries")));
    assert!(
        texts
            .iter()
            .any(|t| t == "1 send call(s) wrote these bytes (A, B, C … one letter per call)"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with("the boundaries do not line up")),
        "{texts:?}"
    );
    let doc = roxmltree::Document::parse(&slides[0]).expect("XML");
    let pieces = |class: &str| {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .flat_map(|g| g.children().filter(|c| c.has_tag_name("rect")))
            .count()
    };
    assert_eq!(pieces("send"), 1, "one sendall");
    assert!(
        pieces("wire") >= 69,
        "MSS-sized segments: {}",
        pieces("wire")
    );
    assert!(
        pieces("recv") >= 97,
        "recv(1024) pieces: {}",
        pieces("recv")
    );
}

#[test]
fn a_plain_captures_stream_map_says_its_calls_are_not_there() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/echo.pcap");
    let slides = export_slides(&data, &["--view", "stream-map"], "pcap-map.svg");
    assert_eq!(slides.len(), 1);
    let texts = check_slide(&slides[0], "echo.pcap stream map");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("socket calls are not in a capture")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .filter(|t| *t == "1 segment(s) carried them")
            .count()
            == 2,
        "echo's 20 bytes each way, one segment each: {texts:?}"
    );
}
