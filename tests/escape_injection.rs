//! A file cannot drive the user's terminal (issue 16, item 3): a crafted recording and a crafted
//! capture put escape sequences (retitle `ESC]0;…BEL`, clear `ESC[2J`, hide the cursor
//! `ESC[?25l`, a C1 CSI, DEL, a carriage return) in every string field they have; no control
//! character (C0 other than newline and tab, DEL, C1) reaches standard output from `replay
//! --headless` (text and JSON), `export` (txt, svg, cast) or `inspect` (text and JSON), and the
//! screens show them as `␛`.

use std::path::{Path, PathBuf};
use std::process::Command;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockviz::capture::{CaptureFile, LinkType, OwnedFrame, Timestamp};
use sockviz::record::format::{CallRecord, Record, SummaryRecord};
use sockviz::record::writer::RecordingWriter;
use sockviz::text::has_control;
use sockviz::timeline::Timeline;
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::{Theme, ThemeName, widgets};

/// Every trick at once.
const EVIL: &str = "x\x1b]0;owned\x07\x1b[2J\x1b[?25l\u{9b}31m\x7f\rY";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn echo_frames() -> Vec<OwnedFrame> {
    let mut file = CaptureFile::open(&data("echo.pcap")).expect("echo.pcap opens");
    let mut frames = Vec::new();
    while let Some((f, _)) = file.next_frame().expect("echo.pcap reads") {
        frames.push(OwnedFrame {
            ts: f.ts,
            link: f.link,
            orig_len: f.orig_len,
            data: f.data.to_vec(),
        });
    }
    frames
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn call(t: i64, call: &str, args: &str, data: &[u8], ret: Option<i64>) -> Record {
    Record::Call(CallRecord {
        side: "client".into(),
        sock: 1,
        call: call.into(),
        args: args.into(),
        len: Some(data.len() as u64),
        ret,
        errno: None,
        started: t,
        returned: t + 1_000,
        data: hex(data),
        flow: None,
        stream: None,
        progress: Vec::new(),
    })
}

/// A recording made with the repository's writer: the echo capture's frames, then calls
/// (an unknown one whose name and arguments are escapes, a send and a recv whose bytes are),
/// a note and a summary, all evil; the interface name and every comment too.
fn crafted_recording(path: &Path) {
    let frames = echo_frames();
    let t0 = frames[0].ts.0;
    let mut w = RecordingWriter::create(
        path,
        sockviz::output_file::Existing::Replace,
        LinkType(1),
        EVIL,
    )
    .expect("the recording is created");
    w.write_record(&Record::Note {
        at: t0,
        text: format!("note {EVIL}"),
    })
    .expect("note");
    w.write_record(&call(t0, EVIL, EVIL, EVIL.as_bytes(), Some(0)))
        .expect("other call");
    w.write_record(&call(
        t0 + 10,
        "send",
        "<35 bytes>",
        EVIL.as_bytes(),
        Some(35),
    ))
    .expect("send");
    for f in &frames {
        w.write_frame(f).expect("frame");
    }
    w.write_record(&call(
        frames[frames.len() - 1].ts.0,
        "recv",
        "1024",
        EVIL.as_bytes(),
        Some(35),
    ))
    .expect("recv");
    w.write_record(&Record::Summary(SummaryRecord {
        at: frames[frames.len() - 1].ts.0 + 1,
        started: t0,
        scenario: format!("scenario {EVIL}"),
        capture: EVIL.into(),
        server: EVIL.into(),
        mtu: None,
        failure: Some(format!("failure {EVIL}")),
        dropped: 0,
    }))
    .expect("summary");
}

/// One pcapng option: code, length, value padded to 32 bits.
fn option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    out.resize(out.len().div_ceil(4) * 4, 0);
}

fn block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    let len = (12 + body.len()) as u32;
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&len.to_le_bytes());
}

