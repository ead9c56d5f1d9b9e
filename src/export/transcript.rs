//! The readable transcript of a timeline (`--headless` without `--json`): a handout of the
//! calls and the segments they caused, the probes that changed something, the notes, and with
//! `--quiz` each question and its answer before the event it asks about.

use std::io::{self, Write};

use crate::lab::LabSummary;
use crate::quiz::{self, Question};
use crate::timeline::{Event, EventKind, ProbeEvent, Timeline};

use super::labels::{call_line, segment_line};

fn probe_line(p: &ProbeEvent) -> String {
    let state = p.state.map(|s| s.name()).unwrap_or("?");
    match p.accept_queue {
        Some(q) => format!("{state}  accept queue {}/{} (backlog)", q.len, q.backlog),
        None => format!(
            "{state}  recv_q={} send_q={} (unsent {}, unacked {})  rcvbuf={} sndbuf={}",
            p.recv_q,
            p.send_q,
            p.unsent,
            p.unacked(),
            p.rcvbuf,
            p.sndbuf
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
            .map(|m| format!(", lo MTU {m}, TSO/GSO off"))
            .unwrap_or_default();
        writeln!(
            out,
            "sockviz lab: scenario {} (server {}; capture: {}{mtu})",
            summary.scenario, summary.server, summary.capture
        )?;
        writeln!(out, "{:>10}  {:<11}  what", "t (ms)", "who")
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
                writeln!(
                    out,
                    "{t:>10.3}  {:<11}  ? {}",
                    "quiz",
                    quiz::text::prompt(q)
                )?;
                for choice in quiz::text::choices(q) {
                    writeln!(out, "{:>10}  {:<11}      {choice}", "", "")?;
                }
                writeln!(
                    out,
                    "{:>10}  {:<11}    answer: {}",
                    "",
                    "",
                    quiz::text::answer(&q.answer)
                )?;
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
                EventKind::Note(text) => ("note".to_string(), format!("── {text}")),
            };
            writeln!(out, "{t:>10.3}  {who:<11}  {what}")?;
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
        writeln!(
            out,
            "{segments} segments captured; capture: {}",
            summary.capture
        )?;
        if let Some(f) = &summary.failure {
            writeln!(out, "the scenario stopped early: {f}")?;
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
