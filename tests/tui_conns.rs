//! Issue 11 item 1: several connections on one ladder stay apart. backlog's three clients (the
//! real lab, headless) and a second connection after `n` (the real lab in tmux, recorded), each
//! rendered through a `TestBackend` at 80×24 and 120×40: every arrow and every call of a
//! connection carries its tag (`c1`, `c2`, ...), the heading names every client port, the SYN the
//! full accept queue dropped is marked with why, and the panels name their connection.

mod tmux_support;
mod ui_support;

use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use sockviz::tcp::Direction;
use sockviz::timeline::{Event, EventKind, Timeline};
use sockviz::ui::app::App;
use sockviz::ui::layout;
use sockviz::ui::widgets;

use ui_support::{lab_app, lab_timeline, rows};

fn copy(events: &[Event]) -> Timeline {
    let mut tl = Timeline::new(sockviz::capture::Timestamp(0));
    for e in events {
        tl.push_event(e.clone());
    }
    tl
}

fn backlog() -> Timeline {
    static T: OnceLock<Vec<Event>> = OnceLock::new();
    copy(T.get_or_init(|| lab_timeline("backlog").events().to_vec()))
}

/// The screen as the terminal would show it, through ratatui's test backend.
fn draw(app: &App) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("a test backend");
    term.draw(|f| widgets::draw(f, app)).expect("draws");
    term.backend().buffer().clone()
}

/// The ladder's rows (heading first), cut to the ladder's columns.
fn ladder_rows(app: &App, buf: &Buffer) -> Vec<String> {
    let a = layout::areas(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1))
        .expect("big enough")
        .ladder;
    rows(buf)
        .iter()
        .skip(a.y as usize)
        .take(a.height as usize)
        .map(|r| r.chars().take(a.width as usize).collect())
        .collect()
}

