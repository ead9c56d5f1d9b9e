//! The connection picker's state: the capture's connections as `inspect` reports them, a
//! `/` filter over their text, and the highlighted row. Keys go through the key tables
//! ([`super::keymap`]'s `CONNECTIONS` and `FILTER`) to [`Picker::update`];
//! the widget (`widgets/picker.rs`) only draws it.
//!
//! A recording's picker has one more row, first and highlighted: the whole lab session. Its
//! lessons (a listen backlog, several clients) are about connections at once, and Enter then
//! plays what `replay` always played.

use crossterm::event::KeyEvent;

use crate::inspect::ConnectionReport;
use crate::open::Scanned;

use super::action::Action;
use super::keymap::{self, Mode};

/// What a row plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// One connection, by the number `--conn` takes.
    Connection(usize),
    /// A recording's whole session: every connection, call, probe and note.
    Whole,
}

impl Choice {
    /// As `--conn` says it: `None` plays a recording whole.
    pub fn conn(self) -> Option<usize> {
        match self {
            Choice::Connection(n) => Some(n),
            Choice::Whole => None,
        }
    }
}

/// One row: what it plays and the line the picker shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PickerRow {
    pub choice: Choice,
    pub text: String,
}

/// What a key did to the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerOutcome {
    Stay,
    Chosen(Choice),
    Quit,
}

#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub file: String,
    pub rows: Vec<PickerRow>,
    pub filter: String,
    /// Typing into the filter (after `/`).
    pub filtering: bool,
    /// Position among the rows the filter keeps.
    pub selected: usize,
}

/// The row text: endpoints, packets, bytes, duration and what happened (the flags a lecturer
/// looks for: a handshake, a reset, a half-close, retransmissions).
pub fn row_text(c: &ConnectionReport) -> String {
    let mut flags = Vec::new();
    if c.handshake_seen {
        flags.push("SYN");
    }
    if c.flags.fin > 0 {
        flags.push("FIN");
    }
    if c.flags.rst > 0 {
        flags.push("RST");
    }
    if c.half_close {
        flags.push("half-close");
    }
    if c.mid_stream {
        flags.push("mid-stream");
    }
    if c.analysis.retransmission + c.analysis.fast_retransmission > 0 {
        flags.push("retrans");
    }
    if c.analysis.zero_window > 0 {
        flags.push("zero-window");
    }
    format!(
        "{:<22} → {:<22} {:>6} pkts {:>9} B {:>9.3} s  {}",
        c.client,
        c.server,
        c.packets.to_server + c.packets.to_client,
        c.bytes.to_server + c.bytes.to_client,
        c.duration,
        flags.join(" ")
    )
}

/// The connections of a scanned file as `inspect` reports them (the picker's rows).
pub fn reports(scanned: &Scanned) -> Vec<ConnectionReport> {
    let origin = scanned.origin();
    scanned
        .connections()
        .iter()
        .map(|c| ConnectionReport::new(c, origin))
        .collect()
}

impl Picker {
    /// A capture's picker: one row per connection.
    pub fn new(file: String, conns: &[ConnectionReport]) -> Self {
        Picker {
            file,
            rows: conns
                .iter()
                .enumerate()
                .map(|(conn, c)| PickerRow {
                    choice: Choice::Connection(conn),
                    text: row_text(c),
                })
                .collect(),
            ..Picker::default()
        }
    }

    /// A recording's picker: the whole session first, then one row per connection.
    pub fn for_recording(file: String, conns: &[ConnectionReport]) -> Self {
        let mut picker = Picker::new(file, conns);
        picker.rows.insert(
            0,
            PickerRow {
                choice: Choice::Whole,
                text: format!(
                    "all {} connections: the whole lab session (every call, probe and note)",
                    conns.len()
                ),
            },
        );
        picker
    }

    /// How many connections the rows list (the whole-session row is not one).
    pub fn connections(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.choice, Choice::Connection(_)))
            .count()
    }

    /// The rows the filter keeps (case-insensitive substring of the row's text).
    pub fn visible(&self) -> Vec<&PickerRow> {
        let needle = self.filter.to_lowercase();
        self.rows
            .iter()
            .filter(|r| needle.is_empty() || r.text.to_lowercase().contains(&needle))
            .collect()
    }

    /// The key table in force: the filter's while typing it.
    pub fn mode(&self) -> Mode {
        if self.filtering {
            Mode::Filter
        } else {
            Mode::Connections
        }
    }

    /// A key, through the connection picker's key tables ([`super::keymap`]).
    pub fn key(&mut self, k: &KeyEvent) -> PickerOutcome {
        match keymap::action_for(self.mode(), k, false) {
            Some(action) => self.update(action),
            None => PickerOutcome::Stay,
        }
    }

    /// The picker after `action`.
    pub fn update(&mut self, action: Action) -> PickerOutcome {
        let last = self.visible().len().saturating_sub(1);
        match action {
            Action::Quit => return PickerOutcome::Quit,
            Action::ConnChoose => {
                self.filtering = false;
                return match self.visible().get(self.selected) {
                    Some(r) => PickerOutcome::Chosen(r.choice),
                    None => PickerOutcome::Stay,
                };
            }
            Action::FilterStart => self.filtering = true,
            Action::FilterClear => {
                self.filtering = false;
                self.filter.clear();
            }
            Action::FilterChar(c) => self.filter.push(c),
            Action::FilterBackspace => {
                self.filter.pop();
            }
            Action::ConnUp => self.selected = self.selected.saturating_sub(1),
            Action::ConnDown => self.selected = (self.selected + 1).min(last),
            Action::ConnPageUp => self.selected = self.selected.saturating_sub(10),
            Action::ConnPageDown => self.selected = (self.selected + 10).min(last),
            Action::ConnFirst => self.selected = 0,
            Action::ConnLast => self.selected = last,
            _ => {}
        }
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        PickerOutcome::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn picker() -> Picker {
        let mut p = Picker::default();
        for (i, t) in ["10.0.0.1:5000 → 10.0.0.2:80", "10.0.0.1:5001 → 10.0.0.9:22"]
            .iter()
            .enumerate()
        {
            p.rows.push(PickerRow {
                choice: Choice::Connection(i),
                text: t.to_string(),
            });
        }
        p
    }

    #[test]
    fn the_filter_narrows_and_enter_picks_the_connection_number() {
        let mut p = picker();
        p.key(&key(KeyCode::Char('/')));
        for c in ":22".chars() {
            p.key(&key(KeyCode::Char(c)));
        }
        assert_eq!(p.visible().len(), 1);
        assert_eq!(
            p.key(&key(KeyCode::Enter)),
            PickerOutcome::Chosen(Choice::Connection(1))
        );
    }

    #[test]
    fn arrows_move_within_the_rows_and_q_quits() {
        let mut p = picker();
        p.key(&key(KeyCode::Down));
        p.key(&key(KeyCode::Down));
        assert_eq!(p.selected, 1);
        assert_eq!(p.key(&key(KeyCode::Char('q'))), PickerOutcome::Quit);
    }
}
