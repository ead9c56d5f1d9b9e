//! Issue 11, item 2: every teaching note and every error of every lab scenario is readable
//! whole at 80×24 and 120×40: rendered with the note (or the failed call) as the newest event,
//! its whole text is on screen in the ladder, wrapped across rows where it must be, never cut
//! (`…`) nor broken inside a word, and never shown as half a sentence at the ladder's top. The
//! scenarios run for real (`sockviz lab --scenario X
//! --headless --json`).

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::capture::Timestamp;
use sockviz::export::labels::python_error;
use sockviz::timeline::{EventKind, Timeline};
use sockviz::ui::widgets;

/// The ladder's rows on screen (the panels' columns left out), trimmed, joined by one space.
fn ladder_text(buf: &Buffer, w: u16, h: u16) -> (String, Vec<String>) {
    let area = sockviz::ui::layout::areas(Rect::new(0, 0, w, h)).expect("80×24 or more");
    let rows: Vec<String> = ui_support::rows(buf)
        .into_iter()
        .skip(area.ladder.y as usize)
        .take(area.ladder.height as usize)
        .map(|r| {
            r.chars()
                .take(area.ladder.width as usize)
                .collect::<String>()
        })
        .collect();
    let joined = rows
        .iter()
        .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (joined, rows)
}

#[test]
fn every_note_and_error_of_every_scenario_is_whole_at_80x24_and_120x40() {
    let mut checked = 0;
    for sc in sockviz::lab::scenario::ALL {
        let events = ui_support::lab_timeline(sc.name).events().to_vec();
        let n = events.len();
        for (w, h) in [(80, 24), (120, 40)] {
            let mut tl = Timeline::new(Timestamp(0));
            for e in &events {
                tl.push_event(e.clone());
            }
            let mut app = ui_support::lab_app(tl, w, h);
            for i in 0..n {
                let want = match &app.events()[i].kind {
                    EventKind::Note(text) => format!("· {text}"),
                    EventKind::Call(c) => match c.errno {
                        Some(e) => format!("✗ {} ({})", python_error(e), e.name),
                        None => continue,
                    },
                    _ => continue,
                };
                let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
                app.playback.pos = i + 1;
                let area = Rect::new(0, 0, w, h);
                let mut buf = Buffer::empty(area);
                widgets::render(&app, area, &mut buf);
                let (joined, rows) = ladder_text(&buf, w, h);
                assert!(
                    joined.contains(&want),
                    "{} at {w}×{h}, event {i}: {want:?} is not whole on screen:\n{}",
                    sc.name,
                    rows.join("\n")
                );
                // The ladder's top row is never the tail of a note or error whose start
                // scrolled off (half a sentence): a band line starts with its mark.
                let top = &rows[1];
                let tail = top.starts_with("  ")
                    && !top.trim().is_empty()
                    && !top.contains(['│', '┃', '●', '·', '✗', '└']);
                assert!(!tail, "{} at {w}×{h}, event {i}: top row {top:?}", sc.name);
                checked += 1;
            }
        }
    }
    // 9 scenarios, about 40 notes and errors, at two sizes.
    assert!(checked >= 60, "only {checked} notes and errors checked");
}