/// A plain capture written by hand (pcapng): the section's comment, hardware, OS and
/// application, the interface's name, description and comment, and every packet's comment.
fn crafted_capture(path: &Path) {
    let evil = EVIL.as_bytes();
    let mut out = Vec::new();
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    for code in [1u16, 2, 3, 4] {
        option(&mut shb, code, evil);
    }
    option(&mut shb, 0, &[]);
    block(&mut out, 0x0a0d_0d0a, &shb);
    let mut idb = Vec::new();
    idb.extend_from_slice(&1u16.to_le_bytes());
    idb.extend_from_slice(&0u16.to_le_bytes());
    idb.extend_from_slice(&65_535u32.to_le_bytes());
    for code in [1u16, 2, 3] {
        option(&mut idb, code, evil);
    }
    option(&mut idb, 9, &[9]); // if_tsresol: nanoseconds
    option(&mut idb, 0, &[]);
    block(&mut out, 1, &idb);
    for f in echo_frames() {
        let ts = f.ts.0 as u64;
        let mut epb = Vec::new();
        epb.extend_from_slice(&0u32.to_le_bytes());
        epb.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ts as u32).to_le_bytes());
        epb.extend_from_slice(&(f.data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&f.orig_len.to_le_bytes());
        epb.extend_from_slice(&f.data);
        epb.resize(epb.len().div_ceil(4) * 4, 0);
        option(&mut epb, 1, evil);
        option(&mut epb, 0, &[]);
        block(&mut out, 6, &epb);
    }
    std::fs::write(path, out).expect("the capture is written");
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .args(args)
        .output()
        .expect("sockviz runs");
    assert!(
        out.status.success(),
        "sockviz {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{args:?}: not UTF-8: {e}"));
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| has_control(c.encode_utf8(&mut [0; 4])))
    {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "sockviz {args:?} printed control character {c:?} at byte {i}: {:?}",
            &text[from..(i + 1).min(text.len())]
        );
    }
    text
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockviz-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join(name)
}

#[test]
fn no_output_of_a_crafted_recording_carries_a_control_character() {
    let rec = temp("evil.pcapng");
    crafted_recording(&rec);
    let r = rec.to_str().expect("a UTF-8 path");
    let transcript = run(&["replay", "--headless", r]);
    assert!(
        transcript.contains("␛]0;owned␇␛[2J␛[?25l\\u{9b}31m␡␍Y"),
        "the note is shown, escapes visible:\n{transcript}"
    );
    let json = run(&["replay", "--headless", "--json", r]);
    assert!(
        json.contains("\\u001b]0;owned\\u0007"),
        "JSON escapes:\n{json}"
    );
    let txt = run(&["export", r, "--format", "txt"]);
    assert!(txt.contains('␛'), "{txt}");
    run(&["export", r, "--format", "svg"]);
    run(&["export", r, "--format", "cast"]);
    run(&["inspect", r]);
    run(&["inspect", "--json", r]);
    let _ = std::fs::remove_file(&rec);
}

#[test]
fn no_output_of_a_crafted_capture_carries_a_control_character() {
    let cap = temp("evil-capture.pcapng");
    crafted_capture(&cap);
    let c = cap.to_str().expect("a UTF-8 path");
    let table = run(&["inspect", c]);
    assert!(
        table.contains("127.0.0.1:40000"),
        "the capture reads: {table}"
    );
    run(&["inspect", "--json", c]);
    run(&["replay", "--headless", c]);
    run(&["replay", "--headless", "--json", c]);
    run(&["export", c, "--format", "txt"]);
    run(&["export", c, "--format", "svg"]);
    let _ = std::fs::remove_file(&cap);
}

#[test]
fn the_screens_show_a_recordings_escapes_as_pictures() {
    let rec = temp("evil-screen.pcapng");
    crafted_recording(&rec);
    let replay = sockviz::open::load(&rec, None).expect("the crafted recording loads");
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Loading {
            path: format!("evil{EVIL}.pcapng"),
        },
        Theme::new(ThemeName::Dark),
    );
    app.playback.playing = false;
    app.size = (160, 48);
    app.load_replay(replay, format!("evil{EVIL}.pcapng"));
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let mut seen = String::new();
    // Walk the timeline: every event's row, the call log and the socket panels get drawn.
    for pos in 0..=app.len() {
        app.playback.pos = pos;
        term.draw(|f| widgets::draw(f, &app)).expect("draw");
        let buf = term.backend().buffer();
        for cell in buf.content() {
            assert!(
                !has_control(cell.symbol()),
                "a control character in a cell at position {pos}: {:?}",
                cell.symbol()
            );
            seen.push_str(cell.symbol());
        }
    }
    assert!(
        seen.contains("␛]0;owned␇"),
        "the note or the call is shown escaped"
    );
    assert!(
        seen.contains("evilx␛]0;"),
        "the file name in the header is shown escaped"
    );
    let _ = std::fs::remove_file(&rec);
}