/// The tags (`c1`, `c2`, ...) written on a row.
fn tags_in(row: &str) -> Vec<usize> {
    let b = row.as_bytes();
    (0..b.len().saturating_sub(1))
        .filter(|&k| {
            b[k] == b'c'
                && b[k + 1].is_ascii_digit()
                && (k == 0 || !b[k - 1].is_ascii_alphanumeric())
        })
        .filter_map(|k| {
            let digits: String = row[k + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

fn is_arrow(row: &str) -> bool {
    row.contains('►') || row.contains('◄') || row.contains('✕')
}

/// Every arrow row and every client or server call row carries exactly one tag, in 1..=n;
/// returns the tags seen.
fn assert_every_row_tagged(
    app: &App,
    ladder: &[String],
    n: usize,
    listener_calls: &[&str],
) -> Vec<usize> {
    let mut seen = Vec::new();
    for row in &ladder[1..] {
        let tags = tags_in(row);
        let call = row.contains('●') && !row.contains('·');
        let listener = listener_calls.iter().any(|c| row.contains(c));
        if is_arrow(row) || (call && !listener) {
            assert_eq!(tags.len(), 1, "one tag on {row:?} at {:?}", app.size);
            assert!((1..=n).contains(&tags[0]), "{row:?}");
            seen.push(tags[0]);
        }
    }
    seen
}

/// The heading names each connection's tag and client port.
fn assert_heading_names(app: &App, heading: &str) {
    for (k, (_, client, _)) in app.index.connections().iter().enumerate() {
        let want = format!("c{} :{}", k + 1, client.port());
        assert!(
            heading.contains(&want),
            "{want} in the heading {heading:?} at {:?}",
            app.size
        );
    }
}

#[test]
fn backlog_tags_every_connection_and_marks_the_dropped_syn() {
    let tl = backlog();
    // The drop is found in the timeline: the third client's first SYN, sent again later.
    let probe_app = lab_app(copy(tl.events()), 120, 40);
    assert_eq!(probe_app.index.connections().len(), 3, "three clients");
    assert_eq!(probe_app.dropped.len(), 1, "{:?}", probe_app.dropped);
    let d = probe_app.dropped[0];
    let EventKind::Segment(syn) = &probe_app.events()[d.event].kind else {
        panic!("the dropped event is a segment");
    };
    assert!(syn.flags.syn() && !syn.flags.ack() && syn.dir == Direction::ToServer);
    assert_eq!(
        Some(syn.conn),
        probe_app.index.connections().get(2).map(|c| c.0)
    );
    assert!(d.queue.len > d.queue.backlog, "the probes said full: {d:?}");
    let again = probe_app.events()[d.event + 1..].iter().any(|e| {
        matches!(&e.kind, EventKind::Segment(s) if s.conn == syn.conn && s.flags.syn() && !s.flags.ack())
    });
    assert!(again, "the client's kernel sent the SYN again");

    for (w, h) in [(80, 24), (120, 40)] {
        // At the drop, and at the end of the lesson.
        for pos in [d.event + 1, tl.events().len()] {
            let mut app = lab_app(copy(tl.events()), w, h);
            app.playback.pos = pos;
            let buf = draw(&app);
            let ladder = ladder_rows(&app, &buf);
            let text = ladder.join("\n");
            assert_heading_names(&app, &ladder[0]);
            let seen = assert_every_row_tagged(
                &app,
                &ladder,
                3,
                &[
                    "accept()",
                    "listen(",
                    "bind(",
                    "close()  ",
                    "CLOSED ● close()",
                ],
            );
            if pos == d.event + 1 {
                // The newest row is the drop: it stops at ✕ short of the server, with why.
                let row = ladder.iter().rev().find(|r| is_arrow(r)).expect("an arrow");
                assert!(row.contains("dropped") && row.contains('✕'), "{row:?}");
                assert_eq!(tags_in(row), [3], "{row:?}");
                let why = if w >= 120 {
                    "accept queue full".to_string()
                } else {
                    format!("queue full {}/{}", d.queue.len, d.queue.backlog)
                };
                assert!(row.contains(&why), "{why} in {row:?}");
                if w >= 120 {
                    let figures = format!("queue {} of backlog {}", d.queue.len, d.queue.backlog);
                    assert!(row.contains(&figures), "{figures} in {row:?}");
                }
                // 80×24 holds the two newest connections' rows; 120×40 all three.
                let want: &[usize] = if h >= 40 { &[1, 2, 3] } else { &[2, 3] };
                assert!(want.iter().all(|k| seen.contains(k)), "{seen:?}\n{text}");
            } else {
                assert!(
                    !text.contains("dropped"),
                    "the drop scrolled away at the end:\n{text}"
                );
                // The retried SYN got through: c3's handshake on screen at 120×40.
                if h >= 40 {
                    assert!(text.contains("c3═"), "{text}");
                }
            }
            // Every socket has a panel or a page: the page line counts them all.
            let screen = rows(&buf).join("\n");
            let sockets = app.index.sockets().iter().filter(|s| s.born < pos).count();
            if sockets > 3 {
                assert!(
                    screen.contains(&format!(" of {sockets}"))
                        || screen.matches(" #").count() >= sockets,
                    "{sockets} sockets reachable:\n{screen}"
                );
            }
        }
    }
}

/// `c` turns the panel pages and comes back to the first; the status bar and the help name it.
#[test]
fn the_panel_key_pages_through_every_socket() {
    let tl = backlog();
    let mut app = lab_app(tl, 80, 24);
    app.playback.pos = app.len();
    let page_line = |app: &App| {
        rows(&draw(app))
            .iter()
            .find_map(|r| r.find("c: panels ").map(|k| r[k..].trim_end().to_string()))
            .unwrap_or_default()
    };
    let first = page_line(&app);
    assert!(first.starts_with("c: panels 1-"), "{first}");
    let total: usize = first
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert_eq!(total, app.index.sockets().len(), "every socket of backlog");
    let mut seen = vec![first.clone()];
    for _ in 0..total {
        app.update(sockviz::ui::action::Action::NextPanels);
        let line = page_line(&app);
        if line == first {
            break;
        }
        seen.push(line);
    }
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(
        seen.last()
            .is_some_and(|l| l.ends_with(&format!("-{total} of {total}"))),
        "{seen:?}"
    );
    let key = sockviz::ui::keymap::NORMAL
        .iter()
        .find(|b| b.key == sockviz::ui::keymap::Key::Char('c'))
        .expect("c is in the key table");
    assert_eq!((key.action)(), sockviz::ui::action::Action::NextPanels);
    assert!(
        sockviz::ui::keymap::hints(sockviz::ui::keymap::Mode::Normal, true).contains("c panels")
    );
}

/// The real lab in tmux: the echo story, then `n`. The live screen names both clients; the
/// session recorded with Ctrl-R replays into the lab screens with both connections tagged.
#[test]
fn a_second_connection_after_n_is_tagged_apart_from_the_first() {
    use tmux_support::{start, tmux, wait_for};
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("conns-n-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("n.pcapng");
    let name = format!("sockviz-conns-n-{}", std::process::id());
    let script = format!(
        "cd {}; {bin} lab --record n.pcapng; echo EXITED:$?; sleep 30",
        dir.display()
    );
    let session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("interactive: n opens"));
    assert!(ok, "the echo story never finished:\n{screen}");
    assert!(
        !screen.contains("clients c1"),
        "one connection needs no tags:\n{screen}"
    );
    tmux(&["send-keys", "-t", &name, "n"]);
    let (ok, screen) = wait_for(&name, 20, |s| {
        s.contains("clients c1 :") && s.contains(" c2 :") && s.contains("c2═")
    });
    assert!(
        ok,
        "the second connection's handshake, tagged, never showed:\n{screen}"
    );
    // `--record` records from the start; Ctrl-R stops it.
    assert!(screen.contains("● REC"), "{screen}");
    tmux(&["send-keys", "-t", &name, "C-r"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("recorded n.pcapng"));
    assert!(ok, "{screen}");
    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "{screen}");
    drop(session);

    let replay = sockviz::open::load(&file, None).expect("the recording loads");
    let events = replay.timeline.events().to_vec();
    let _ = std::fs::remove_dir_all(&dir);
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = lab_app(copy(&events), w, h);
        assert_eq!(app.index.connections().len(), 2, "echo, then n");
        // Just after the second connection's handshake: both connections on screen.
        let (second, _, _) = app.index.connections()[1];
        let third = app
            .events()
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(&e.kind, EventKind::Segment(s) if s.conn == second))
            .nth(2)
            .map(|(i, _)| i)
            .expect("the second handshake's ACK");
        app.playback.pos = third + 1;
        let buf = draw(&app);
        let ladder = ladder_rows(&app, &buf);
        assert_heading_names(&app, &ladder[0]);
        // The listener's own calls (the lab's second listener after `n` too) belong to no connection.
        let listener = [
            "accept()",
            "listen(",
            "bind(",
            "● socket()",
            "● setsockopt",
            "CLOSED ● close()",
        ];
        let seen = assert_every_row_tagged(&app, &ladder, 2, &listener);
        assert!(
            seen.contains(&2),
            "c2 on screen: {seen:?}\n{}",
            ladder.join("\n")
        );
        let hs: Vec<&String> = ladder.iter().filter(|r| r.contains("c2═")).collect();
        assert!(
            hs.len() >= 2,
            "c2's handshake arrows:\n{}",
            ladder.join("\n")
        );
        if h >= 40 {
            assert!(seen.contains(&1), "c1 still on screen at 120×40: {seen:?}");
        }
        assert!(app.dropped.is_empty(), "nothing dropped after n");
        // The newest connection's panels say which one they are.
        let screen = rows(&buf).join("\n");
        assert!(
            screen.contains("c2 client #") || screen.contains("c2 cli"),
            "{screen}"
        );
    }
}

/// `o` then a scenario: a fresh ladder. The old scenario's rows are gone, the counters, the
/// scrubber's event count and the time column start at the new scenario's first event, and
/// `Home` goes there, not to the old ladder's start.
#[test]
fn a_scenario_picked_with_o_starts_a_fresh_ladder() {
    use sockviz::timeline::SocketId;
    use sockviz::ui::action::Action;
    static ECHO: OnceLock<Vec<Event>> = OnceLock::new();
    let echo = ECHO.get_or_init(|| lab_timeline("echo").events().to_vec());
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = lab_app(copy(echo), w, h);
        app.playback.pos = app.len();
        let old = app.len();
        app.update(Action::OpenPicker);
        app.update(Action::PickerDown); // segments → the picker's second row
        app.update(Action::PickerChoose);
        assert_eq!(app.start, old);
        let text = rows(&draw(&app)).join("\n");
        assert!(text.contains(" step 0/0"), "{text}");
        assert!(
            !text.contains("Hello"),
            "nothing of echo on the fresh ladder:\n{text}"
        );
        // The lab's next events: backlog's, later in time, with sockets of their own.
        let last = echo.last().map_or(0, |e| e.at.0);
        let mut next: Vec<Event> = backlog().events().to_vec();
        for e in &mut next {
            e.at = sockviz::capture::Timestamp(e.at.0 + last + 1_000_000_000);
            match &mut e.kind {
                EventKind::Call(c) => {
                    c.socket = SocketId(c.socket.0 + 100);
                    if let Some(r) = c.ret.as_mut().filter(|_| c.call.name() == "accept") {
                        *r += 100;
                    }
                }
                EventKind::Probe(p) => p.socket = SocketId(p.socket.0 + 100),
                EventKind::Segment(s) => s.conn = sockviz::tcp::ConnId(s.conn.0 + 10),
                EventKind::Note(_) => {}
            }
        }
        let n = next.len();
        app.ingest_events(next);
        app.playback.pos = app.len();
        let buf = draw(&app);
        let text = rows(&buf).join("\n");
        // (The scrubber has room for its counter from 30 rows.)
        if h >= 30 {
            assert!(text.contains(&format!("event {n}/{n}")), "{text}");
            // The scrubber's first phase is the new scenario's handshake, not echo's teardown.
            let labels = text
                .lines()
                .find(|l| l.contains("event "))
                .unwrap_or_default();
            assert!(labels.trim_start().starts_with("handshake"), "{labels}");
        }
        let steps = app.steps();
        assert_eq!(steps.0, steps.1);
        assert!(text.contains(&format!(" step {0}/{0}", steps.1)), "{text}");
        // backlog's three clients are c1-c3 of this scenario (echo's client is not counted).
        let ladder = ladder_rows(&app, &buf);
        assert!(
            ladder[0].contains("c1 :") && ladder[0].contains("c3 :"),
            "{}",
            ladder[0]
        );
        assert!(!ladder[0].contains("c4"), "{}", ladder[0]);
        app.update(Action::ToStart);
        assert_eq!(app.playback.pos, old, "Home goes to the scenario's start");
        let text = rows(&draw(&app)).join("\n");
        if h >= 30 {
            assert!(text.contains(&format!("event 0/{n}")), "{text}");
        }
        if w >= 120 {
            // A ladder 90 columns wide or more has a time column.
            app.size = (160, 40);
            app.playback.pos = app.len();
            let ladder = ladder_rows(&app, &draw(&app));
            // Milliseconds from the scenario's first event (backlog lasts about 1.1 s), not
            // from the lab's start (echo's run and a second before it).
            let times: Vec<f64> = ladder[1..]
                .iter()
                .filter_map(|r| r.split_whitespace().next()?.parse().ok())
                .collect();
            assert!(!times.is_empty(), "{}", ladder.join("\n"));
            let lasts = backlog().events().last().map_or(0, |e| e.at.0) as f64 / 1e6;
            let offset = (last + 1_000_000_000) as f64 / 1e6;
            assert!(
                times.iter().all(|&t| t <= lasts + 0.001),
                "times {times:?} count from the scenario's start, not {offset} ms before it"
            );
        }
    }
}
