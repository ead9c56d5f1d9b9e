//! `sockviz replay FILE --headless [--json]`: a recording or a capture printed in the lab's
//! formats, so a replay can be diffed against the live run (`lab --headless --json`).

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;

use serde_json::{Value, json};

use crate::export::headless::{Transcript, summary_json, write_events};
use crate::lab::{CaptureStatus, LabSummary};
use crate::timeline::playback::PlaybackIndex;
use crate::timeline::{EventKind, Timeline};

use super::reader::Recording;

/// A file opened for a headless replay (by [`crate::open::SourceFile::transcript`]).
pub enum Loaded {
    /// A sockviz recording: the lab's own timeline, calls and probes included.
    /// With `--conn`, `recording.timeline` is that connection only
    /// ([`crate::open::select::connection`]).
    Recording {
        recording: Box<Recording>,
        summary: LabSummary,
        /// The connection asked for; `None`: the whole session.
        conn: Option<usize>,
        connections: usize,
    },
    /// Any other capture: the wire only, every connection (or the one asked for).
    Capture {
        timeline: Timeline,
        connections: usize,
        /// The connection asked for; `None`: every connection.
        conn: Option<usize>,
        warnings: Vec<String>,
    },
}

/// The scenario an opening note names (`scenario echo: …`, `시나리오 echo: …`): a recording
/// keeps its notes in the language it was made in, so each language's form is tried.
fn scenario_of_opening_note(note: &str) -> Option<String> {
    crate::i18n::Lang::ALL.iter().find_map(|lang| {
        let template = lang.table().get("lab.opening")?;
        let prefix = &template[..template.find("{name}")?];
        let rest = note.strip_prefix(prefix)?;
        rest.split(':').next().map(str::to_string)
    })
}

/// The lab's note that it ran on the host's loopback, in any language.
fn is_host_loopback_note(note: &str) -> bool {
    crate::i18n::Lang::ALL.iter().any(|lang| {
        lang.table()
            .get("lab.setup.host_loopback")
            .and_then(|t| t.split(':').next())
            .is_some_and(|prefix| !prefix.is_empty() && note.starts_with(prefix))
    })
}

/// The lab's summary as the recording kept it; for a cut recording, what the opening note says.
pub fn lab_summary(rec: &Recording) -> LabSummary {
    let s = rec.summary.as_ref();
    let scenario_name = s.map(|s| s.scenario.clone()).unwrap_or_else(|| {
        rec.timeline
            .events()
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Note(t) => scenario_of_opening_note(t),
                _ => None,
            })
            .unwrap_or_default()
    });
    let scenario = crate::lab::scenario::find(&scenario_name)
        .map(|s| s.name)
        .unwrap_or("unknown");
    let capture = match s.map(|s| s.capture.as_str()) {
        Some("namespace") => CaptureStatus::Namespace,
        Some("host") => CaptureStatus::Host,
        Some(other) => CaptureStatus::Unavailable(
            other
                .strip_prefix("unavailable: ")
                .unwrap_or(other)
                .to_string(),
        ),
        // Cut before the summary: the lab's own opening notes say where it captured.
        None if rec.frames > 0 => {
            let on_host = rec
                .timeline
                .events()
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Note(t) if is_host_loopback_note(t)));
            if on_host {
                CaptureStatus::Host
            } else {
                CaptureStatus::Namespace
            }
        }
        None => CaptureStatus::Unavailable(crate::i18n::t("out.replay.no_packets").into()),
    };
    LabSummary {
        started: rec.timeline.origin(),
        scenario,
        capture,
        server: s
            .and_then(|s| s.server.parse().ok())
            .unwrap_or(SocketAddrV4::new(
                Ipv4Addr::LOCALHOST,
                crate::lab::ECHO_PORT,
            )),
        mtu: s.and_then(|s| s.mtu),
        failure: match s {
            Some(s) => s.failure.clone(),
            None => Some(crate::i18n::t("out.replay.cut_short").into()),
        },
        dropped: s.map(|s| s.dropped).unwrap_or(0),
    }
}

