//! The ladder as a lecture reads it (issue 10): state names beside the lifelines at each
//! transition, blocked calls drawn from their start to their return, a key pressed while a side
//! is blocked saying so, live play reaching the last event, and the stream map's caption
//! computed from the map. Rendered into `TestBackend`-sized buffers at 80×24 and 120×40, from
//! real traffic (the checked-in echo capture, the lab run by the real binary).

mod ui_support;

use std::sync::OnceLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::capture::Timestamp;
use sockviz::timeline::{Call, Event, EventKind, Side, SourceEvent, Timeline};
use sockviz::ui::action::{Action, LabSide, Pane};
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::theme::{Theme, ThemeName};
use sockviz::ui::widgets;

use ui_support::{lab_timeline, rows};

fn echo_lab_events() -> &'static [Event] {
    static T: OnceLock<Vec<Event>> = OnceLock::new();
    T.get_or_init(|| lab_timeline("echo").events().to_vec())
}

fn timeline_of(events: &[Event]) -> Timeline {
    let mut tl = Timeline::new(Timestamp(0));
    for e in events {
        tl.push_event(e.clone());
    }
    tl
}

fn replay_app(w: u16, h: u16) -> App {
    let replay =
        sockviz::open::load(&ui_support::data("echo.pcap"), None).expect("echo.pcap loads");
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Loading {
            path: "echo.pcap".into(),
        },
        Theme::new(ThemeName::Dark),
    );
    app.load_replay(replay, "echo.pcap".into());
    app.playback.playing = false;
    app.size = (w, h);
    app
}

fn draw(app: &App) -> Buffer {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    buf
}

fn geometry(app: &App) -> widgets::ladder::Geometry {
    let area =
        sockviz::ui::layout::areas(Rect::new(0, 0, app.size.0, app.size.1)).expect("big enough");
    widgets::ladder::geometry(area.ladder)
}

/// The text just left of the client's lifeline and just right of the server's, on row `y`.
fn beside(buf: &Buffer, g: widgets::ladder::Geometry, y: usize) -> (String, String) {
    let y = y as u16;
    let cell = |x: u16| buf[(x, y)].symbol().to_string();
    let mut left = String::new();
    let mut x = g.lx.saturating_sub(2);
    while x > 0 && cell(x) != " " {
        left.insert_str(0, &cell(x));
        x -= 1;
    }
    let mut right = String::new();
    let mut x = g.rx + 2;
    while x < buf.area.width && cell(x) != " " {
        right.push_str(&cell(x));
        x += 1;
    }
    (left, right)
}

fn row_of(rows: &[String], needle: &str) -> usize {
    rows.iter()
        .position(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}:\n{}", rows.join("\n")))
}

