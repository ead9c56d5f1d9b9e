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
use crate::tcp::{AnalysisCounts, Connection, FlagCounts};

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

/// The rows, their texts end to end in one string: a million rows of ~100 characters take
/// ~110 MB this way, a `String` each took ~150 MB more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PickerRows {
    text: String,
    /// Where each row's text ends in `text`.
    ends: Vec<usize>,
    /// Each row's connection number; [`WHOLE`] for a recording's whole session.
    conns: Vec<u32>,
}

const WHOLE: u32 = u32::MAX;

impl PickerRows {
    pub fn push(&mut self, row: PickerRow) {
        self.push_text(row.choice, &row.text);
    }

    fn push_text(&mut self, choice: Choice, text: &str) {
        self.text.push_str(text);
        self.end_row(choice);
    }

    /// The text written since the last row is a row's, for `choice`.
    fn end_row(&mut self, choice: Choice) {
        self.ends.push(self.text.len());
        self.conns.push(match choice {
            Choice::Connection(n) => u32::try_from(n).unwrap_or(WHOLE - 1),
            Choice::Whole => WHOLE,
        });
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Row `i`'s text.
    pub fn text(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    pub fn choice(&self, i: usize) -> Option<Choice> {
        Some(match *self.conns.get(i)? {
            WHOLE => Choice::Whole,
            n => Choice::Connection(n as usize),
        })
    }

    pub fn get(&self, i: usize) -> Option<PickerRow> {
        Some(PickerRow {
            choice: self.choice(i)?,
            text: self.text(i)?.to_string(),
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = PickerRow> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.conns.shrink_to_fit();
    }
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
    pub rows: PickerRows,
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

/// The row text: endpoints, packets, bytes, duration and what happened (the flags a lecturer
/// looks for: a handshake, a reset, a half-close, retransmissions).
pub fn row_text(c: &ConnectionReport) -> String {
    let mut text = String::new();
    write_row(
        &mut text,
        &Row {
            client: &c.client,
            server: &c.server,
            packets: c.packets.to_server + c.packets.to_client,
            bytes: c.bytes.to_server + c.bytes.to_client,
            duration: c.duration,
            flags: row_flags(
                c.handshake_seen,
                &c.flags,
                c.half_close,
                c.mid_stream,
                &c.analysis,
            ),
        },
    );
    text
}

/// [`row_text`] of a connection, written at the end of `out` without its report (a million
/// rows are built at once: no strings in between).
fn push_row(out: &mut String, c: &Connection) {
    write_row(
        out,
        &Row {
            client: c.client,
            server: c.server,
            packets: c.to_server.packets + c.to_client.packets,
            bytes: c.to_server.bytes + c.to_client.bytes,
            // What `inspect` reports as the duration.
            duration: c.last_ts.secs_since(c.first_ts),
            flags: row_flags(
                c.handshake_seen,
                &c.flags,
                c.half_close,
                c.mid_stream,
                &c.analysis,
            ),
        },
    );
}

/// What one row says.
struct Row<A> {
    client: A,
    server: A,
    packets: u64,
    bytes: u64,
    duration: f64,
    flags: [(bool, &'static str); 7],
}

fn row_flags(
    handshake_seen: bool,
    flags: &FlagCounts,
    half_close: bool,
    mid_stream: bool,
    analysis: &AnalysisCounts,
) -> [(bool, &'static str); 7] {
    [
        (handshake_seen, "SYN"),
        (flags.fin > 0, "FIN"),
        (flags.rst > 0, "RST"),
        (half_close, "half-close"),
        (mid_stream, "mid-stream"),
        (
            analysis.retransmission > 0 || analysis.fast_retransmission > 0,
            "retrans",
        ),
        (analysis.zero_window > 0, "zero-window"),
    ]
}

fn write_row(out: &mut String, r: &Row<impl std::fmt::Display>) {
    use std::fmt::Write;
    // As `format!("{:<22} → {:<22} {:>6} pkts {:>9} B {:>9.3} s  ", …)`, padded here: a
    // formatter pads a character at a time, and a million rows are written at once.
    // Writing into a String cannot fail.
    const SPACES: &str = "                      ";
    let pad_left = |out: &mut String, start: usize, width: usize| {
        let len = out[start..].chars().count();
        if len < width {
            out.insert_str(start, &SPACES[..width - len]);
        }
    };
    let pad_right = |out: &mut String, start: usize, width: usize| {
        let len = out[start..].chars().count();
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    };
    let at = out.len();
    let _ = write!(out, "{}", r.client);
    pad_right(out, at, 22);
    out.push_str(" → ");
    let at = out.len();
    let _ = write!(out, "{}", r.server);
    pad_right(out, at, 22);
    out.push(' ');
    let at = out.len();
    let _ = write!(out, "{}", r.packets);
    pad_left(out, at, 6);
    out.push_str(" pkts ");
    let at = out.len();
    let _ = write!(out, "{}", r.bytes);
    pad_left(out, at, 9);
    out.push_str(" B ");
    let at = out.len();
    let _ = write!(out, "{:.3}", r.duration);
    pad_left(out, at, 9);
    out.push_str(" s  ");
    let mut first = true;
    for (_, name) in r.flags.iter().filter(|(on, _)| *on) {
        if !first {
            out.push(' ');
        }
        out.push_str(name);
        first = false;
    }
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

    /// A recording's picker: the whole session first, then one row per connection.
    pub fn for_recording(file: String, conns: &[ConnectionReport]) -> Self {
        let mut rows = PickerRows::default();
        rows.push_text(
            Choice::Whole,
            &format!(
                "all {} connections: the whole lab session (every call, probe and note)",
                conns.len()
            ),
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
        self.kept().len()
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
