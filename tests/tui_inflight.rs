//! Issue 12, item 2: over a link, segments in flight at the same time are drawn in flight at the
//! same time. A segment's arrow leaves from its departure row and lands on its arrival row, so
//! two segments in flight together span overlapping rows; while real-time pacing plays, the
//! arrival shows one measured one-way delay after the departure. From real traffic: the
//! `echo-link` scenario (80 ms round trip) run by the real binary, with both capture points'
//! times (`seen_t`).

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::capture::Timestamp;
use sockviz::tcp::Direction;
use sockviz::timeline::{Call, EventKind, SegmentEvent, Timeline};
use sockviz::ui::app::Pacing;
use sockviz::ui::widgets::ladder_rows::{LadderRow, RowKind, rows_in_context};
use sockviz::ui::widgets::{self, ladder, ladder_slope};
use sockviz::ui::{Action, App, layout};

use ui_support::{lab_app, lab_timeline_with, rows};

fn segment(tl: &Timeline, i: usize) -> &SegmentEvent {
    match &tl.events()[i].kind {
        EventKind::Segment(s) => s,
        other => panic!("event {i} is a {}", other.name()),
    }
}

/// The client's last handshake ACK and its data segment: the data leaves right behind the ACK,
/// both in flight for one one-way delay.
fn ack_and_data(tl: &Timeline) -> (usize, usize) {
    let segs: Vec<usize> = (0..tl.events().len())
        .filter(|&i| matches!(&tl.events()[i].kind, EventKind::Segment(s) if s.dir == Direction::ToServer))
        .collect();
    let ack = segs
        .iter()
        .copied()
        .find(|&i| {
            let s = segment(tl, i);
            s.flags.ack() && !s.flags.syn() && s.len == 0
        })
        .expect("the handshake's ACK");
    let data = segs
        .iter()
        .copied()
        .find(|&i| segment(tl, i).len == 20)
        .expect("the echo's 20 bytes");
    (ack, data)
}

/// The ladder's rows (window first row at the returned index) of `app` as drawn at `w`×`h`.
fn ladder_rows(app: &App, w: u16, h: u16) -> (usize, Vec<LadderRow>) {
    let area = layout::areas(Rect::new(0, 0, w, h))
        .expect("big enough")
        .ladder;
    rows_in_context(app, area.height as usize - 1, 0)
}

fn row_of(rows: &[LadderRow], event: usize, kind: RowKind) -> Option<usize> {
    rows.iter().position(|r| r.event == event && r.kind == kind)
}

fn render(app: &App, w: u16, h: u16) -> Vec<String> {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    rows(&buf)
}

/// The cell at column `x` of a screen row.
fn cell(row: &str, x: u16) -> char {
    row.chars().nth(x as usize).unwrap_or(' ')
}

#[test]
fn segments_in_flight_together_span_overlapping_rows_at_their_times() {
    let tl = lab_timeline_with("echo-link", &[]);
    let (ack, data) = ack_and_data(&tl);
    let (ack_s, data_s) = (segment(&tl, ack).clone(), segment(&tl, data).clone());
    let ack_lands = ack_s.arrived().expect("seen at both ends");
    assert!(data_s.arrived().expect("seen at both ends") > ack_lands);
    // The capture says they were in flight together: the data left before the ACK landed.
    assert!(tl.events()[data].at < ack_lands, "{ack_s:?}\n{data_s:?}");
    let one_way = (ack_lands.0 - tl.events()[ack].at.0) as f64 / 1e6;
    assert!((36.0..60.0).contains(&one_way), "one way {one_way} ms");
    // The server's recv of those bytes: both have landed.
    let recv = (0..tl.events().len())
        .find(|&i| matches!(&tl.events()[i].kind, EventKind::Call(c) if matches!(c.call, Call::Recv { .. }) && c.len == Some(20) && c.side != sockviz::timeline::Side::Client))
        .expect("the server's recv");
    for (w, h) in [(120u16, 40u16), (80, 24)] {
        let mut app = lab_app(lab_timeline_with_copy(&tl), w, h);
        app.playback.pos = recv + 1;
        let (top, rows) = ladder_rows(&app, w, h);
        assert_eq!(top, 0);
        let find = |e, k| {
            row_of(&rows, e, k).unwrap_or_else(|| panic!("{w}x{h}: no {k:?} row for {e}: {rows:?}"))
        };
        let (ack_from, ack_to) = (find(ack, RowKind::Event), find(ack, RowKind::Arrival));
        let (data_from, data_to) = (find(data, RowKind::Event), find(data, RowKind::Arrival));
        // Overlapping spans: the data leaves while the ACK is on its way, lands after it.
        assert!(
            ack_from < data_from && data_from < ack_to && ack_to < data_to,
            "{w}x{h}: ACK rows {ack_from}..{ack_to}, data rows {data_from}..{data_to}"
        );
        // Every row stands at its moment: departures at their event's time, arrivals at theirs.
        let moment = |r: &LadderRow| match (r.kind, &tl.events()[r.event].kind) {
            (RowKind::Arrival, EventKind::Segment(s)) => s.arrived().expect("landed"),
            (RowKind::CallStart, EventKind::Call(c)) => c.started,
            (RowKind::CallReturn, EventKind::Call(c)) => c.returned,
            _ => tl.events()[r.event].at,
        };
        let times: Vec<Timestamp> = rows.iter().map(moment).collect();
        assert!(
            times.windows(2).all(|p| p[0] <= p[1]),
            "{w}x{h}: rows out of time order: {times:?}"
        );

        // On screen: each arrow leaves at its sender's lifeline on its departure row and its
        // head is at the receiver's lifeline on its arrival row; on the rows between, both
        // lines cross the wire at once.
        let screen = render(&app, w, h);
        let text = screen.join("\n");
        let area = layout::areas(Rect::new(0, 0, w, h))
            .expect("big enough")
            .ladder;
        let g = ladder::geometry(area);
        let y = |row: usize| area.y as usize + 1 + row;
        for (from, to, line) in [(ack_from, ack_to, '═'), (data_from, data_to, '─')] {
            assert_eq!(cell(&screen[y(from)], g.lx + 1), line, "{w}x{h}:\n{text}");
            assert_eq!(cell(&screen[y(to)], g.rx - 1), '►', "{w}x{h}:\n{text}");
            // One line all the way: its glyph on every row it spans.
            for row in from..=to {
                let wire: String = screen[y(row)]
                    .chars()
                    .skip(g.lx as usize + 1)
                    .take((g.rx - g.lx - 1) as usize)
                    .collect();
                assert!(
                    wire.contains(line),
                    "{w}x{h}: row {row} lacks {line}:\n{text}"
                );
            }
        }
        // The row where the data leaves carries the ACK's line further across the wire.
        let leaving = &screen[y(data_from)];
        let ack_cells: Vec<usize> = leaving
            .chars()
            .enumerate()
            .filter(|&(x, c)| x > g.lx as usize && x < g.rx as usize && c == '═')
            .map(|(x, _)| x)
            .collect();
        assert!(
            !ack_cells.is_empty(),
            "{w}x{h}: the ACK in flight on the data's row:\n{text}"
        );
        // Each row carries an equal part of the wire: the ACK's part on the data's row is
        // further along than on its own departure row.
        assert!(
            ack_cells[0] > g.lx as usize + 2,
            "{w}x{h}: {ack_cells:?}\n{text}"
        );
    }
}

