//! The connection picker: one row per connection (endpoints, packets, bytes, duration,
//! flags), the filter line, and the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use crate::ui::picker::{Choice, Picker};
use crate::ui::theme::Theme;

use unicode_width::UnicodeWidthStr;

use super::put;

pub fn render(p: &Picker, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.screen);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(format!(
            " {} ",
            crate::tr!(
                "ui.picker.title",
                file = crate::text::visible(&p.file),
                n = p.connections()
            )
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let filter = if p.filtering || !p.filter.is_empty() {
        crate::tr!(
            "ui.picker.filter",
            text = format!("{}{}", p.filter, if p.filtering { "▏" } else { "" })
        )
    } else {
        crate::ui::keymap::hints(p.mode(), false).to_string()
    };
    put(buf, inner.x, inner.y, &filter, inner.width, theme.dim);
    let mut top = inner.y + 1;
    if let Some(w) = &p.warning {
        put(
            buf,
            inner.x,
            top,
            &crate::tr!("ui.warning", text = w),
            inner.width,
            theme.error,
        );
        top += 1;
    }
    let list_h = usize::from(inner.bottom().saturating_sub(top));
    // Keep the highlighted row on screen.
    let first = p.selected.saturating_sub(list_h.saturating_sub(1));
    let rows = p.visible_rows(first, list_h);
    for (k, row) in (first..).zip(rows.iter()) {
        let y = top + (k - first) as u16;
        let style = if k == p.selected {
            theme.selected
        } else {
            theme.text
        };
        let number = match row.choice {
            Choice::Connection(n) => n.to_string(),
            Choice::Whole => crate::tr!("ui.picker.all"),
        };
        // Right-aligned by cells (`전체` is two characters, four cells).
        let pad = 4usize.saturating_sub(number.width());
        let line = format!("{}{number}  {}", " ".repeat(pad), row.text);
        put(buf, inner.x, y, &line, inner.width, style);
    }
    if p.visible_len() == 0 {
        put(
            buf,
            inner.x,
            top,
            crate::i18n::t("ui.picker.no_match"),
            inner.width,
            theme.dim,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::picker::PickerRow;
    use crate::ui::theme::ThemeName;

    #[test]
    fn rows_and_the_filter_hint_are_drawn() {
        let mut p = Picker {
            file: "multi.pcap".into(),
            ..Picker::default()
        };
        for conn in 0..3 {
            p.rows.push(PickerRow {
                choice: Choice::Connection(conn),
                text: format!("10.0.0.1:{} → 10.0.0.2:80   4 pkts", 5000 + conn),
            });
        }
        let area = Rect::new(0, 0, 80, 8);
        let mut buf = Buffer::empty(area);
        render(&p, &Theme::new(ThemeName::Mono), area, &mut buf);
        let text: String = (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        assert!(text.contains("multi.pcap · 3 TCP connections"), "{text}");
        assert!(text.contains("/ filter"), "{text}");
        assert!(text.contains("   2  10.0.0.1:5002 → 10.0.0.2:80"), "{text}");
    }

    /// Issue 16 item 8: a damaged file's picker says so (the rows are what came before it).
    #[test]
    fn a_damaged_file_s_warning_is_shown_above_the_rows() {
        let mut p = Picker {
            file: "cut.pcap".into(),
            warning: Some("record 7 at offset 900: the file ends early".into()),
            ..Picker::default()
        };
        for conn in 0..2 {
            p.rows.push(PickerRow {
                choice: Choice::Connection(conn),
                text: format!("10.0.0.1:{} → 10.0.0.2:80", 5000 + conn),
            });
        }
        let area = Rect::new(0, 0, 80, 6);
        let mut buf = Buffer::empty(area);
        render(&p, &Theme::new(ThemeName::Mono), area, &mut buf);
        let line = |y: u16| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert!(
            line(2).contains("warning: record 7 at offset 900"),
            "{}",
            line(2)
        );
        assert!(line(3).contains("   0  10.0.0.1:5000"), "{}", line(3));
        assert!(line(4).contains("   1  10.0.0.1:5001"), "{}", line(4));
    }
}