/// The whole echo capture replayed: each state change written beside its lifeline, at the
/// row of the segment that caused it, at the lecture's two terminal sizes.
#[test]
fn the_lifelines_carry_the_state_names_at_80x24_and_120x40() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = replay_app(w, h);
        app.playback.pos = app.len();
        let buf = draw(&app);
        let rows = rows(&buf);
        let g = geometry(&app);
        let at = |needle: &str| beside(&buf, g, row_of(&rows, needle));
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let screen = rows.join("\n");
        // 80×24 shows the newest rows: the close. 120×40 shows everything.
        if h >= 40 {
            assert_eq!(
                at(" SYN seq=0"),
                pair("SYN_SENT", "SYN_RECEIVED"),
                "{screen}"
            );
            assert_eq!(at(" SYN,ACK seq=0"), pair("ESTABLISHED", ""), "{screen}");
            assert_eq!(at(" ACK seq=1 ack=1 "), pair("", "ESTABLISHED"), "{screen}");
        }
        let data = rows
            .iter()
            .position(|r| (r.contains("PSH,ACK") || r.contains(" data 20 B ")) && r.contains('►'))
            .expect("client data row");
        assert_eq!(
            beside(&buf, g, data),
            pair("", ""),
            "data: no change\n{screen}"
        );
        // 80×24 writes FIN,ACK in a student's words, `FIN` (issue 11: no tcpdump letters).
        let fin = rows
            .iter()
            .position(|r| (r.contains("FIN,ACK") || r.contains(" FIN ")) && r.contains('►'))
            .expect("client FIN row");
        assert_eq!(
            beside(&buf, g, fin),
            pair("FIN_WAIT_1", "CLOSE_WAIT"),
            "{screen}"
        );
        let fin2 = rows
            .iter()
            .position(|r| (r.contains("FIN,ACK") || r.contains(" FIN ")) && r.contains('◄'))
            .expect("server FIN row");
        assert_eq!(
            beside(&buf, g, fin2),
            pair("TIME_WAIT", "LAST_ACK"),
            "{screen}"
        );
        let last = rows
            .iter()
            .rposition(|r| r.contains(" ACK ") && r.contains('►'))
            .expect("the last ACK");
        assert_eq!(beside(&buf, g, last), pair("", "CLOSED"), "{screen}");
        // The names never sit on the wire: every arrow still spans lifeline to lifeline.
        for y in [fin, fin2] {
            assert!(matches!(buf[(g.lx, y as u16)].symbol(), "│" | "┃"));
            assert!(matches!(buf[(g.rx, y as u16)].symbol(), "│" | "┃"));
        }
    }
}

/// Stepping: a state name appears with the row that enters it, not before.
#[test]
fn a_state_name_appears_when_its_row_does() {
    let mut app = replay_app(80, 24);
    app.update(Action::ToStart);
    app.update(Action::StepForward);
    let text = rows(&draw(&app)).join("\n");
    assert!(text.contains("SYN_SENT"), "{text}");
    assert!(!text.contains("ESTABLISHED │"), "{text}");
    app.update(Action::StepForward);
    let g = geometry(&app);
    let buf = draw(&app);
    let rows = rows(&buf);
    assert_eq!(
        beside(&buf, g, row_of(&rows, " SYN+ACK ")).0,
        "ESTABLISHED",
        "{}",
        rows.join("\n")
    );
}

/// The echo lab with the server's first `recv(1024)` blocked 1.5 ms (a lecture machine's
/// scheduling; a fast run may return under the 1 ms drawn as blocked).
fn echo_with_blocked_recv() -> Timeline {
    let mut events = echo_lab_events().to_vec();
    // The program calls recv right after accept returns.
    let accepted = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Call(c) if matches!(c.call, Call::Accept { .. }) => {
                Some(c.returned.as_nanos())
            }
            _ => None,
        })
        .expect("accept");
    let recv = events
        .iter_mut()
        .find_map(|e| match &mut e.kind {
            EventKind::Call(c) if c.side == Side::Server && matches!(c.call, Call::Recv { .. }) => {
                Some(c)
            }
            _ => None,
        })
        .expect("the server's recv");
    recv.started = Timestamp((recv.returned.as_nanos() - 1_500_000).min(accepted));
    timeline_of(&events)
}

