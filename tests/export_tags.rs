//! Issue 11 item 1 in the exports: a real backlog recording (three clients, one SYN dropped by
//! the full accept queue) exported as text, as one SVG and as slides. Every arrow and every
//! call of a connection's socket carries exactly one tag (`c1` … `c3`, numbered as the screens
//! number them), the heading names each tag with its client's port, and the dropped SYN stops
//! short at `✕` with the queue's figures. One connection (echo) is exported without tags.

mod lab_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lab_support::BIN;

const WHY: &str = "dropped: accept queue full (queue 2 of backlog 1)";

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export_tags");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

fn record(scenario: &str) -> PathBuf {
    let file = scratch(&format!("{scenario}.pcapng"));
    let out = Command::new(BIN)
        .args(["lab", "--scenario", scenario, "--headless", "--force"])
        .arg("--record")
        .arg(&file)
        .output()
        .expect("run sockviz lab");
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    file
}

fn export(file: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("export")
        .arg(file)
        .args(args)
        .output()
        .expect("run sockviz export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `cN` tags among a text's words.
fn tags(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '─' || c == '│')
        .filter(|w| {
            w.len() >= 2 && w.starts_with('c') && w[1..].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// A call the listener made (its calls belong to no connection, on the screens as here). Its
/// `close()` is the one that takes the server's lifeline to CLOSED at once (a connected
/// socket's close sends a FIN first).
fn listener_call(text: &str) -> bool {
    [
        "socket(AF_INET, SOCK_STREAM) → 1",
        "bind(",
        "listen(",
        "accept(",
    ]
    .iter()
    .any(|c| text.contains(c))
        || (text.contains("close()") && text.contains("CLOSED"))
}

/// Each client's port, from `--conn k`'s heading (`client 127.0.0.1:PORT`).
fn ports(file: &Path) -> Vec<String> {
    (0..3)
        .map(|k| {
            let text = export(file, &["--format", "txt", "--conn", &k.to_string()]);
            let at = text.find("client 127.0.0.1:").expect("a client heading") + 17;
            text[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect()
        })
        .collect()
}

/// The `<g class="KIND">…</g>` groups of an SVG.
fn groups<'a>(svg: &'a str, kind: &str) -> Vec<&'a str> {
    let open = format!(r#"<g class="{kind}">"#);
    svg.split(&open)
        .skip(1)
        .map(|g| &g[..g.find("</g>").expect("closed group")])
        .collect()
}

fn check_svg(svg: &str, ports: &[String], what: &str) {
    // The heading, on a line of its own: each tag (in a text or a tspan of its own) and port.
    let heading = svg
        .split(r#"class="tags""#)
        .nth(1)
        .map(|h| &h[..h.find('\n').unwrap_or(h.len())])
        .unwrap_or_else(|| panic!("{what}: no tag heading"));
    for (k, port) in ports.iter().enumerate() {
        let tag = format!(">c{}</", k + 1);
        let port = format!(":{port}");
        let at = heading
            .find(&tag)
            .unwrap_or_else(|| panic!("{what}: {tag} in {heading}"));
        assert!(
            heading[at..].contains(&port),
            "{what}: {port} after {tag}: {heading}"
        );
    }
    let mut inks = BTreeSet::new();
    for g in groups(svg, "segment") {
        assert_eq!(g.matches(r#"class="tag""#).count(), 1, "{what}: {g}");
        let element = g.split(r#"class="tag""#).nth(1).expect("a tag");
        let fill = &element[element.find(r#"fill=""#).expect("an ink") + 6..];
        let tag = &element[element.find('>').expect("tag text") + 1..];
        let tag = &tag[..tag.find('<').expect("end")];
        inks.insert((tag.to_string(), fill[..7].to_string()));
    }
    let colours: BTreeSet<&String> = inks.iter().map(|(_, c)| c).collect();
    assert_eq!(inks.len(), 3, "{what}: one ink per tag: {inks:?}");
    assert_eq!(colours.len(), 3, "{what}: three distinct inks: {inks:?}");
    for g in groups(svg, "call") {
        let n = g.matches(r#"class="tag""#).count();
        let listener = listener_call(g);
        assert_eq!(n, usize::from(!listener), "{what}: {g}");
    }
    let dropped: Vec<&str> = groups(svg, "segment")
        .into_iter()
        .filter(|g| g.contains(r#"class="dropped""#))
        .collect();
    assert_eq!(dropped.len(), 1, "{what}: one dropped SYN");
    let d = dropped[0];
    assert!(d.contains(">✕</text>"), "{what}: {d}");
    assert!(
        !d.contains("marker-end"),
        "{what}: no head at the server: {d}"
    );
    assert!(
        d.contains(">c3</tspan> SYN") || (d.contains(">c3</text>") && d.contains(">SYN seq=0")),
        "{what}: the third client's: {d}"
    );
    let why: String = d
        .split(r#"class="why""#)
        .skip(1)
        .map(|t| {
            let t = &t[t.find('>').expect("text") + 1..];
            t[..t.find('<').expect("end")].to_string()
        })
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(why, WHY, "{what}");
}

#[test]
fn a_backlog_export_tags_every_arrow_and_call_and_marks_the_dropped_syn() {
    let file = record("backlog");
    let ports = ports(&file);
    assert_eq!(ports.iter().collect::<BTreeSet<_>>().len(), 3, "{ports:?}");

    // Text: the heading, then one tag on every row but the listener's calls and the notes.
    let txt = export(&file, &["--format", "txt"]);
    let ladder = &txt[..txt.find("\nTranscript").expect("a transcript")];
    let heading = ladder
        .lines()
        .find(|l| l.trim_start().starts_with("clients c1"))
        .expect("a tag heading");
    for (k, port) in ports.iter().enumerate() {
        let item = format!("c{} :{port}", k + 1);
        assert!(heading.contains(&item), "{item} in {heading}");
    }
    let rows: Vec<&str> = ladder.lines().filter(|l| l.contains('│')).skip(1).collect();
    assert!(rows.len() > 40, "{ladder}");
    let mut arrows = 0;
    for row in &rows {
        let found = tags(row);
        if row.contains('►') || row.contains('◄') || row.contains('✕') {
            arrows += 1;
            assert_eq!(found.len(), 1, "an arrow with one tag: {row}");
        } else if row.contains('(') {
            let expected = usize::from(!listener_call(row));
            assert_eq!(found.len(), expected, "a call: {row}");
        }
    }
    assert!(arrows >= 25, "{arrows} arrows");
    let dropped: Vec<&&str> = rows.iter().filter(|r| r.contains('✕')).collect();
    assert_eq!(dropped.len(), 1, "{ladder}");
    let d = dropped[0];
    assert!(d.contains("──c3 SYN seq=0"), "{d}");
    assert!(d.contains("✕   │ ") && d.contains(WHY), "{d}");

    // One SVG, and the slides of the whole session.
    check_svg(&export(&file, &["--format", "svg"]), &ports, "svg");
    let out = scratch("slides.svg");
    let run = Command::new(BIN)
        .arg("export")
        .arg(&file)
        .args(["--format", "svg", "--phase", "all", "--force", "--out"])
        .arg(&out)
        .output()
        .expect("run sockviz export");
    assert!(run.status.success());
    let mut slides = String::new();
    for k in 1.. {
        let Ok(text) = std::fs::read_to_string(scratch(&format!("slides-{k}.svg"))) else {
            break;
        };
        assert!(text.contains(r#"class="tags""#), "slide {k}: heading");
        slides.push_str(&text);
    }
    assert!(!slides.is_empty(), "no slides");
    check_svg(&slides, &ports, "slides");
}

#[test]
fn a_single_connection_export_has_no_tags() {
    let file = record("echo");
    let txt = export(&file, &["--format", "txt"]);
    let ladder = &txt[..txt.find("\nTranscript").expect("a transcript")];
    assert!(tags(ladder).is_empty(), "{ladder}");
    assert!(ladder.contains("client 127.0.0.1:"), "{ladder}");
    assert!(!ladder.contains("clients"), "{ladder}");
    assert!(!ladder.contains('✕'), "{ladder}");
    let svg = export(&file, &["--format", "svg"]);
    assert!(!svg.contains(r#"class="tag"#), "no tags, no tag heading");
    assert!(!svg.contains(r#"class="dropped""#));
    assert_eq!(
        svg.matches(r#"stroke="black" stroke-width="1.5" marker-end"#)
            .count(),
        svg.matches(r#"<g class="segment">"#).count(),
        "every arrow in black"
    );
}
