//! The picker's rows: one line per connection, written straight from the tracker's
//! connections (a million at once), all texts in one string.
//!
//! A million rows take about a second to write. The screen shows the first ones at once and
//! writes the rest on a thread ([`RowsInBackground`]); only the filter and a jump past the
//! first rows wait for them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};

use crate::inspect::ConnectionReport;
use crate::tcp::{AnalysisCounts, Connection, ConnectionList, FlagCounts};

use super::picker::Choice;

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
    pub(super) text: String,
    /// Where each row's text ends in `text`.
    ends: Vec<usize>,
    /// Each row's connection number; [`WHOLE`] for a recording's whole session.
    pub(super) conns: Vec<u32>,
}

pub(super) const WHOLE: u32 = u32::MAX;

impl PickerRows {
    pub fn push(&mut self, row: PickerRow) {
        self.push_text(row.choice, &row.text);
    }

    pub(super) fn push_text(&mut self, choice: Choice, text: &str) {
        self.text.push_str(text);
        self.end_row(choice);
    }

    /// The text written since the last row is a row's, for `choice`.
    pub(super) fn end_row(&mut self, choice: Choice) {
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

    pub(super) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.conns.shrink_to_fit();
    }
}

/// The row text: endpoints, packets, bytes, duration and what happened (the flags a lecturer
/// looks for: a handshake, a reset, a half-close, retransmissions).
pub fn row_text(c: &ConnectionReport) -> String {
    let mut text = String::new();
    write_row(
        &mut text,
        &Row {
            client: Addr::Text(&c.client),
            server: Addr::Text(&c.server),
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
pub(super) fn push_row(out: &mut String, c: &Connection) {
    write_row(
        out,
        &Row {
            client: Addr::Sock(c.client),
            server: Addr::Sock(c.server),
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
struct Row<'a> {
    client: Addr<'a>,
    server: Addr<'a>,
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
        (half_close, crate::key!("ui.picker.half_close")),
        (mid_stream, crate::key!("ui.picker.mid_stream")),
        (
            analysis.retransmission > 0 || analysis.fast_retransmission > 0,
            crate::key!("ui.picker.retrans"),
        ),
        (
            analysis.zero_window > 0,
            crate::key!("ui.picker.zero_window"),
        ),
    ]
}

fn write_row(out: &mut String, r: &Row<'_>) {
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
    r.client.push_to(out);
    pad_right(out, at, 22);
    out.push_str(" → ");
    let at = out.len();
    r.server.push_to(out);
    pad_right(out, at, 22);
    out.push(' ');
    let at = out.len();
    push_u64(out, r.packets);
    pad_left(out, at, 6);
    out.push(' ');
    out.push_str(crate::i18n::t("ui.picker.pkts"));
    out.push(' ');
    let at = out.len();
    push_u64(out, r.bytes);
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
        // The flags' names (`SYN`) as they are; the words (`ui.picker.retrans`) looked up.
        out.push_str(if name.starts_with("ui.") {
            crate::i18n::t(name)
        } else {
            name
        });
        first = false;
    }
}

/// An endpoint as the row writes it: a tracker's address (written without the formatter, a
/// million at a time), or a report's text.
enum Addr<'a> {
    Sock(SocketAddr),
    Text(&'a str),
}

impl Addr<'_> {
    fn push_to(&self, out: &mut String) {
        match self {
            Addr::Sock(SocketAddr::V4(a)) => {
                for (i, octet) in a.ip().octets().iter().enumerate() {
                    if i > 0 {
                        out.push('.');
                    }
                    push_u64(out, u64::from(*octet));
                }
                out.push(':');
                push_u64(out, u64::from(a.port()));
            }
            Addr::Sock(a @ SocketAddr::V6(_)) => {
                use std::fmt::Write;
                // Writing into a String cannot fail.
                let _ = write!(out, "{a}");
            }
            Addr::Text(t) => out.push_str(t),
        }
    }
}

/// `n` in decimal, as `{}` writes it.
fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Rows written on a thread: [`RowsInBackground::first`] rows at once, the rest when the
/// thread is done. Dropping it stops the thread within a few thousand rows.
#[derive(Debug)]
pub struct RowsInBackground {
    /// How many rows there will be.
    pub total: usize,
    rows: Receiver<PickerRows>,
    stop: Arc<AtomicBool>,
}

impl RowsInBackground {
    /// Rows written before the screen is shown: more than any screen holds, and a few pages.
    pub const FIRST: usize = 1000;

    /// The first [`Self::FIRST`] rows of `conns` now, and the rest on a thread of `scope`.
    pub fn start<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        conns: &'env ConnectionList,
    ) -> (PickerRows, Self) {
        let first = rows_of(
            conns,
            0..Self::FIRST.min(conns.len()),
            &AtomicBool::new(false),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = sync_channel(1);
        let flag = Arc::clone(&stop);
        let total = conns.len();
        scope.spawn(move || {
            if let Some(all) = rows_of(conns, 0..total, &flag) {
                let _ = tx.send(all);
            }
        });
        (
            first.unwrap_or_default(),
            RowsInBackground {
                total,
                rows: rx,
                stop,
            },
        )
    }

    /// Every row, if the thread is done.
    pub fn try_take(&self) -> Option<PickerRows> {
        self.rows.try_recv().ok()
    }

    /// Every row, waiting for the thread (`None` if it ended without them).
    pub fn wait(&self) -> Option<PickerRows> {
        self.rows.recv().ok()
    }
}

impl Drop for RowsInBackground {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The rows of connections `range` of `conns`; `None` once `stop` is set.
fn rows_of(
    conns: &ConnectionList,
    range: std::ops::Range<usize>,
    stop: &AtomicBool,
) -> Option<PickerRows> {
    let mut rows = PickerRows::default();
    for n in range {
        if n % 4096 == 0 && stop.load(Ordering::Relaxed) {
            return None;
        }
        let c = conns.get(n)?;
        push_row(&mut rows.text, &c);
        rows.end_row(Choice::Connection(n));
    }
    rows.shrink_to_fit();
    Some(rows)
}