#[test]
fn a_blocked_call_is_drawn_where_it_starts_and_where_it_returns() {
    {
        let mut app = ui_support::lab_app(echo_with_blocked_recv(), 120, 40);
        let ret = app
            .events()
            .iter()
            .position(|e| matches!(&e.kind, EventKind::Call(c) if c.side == Side::Server && matches!(c.call, Call::Recv { .. })))
            .expect("recv");
        app.playback.pos = ret + 1;
        let buf = draw(&app);
        let rows = rows(&buf);
        let screen = rows.join("\n");
        let g = geometry(&app);
        let start = row_of(&rows, "recv(1024) …");
        let done = rows
            .iter()
            .position(|r| r.contains("recv(1024) → 20") || r.contains("recv(1024)→20"))
            .unwrap_or_else(|| panic!("the return row:\n{screen}"));
        assert!(start < done, "the start above the return:\n{screen}");
        assert!(
            rows[start].find("recv(1024) …") > Some(g.rx as usize - 2),
            "on the server's side:\n{screen}"
        );
        // Heavy on every arrow row between (call rows put their dot on the lifeline).
        for y in (start..done).filter(|&y| rows[y].contains('►') || rows[y].contains('◄')) {
            assert_eq!(
                buf[(g.rx, y as u16)].symbol(),
                "┃",
                "heavy while blocked, row {y}:\n{screen}"
            );
        }
        assert_ne!(buf[(g.rx, done as u16 + 1)].symbol(), "┃", "{screen}");
    }
    // 80×24: at the moment it starts, the call is the newest row, blocked, on the server side.
    let mut app = ui_support::lab_app(echo_with_blocked_recv(), 80, 24);
    let ret = app
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if c.side == Side::Server && matches!(c.call, Call::Recv { .. })))
        .expect("recv");
    let (after, edge) =
        sockviz::ui::playback::call_edge(&app.timeline, &app.index, ret).expect("a blocked recv");
    assert_eq!(edge, sockviz::ui::playback::CallEdge::Start);
    app.playback.pos = after;
    let buf = draw(&app);
    let rows80 = rows(&buf);
    let g = geometry(&app);
    let y = row_of(&rows80, "recv(1024) …");
    assert_eq!(buf[(g.rx, y as u16)].symbol(), "●", "{}", rows80.join("\n"));
    assert!(!rows80.join("\n").contains("recv(1024) → 20"));
    // Stepping stops at the start: the call is on screen before the data it waits for.
    let mut app = ui_support::lab_app(echo_with_blocked_recv(), 120, 40);
    app.update(Action::ToStart);
    let mut saw_start_alone = false;
    for _ in 0..60 {
        app.update(Action::StepForward);
        let text = rows(&draw(&app)).join("\n");
        if text.contains("recv(1024) …") && !text.contains("recv(1024) → 20") {
            saw_start_alone = true;
        }
    }
    assert!(
        saw_start_alone,
        "a step shows the recv started, not returned"
    );
}

/// The lab's echo up to the client's close: both sockets open, nothing pending.
fn open_echo_app() -> App {
    let events = echo_lab_events();
    let cut = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Note(t) if t.starts_with("close()")))
        .expect("the close note");
    let mut app = ui_support::lab_app(timeline_of(&events[..cut]), 120, 40);
    app.playback.pos = app.len();
    app
}

#[test]
fn a_key_pressed_while_a_side_is_blocked_says_so_at_once() {
    let mut app = open_echo_app();
    let effects = app.update(Action::Recv(LabSide::Server));
    assert_eq!(effects.len(), 1, "the recv goes to the lab");
    // Drawn at once, blocked, with what it was asked.
    let buf = draw(&app);
    let screen = rows(&buf);
    let g = geometry(&app);
    // The newest row (a blocked client recv of the run may be drawn above, on the left).
    let y = screen
        .iter()
        .rposition(|r| r.contains("recv(1024) …"))
        .expect("the pending recv");
    assert!(
        screen[y].find("recv(1024) …") > Some(g.rx as usize),
        "{}",
        screen.join("\n")
    );
    assert_eq!(buf[(g.rx, y as u16)].symbol(), "┃", "{}", screen.join("\n"));
    app.playback.playing = false;
    for _ in 0..21 {
        app.update(Action::Tick(0.1));
    }
    let effects = app.update(Action::Recv(LabSide::Server));
    assert_eq!(
        effects.len(),
        1,
        "the press still goes to the lab (it waits there)"
    );
    assert_eq!(
        app.message.as_deref(),
        Some("server is blocked in recv(1024) since 2.1 s; this press waits")
    );
    let status = rows(&draw(&app)).last().cloned().unwrap_or_default();
    assert!(
        status.contains("server is blocked in recv(1024) since 2.1 s"),
        "{status}"
    );
    // The client's side is free: its keys say nothing of the server.
    app.update(Action::Recv(LabSide::Client));
    assert_eq!(app.message.as_deref(), Some("client recv(1024)"));
    // The lab reports the first recv returning: one server recv is still pending.
    let mut ret = match echo_lab_events()
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Call(c) if c.side == Side::Server && matches!(c.call, Call::Recv { .. })))
        .map(|e| e.kind.clone())
    {
        Some(EventKind::Call(c)) => c,
        _ => panic!("a server recv"),
    };
    ret.returned = Timestamp(ret.returned.as_nanos() + 1_000_000_000);
    ret.started = ret.returned;
    app.ingest(vec![SourceEvent::Call(ret)]);
    let servers = app
        .lab
        .pending
        .iter()
        .filter(|p| p.side == Side::Server)
        .count();
    assert_eq!(servers, 1);
}

