//! Predict, then reveal, in the screens: playback stops before an event a question is about,
//! the question waits for a key or a typed answer, then the event plays and the verdict shows.
//! At the end of a replay (or when the quiz is turned off) the score, with the questions
//! missed to step through.

use crate::quiz::{self, Answer, Question, Quiz};

use super::super::action::{Action, Effect};
use super::super::keymap::Mode;
use super::App;

/// The quiz's part of the app.
#[derive(Debug, Clone, Default)]
pub struct QuizState {
    pub quiz: Quiz,
    /// The question on screen, waiting.
    pub asking: Option<Question>,
    pub typed: String,
    /// Playback was running when the question stopped it: it goes on after the answer.
    resume: bool,
    /// The timeline's length when the questions were made (a live lab grows).
    made_for: usize,
    /// The score was shown (at the end of a replay it shows once).
    pub score_shown: bool,
    /// In the score: the question missed on screen (index into `quiz.missed()`).
    pub review: Option<usize>,
    /// The quiz was turned off: closing the score ends it.
    pub closing: bool,
    /// Only these kinds are asked (a lesson's `quiz flags,state`); `None`: every kind.
    pub kinds: Option<Vec<&'static str>>,
}

impl QuizState {
    /// The questions of `tl` this quiz asks.
    fn make(&mut self, tl: &crate::timeline::Timeline) {
        let qs = match &self.kinds {
            Some(kinds) => quiz::questions_of_kinds(tl, kinds),
            None => quiz::questions(tl),
        };
        self.quiz.set_questions(qs);
        self.made_for = tl.events().len();
    }
}

impl App {
    /// Turn the quiz on (questions from the timeline so far) or off (showing the score if
    /// anything was answered).
    pub fn set_quiz(&mut self, on: bool) {
        if on {
            let mut state = QuizState::default();
            state.make(&self.timeline);
            self.quiz = Some(state);
            self.message = Some(crate::tr!("ui.quiz.on"));
        } else if let Some(state) = &mut self.quiz {
            if state.quiz.answered.is_empty() {
                self.quiz = None;
                self.message = Some(crate::tr!("ui.quiz.off"));
            } else {
                state.score_shown = true;
                state.closing = true;
                state.asking = None;
                self.mode = Mode::QuizScore;
            }
        }
    }

