//! What sockviz prints, in Korean: `replay --headless`'s transcript, `export --format txt`,
//! `inspect`'s table, and errors. No English is left beyond what the lecture keeps (API names,
//! states, flags, units, `client`/`server`) and code (options, paths, `key=value`).

use std::path::Path;
use std::process::{Command, Output};

use sockviz::i18n::english_words;

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

fn korean(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--lang", "ko"])
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .output()
        .expect("sockviz runs")
}

fn assert_korean(what: &str, text: &str) {
    let left = english_words(text);
    assert!(left.is_empty(), "{what}: English left {left:?}\n{text}");
    assert!(
        text.chars().any(|c| ('가'..='힣').contains(&c)),
        "{what}: no Korean at all\n{text}"
    );
}

#[test]
fn replay_transcript_of_a_capture_is_korean() {
    for file in ["echo.pcap", "multi.pcap", "refused.pcap", "retrans.pcap"] {
        let out = korean(&["replay", &data(file), "--headless"]);
        assert!(out.status.success(), "{file}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("TCP 연결"), "{text}");
        assert!(text.contains("누가"), "{text}");
        assert_korean(file, &text);
    }
}

#[test]
fn the_txt_handout_is_korean() {
    let out = korean(&[
        "export",
        &data("multi.pcap"),
        "--format",
        "txt",
        "--conn",
        "4",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("연결 4 (전체 7개 중)"), "{text}");
    assert!(text.contains("기록"), "{text}");
    assert_korean("export txt", &text);
}

#[test]
fn inspect_table_is_korean_and_its_json_keeps_the_schema() {
    let out = korean(&["inspect", &data("multi.pcap")]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("클라이언트 상태"), "{text}");
    assert!(
        text.contains("pcap (리틀 엔디언, 마이크로초), 패킷 86개, TCP 연결 7개"),
        "{text}"
    );
    assert_korean("inspect", &text);
    // The headings line up by terminal cells: the first data row's server column starts
    // where the heading's does.
    let lines: Vec<&str> = text.lines().collect();
    let col = |line: &str, word: &str| {
        let at = line.find(word).expect("word in line");
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(col(lines[1], "서버"), col(lines[2], "127.0.0.1:7"));
    let json = korean(&["inspect", &data("multi.pcap"), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["format"], "pcap (little-endian, microsecond)");
    assert_eq!(v["connections"][0]["final_state"]["client"], "TIME_WAIT");
}

#[test]
fn errors_are_korean_and_still_name_the_file_and_the_fix() {
    let missing = korean(&["replay", "/nonexistent/lecture.pcapng"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("/nonexistent/lecture.pcapng: 읽을 수 없다"),
        "{err}"
    );

    let conn = korean(&["replay", &data("multi.pcap"), "--conn", "99", "--headless"]);
    let err = String::from_utf8_lossy(&conn.stderr);
    assert!(err.contains("--conn 99는 그중에 없다"), "{err}");
    assert_korean("--conn 99", &err);

    let dir = std::env::temp_dir().join(format!("sockviz-ko-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let existing = dir.join("handout.txt");
    std::fs::write(&existing, "keep").expect("write");
    let out = korean(&[
        "export",
        &data("echo.pcap"),
        "--format",
        "txt",
        "--out",
        &existing.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("이미 있는 파일이다"), "{err}");
    assert!(err.contains("--force"), "the fix is named: {err}");
    assert_eq!(std::fs::read_to_string(&existing).expect("kept"), "keep");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The words an SVG shows: the contents of its `<text>` and `<title>` elements.
fn svg_words(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("the export is XML");
    doc.descendants()
        .filter(|n| matches!(n.tag_name().name(), "text" | "title" | "tspan"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn slides_and_the_stream_map_are_korean() {
    for view in [
        &["--phase", "handshake"][..],
        &["--phase", "teardown"][..],
        &["--view", "stream-map"][..],
    ] {
        let mut args = vec!["export", "--format", "svg", "--conn", "4"];
        let file = data("multi.pcap");
        args.insert(1, &file);
        args.extend_from_slice(view);
        let out = korean(&args);
        assert!(out.status.success(), "{view:?}: {out:?}");
        let words = svg_words(&String::from_utf8_lossy(&out.stdout));
        assert_korean(&format!("{view:?}"), &words);
    }
}

/// `text` without the bytes a program sent (`-> 17 bytes "20 bytes received"`): data on the
/// wire is shown as it was, in whatever language the program wrote it.
fn without_payloads(text: &str) -> String {
    text.lines()
        .map(|l| match (l.find(" bytes \""), l.rfind('"')) {
            (Some(at), Some(end)) if end > at => format!("{}{}", &l[..at], &l[end + 1..]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_labs_transcript_is_korean_header_notes_probes_and_footer() {
    for scenario in ["echo", "half-close", "backlog"] {
        let out = korean(&["lab", "--scenario", scenario, "--headless"]);
        assert!(out.status.success(), "{scenario}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("시나리오 {scenario}")), "{text}");
        assert!(text.contains("미전송"), "{text}");
        assert!(text.contains("세그먼트") && text.contains("캡처"), "{text}");
        assert_korean(scenario, &without_payloads(&text));
    }
}