#[test]
fn live_play_follows_to_the_last_event() {
    let events = echo_lab_events();
    // The lab's last events are often probes, which no row draws: end with one.
    let mut probe = events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Probe(_)))
        .expect("a probe")
        .clone();
    probe.at = Timestamp(events.last().expect("events").at.as_nanos() + 1_000);
    let mut all = events.to_vec();
    all.push(probe);
    let mut app = ui_support::lab_app(timeline_of(&all), 120, 40);
    app.playback.playing = true;
    for _ in 0..200 {
        app.update(Action::Tick(0.7));
    }
    assert_eq!(
        app.playback.pos,
        app.len(),
        "live play reaches the last event"
    );
    // A probe arriving later is taken in too: the panels never stay stale.
    let mut late = all.last().expect("events").clone();
    late.at = Timestamp(late.at.as_nanos() + 1_000);
    app.ingest(vec![source(&late)]);
    app.update(Action::Tick(0.7));
    assert_eq!(app.playback.pos, app.len());
    let text = rows(&draw(&app)).join("\n");
    let n = app.len();
    assert!(text.contains(&format!("event {n}/{n}")), "{text}");
}

fn source(e: &Event) -> SourceEvent {
    match &e.kind {
        EventKind::Call(c) => SourceEvent::Call(c.clone()),
        EventKind::Probe(p) => SourceEvent::Probe {
            at: e.at,
            probe: *p,
        },
        EventKind::Note(t) => SourceEvent::Note {
            at: e.at,
            text: t.clone(),
        },
        EventKind::Segment(_) => panic!("segments come from frames"),
    }
}

fn stream_caption(app: &App) -> String {
    rows(&draw(app))
        .into_iter()
        .find(|r| r.contains("recv call"))
        .unwrap_or_default()
}

#[test]
fn the_stream_map_caption_reads_the_map() {
    // echo: one send, one segment, one recv of the same 20 bytes.
    let mut app = ui_support::lab_app(timeline_of(echo_lab_events()), 120, 40);
    app.pane = Pane::StreamMap;
    app.playback.pos = app.len();
    let caption = stream_caption(&app);
    assert!(caption.contains("the boundaries line up"), "{caption}");
    assert!(!caption.contains("do not"), "{caption}");
    // Before the server's recv: nothing read yet.
    let recv = app
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if c.side == Side::Server && matches!(c.call, Call::Recv { .. })))
        .expect("recv");
    app.playback.pos = recv;
    app.selected = None;
    let caption = rows(&draw(&app)).join("\n");
    assert!(
        caption.contains("no recv call has returned these bytes yet"),
        "{caption}"
    );
    // segments: one sendall, MSS-sized segments, 1024-byte recvs.
    let mut app = ui_support::lab_app(lab_timeline("segments"), 120, 40);
    app.pane = Pane::StreamMap;
    app.playback.pos = app.len();
    let caption = stream_caption(&app);
    assert!(
        caption.contains("the boundaries do not line up"),
        "{caption}"
    );
}

