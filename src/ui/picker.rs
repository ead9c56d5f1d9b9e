//! The connection picker's state: the capture's connections as `inspect` reports them, a
//! `/` filter over their text, and the highlighted row. Keys go through the key tables
//! ([`super::keymap`]'s `CONNECTIONS` and `FILTER`) to [`Picker::update`];
//! the widget (`widgets/picker.rs`) only draws it.
//!
//! A recording's picker has one more row, first and highlighted: the whole lab session. Its
//! lessons (a listen backlog, several clients) are about connections at once, and Enter then
//! plays what `replay` always played.

use std::cell::RefCell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::inspect::ConnectionReport;
use crate::open::Scanned;
use crate::tcp::Connection;

use super::action::Action;
use super::keymap::{self, Mode};
pub use super::picker_rows::{PickerRow, PickerRows, row_text};
use super::picker_rows::{RowsInBackground, WHOLE, push_row};

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

/// What a key did to the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerOutcome {
    Stay,
    Chosen(Choice),
    Quit,
}

#[derive(Debug, Default)]
pub struct Picker {
    pub file: String,
    /// The rows written so far: every row, or the first ones while `background` writes the
    /// rest.
    pub rows: PickerRows,
    /// A million rows take a second to write: the rest come from a thread, and only what
    /// needs them (the filter, a jump past the first rows) waits.
    pub background: Option<RowsInBackground>,
    pub filter: String,
    /// Typing into the filter (after `/`).
    pub filtering: bool,
    /// Position among the rows the filter keeps.
    pub selected: usize,
    /// What did not read cleanly (a damaged tail): shown above the rows, since the connections
    /// listed are only those before the damage.
    pub warning: Option<String>,
    /// The rows the filter kept, for the filter they were computed for: a keystroke narrows the
    /// previous result instead of lowering every row's text again (a million rows took 1-2 s a
    /// key).
    pub(crate) kept: RefCell<Kept>,
}

