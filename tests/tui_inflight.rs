//! Issue 12: segments in flight at the same time are drawn in flight at the same time.

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use ui_support::{lab_app, lab_timeline_with, rows};

#[test]
fn scratch_print() {
    let json = ();
    let _ = json;
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut app = lab_app(lab_timeline_with("echo-link", &[]), w, h);
        app.playback.pos = app.len();
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        sockviz::ui::widgets::render(&app, area, &mut buf);
        eprintln!("{}", rows(&buf).join("\n"));
    }
}