/// Every stop → makes, ← makes too, in reverse: a call's start is a stop both ways.
#[test]
fn stepping_back_retraces_the_forward_stops() {
    let mut app = ui_support::lab_app(echo_with_blocked_recv(), 120, 40);
    app.update(Action::ToStart);
    let mut forward = vec![0];
    loop {
        app.update(Action::StepForward);
        if app.playback.pos == *forward.last().expect("a stop") {
            break;
        }
        forward.push(app.playback.pos);
    }
    assert_eq!(forward.last(), Some(&app.len()), "→ ends at the last event");
    // The rows on screen at each stop: one more than at the stop before.
    let mut back = vec![app.playback.pos];
    while app.playback.pos > 0 {
        app.update(Action::StepBack);
        back.push(app.playback.pos);
    }
    back.reverse();
    // ← stops just before each row appeared; → just after: the rows shown agree.
    let shown = |app: &mut App, pos: usize| {
        app.playback.pos = pos;
        widgets::ladder::rows(app, 1000).len()
    };
    let f: Vec<usize> = forward.iter().map(|&p| shown(&mut app, p)).collect();
    let b: Vec<usize> = back.iter().map(|&p| shown(&mut app, p)).collect();
    let mut f_rows = f.clone();
    f_rows.dedup();
    let mut b_rows = b.clone();
    b_rows.dedup();
    // Trailing probes after the last row add a stop forward with no new row.
    assert_eq!(f_rows, b_rows, "forward {forward:?} back {back:?}");
    // One row per step; more when calls started at the very moment of a drawn event (the
    // position counts events: those rows share it).
    assert!(
        f_rows.windows(2).all(|w| w[1] > w[0]),
        "every step shows more: {f_rows:?}"
    );
    assert!(
        f_rows.windows(2).filter(|w| w[1] == w[0] + 1).count() > f_rows.len() * 3 / 4,
        "mostly one row per step: {f_rows:?}"
    );
}

/// A call pending on the client's side is drawn at every terminal size without running off the
/// screen's left edge: a label wider than the room left of the lifeline is cut (the
/// `screen_input` fuzz target found the column underflowing there).
#[test]
fn a_pending_client_call_fits_every_screen_size() {
    let events = echo_lab_events().to_vec();
    let recv = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Call(c) if c.side == Side::Client && matches!(c.call, Call::Recv { .. }) => {
                Some(c.clone())
            }
            _ => None,
        })
        .expect("the client's recv");
    // Live, just after the call began: what the lab had reported by then.
    let known: Vec<Event> = events
        .iter()
        .filter(|e| e.at <= recv.started)
        .cloned()
        .collect();
    let (mut drawn, mut cut) = (0, 0);
    for w in (1..=120).step_by(3) {
        for h in [1, 6, 12, 24, 40] {
            let mut app = ui_support::lab_app(timeline_of(&known), w, h);
            app.playback.pos = app.len();
            app.ingest(vec![SourceEvent::CallStarted(
                sockviz::timeline::CallStart {
                    side: recv.side,
                    socket: recv.socket,
                    call: Call::Send {
                        len: 1_000_000_000,
                        all: true,
                    },
                    started: recv.started,
                },
            )]);
            app.update(Action::Tick(2.0));
            let screen = rows(&draw(&app)).join("\n");
            if screen.contains("sendall(1000000000) …") {
                drawn += 1;
            } else if screen.contains("sendall(") {
                cut += 1;
            }
        }
    }
    // 16 cells at most beside a lifeline: the label is always cut, and drawn wherever the
    // ladder is.
    assert_eq!(drawn, 0);
    assert!(cut >= 20, "drawn cut {cut} times");
}

