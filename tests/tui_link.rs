//! Issue 12 in the ladder: a segment the link lost (seen leaving the client, never reaching
//! the server) is an arrow that stops midway at a mark, never one that arrives. From real
//! traffic: the echo lab over a link that drops the client's third segment (its data).

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::timeline::EventKind;
use sockviz::ui::widgets;

use ui_support::{lab_app, lab_timeline_with, rows};

#[test]
fn a_lost_segment_stops_midway_with_a_mark() {
    let tl = lab_timeline_with("echo", &["--link", "rtt=20ms,loss=nth:3"]);
    let lost: Vec<_> = tl
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Segment(s) if s.lost => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(lost.len(), 1, "the client's data segment, once");
    assert_eq!(lost[0].len, 20);
    let lost_at = tl
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.lost))
        .expect("the lost segment");
    let mut app = lab_app(tl, 120, 40);
    app.playback.pos = app.len();
    // Segments in flight take two rows each over a link: the lost one is kept in view.
    app.selected = Some(lost_at);
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render(&app, area, &mut buf);
    let rows = rows(&buf);
    let screen = rows.join("\n");
    let marked: Vec<&String> = rows.iter().filter(|r| r.contains('✗')).collect();
    assert_eq!(marked.len(), 1, "one arrow ends in a mark:\n{screen}");
    let row = marked[0];
    eprintln!("{row}");
    assert!(!row.contains('►'), "the lost arrow never arrives:\n{row}");
    let g = widgets::ladder::geometry(sockviz::ui::layout::areas(area).expect("big enough").ladder);
    let chars: Vec<char> = row.chars().collect();
    let mark = chars.iter().position(|c| *c == '✗').expect("the mark") as u16;
    let middle = (g.lx + g.rx) / 2;
    assert!(
        mark > g.lx + 2 && mark <= middle + 1,
        "the mark at column {mark}, the wire from {} to {}:\n{row}",
        g.lx,
        g.rx
    );
    // Its retransmission arrives.
    assert!(
        rows.iter()
            .any(|r| r.contains("retrans") || r.contains('►')),
        "{screen}"
    );
}

#[test]
fn the_panels_show_what_a_longer_path_adds() {
    let tl = lab_timeline_with("echo", &["--link", "rtt=40ms"]);
    // The client's probes after the handshake carry the link's RTT.
    let rtts: Vec<u32> = tl
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Probe(p) if p.side == sockviz::timeline::Side::Client && p.rtt_us > 0 => {
                Some(p.rtt_us)
            }
            _ => None,
        })
        .collect();
    let last = *rtts.last().expect("probes with an RTT");
    // The kernel smooths its samples, delayed ACKs included: at least the link's RTT.
    assert!((38_000..80_000).contains(&last), "rtt {last} µs");
    let mut app = lab_app(tl, 120, 40);
    // Just after the client's send: connected, its RTT measured.
    let send = app
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if matches!(c.call, sockviz::timeline::Call::Send { .. })))
        .expect("a send");
    app.playback.pos = send + 1;
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render(&app, area, &mut buf);
    let screen = rows(&buf).join("\n");
    assert!(
        screen.contains("rtt 4")
            && screen.contains("cwnd 10 ssthresh ∞")
            && screen.contains("in flight"),
        "{screen}"
    );
}
