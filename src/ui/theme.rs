//! Colours and emphasis as data. Every style a widget uses comes from here, so `NO_COLOR`, a light
//! terminal or a projector needs one change, not one per widget.
//!
//! The dark and light themes use the terminal's named colours, which the user's palette already
//! makes readable on their background. The projector theme (`contrast`) paints its own black
//! background under every cell of the frame and draws in fixed xterm-256 colours (the same on
//! every palette), each at least 7:1 against that black: the picture is the same on a
//! terminal set to black or to white, so it reads on any projector (see [`projector_ink`]).

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
    /// The status bar's `● REC`.
    pub recording: Style,
    /// Painted under the whole frame before anything is drawn: `Style::default()` (the
    /// terminal's own background) except in the projector theme.
    pub screen: Style,
}

/// The projector theme's inks, as xterm-256 indices: fixed RGB values on every terminal that
/// has 256 colours (their RGB is `projector_rgb`), unlike the 16 named colours a palette may
/// redefine.
pub mod projector_ink {
    pub const BLACK: u8 = 16; // #000000
    pub const WHITE: u8 = 231; // #ffffff
    pub const GREY: u8 = 250; // #bcbcbc, 10.8:1 on black
    pub const CYAN: u8 = 51; // #00ffff, 16.7:1
    pub const GREEN: u8 = 46; // #00ff00, 15.3:1
    pub const YELLOW: u8 = 226; // #ffff00, 19.6:1
    pub const PINK: u8 = 213; // #ff87ff, 9.3:1
    pub const RED: u8 = 203; // #ff5f5f, 7.0:1
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
                let mut t =
                    Self::colours(name, Color::Blue, Color::Green, Color::Magenta, Color::Red);
                // Black on the light palettes' dark blue and purple is about 2:1; bright white
                // on them is 5:1 or more.
                t.flash = t.flash.fg(Color::White);
                for band in &mut t.bands {
                    *band = band.fg(Color::White);
                }
                t
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
            recording: plain.fg(Color::Red).add_modifier(Modifier::BOLD),
            screen: plain,
        }
    }

    /// For projectors: the frame paints its own black background (`screen`), so a white
    /// terminal (or a white projector's screen) shows the same picture as a black one, and
    /// every style names both its ink and that background in fixed 256-colour values: no cell
    /// is left to the terminal's default colours or its palette. Bold throughout (thin strokes
    /// wash out on a projector), no dim, no reverse video (which would swap in the terminal's
    /// default colours).
    fn contrast() -> Self {
        use projector_ink::*;
        let on = |ink: u8| {
            Style::default()
                .fg(Color::Indexed(ink))
                .bg(Color::Indexed(BLACK))
        };
        let bold = |ink: u8| on(ink).add_modifier(Modifier::BOLD);
        let under = |paper: u8| {
            Style::default()
                .fg(Color::Indexed(BLACK))
                .bg(Color::Indexed(paper))
                .add_modifier(Modifier::BOLD)
        };
        Theme {
            name: ThemeName::Contrast,
            text: on(WHITE),
            dim: on(GREY),
            title: bold(CYAN),
            border: on(GREY),
            selected: under(YELLOW),
            handshake: bold(GREEN),
            data: bold(CYAN),
            teardown: bold(YELLOW),
            reset: bold(RED),
            call: bold(WHITE),
            call_blocked: bold(YELLOW),
            error: bold(RED),
            note: bold(WHITE).add_modifier(Modifier::ITALIC),
            flash: under(YELLOW),
            gauge_unsent: on(YELLOW),
            gauge_unacked: on(CYAN),
            gauge_queued: on(GREEN),
            gauge_free: on(GREY),
            bands: [under(CYAN), under(GREEN), under(YELLOW), under(PINK)],
            status: under(WHITE),
            key: bold(CYAN),
            recording: Style::default()
                .fg(Color::Indexed(WHITE))
                .bg(Color::Indexed(160)) // #d70000: white on it is 5.9:1
                .add_modifier(Modifier::BOLD),
            screen: on(WHITE),
        }
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
            recording: bold,
            screen: plain,
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