/// Item 4 for a call a scenario makes: slow-reader's `sendall` blocks about half a second.
/// Live, the lab reports its start, and the screen draws it there at once (with its argument,
/// on a heavy lifeline that the segments crossing meanwhile are drawn beside), says so when a
/// key for that side is pressed, and when it returns draws it at its start and its return.
#[test]
fn a_scenario_call_blocked_live_is_drawn_from_its_start_to_its_return() {
    let events = lab_timeline("slow-reader").events().to_vec();
    let (k, c) = events
        .iter()
        .enumerate()
        .filter_map(|(k, e)| match &e.kind {
            EventKind::Call(c) if matches!(c.call, Call::Send { all: true, .. }) => {
                Some((k, c.clone()))
            }
            _ => None,
        })
        .max_by_key(|(_, c)| c.returned.as_nanos() - c.started.as_nanos())
        .expect("slow-reader's sendall");
    assert!(c.blocked_secs() > 0.2, "it blocks: {} s", c.blocked_secs());
    let Call::Send { len, .. } = c.call else {
        unreachable!("a send")
    };
    // Live, a few drawn events into the block, up to the first segment that crossed while it
    // blocked (the server's recvs may come first: the order is the run's): what the lab had
    // reported by then (a call only once it returned), with the sendall itself only begun.
    let after: Vec<&Event> = events
        .iter()
        .filter(|e| e.at > c.started && !matches!(e.kind, EventKind::Probe(_)))
        .collect();
    let first_segment = after
        .iter()
        .position(|e| matches!(e.kind, EventKind::Segment(_)))
        .expect("a segment crossed while the sendall blocked");
    let cut = after[first_segment.max(2)].at;
    assert!(cut < c.returned, "those events happened while it blocked");
    let known: Vec<Event> = events
        .iter()
        .enumerate()
        .filter(|(j, e)| {
            *j != k
                && e.at <= cut
                && match &e.kind {
                    EventKind::Call(o) => o.returned <= cut,
                    _ => true,
                }
        })
        .map(|(_, e)| e.clone())
        .collect();
    let mut app = ui_support::lab_app(timeline_of(&known), 120, 40);
    app.playback.pos = app.len();
    app.ingest(vec![SourceEvent::CallStarted(
        sockviz::timeline::CallStart {
            side: c.side,
            socket: c.socket,
            call: c.call.clone(),
            started: c.started,
        },
    )]);
    let buf = draw(&app);
    let screen = rows(&buf);
    let g = geometry(&app);
    let label = format!("sendall({len}) …");
    let y = row_of(&screen, &label);
    assert!(
        screen[y].find(&label) < Some(g.lx as usize),
        "on the client's side:\n{}",
        screen.join("\n")
    );
    assert_eq!(buf[(g.lx, y as u16)].symbol(), "┃", "{}", screen.join("\n"));
    // Drawn where it began: what happened since is below it, beside the heavy lifeline.
    let below: Vec<usize> = (y + 1..screen.len())
        .filter(|&r| screen[r].contains(" seq="))
        .collect();
    assert!(!below.is_empty(), "segments below:\n{}", screen.join("\n"));
    for r in below {
        assert_eq!(
            buf[(g.lx, r as u16)].symbol(),
            "┃",
            "heavy while blocked, row {r}:\n{}",
            screen.join("\n")
        );
    }
    // A key for the client says at once that it waits behind the scenario's call.
    for _ in 0..3 {
        app.update(Action::Tick(0.1));
    }
    app.update(Action::Recv(LabSide::Client));
    let message = app.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("client is blocked in sendall(")
            && message.ends_with("; this press waits"),
        "{message}"
    );
    let status = rows(&draw(&app)).last().cloned().unwrap_or_default();
    assert!(status.contains("client is blocked in sendall("), "{status}");
    // It returns: no longer pending; the keyboard's recv still is.
    app.ingest(vec![SourceEvent::Call(c.clone())]);
    assert!(
        app.lab.pending.iter().all(|p| !p.call.same_kind(&c.call)),
        "{:?}",
        app.lab.pending
    );
    assert_eq!(app.lab.pending.len(), 1, "the client's recv waits");
}
