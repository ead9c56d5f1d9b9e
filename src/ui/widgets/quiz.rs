//! The quiz on screen: the question waiting at the bottom of the frame (the ladder above it
//! stops just before the event it asks about), and the score with the questions missed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::export::labels::wrap;
use crate::quiz::text;
use crate::ui::app::App;

use super::help::frame;
use super::put;

/// Lines of the waiting question: its text, its choices (as many a line as fit), the typed
/// answer, and how to answer.
fn question_lines(app: &App, width: usize) -> Vec<(String, bool)> {
    let Some(state) = &app.quiz else {
        return Vec::new();
    };
    let Some(q) = &state.asking else {
        return Vec::new();
    };
    let mut lines: Vec<(String, bool)> = wrap(&text::prompt(q), width)
        .into_iter()
        .map(|l| (l, false))
        .collect();
    let choices = text::choices(q);
    if choices.is_empty() {
        lines.push((format!("> {}▏", state.typed), false));
    } else {
        // Short choices side by side, long ones a line each.
        let mut line = String::new();
        for c in choices {
            if !line.is_empty() && line.width() + 3 + c.width() > width {
                lines.push((std::mem::take(&mut line), false));
            }
            if !line.is_empty() {
                line.push_str("   ");
            }
            line.push_str(&c);
        }
        lines.push((line, false));
    }
    let how = if q.choices.is_empty() {
        crate::tr!("ui.quiz.how_typed")
    } else {
        crate::tr!("ui.quiz.how_choose", n = q.choices.len())
    };
    lines.push((how, true));
    lines
}

/// The waiting question, over the bottom of the frame.
pub fn render_question(app: &App, area: Rect, buf: &mut Buffer) {
    let width = area.width.saturating_sub(4).max(10) as usize;
    let lines = question_lines(app, width);
    let h = (lines.len() as u16 + 2).min(area.height);
    // Above the status bar, the ladder left in view.
    let r = Rect::new(area.x, area.bottom().saturating_sub(h + 1), area.width, h);
    let (right, asked) = app.quiz.as_ref().map_or((0, 0), |s| s.quiz.score());
    let title = crate::tr!("ui.quiz.title", right = right, asked = asked);
    let inner = frame(app, r, &title, buf);
    let t = &app.theme;
    for (k, (line, dim)) in lines.iter().enumerate() {
        let y = inner.y + k as u16;
        if y >= inner.bottom() {
            break;
        }
        put(
            buf,
            inner.x,
            y,
            line,
            inner.width,
            if *dim { t.dim } else { t.text },
        );
    }
}

/// The score: right of asked, then each question missed (the one under review marked), and
/// how to step through them.
pub fn render_score(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(state) = &app.quiz else {
        return;
    };
    let (right, asked) = state.quiz.score();
    let width = area.width.saturating_sub(4).max(10) as usize;
    let mut lines: Vec<(String, bool)> = vec![(text::score(right, asked), false)];
    let missed = state.quiz.missed();
    if missed.is_empty() {
        lines.push((crate::tr!("ui.quiz.nothing_missed"), true));
    }
    for (k, (q, given)) in missed.iter().enumerate() {
        let mark = if state.review == Some(k) { "▶" } else { " " };
        let head = format!(
            "{mark} {}",
            crate::tr!(
                "ui.quiz.missed_event",
                n = q.before + 1,
                prompt = text::prompt(q)
            )
        );
        lines.extend(wrap(&head, width).into_iter().map(|l| (l, false)));
        let said = format!(
            "    {}",
            crate::tr!(
                "ui.quiz.you_said",
                given = text::answer(given),
                shown = text::answer(&q.answer)
            )
        );
        lines.extend(wrap(&said, width).into_iter().map(|l| (l, true)));
    }
    lines.push((crate::tr!("ui.quiz.score_keys"), true));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = Rect::new(area.x, area.bottom().saturating_sub(h + 1), area.width, h);
    let inner = frame(app, r, crate::i18n::t("ui.quiz.score_title"), buf);
    let t = &app.theme;
    // Keep the question under review in view.
    let room = inner.height as usize;
    let focus = state.review.map_or(0, |k| {
        lines
            .iter()
            .position(|(l, _)| l.starts_with('▶'))
            .unwrap_or(k)
    });
    let skip = focus.saturating_sub(room.saturating_sub(3));
    for (k, (line, dim)) in lines.iter().skip(skip).enumerate() {
        let y = inner.y + k as u16;
        if y >= inner.bottom() {
            break;
        }
        put(
            buf,
            inner.x,
            y,
            line,
            inner.width,
            if *dim { t.dim } else { t.text },
        );
    }
}
