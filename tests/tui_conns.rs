//! Issue 11 item 1: several connections on one ladder stay apart. backlog's three clients and
//! a second connection after `n`, rendered whole at 80×24 and 120×40 from the real lab: every
//! arrow and call carries its connection's tag, the heading names every client port, the SYN
//! the full accept queue dropped is marked with why, and each socket has a panel or a page.

mod ui_support;

use std::sync::OnceLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::timeline::{Event, EventKind, Timeline};
use sockviz::ui::app::App;
use sockviz::ui::widgets;

use ui_support::{lab_app, lab_timeline, rows, screen};

fn backlog() -> Timeline {
    static T: OnceLock<Vec<Event>> = OnceLock::new();
    let events = T.get_or_init(|| lab_timeline("backlog").events().to_vec());
    let mut tl = Timeline::new(sockviz::capture::Timestamp(0));
    for e in events {
        tl.push_event(e.clone());
    }
    tl
}

fn draw(app: &App) -> Buffer {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    buf
}

#[test]
fn debug_backlog() {
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        let mut app = lab_app(backlog(), w, h);
        let d = app.dropped.clone();
        let syn = d.first().map(|d| d.event).unwrap_or(0);
        app.playback.pos = syn + 1;
        println!("{}", screen(&draw(&app)));
        app.playback.pos = app.len();
        println!("{}", screen(&draw(&app)));
    }
}
