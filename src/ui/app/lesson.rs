//! A lecture script in the screens (`sockviz lesson FILE`): the lab plays the script's
//! scenarios in order on its one wire; sections and notes appear on the ladder as notes; the
//! script's `quiz` lines choose the questions; the lecturer's Enter goes on after each
//! scenario and each `pause`.

use crate::lab::interactive::LabCommand;
use crate::lesson::{Lesson, Step};
use crate::timeline::SourceEvent;

use super::super::action::Effect;
use super::{App, SourceLabel};

/// Where a lesson is.
#[derive(Debug, Clone)]
pub struct LessonState {
    pub lesson: Lesson,
    /// The next step to take.
    pub next: usize,
    /// The section on screen: its number and heading.
    pub section: Option<(usize, String)>,
    pub sections: usize,
    /// The scenario the lab opened with (started by the launcher, not by a command).
    opening: Option<usize>,
    /// Every step taken.
    pub over: bool,
}

impl LessonState {
    /// How many sections the lesson has.
    pub fn sections_total(&self) -> usize {
        self.section_count()
    }

    fn section_count(&self) -> usize {
        self.lesson
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Section(_)))
            .count()
    }
}

impl App {
    /// Start `lesson`: its steps up to its first scenario, whose name is returned (the lab
    /// opens with it).
    pub fn start_lesson(&mut self, lesson: Lesson) -> Option<String> {
        let opening = lesson
            .steps
            .iter()
            .position(|s| matches!(s, Step::Scenario { .. }));
        let name = opening.and_then(|k| match &lesson.steps[k] {
            Step::Scenario { name } => Some(name.clone()),
            _ => None,
        });
        self.lesson = Some(LessonState {
            lesson,
            next: 0,
            section: None,
            sections: 0,
            opening,
            over: false,
        });
        self.lesson_next();
        name
    }

    /// Enter: the lesson's next steps, up to and including the next scenario or pause.
    pub fn lesson_next(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        // The steps up to a scenario begin a fresh ladder (its section's heading and notes
        // on it, above the scenario's events); steps up to a pause add to the one on screen.
        if let Some(state) = &self.lesson {
            let ahead = state.lesson.steps[state.next.min(state.lesson.steps.len())..]
                .iter()
                .enumerate()
                .find(|(_, s)| matches!(s, Step::Scenario { .. } | Step::Pause));
            if let Some((k, Step::Scenario { .. })) = ahead
                && state.opening != Some(state.next + k)
            {
                self.fresh_ladder();
            }
        }
        loop {
            let Some(state) = &mut self.lesson else {
                self.message = Some(crate::tr!("ui.lesson.none"));
                return effects;
            };
            let Some(step) = state.lesson.steps.get(state.next).cloned() else {
                state.over = true;
                self.message = Some(crate::tr!("ui.lesson.over"));
                return effects;
            };
            let k = state.next;
            state.next += 1;
            match step {
                Step::Section(text) => {
                    state.sections += 1;
                    let n = state.sections;
                    let of = state.section_count();
                    state.section = Some((n, text.clone()));
                    self.note(format!("══ {n}/{of}. {text} ══"));
                }
                Step::Note(text) => self.note(text),
                Step::Quiz(kinds) => self.quiz_kinds(&kinds),
                Step::Pause => {
                    self.message = Some(self.lesson_hint(crate::i18n::t("ui.lesson.paused")));
                    return effects;
                }
                Step::Scenario { name } => {
                    if state.opening != Some(k) {
                        effects.extend(self.run_lesson_scenario(&name));
                    }
                    // A pause right after a scenario is the same stop.
                    if let Some(state) = &mut self.lesson
                        && matches!(state.lesson.steps.get(state.next), Some(Step::Pause))
                    {
                        state.next += 1;
                    }
                    self.message =
                        Some(self.lesson_hint(&crate::tr!("ui.lesson.scenario", name = name)));
                    return effects;
                }
            }
        }
    }

    /// What the status line says while the lesson waits.
    fn lesson_hint(&self, what: &str) -> String {
        let section = self
            .lesson
            .as_ref()
            .and_then(|s| s.section.as_ref())
            .map(|(n, t)| format!("§{n} {t} · "))
            .unwrap_or_default();
        crate::tr!("ui.lesson.hint", section = section, what = what)
    }

    /// A lesson's sentence on the ladder, now.
    fn note(&mut self, text: String) {
        let at = crate::lab::probe::now().max(
            self.timeline
                .events()
                .last()
                .map_or(crate::capture::Timestamp(0), |e| e.at),
        );
        self.ingest(vec![SourceEvent::Note { at, text }]);
    }

    /// A fresh ladder from here, as `o` starts one.
    fn fresh_ladder(&mut self) {
        self.start = self.len();
        self.playback.seek(&self.timeline, self.start);
        self.selected = None;
        self.panel_page = 0;
    }

    /// The scenario (its ladder was started fresh before its section's notes).
    fn run_lesson_scenario(&mut self, name: &str) -> Vec<Effect> {
        if let SourceLabel::Lab { scenario, .. } = &mut self.source {
            *scenario = name.to_string();
        }
        // The lab closes the sockets whose calls were pending; watch what it does.
        self.lab.pending.clear();
        self.playback.playing = true;
        vec![Effect::Lab(LabCommand::RunScenario(name.to_string()))]
    }
}