/// A copy with the rows written so far (rows still being written stay with the original).
impl Clone for Picker {
    fn clone(&self) -> Self {
        Picker {
            file: self.file.clone(),
            rows: self.rows.clone(),
            background: None,
            filter: self.filter.clone(),
            filtering: self.filtering,
            selected: self.selected,
            warning: self.warning.clone(),
            kept: self.kept.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Kept {
    /// `None` until computed, and after the rows change.
    filter: Option<String>,
    rows: usize,
    indices: Vec<u32>,
}

/// Whether `text` contains `needle` (already lower-case), ignoring case: without allocating for
/// an ASCII needle (addresses, numbers, flag names), through `to_lowercase` otherwise.
fn matches(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if !needle.is_ascii() {
        return text.to_lowercase().contains(needle);
    }
    let (t, n) = (text.as_bytes(), needle.as_bytes());
    if t.len() < n.len() {
        return false;
    }
    // Only where the first byte matches is the rest compared (most rows are rejected there).
    let (first, rest) = (n[0], &n[1..]);
    let last_start = t.len() - n.len();
    t[..=last_start]
        .iter()
        .enumerate()
        .filter(|(_, b)| b.to_ascii_lowercase() == first)
        .any(|(i, _)| t[i + 1..i + n.len()].eq_ignore_ascii_case(rest))
}

/// The connections of a scanned file as `inspect` reports them (the picker's rows).
pub fn reports(scanned: &Scanned) -> Vec<ConnectionReport> {
    report_iter(scanned).collect()
}

/// [`reports`] one at a time.
pub fn report_iter(scanned: &Scanned) -> impl Iterator<Item = ConnectionReport> + '_ {
    let origin = scanned.origin();
    scanned
        .connections()
        .iter()
        .map(move |c| ConnectionReport::new(&c, origin))
}

impl Picker {
    /// A capture's picker: one row per connection.
    pub fn new(file: String, conns: &[ConnectionReport]) -> Self {
        let mut rows = PickerRows::default();
        for (conn, c) in conns.iter().enumerate() {
            rows.push_text(Choice::Connection(conn), &row_text(c));
        }
        Picker {
            file,
            rows,
            ..Picker::default()
        }
    }

    /// A capture's picker from its connections one at a time: a million connections never
    /// have their reports (a few hundred bytes each) in memory at once, only the rows.
    pub fn from_connections(file: String, conns: impl Iterator<Item = Connection>) -> Self {
        let mut rows = PickerRows::default();
        for (conn, c) in conns.enumerate() {
            push_row(&mut rows.text, &c);
            rows.end_row(Choice::Connection(conn));
        }
        rows.shrink_to_fit();
        Picker {
            file,
            rows,
            ..Picker::default()
        }
    }

    /// A capture's picker whose first rows are written and the rest are being written
    /// ([`RowsInBackground::start`]).
    pub fn in_background(file: String, first: PickerRows, rest: RowsInBackground) -> Self {
        Picker {
            file,
            rows: first,
            background: Some(rest),
            ..Picker::default()
        }
    }

    /// Take the rows the thread has written, if it is done; whether they came.
    pub fn poll(&mut self) -> bool {
        let Some(rows) = self.background.as_ref().and_then(|b| b.try_take()) else {
            return false;
        };
        self.rows = rows;
        self.background = None;
        true
    }

    /// Wait for every row (the filter and a jump to the end need them).
    fn all_rows(&mut self) {
        if let Some(rest) = self.background.take()
            && let Some(rows) = rest.wait()
        {
            self.rows = rows;
        }
    }

    /// A recording's picker: the whole session first, then one row per connection.
    pub fn for_recording(file: String, conns: &[ConnectionReport]) -> Self {
        let mut rows = PickerRows::default();
        rows.push_text(
            Choice::Whole,
            &crate::tr!("ui.picker.whole", n = conns.len()),
        );
        for (conn, c) in conns.iter().enumerate() {
            rows.push_text(Choice::Connection(conn), &row_text(c));
        }
        Picker {
            file,
            rows,
            ..Picker::default()
        }
    }

    /// How many connections the rows list (the whole-session row is not one).
    pub fn connections(&self) -> usize {
        if let Some(rest) = &self.background {
            return rest.total;
        }
        self.rows.conns.iter().filter(|&&n| n != WHOLE).count()
    }

    /// The indices of the rows the filter keeps (case-insensitive substring of the row's
    /// text), computed once per filter, and from the previous result when the filter only grew.
    fn kept(&self) -> std::cell::Ref<'_, Vec<u32>> {
        {
            let mut kept = self.kept.borrow_mut();
            if kept.filter.as_deref() != Some(self.filter.as_str()) || kept.rows != self.rows.len()
            {
                let needle = self.filter.to_lowercase();
                let narrowing = kept.rows == self.rows.len()
                    && kept
                        .filter
                        .as_deref()
                        .is_some_and(|old| self.filter.starts_with(old));
                let indices: Vec<u32> = if narrowing {
                    kept.indices
                        .iter()
                        .copied()
                        .filter(|&i| matches(self.rows.text(i as usize).unwrap_or(""), &needle))
                        .collect()
                } else {
                    (0..self.rows.len())
                        .filter(|&i| matches(self.rows.text(i).unwrap_or(""), &needle))
                        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                        .collect()
                };
                *kept = Kept {
                    filter: Some(self.filter.clone()),
                    rows: self.rows.len(),
                    indices,
                };
            }
        }
        std::cell::Ref::map(self.kept.borrow(), |k| &k.indices)
    }

    /// How many rows the filter keeps.
    pub fn visible_len(&self) -> usize {
        match &self.background {
            Some(rest) if self.filter.is_empty() => rest.total,
            _ => self.kept().len(),
        }
    }

    /// The `k`-th row the filter keeps.
    pub fn visible_row(&self, k: usize) -> Option<PickerRow> {
        let i = *self.kept().get(k)?;
        self.rows.get(i as usize)
    }

    /// The rows the filter keeps, `take` of them from the `skip`-th (what a screen shows).
    pub fn visible_rows(&self, skip: usize, take: usize) -> Vec<PickerRow> {
        self.kept()
            .iter()
            .skip(skip)
            .take(take)
            .filter_map(|&i| self.rows.get(i as usize))
            .collect()
    }

    /// The rows the filter keeps.
    pub fn visible(&self) -> Vec<PickerRow> {
        self.visible_rows(0, usize::MAX)
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
        // Esc and the next key arriving in one read reach us as Alt+key (the terminal's
        // encoding of Meta): they are two keys, Esc first.
        if k.modifiers.contains(KeyModifiers::ALT) && matches!(k.code, KeyCode::Char(_)) {
            let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
            if let quit @ PickerOutcome::Quit = self.key(&esc) {
                return quit;
            }
            let plain = KeyEvent::new(k.code, k.modifiers - KeyModifiers::ALT);
            return self.key(&plain);
        }
        match keymap::action_for(self.mode(), k, false) {
            Some(action) => self.update(action),
            None => PickerOutcome::Stay,
        }
    }

    /// The picker after `action`.
    pub fn update(&mut self, action: Action) -> PickerOutcome {
        let needs_all = match action {
            Action::FilterChar(_) | Action::FilterBackspace | Action::ConnLast => true,
            Action::ConnDown | Action::ConnPageDown => self.selected + 10 >= self.rows.len(),
            _ => false,
        };
        if needs_all {
            self.all_rows();
        }
        let last = self.visible_len().saturating_sub(1);
        match action {
            Action::Quit => return PickerOutcome::Quit,
            Action::ConnChoose => {
                self.filtering = false;
                return match self.visible_row(self.selected) {
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
        self.selected = self.selected.min(self.visible_len().saturating_sub(1));
        PickerOutcome::Stay
    }
}

#[cfg(test)]
#[path = "picker_tests.rs"]
mod tests;
