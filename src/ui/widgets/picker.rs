//! The connection picker: one row per connection (endpoints, packets, bytes, duration,
//! flags), the filter line, and the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use crate::ui::picker::{Choice, Picker};
use crate::ui::theme::Theme;

use super::put;

pub fn render(p: &Picker, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(format!(
            " {} · {} TCP connections · choose one ",
            crate::text::visible(&p.file),
            p.connections()
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let filter = if p.filtering || !p.filter.is_empty() {
        format!("filter: {}{}", p.filter, if p.filtering { "▏" } else { "" })
    } else {
        crate::ui::keymap::hints(p.mode(), false).to_string()
    };
    put(buf, inner.x, inner.y, &filter, inner.width, theme.dim);
    let rows = p.visible();
    let list_h = usize::from(inner.height - 1);
    // Keep the highlighted row on screen.
    let first = p.selected.saturating_sub(list_h.saturating_sub(1));
    for (k, row) in rows.iter().enumerate().skip(first).take(list_h) {
        let y = inner.y + 1 + (k - first) as u16;
        let style = if k == p.selected {
            theme.selected
        } else {
            theme.text
        };
        let number = match row.choice {
            Choice::Connection(n) => n.to_string(),
            Choice::Whole => "all".to_string(),
        };
        let line = format!("{number:>4}  {}", row.text);
        put(buf, inner.x, y, &line, inner.width, style);
    }
    if rows.is_empty() {
        put(
            buf,
            inner.x,
            inner.y + 1,
            "no connection matches the filter (Esc clears it)",
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
}
