//! `sockviz lesson FILE --headless [--json]`: the lesson played without a screen, each
//! scenario run for real in the lab, its transcript (or JSON lines) under its section, with the
//! notes, the pauses and the questions the lesson asks.

use std::io::{self, Write};

use serde_json::json;

use crate::export::headless::{Transcript, summary_json, write_events};
use crate::lab::series::Series;
use crate::lab::{LabConfig, LabError, Prepared};
use crate::quiz;
use crate::timeline::playback::PlaybackIndex;

use super::{Lesson, Step};

/// How the scenarios run (the lab's options that a lesson does not set).
#[derive(Debug, Clone, Default)]
pub struct LessonRun {
    pub host_loopback: bool,
    pub port: Option<u16>,
    pub json: bool,
}

/// What a played lesson came to: the scenarios that stopped early, by name and why.
#[derive(Debug, Default)]
pub struct Played {
    pub failures: Vec<(String, String)>,
    /// Packets the capture dropped over the lesson.
    pub dropped: u32,
}

/// Play `lesson` to `out`.
pub fn play(
    out: &mut impl Write,
    lesson: &Lesson,
    file: &str,
    prepared: &Prepared,
    run: &LessonRun,
) -> Result<Played, PlayError> {
    let mut played = Played::default();
    // One wire for the whole lesson (the set-up and the capture happen once).
    let mut series = Series::start(
        &LabConfig {
            host_loopback: run.host_loopback,
            port: run.port,
            ..LabConfig::default()
        },
        prepared,
    )?;
    let mut kinds: Vec<&str> = Vec::new();
    let mut section = 0;
    let title = lesson.title.as_deref().unwrap_or(file);
    if run.json {
        line(
            out,
            &json!({"kind": "lesson", "title": title, "file": file}),
        )?;
    } else {
        writeln!(out, "{}", crate::tr!("lab.lesson.heading", title = title))?;
    }
    for step in &lesson.steps {
        match step {
            Step::Section(text) => {
                section += 1;
                if run.json {
                    line(out, &json!({"kind": "section", "n": section, "text": text}))?;
                } else {
                    writeln!(out, "\n══ {section}. {text} ══")?;
                }
            }
            Step::Note(text) => {
                if run.json {
                    line(out, &json!({"kind": "lesson_note", "text": text}))?;
                } else {
                    writeln!(out, "── {text}")?;
                }
            }
            Step::Pause => {
                if run.json {
                    line(out, &json!({"kind": "pause"}))?;
                } else {
                    writeln!(out, "   {}", crate::i18n::t("lab.lesson.pause"))?;
                }
            }
            Step::Quiz(k) => kinds = k.clone(),
            Step::Scenario { name } => {
                let (tl, summary) = series.run(name)?;
                let questions = quiz::questions_of_kinds(&tl, &kinds);
                if run.json {
                    write_events(
                        out,
                        &tl,
                        &PlaybackIndex::build(tl.events()),
                        false,
                        &questions,
                    )?;
                    line(out, &summary_json(&tl, &summary))?;
                } else {
                    let mut t = Transcript::with_questions(questions);
                    t.header(out, &summary)?;
                    t.rows(out, &tl, tl.events())?;
                    t.footer(out, &tl, &summary)?;
                }
                if let Some(f) = summary.failure {
                    played.failures.push((name.clone(), f));
                }
            }
        }
    }
    played.dropped = series.finish();
    if played.dropped > 0 {
        let text = crate::tr!("lab.lesson.dropped", n = played.dropped);
        if run.json {
            line(out, &json!({"kind": "lesson_note", "text": text}))?;
        } else {
            writeln!(out, "── {text}")?;
        }
    }
    out.flush()?;
    Ok(played)
}

fn line(out: &mut impl Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Why a lesson stopped: the output failed, or the lab could not run.
#[derive(Debug, thiserror::Error)]
pub enum PlayError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Lab(#[from] LabError),
}
