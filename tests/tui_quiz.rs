//! Predict, then reveal in the screens (issue 14, item 2): playback stops before the event a
//! question is about, a key or a typed answer is judged against the event that then plays,
//! and the end shows the score with the questions missed to step through.

mod ui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::capture::Timestamp;
use sockviz::quiz::Answer;
use sockviz::timeline::{EventKind, Timeline};
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::keymap::{Mode, action_for};
use sockviz::ui::theme::{Theme, ThemeName};

fn press(app: &mut App, code: KeyCode) {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(a) = action_for(app.mode, &k, app.lab.attached) {
        app.update(a);
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn replay(file: &str, w: u16, h: u16) -> App {
    let replay = sockviz::open::load(&ui_support::data(file), None).expect("capture loads");
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Loading { path: file.into() },
        Theme::new(ThemeName::Dark),
    );
    app.load_replay(replay, file.into());
    app.playback.playing = false;
    app.size = (w, h);
    app
}

fn screen(app: &App) -> String {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    sockviz::ui::widgets::render(app, area, &mut buf);
    ui_support::screen(&buf)
}

/// Step with → until a question waits (at most the whole timeline).
fn to_question(app: &mut App) -> sockviz::quiz::Question {
    for _ in 0..app.events().len() + 1 {
        if app.mode == Mode::Quiz {
            break;
        }
        press(app, KeyCode::Right);
    }
    assert_eq!(app.mode, Mode::Quiz, "a question waits");
    app.quiz
        .as_ref()
        .and_then(|s| s.asking.clone())
        .expect("the question on screen")
}

/// The key that answers `q` right, or wrong (a choice key, or typed text and Enter).
fn answer(app: &mut App, q: &sockviz::quiz::Question, right: bool) {
    match (q.answer_key(), q.answer) {
        (Some(k), _) => {
            let pick = if right { k } else { k % q.choices.len() + 1 };
            press(
                app,
                KeyCode::Char(char::from_digit(pick as u32, 10).expect("a digit")),
            );
        }
        (None, Answer::SeqAck { seq, ack }) => {
            let seq = if right { seq } else { seq + 1 };
            typed(app, &format!("{seq} {ack}"));
            press(app, KeyCode::Enter);
        }
        (None, Answer::Bytes(n)) => {
            typed(app, &(if right { n } else { n + 1 }).to_string());
            press(app, KeyCode::Enter);
        }
        other => panic!("no typed answer for {other:?}"),
    }
}

#[test]
fn a_question_stops_before_its_event_and_the_answer_reveals_it() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = replay("echo.pcap", w, h);
        press(&mut app, KeyCode::Char('Q'));
        assert!(app.quiz.is_some(), "Q turns the quiz on");
        let q = to_question(&mut app);
        // The ladder stops just before the event asked about: the SYN is not drawn yet.
        assert_eq!(app.playback.pos, q.before);
        let shown = screen(&app);
        assert!(
            shown.contains("Which flags will the next segment") && shown.contains("1 SYN"),
            "{w}×{h}:\n{shown}"
        );
        assert!(shown.contains("press 1-7"), "{shown}");
        let syn_rows = |s: &str| {
            s.lines()
                .filter(|l| l.contains("SYN seq=0") || l.contains("SYN "))
                .count()
        };
        let before_rows = syn_rows(&shown);
        answer(&mut app, &q, true);
        assert_eq!(app.mode, Mode::Normal);
        let msg = app.message.clone().unwrap_or_default();
        assert!(msg.starts_with("✓ right: SYN"), "{msg}");
        assert!(app.playback.pos > q.before, "the event is shown");
        assert!(matches!(app.events()[q.before].kind, EventKind::Segment(_)));
        assert!(
            syn_rows(&screen(&app)) > before_rows,
            "the SYN is drawn now"
        );
    }
}

