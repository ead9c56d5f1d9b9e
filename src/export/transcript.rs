//! The readable transcript of a timeline (`--headless` without `--json`): a handout of the
//! calls and the segments they caused, the probes that changed something, the notes, and with
//! `--quiz` each question and its answer before the event it asks about.

use std::io::{self, Write};

use crate::lab::LabSummary;
use crate::quiz::{self, Question};
use crate::timeline::{Event, EventKind, ProbeEvent, Timeline};

use super::labels::{call_line, segment_line};
use crate::i18n::{self, pad};
use crate::tr;

/// The width of the `who` column, in terminal cells.
const WHO: usize = 11;

/// The transcript's column headings (`t (ms)  who  what`), shared by every headless mode.
pub fn column_heading(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{:>10}  {}  {}",
        i18n::t("out.transcript.col_time"),
        pad(i18n::t("out.transcript.col_who"), WHO),
        i18n::t("out.transcript.col_what")
    )
}

fn probe_line(p: &ProbeEvent) -> String {
    let state = p.state.map(|s| s.name()).unwrap_or("?");
    match p.accept_queue {
        Some(q) => tr!(
            "out.transcript.probe_queue",
            state = state,
            len = q.len,
            backlog = q.backlog
        ),
        None => tr!(
            "out.transcript.probe_buffers",
            state = state,
            recv_q = p.recv_q,
            send_q = p.send_q,
            unsent = p.unsent,
            unacked = p.unacked(),
            rcvbuf = p.rcvbuf,
            sndbuf = p.sndbuf
        ),
    }
}

/// The transcript's rows, written in pieces (a server prints each connection as it ends);
/// remembers the last probe shown per socket so unchanged probes are not repeated.
#[derive(Debug, Default)]
pub struct Transcript {
    last_probe: std::collections::HashMap<u32, ProbeEvent>,
    /// `--quiz`: questions written before the events they ask about (rows must then be
    /// written in order, from the timeline's first event).
    questions: Vec<Question>,
    /// Events written so far (the next event's index, for the questions).
    written: usize,
}

impl Transcript {
    /// A transcript that asks `questions` before their events, each with its answer.
    pub fn with_questions(questions: Vec<Question>) -> Self {
        Transcript {
            questions,
            ..Transcript::default()
        }
    }

    pub fn header(&self, out: &mut impl Write, summary: &LabSummary) -> io::Result<()> {
        let mtu = summary
            .mtu
            .map(|m| tr!("out.transcript.mtu", mtu = m))
            .unwrap_or_default();
        let line = tr!(
            "out.transcript.header_lab",
            scenario = summary.scenario,
            server = summary.server,
            capture = summary.capture.describe(),
            mtu = mtu
        );
        writeln!(out, "{line}")?;
        column_heading(out)
    }

    /// Rows for `events` (a slice of `tl`'s events).
    pub fn rows(
        &mut self,
        out: &mut impl Write,
        tl: &Timeline,
        events: &[Event],
    ) -> io::Result<()> {
        for ev in events {
            let t = tl.secs(ev.at) * 1e3;
            let i = self.written;
            self.written += 1;
            for q in self.questions.iter().filter(|q| q.before == i) {
                let who = pad(i18n::t("out.transcript.quiz"), WHO);
                writeln!(out, "{t:>10.3}  {who}  ? {}", quiz::text::prompt(q))?;
                for choice in quiz::text::choices(q) {
                    writeln!(out, "{:>10}  {:<WHO$}      {choice}", "", "")?;
                }
                let answer = tr!(
                    "out.transcript.answer",
                    answer = quiz::text::answer(&q.answer)
                );
                writeln!(out, "{:>10}  {:<WHO$}    {answer}", "", "")?;
            }
            let (who, what) = match &ev.kind {
                EventKind::Call(c) => (format!("{}#{}", c.side, c.socket.0), call_line(c)),
                EventKind::Segment(s) => (format!("#{}", s.number), segment_line(s)),
                EventKind::Probe(p) => {
                    if self
                        .last_probe
                        .get(&p.socket.0)
                        .is_some_and(|old| old.same_buffers(p))
                    {
                        continue;
                    }
                    self.last_probe.insert(p.socket.0, *p);
                    (
                        format!("{}#{}", p.side, p.socket.0),
                        format!("  · {}", probe_line(p)),
                    )
                }
                EventKind::Note(text) => (
                    i18n::t("out.transcript.note").to_string(),
                    format!("── {text}"),
                ),
            };
            writeln!(out, "{t:>10.3}  {}  {what}", pad(&who, WHO))?;
        }
        Ok(())
    }

    pub fn footer(
        &self,
        out: &mut impl Write,
        tl: &Timeline,
        summary: &LabSummary,
    ) -> io::Result<()> {
        let segments = tl
            .events()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Segment(_)))
            .count();
        let line = tr!(
            "out.transcript.footer",
            segments = segments,
            capture = summary.capture.describe()
        );
        writeln!(out, "{line}")?;
        if let Some(f) = &summary.failure {
            writeln!(out, "{}", tr!("out.transcript.stopped", failure = f))?;
        }
        Ok(())
    }
}

/// A readable transcript: the calls, the segments, the probes that changed something.
pub fn write_transcript(
    out: &mut impl Write,
    tl: &Timeline,
    summary: &LabSummary,
    quiz: bool,
) -> io::Result<()> {
    let mut t = if quiz {
        Transcript::with_questions(quiz::questions(tl))
    } else {
        Transcript::default()
    };
    t.header(out, summary)?;
    t.rows(out, tl, tl.events())?;
    t.footer(out, tl, summary)?;
    out.flush()
}
