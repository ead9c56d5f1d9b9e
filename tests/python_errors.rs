//! Issue 11, item 4: errors as the lecture's Python 3 says them. python3 makes the same failing
//! calls on the loopback (a refused connect, send after `shutdown(SHUT_WR)`, send and recv on a
//! closed socket, recv after a reset, a non-blocking recv with nothing to read) and decodes a
//! split character; each message must be sockviz's text for that errno or those bytes, and the
//! lab's own error paths (refused, reset, utf8-split) must show that text in the call log and
//! the notes.

mod ui_support;

use std::collections::BTreeMap;
use std::process::Command;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;
use sockviz::export::labels::{python_error, utf8_decode_error};
use sockviz::timeline::{Errno, EventKind};
use sockviz::ui::action::Pane;
use sockviz::ui::widgets;

const SCRIPT: &str = r#"
import json, socket
out = {}
def record(case, f):
    try:
        f()
        out[case] = None
    except OSError as e:
        out[case] = {"errno": e.errno, "text": f"{type(e).__name__}: {e}"}
    except UnicodeDecodeError as e:
        out[case] = {"text": f"{type(e).__name__}: {e}"}

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def refused():
    s = socket.socket(); s.connect(("127.0.0.1", free_port()))

def pair():
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
    c = socket.socket(); c.connect(l.getsockname())
    conn, _ = l.accept(); l.close()
    return c, conn

def after_shutdown():
    c, conn = pair(); c.shutdown(socket.SHUT_WR); c.send(b"hello after FIN")

def closed_send():
    c, conn = pair(); c.close(); c.send(b"x")

def closed_recv():
    c, conn = pair(); c.close(); c.recv(1024)

def reset():
    import struct
    c, conn = pair()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    import time; time.sleep(0.05)
    c.recv(1024)

def would_block():
    c, conn = pair(); c.setblocking(False); c.recv(1024)

record("refused", refused)
record("after_shutdown", after_shutdown)
record("closed_send", closed_send)
record("closed_recv", closed_recv)
record("reset", reset)
record("would_block", would_block)
record("split_end", lambda: bytes.fromhex("ec9588eb").decode("utf-8"))
record("split_start", lambda: bytes.fromhex("8595").decode("utf-8"))
print(json.dumps(out))
"#;

fn python() -> Option<BTreeMap<String, Value>> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).ok()
}

fn errno(name: &'static str, code: i64) -> Errno {
    Errno {
        code: code as i32,
        name,
    }
}

#[test]
fn every_error_path_reads_as_python_3_says_it() {
    let Some(py) = python() else {
        eprintln!("python3 is not installed: skipped");
        return;
    };
    for (case, name) in [
        ("refused", "ECONNREFUSED"),
        ("after_shutdown", "EPIPE"),
        ("closed_send", "EBADF"),
        ("closed_recv", "EBADF"),
        ("reset", "ECONNRESET"),
        ("would_block", "EAGAIN"),
    ] {
        let e = &py[case];
        let code = e["errno"].as_i64().expect("an OSError");
        assert_eq!(
            python_error(errno(name, code)),
            e["text"].as_str().expect("text"),
            "{case}"
        );
    }
    assert_eq!(
        py["after_shutdown"]["text"],
        "BrokenPipeError: [Errno 32] Broken pipe"
    );
    assert_eq!(
        py["closed_send"]["text"],
        "OSError: [Errno 9] Bad file descriptor"
    );
    for (case, bytes) in [
        ("split_end", &[0xec, 0x95, 0x88, 0xeb][..]),
        ("split_start", &[0x85, 0x95][..]),
    ] {
        assert_eq!(
            utf8_decode_error(bytes).as_deref(),
            py[case]["text"].as_str(),
            "{case}"
        );
    }
}

/// The lab's refused connect and reset recv: the call log writes Python's line under the call.
#[test]
fn the_labs_errors_are_pythons_in_the_call_log_and_notes() {
    let Some(py) = python() else {
        eprintln!("python3 is not installed: skipped");
        return;
    };
    for (scenario, case) in [("refused", "refused"), ("reset", "reset")] {
        let tl = ui_support::lab_timeline(scenario);
        let failed = tl
            .events()
            .iter()
            .position(|e| matches!(&e.kind, EventKind::Call(c) if c.errno.is_some()))
            .expect("a failed call");
        let mut app = ui_support::lab_app(tl, 80, 24);
        app.pane = Pane::CallLog;
        app.playback.pos = failed + 1;
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        widgets::render(&app, area, &mut buf);
        let screen = ui_support::screen(&buf);
        let want = py[case]["text"].as_str().expect("text");
        assert!(screen.contains(want), "{scenario}: no {want:?}\n{screen}");
    }
    let notes: Vec<String> = ui_support::lab_json("utf8-split")
        .into_iter()
        .filter(|l| l["kind"] == "note")
        .filter_map(|l| l["text"].as_str().map(str::to_string))
        .collect();
    for case in ["split_end", "split_start"] {
        let want = py[case]["text"].as_str().expect("text");
        assert!(
            notes.iter().any(|n| n.contains(want)),
            "no note says {want:?}: {notes:#?}"
        );
    }
}

/// utf8-split's first `recv(4)` (`ec 95 88 eb`): its last byte reads as the start of 녕 (the
/// next recv has `85 95`), 1 of 3, and the pane says what Python's decode raises; the second
/// recv's bytes read as the end of 녕.
#[test]
fn a_split_characters_bytes_are_named_in_the_bytes_pane() {
    let tl = ui_support::lab_timeline("utf8-split");
    let recvs: Vec<usize> = tl
        .events()
        .iter()
        .enumerate()
        .filter(
            |(_, e)| matches!(&e.kind, EventKind::Call(c) if c.call.reads() && !c.data.is_empty()),
        )
        .map(|(i, _)| i)
        .collect();
    assert_eq!(recvs.len(), 2, "two recv(4) with bytes");
    let n = tl.events().len();
    let mut app = ui_support::lab_app(tl, 80, 24);
    app.playback.pos = n;
    let area = Rect::new(0, 0, 80, 24);
    for (k, want) in [
        (0, "eb = start of 녕, byte 1 of 3"),
        (1, "85 95 = end of 녕, bytes 2-3 of 3"),
    ] {
        app.selected = Some(recvs[k]);
        let mut buf = Buffer::empty(area);
        widgets::render(&app, area, &mut buf);
        let rows = ui_support::rows(&buf);
        let pane = rows[rows.len() - 7..].join("\n");
        let joined = pane.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(joined.contains(want), "{want:?}\n{pane}");
        assert!(!pane.contains("s…"), "{pane}");
        let raised = utf8_decode_error(if k == 0 {
            &[0xec, 0x95, 0x88, 0xeb]
        } else {
            &[0x85, 0x95]
        })
        .expect("does not decode");
        assert!(joined.contains(&raised), "{raised:?}\n{pane}");
    }
}
