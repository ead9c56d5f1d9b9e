//! Lecture scripts (issue 14, item 3): a lecturer writes the order of a class as a small text
//! file, and `sockviz lesson FILE` plays it: scenarios in order, headings, notes, pauses, and
//! which quiz questions to ask.
//!
//! The format, one directive a line (`# ` starts a comment; blank lines are ignored):
//!
//! ```text
//! title    Network Programming, Part 1
//! section  connect(): the 3-way handshake
//! note     connect()가 return되기까지 RTT가 소요된다.
//! quiz     flags,state          # or: on, off
//! scenario echo
//! pause
//! ```
//!
//! `scenario NAME` runs one of `sockviz lab --list` (all on one loopback, MTU 1500, one capture);
//! `note` text is shown
//! before the next scenario; `quiz` sets which questions the following scenarios ask
//! ([`crate::quiz::Ask::kind`] names); `pause` waits for a key in the screens.

pub mod headless;

use std::fmt;
use std::path::Path;

/// The question kinds a `quiz` line can name.
pub const QUIZ_KINDS: [&str; 5] = ["flags", "seq_ack", "recv", "state", "send_blocks"];

/// One step of a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A heading: the lecture's section.
    Section(String),
    /// A sentence for the class, shown before what follows.
    Note(String),
    /// Run a lab scenario.
    Scenario { name: String },
    /// Which questions the following scenarios ask (empty: none).
    Quiz(Vec<&'static str>),
    /// Wait for the lecturer (a key in the screens; a marker in the transcript).
    Pause,
}

/// A lecture script, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lesson {
    pub title: Option<String>,
    pub steps: Vec<Step>,
}

impl Lesson {
    /// The scenarios it runs, in order.
    pub fn scenarios(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|s| match s {
            Step::Scenario { name, .. } => Some(name.as_str()),
            _ => None,
        })
    }
}

/// Why a lesson file cannot be played: the file, the line, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    /// 1-based; 0 when the file could not be read.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

/// Read and parse the lesson at `path`.
pub fn read(path: &Path) -> Result<Lesson, LessonError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LessonError {
        file: file.clone(),
        line: 0,
        message: crate::tr!("lab.lesson.cannot_read", error = e),
    })?;
    parse(&text, &file)
}

/// Parse a lesson's text (`file` names it in errors).
pub fn parse(text: &str, file: &str) -> Result<Lesson, LessonError> {
    let mut lesson = Lesson::default();
    for (k, raw) in text.lines().enumerate() {
        let err = |message: String| LessonError {
            file: file.to_string(),
            line: k + 1,
            message,
        };
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let (word, rest) = match line.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (line, ""),
        };
        let needs_text = |what: &str| {
            if rest.is_empty() {
                Err(err(crate::tr!(
                    "lab.lesson.needs_text",
                    word = word,
                    what = what
                )))
            } else {
                Ok(rest.to_string())
            }
        };
        let step = match word {
            "title" => {
                lesson.title = Some(needs_text(crate::i18n::t("lab.lesson.what.title"))?);
                continue;
            }
            "section" => Step::Section(needs_text(crate::i18n::t("lab.lesson.what.section"))?),
            "note" => Step::Note(needs_text(crate::i18n::t("lab.lesson.what.note"))?),
            "pause" if rest.is_empty() => Step::Pause,
            "pause" => return Err(err(crate::tr!("lab.lesson.pause_alone"))),
            "scenario" => scenario(rest).map_err(err)?,
            "quiz" => Step::Quiz(quiz(rest).map_err(err)?),
            other => {
                return Err(err(crate::tr!(
                    "lab.lesson.unknown_directive",
                    word = other
                )));
            }
        };
        lesson.steps.push(step);
    }
    if lesson.scenarios().next().is_none() {
        return Err(LessonError {
            file: file.to_string(),
            line: 0,
            message: crate::tr!("lab.lesson.no_scenario"),
        });
    }
    Ok(lesson)
}

/// A comment is a `#` at the start of a line or after a space, followed by a space or the end
/// of the line: a note's `C#` or `#1` stays text.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let after_space = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let before_space = bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace);
        if b == b'#' && after_space && before_space {
            return &line[..i];
        }
    }
    line
}

fn scenario(rest: &str) -> Result<Step, String> {
    let mut words = rest.split_whitespace();
    let Some(name) = words.next() else {
        return Err(crate::tr!("lab.lesson.scenario_needs_name"));
    };
    if crate::lab::scenario::find(name).is_none() {
        let names: Vec<&str> = crate::lab::scenario::ALL.iter().map(|s| s.name).collect();
        return Err(crate::tr!(
            "lab.lesson.unknown_scenario",
            name = name,
            names = names.join(", ")
        ));
    }
    if let Some(w) = words.next() {
        return Err(crate::tr!("lab.lesson.scenario_extra", word = w));
    }
    Ok(Step::Scenario {
        name: name.to_string(),
    })
}

fn quiz(rest: &str) -> Result<Vec<&'static str>, String> {
    match rest {
        "on" => return Ok(QUIZ_KINDS.to_vec()),
        "off" => return Ok(Vec::new()),
        _ => {}
    }
    rest.split(',')
        .map(str::trim)
        .map(|k| {
            QUIZ_KINDS.iter().copied().find(|q| *q == k).ok_or_else(|| {
                crate::tr!(
                    "lab.lesson.quiz_kind",
                    rest = rest,
                    kind = k,
                    kinds = QUIZ_KINDS.join(",")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