/// The same timeline again (the test helper runs the lab; the timeline is not `Clone`).
fn lab_timeline_with_copy(tl: &Timeline) -> Timeline {
    let mut copy = Timeline::new(tl.origin());
    for ev in tl.events() {
        copy.push_event(ev.clone());
    }
    copy
}

#[test]
fn real_time_pacing_lands_a_segment_one_way_delay_after_it_left() {
    let tl = lab_timeline_with("echo-link", &[]);
    let (_, data) = ack_and_data(&tl);
    let left = tl.events()[data].at;
    let lands = segment(&tl, data).arrived().expect("seen at both ends");
    let one_way = lands.secs_since(left);
    let mut app = lab_app(tl, 120, 40);
    app.playback.pacing = Pacing::RealTime;
    app.playback.seek(&app.timeline, data + 1);
    app.playback.playing = true;
    let slowdown = sockviz::ui::playback::slowdown(&app.timeline);
    assert_eq!(slowdown, sockviz::ui::playback::LINK_SLOWDOWN);
    let reach = |app: &App| {
        let (top, rows) = ladder_rows(app, 120, 40);
        let landed = row_of(&rows, data, RowKind::Arrival).is_some();
        let slope = ladder_slope::slopes(app, &rows, top)
            .into_iter()
            .find(|s| s.event == data)
            .expect("the data's arrow");
        (landed, slope.reach)
    };
    // Just left: in flight, barely out of the client.
    let (landed, r0) = reach(&app);
    assert!(!landed && r0 < 0.05, "{r0}");
    // Wall-clock seconds for `secs` of capture time at speed 1 (no timed assertion: the test
    // hands the app the elapsed time, as the event loop does).
    let wall = |secs: f64| secs * slowdown;
    // Half its one-way delay later: half across, not landed.
    app.update(Action::Tick(wall(one_way / 2.0)));
    let (landed, half) = reach(&app);
    assert!(!landed, "landed after half its one-way delay");
    assert!((0.4..0.6).contains(&half), "half way: reach {half}");
    let screen = render(&app, 120, 40);
    assert!(
        !screen
            .iter()
            .any(|r| r.contains("data 20 B") && r.contains('►')),
        "{}",
        screen.join("\n")
    );
    // A millisecond short of the delay: still in flight; a millisecond past it: landed.
    app.update(Action::Tick(wall(one_way / 2.0 - 0.001)));
    let (landed, almost) = reach(&app);
    assert!(!landed && almost > 0.9, "{almost}");
    app.update(Action::Tick(wall(0.002)));
    let (landed, full) = reach(&app);
    assert!(
        landed && full >= 1.0,
        "landed one-way delay ({one_way} s) after it left"
    );
    assert!(app.playback.clock >= app.timeline.secs(lands));
}

#[test]
fn stepping_shows_a_segment_in_flight_until_a_step_passes_its_arrival() {
    let tl = lab_timeline_with("echo-link", &[]);
    let (ack, data) = ack_and_data(&tl);
    let lands = segment(&tl, ack).arrived().expect("seen at both ends");
    let mut app = lab_app(tl, 120, 40);
    app.playback.seek(&app.timeline, ack + 1);
    let mut steps = 0;
    loop {
        let (top, rows) = ladder_rows(&app, 120, 40);
        let landed = row_of(&rows, ack, RowKind::Arrival).is_some();
        let newest = app.events()[app.playback.pos - 1].at;
        // Landed exactly once the position's moment is at or past its arrival.
        assert_eq!(landed, newest >= lands, "step {steps}");
        let slope = ladder_slope::slopes(&app, &rows, top)
            .into_iter()
            .find(|s| s.event == ack)
            .expect("the ACK's arrow");
        assert_eq!(slope.arrived(), landed);
        if landed {
            break;
        }
        app.update(Action::StepForward);
        steps += 1;
        assert!(steps < 20, "never landed");
    }
    // The data left while the ACK was in flight: at least its row came in between.
    assert!(steps >= 2, "{steps} steps");
    assert!(app.playback.pos > data);
}
