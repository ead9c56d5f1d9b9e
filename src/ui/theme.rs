//! Colours and emphasis as data. Every style a widget uses comes from here, so `NO_COLOR`, a light
//! terminal or a projector needs one change, not one per widget.
//!
//! The dark and light themes use the terminal's named colours, which the user's palette already
//! makes readable on their background; high contrast uses bold, bright colours on black.

use ratatui::style::{Color, Modifier, Style};

use crate::timeline::playback::Phase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    Contrast,
    Mono,
}

impl ThemeName {
    /// `--theme` values.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "dark" => ThemeName::Dark,
            "light" => ThemeName::Light,
            "contrast" | "high-contrast" | "projector" => ThemeName::Contrast,
            "mono" | "no-color" | "none" => ThemeName::Mono,
            _ => return None,
        })
    }
}

/// The styles the widgets draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub selected: Style,
    pub handshake: Style,
    pub data: Style,
    pub teardown: Style,
    pub reset: Style,
    pub call: Style,
    pub call_blocked: Style,
    pub error: Style,
    pub note: Style,
    pub flash: Style,
    pub gauge_unsent: Style,
    pub gauge_unacked: Style,
    pub gauge_queued: Style,
    pub gauge_free: Style,
    /// Alternating fills for send calls in the stream map.
    pub bands: [Style; 4],
    pub status: Style,
    pub key: Style,
}

impl Theme {
    pub fn new(name: ThemeName) -> Self {
        match name {
            ThemeName::Dark => Self::colours(
                name,
                Color::Cyan,
                Color::Green,
                Color::Yellow,
                Color::Magenta,
            ),
            ThemeName::Light => {
                Self::colours(name, Color::Blue, Color::Green, Color::Magenta, Color::Red)
            }
            ThemeName::Contrast => Self::contrast(),
            ThemeName::Mono => Self::mono(),
        }
    }

    /// `--theme` if given, else mono when `NO_COLOR` is set (no-color.org), else light when the
    /// terminal says its background is light, else dark.
    pub fn pick(asked: Option<ThemeName>, no_color: bool, light_background: bool) -> Self {
        match asked {
            Some(n) => Self::new(n),
            None if no_color => Self::new(ThemeName::Mono),
            None if light_background => Self::new(ThemeName::Light),
            None => Self::new(ThemeName::Dark),
        }
    }

    /// Whether `COLORFGBG` (set by rxvt, Konsole, iTerm2 and others as `fg;bg` or
    /// `fg;default;bg`) names a light background: ANSI 7 (white) or 15 (bright white). The dark
    /// theme's yellow teardown arrows would be hard to read there.
    pub fn light_background(colorfgbg: Option<&str>) -> bool {
        colorfgbg
            .and_then(|v| v.rsplit(';').next())
            .and_then(|bg| bg.trim().parse::<u8>().ok())
            .is_some_and(|bg| bg == 7 || bg == 15)
    }

    fn colours(name: ThemeName, accent: Color, hs: Color, fin: Color, data2: Color) -> Self {
        let plain = Style::default();
        Theme {
            name,
            text: plain,
            dim: plain.add_modifier(Modifier::DIM),
            title: plain.fg(accent).add_modifier(Modifier::BOLD),
            border: plain.fg(Color::DarkGray),
            selected: plain.add_modifier(Modifier::REVERSED),
            handshake: plain.fg(hs).add_modifier(Modifier::BOLD),
            data: plain.fg(accent),
            teardown: plain.fg(fin),
            reset: plain.fg(Color::Red).add_modifier(Modifier::BOLD),
            call: plain.add_modifier(Modifier::BOLD),
            call_blocked: plain.fg(fin).add_modifier(Modifier::BOLD),
            error: plain.fg(Color::Red).add_modifier(Modifier::BOLD),
            note: plain.add_modifier(Modifier::ITALIC | Modifier::DIM),
            flash: plain.fg(Color::Black).bg(fin).add_modifier(Modifier::BOLD),
            gauge_unsent: plain.fg(fin),
            gauge_unacked: plain.fg(accent),
            gauge_queued: plain.fg(hs),
            gauge_free: plain.fg(Color::DarkGray),
            bands: [
                plain.fg(Color::Black).bg(accent),
                plain.fg(Color::Black).bg(hs),
                plain.fg(Color::Black).bg(fin),
                plain.fg(Color::Black).bg(data2),
            ],
            status: plain.add_modifier(Modifier::REVERSED),
            key: plain.fg(accent).add_modifier(Modifier::BOLD),
        }
    }

    fn contrast() -> Self {
        let base = Style::default().fg(Color::White).bg(Color::Black);
        let mut t = Self::colours(
            ThemeName::Contrast,
            Color::LightCyan,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightMagenta,
        );
        t.text = base;
        t.dim = base;
        t.border = base.add_modifier(Modifier::BOLD);
        t.data = base.fg(Color::LightCyan).add_modifier(Modifier::BOLD);
        t.teardown = base.fg(Color::LightYellow).add_modifier(Modifier::BOLD);
        t.handshake = base.fg(Color::LightGreen).add_modifier(Modifier::BOLD);
        t.reset = base.fg(Color::LightRed).add_modifier(Modifier::BOLD);
        t.note = base.add_modifier(Modifier::BOLD);
        t.gauge_free = base;
        t
    }

    /// No colour at all: emphasis by bold, reverse and glyphs only.
    fn mono() -> Self {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        let rev = plain.add_modifier(Modifier::REVERSED);
        Theme {
            name: ThemeName::Mono,
            text: plain,
            dim: plain,
            title: bold,
            border: plain,
            selected: rev,
            handshake: bold,
            data: plain,
            teardown: plain,
            reset: bold,
            call: bold,
            call_blocked: bold,
            error: bold,
            note: plain.add_modifier(Modifier::ITALIC),
            flash: rev,
            gauge_unsent: plain,
            gauge_unacked: plain,
            gauge_queued: plain,
            gauge_free: plain,
            bands: [rev, plain, rev, plain],
            status: rev,
            key: bold,
        }
    }

    pub fn phase(&self, p: Phase) -> Style {
        match p {
            Phase::Handshake => self.handshake,
            Phase::Data => self.data,
            Phase::Teardown => self.teardown,
            Phase::Reset => self.reset,
        }
    }
}

#[cfg(test)]
mod background_tests {
    use super::*;

    #[test]
    fn colorfgbg_picks_light_only_for_a_white_background() {
        assert!(Theme::light_background(Some("0;15")));
        assert!(Theme::light_background(Some("0;default;7")));
        assert!(!Theme::light_background(Some("15;0")));
        assert!(!Theme::light_background(Some("garbage")));
        assert!(!Theme::light_background(None));
        assert_eq!(Theme::pick(None, false, true).name, ThemeName::Light);
        assert_eq!(Theme::pick(None, true, true).name, ThemeName::Mono);
        assert_eq!(
            Theme::pick(Some(ThemeName::Contrast), true, true).name,
            ThemeName::Contrast
        );
        assert_eq!(Theme::pick(None, false, false).name, ThemeName::Dark);
    }
}