#[test]
fn wrong_answers_typed_answers_and_the_score_with_the_missed_to_step_through() {
    let mut app = replay("echo.pcap", 120, 40);
    press(&mut app, KeyCode::Char('Q'));
    let mut wrong = Vec::new();
    let mut k = 0;
    loop {
        if app.mode == Mode::QuizScore {
            break;
        }
        if app.playback.pos >= app.events().len() && app.mode == Mode::Normal {
            panic!("the end came without the score");
        }
        if app.mode != Mode::Quiz {
            press(&mut app, KeyCode::Right);
            continue;
        }
        let q = app
            .quiz
            .as_ref()
            .and_then(|s| s.asking.clone())
            .expect("asked");
        if q.choices.is_empty() {
            // Not an answer: the question stays.
            typed(&mut app, "soon");
            press(&mut app, KeyCode::Enter);
            assert_eq!(app.mode, Mode::Quiz);
            assert!(
                app.message
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("not an answer")
            );
        }
        let right = k % 2 == 0;
        answer(&mut app, &q, right);
        let msg = app.message.clone().unwrap_or_default();
        assert!(
            msg.starts_with(if right { "✓" } else { "✗ not quite" }),
            "{msg}"
        );
        if !right {
            wrong.push(q.before);
        }
        k += 1;
    }
    assert!(k >= 4, "echo asks at least four questions ({k})");
    let (right, asked) = app.quiz.as_ref().expect("quiz").quiz.score();
    assert_eq!((right, asked), (k - wrong.len(), k));
    let shown = screen(&app);
    assert!(
        shown.contains(&format!("score: {right} of {asked} right")),
        "{shown}"
    );
    assert!(shown.contains("you said"), "{shown}");
    // ] puts the ladder before the first question missed, ] again before the next.
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.playback.pos, wrong[0]);
    assert!(screen(&app).contains('▶'));
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.playback.pos, wrong[1 % wrong.len()]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn esc_passes_a_question_over_and_q_turns_the_quiz_off_with_its_score() {
    let mut app = replay("echo.pcap", 80, 24);
    press(&mut app, KeyCode::Char('Q'));
    let q = to_question(&mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.playback.pos > q.before);
    assert_eq!(app.quiz.as_ref().expect("on").quiz.score(), (0, 0));
    let q = to_question(&mut app);
    answer(&mut app, &q, true);
    press(&mut app, KeyCode::Char('Q'));
    assert_eq!(app.mode, Mode::QuizScore);
    assert!(screen(&app).contains("score: 1 of 1 right"));
    press(&mut app, KeyCode::Esc);
    assert!(app.quiz.is_none(), "off after its score");
}

mod tmux_support;

/// The real binary in tmux: `replay --quiz` asks, one answer right and one wrong, each judged
/// on screen, and the ladder goes on after each.
#[test]
fn tmux_answers_one_question_right_and_one_wrong() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let file = ui_support::data("echo.pcap");
    let name = format!("sockviz-quiz-{}", std::process::id());
    let _s = tmux_support::start(
        &name,
        &format!("{bin} replay {} --quiz; sleep 30", file.display()),
    );
    let (ok, screen) = tmux_support::wait_for(&name, 20, |s| {
        s.contains("Which flags will the next segment (client → server) carry?")
    });
    assert!(ok, "the first question:\n{screen}");
    assert!(
        screen.contains("1 SYN") && screen.contains("press 1-7"),
        "{screen}"
    );
    tmux_support::tmux(&["send-keys", "-t", &name, "1"]);
    let (ok, screen) = tmux_support::wait_for(&name, 10, |s| s.contains("✓ right: SYN"));
    assert!(ok, "the right answer judged:\n{screen}");
    // The next: which state the client enters with the SYN,ACK (ESTABLISHED, choice 2).
    let (ok, screen) = tmux_support::wait_for(&name, 20, |s| {
        s.contains("which state does the client enter?") && s.contains("2 ESTABLISHED")
    });
    assert!(ok, "the second question:\n{screen}");
    tmux_support::tmux(&["send-keys", "-t", &name, "1"]);
    let (ok, screen) = tmux_support::wait_for(&name, 10, |s| {
        s.contains("✗ not quite: you said SYN_RECEIVED, the event shows ESTABLISHED")
    });
    assert!(ok, "the wrong answer judged:\n{screen}");
    assert!(screen.contains("1 of 2 right"), "{screen}");
    tmux_support::tmux(&["send-keys", "-t", &name, "C-c"]);
}