/// Every event as the lab's JSON lines, then the summary line with a `replay` object (file,
/// whether the recording is complete, warnings) that the live run does not have.
/// With `quiz`, a `question` line before each event a quiz asks about.
pub fn write_json(
    out: &mut impl Write,
    path: &Path,
    loaded: &Loaded,
    quiz: bool,
) -> io::Result<()> {
    let (tl, mut summary, warnings) = match loaded {
        Loaded::Recording {
            recording,
            summary,
            conn,
            connections,
        } => (
            &recording.timeline,
            summary_json(&recording.timeline, summary),
            json!({
                "file": path.display().to_string(),
                "source": "recording",
                "complete": recording.complete(),
                "connections": connections,
                "conn": conn,
                "warnings": recording.warnings,
            }),
        ),
        Loaded::Capture {
            timeline,
            connections,
            conn,
            warnings,
        } => (
            timeline,
            capture_summary(timeline),
            json!({
                "file": path.display().to_string(),
                "source": "capture",
                "inferred": true,
                "connections": connections,
                "conn": conn,
                "warnings": warnings,
            }),
        ),
    };
    let per_connection = matches!(loaded, Loaded::Capture { .. });
    let questions = if quiz {
        crate::quiz::questions(tl)
    } else {
        Vec::new()
    };
    write_events(
        out,
        tl,
        &PlaybackIndex::build(tl.events()),
        per_connection,
        &questions,
    )?;
    if let Value::Object(obj) = &mut summary {
        obj.insert("replay".into(), warnings);
    }
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The summary fields a plain capture can fill (no scenario, no probes).
fn capture_summary(tl: &Timeline) -> Value {
    let count = |k: &str| tl.events().iter().filter(|e| e.kind.name() == k).count();
    let end = tl.events().last().map(|e| tl.secs(e.at)).unwrap_or(0.0);
    json!({
        "t": end,
        "kind": "summary",
        "events": tl.events().len(),
        "calls": 0,
        "segments": count("segment"),
        "probes": 0,
        "notes": count("note"),
        "frames": tl.frames_seen(),
        "undecodable": tl.undecodable_frames(),
    })
}

/// The readable transcript (the lab's), with the replay's warnings after it.
/// With `quiz`, each question (and its answer) before the event it asks about.
pub fn write_transcript(
    out: &mut impl Write,
    path: &Path,
    loaded: &Loaded,
    quiz: bool,
) -> io::Result<()> {
    let tl = match loaded {
        Loaded::Recording { recording, .. } => &recording.timeline,
        Loaded::Capture { timeline, .. } => timeline,
    };
    let mut t = if quiz {
        Transcript::with_questions(crate::quiz::questions(tl))
    } else {
        Transcript::default()
    };
    match loaded {
        Loaded::Recording {
            recording, summary, ..
        } => {
            t.header(out, summary)?;
            t.rows(out, &recording.timeline, recording.timeline.events())?;
            t.footer(out, &recording.timeline, summary)?;
            for w in &recording.warnings {
                writeln!(out, "{}", crate::tr!("out.warning", warning = w))?;
            }
        }
        Loaded::Capture {
            timeline,
            connections,
            warnings,
            ..
        } => {
            let line = crate::tr!(
                "out.replay.header_capture",
                file = path.display(),
                connections = connections
            );
            writeln!(out, "{line}")?;
            crate::export::transcript::column_heading(out)?;
            t.rows(out, timeline, timeline.events())?;
            for w in warnings {
                writeln!(out, "{}", crate::tr!("out.warning", warning = w))?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod note_tests {
    use super::*;

    #[test]
    fn a_cut_recordings_opening_notes_are_read_in_either_language() {
        let en = crate::i18n::Lang::En
            .table()
            .get("lab.opening")
            .unwrap_or("");
        let ko = crate::i18n::Lang::Ko
            .table()
            .get("lab.opening")
            .unwrap_or("");
        for template in [en, ko] {
            let note = crate::i18n::fill(template, &[("name", &"backlog"), ("summary", &"x")]);
            assert_eq!(
                scenario_of_opening_note(&note).as_deref(),
                Some("backlog"),
                "{note}"
            );
        }
        assert_eq!(scenario_of_opening_note("handshake: connect()"), None);
        for lang in crate::i18n::Lang::ALL {
            let t = lang.table().get("lab.setup.host_loopback").unwrap_or("");
            let note = crate::i18n::fill(t, &[("port", &7007)]);
            assert!(is_host_loopback_note(&note), "{note}");
        }
        assert!(!is_host_loopback_note("handshake"));
    }
}