    /// Ask only `kinds` from now on (empty: no questions), keeping what was answered.
    pub fn quiz_kinds(&mut self, kinds: &[&'static str]) {
        if kinds.is_empty() {
            if let Some(state) = &mut self.quiz {
                state.kinds = Some(Vec::new());
                state.make(&self.timeline);
            }
            return;
        }
        if self.quiz.is_none() {
            self.set_quiz(true);
        }
        if let Some(state) = &mut self.quiz {
            state.kinds = Some(kinds.to_vec());
            state.make(&self.timeline);
        }
    }

    pub(super) fn quiz_update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::ToggleQuiz => self.set_quiz(self.quiz.is_none()),
            Action::QuizChar(c) => {
                let Some(state) = &mut self.quiz else {
                    return Vec::new();
                };
                state.typed.push(c);
                // A choice is a single key.
                let choice = state.asking.as_ref().is_some_and(|q| !q.choices.is_empty());
                if choice {
                    self.quiz_submit();
                }
            }
            Action::QuizBackspace => {
                if let Some(state) = &mut self.quiz {
                    state.typed.pop();
                }
            }
            Action::QuizSubmit => self.quiz_submit(),
            Action::QuizSkip => {
                if let Some(state) = &mut self.quiz
                    && let Some(q) = state.asking.take()
                {
                    state.quiz.skip(q.before);
                    state.typed.clear();
                    self.message = Some(crate::tr!(
                        "ui.quiz.passed",
                        shown = quiz::text::answer(&q.answer)
                    ));
                    self.reveal();
                }
            }
            Action::QuizNextMissed | Action::QuizPrevMissed => {
                self.review_missed(action == Action::QuizNextMissed)
            }
            // The score closed: a quiz turned off ends with it.
            Action::CloseOverlay => {
                self.mode = Mode::Normal;
                if let Some(state) = &mut self.quiz {
                    state.review = None;
                    if state.closing {
                        self.quiz = None;
                        self.message = Some(crate::tr!("ui.quiz.off"));
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn quiz_submit(&mut self) {
        let Some(state) = &mut self.quiz else {
            return;
        };
        let Some(q) = state.asking.clone() else {
            return;
        };
        let typed = std::mem::take(&mut state.typed);
        let Some(given) = quiz::parse_answer(&q, &typed) else {
            self.message = Some(match q.choices.len() {
                0 => crate::tr!("ui.quiz.not_an_answer"),
                n => crate::tr!("ui.quiz.not_a_choice", n = n),
            });
            return;
        };
        let right = state.quiz.answer(&q, given);
        state.asking = None;
        let (r, asked) = state.quiz.score();
        self.message = Some(format!(
            "{} {} · {}",
            if right { "✓" } else { "✗" },
            quiz::text::verdict(&q, &given),
            crate::tr!("ui.quiz.right_of", r = r, asked = asked)
        ));
        self.reveal();
    }

    /// Show the event the question was about, and go on playing if playback was running.
    fn reveal(&mut self) {
        let resume = self.quiz.as_ref().is_some_and(|s| s.resume);
        self.mode = Mode::Normal;
        let from = self.playback.pos;
        if self.playback.step_forward(&self.timeline, &self.index) {
            self.selected = None;
            // The revealed arrow travels (lecture pacing draws it moving).
            self.playback.progress = 0.0;
        }
        self.playback.playing = resume;
        self.quiz_gate(from + 1);
    }

    /// After playback moved from `from` to the current position: stop before the first event
    /// in between that a question is about, and ask it. At the end of a replay, the score.
    pub(super) fn quiz_gate(&mut self, from: usize) {
        let len = self.timeline.events().len();
        let pos = self.playback.pos;
        // A live source (the lab, a lesson, a traced program) grows: its score waits for Q.
        let live = matches!(self.source, super::SourceLabel::Lab { .. });
        let Some(state) = &mut self.quiz else {
            return;
        };
        if self.mode != Mode::Normal || state.asking.is_some() {
            return;
        }
        if state.made_for != len {
            state.make(&self.timeline);
        }
        let due = (from..pos).find_map(|i| state.quiz.due(i)).cloned();
        if let Some(q) = due {
            state.resume = self.playback.playing;
            self.playback.playing = false;
            self.playback.seek(&self.timeline, q.before);
            self.selected = None;
            state.typed.clear();
            state.asking = Some(q);
            self.mode = Mode::Quiz;
            return;
        }
        let done = pos >= len && state.quiz.next().is_none() && !state.quiz.answered.is_empty();
        if done && !live && !state.score_shown {
            state.score_shown = true;
            self.mode = Mode::QuizScore;
        }
    }

    /// The score's `]`/`[`: the ladder just before the next (or previous) question missed.
    fn review_missed(&mut self, forward: bool) {
        let Some(state) = &mut self.quiz else {
            return;
        };
        let missed: Vec<(Question, Answer)> = state
            .quiz
            .missed()
            .into_iter()
            .map(|(q, a)| (q.clone(), a))
            .collect();
        if missed.is_empty() {
            return;
        }
        let k = match (state.review, forward) {
            (None, _) => 0,
            (Some(k), true) => (k + 1) % missed.len(),
            (Some(k), false) => (k + missed.len() - 1) % missed.len(),
        };
        state.review = Some(k);
        let before = missed[k].0.before;
        self.playback.playing = false;
        self.playback.seek(&self.timeline, before);
        self.selected = None;
    }
}
