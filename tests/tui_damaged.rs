//! A damaged file says so on the replay screen at once (issue 16, item 8), not only in
//! `replay --headless` or in a note at the end of the timeline.

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::theme::{Theme, ThemeName};
use sockviz::ui::widgets;

use ui_support::screen;

fn data(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn replay_screen(rel: &str) -> String {
    let path = data(rel);
    let replay = sockviz::open::load(&path, Some(0)).expect("plays what is before the cut");
    let mut app = App::new(
        sockviz::timeline::Timeline::new(sockviz::capture::Timestamp(0)),
        SourceLabel::Loading {
            path: rel.to_string(),
        },
        Theme::new(ThemeName::Mono),
    );
    app.size = (120, 40);
    app.playback.playing = false;
    // As `sockviz replay FILE` names it: the file as given.
    app.load_replay(replay, path.display().to_string());
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render(&app, area, &mut buf);
    screen(&buf)
}

#[test]
fn a_cut_capture_warns_on_the_replay_screen() {
    for file in ["damaged/cut-tail.pcap", "damaged/cut-tail.pcapng"] {
        let text = replay_screen(file);
        assert!(text.contains("warning:"), "{file}:\n{text}");
        assert!(
            text.contains("· warning: record 1"),
            "the file's name is in the header, not repeated: {file}:\n{text}"
        );
    }
}

#[test]
fn an_intact_capture_has_no_warning() {
    let text = replay_screen("echo.pcap");
    assert!(!text.contains("warning:"), "{text}");
}
