//! Issue 14 item 1: the screens in Korean. Every screen and overlay of every scenario, rendered
//! with `--lang ko` at 80×24 and 120×40, shows no English left (API names, states, flags and
//! the terms the lecture keeps in English aside) and no cut text: no half of a wide character
//! at a cut edge, every status-bar hint and every help row whole.
//!
//! The whole test binary is Korean: each test sets the language first. The scenarios'
//! timelines come from the real binary run with `--lang ko` (its notes in Korean).

mod ui_support;

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::i18n::{self, Lang};
use sockviz::timeline::Timeline;
use sockviz::ui::action::{Action, Pane};
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::keymap::{self, Mode};
use sockviz::ui::widgets;
use unicode_width::UnicodeWidthStr;

use serde_json::Value;
use ui_support::{lab_app, lab_json_with, rows, timeline_of};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Every scenario `sockviz lab --list` names (checked against the binary below).
const SCENARIOS: [&str; 14] = [
    "echo",
    "segments",
    "coalesce",
    "half-close",
    "refused",
    "backlog",
    "slow-reader",
    "reset",
    "utf8-split",
    "echo-link",
    "syn-timeout",
    "unreachable",
    "loss",
    "slow-start",
];

/// Words a screen shows that are not the interface's text but what the program and its bytes
/// are: the call log's Python (`conn, addr = srv.accept()`), payloads in the bytes pane and in
/// the ladder's data labels, and the errno and exception text Python prints.
const NOT_INTERFACE: &[&str] = &[
    "addr", "srv", "events", "poller", "hello", "world", "the", "and", "fd",
];

/// What Python prints for a `UnicodeDecodeError` (`'utf-8' codec can't decode byte 0xeb in
/// position 3: unexpected end of data`), quoted as Python prints it by the bytes pane and the
/// utf8-split scenario's notes: the program's output, not the interface's words.
const PYTHON_SAYS: &[&str] = &[
    "codec",
    "can't",
    "decode",
    "byte",
    "position",
    "unexpected",
    "end",
    "data",
    "invalid",
    "start",
    "continuation",
];

fn korean() {
    i18n::set(Lang::Ko);
}

fn draw(app: &App) -> Buffer {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    buf
}

/// The screen's text, as a person reads it.
fn text(buf: &Buffer) -> String {
    rows(buf).join("\n")
}

/// (a) No English left: the words `i18n::english_words` finds, less what the program itself
/// printed (its Python, its bytes) and notes not yet translated (see [`notes_english`]).
fn english_left(text: &str) -> Vec<String> {
    // What Python prints when a call raises (`TimeoutError: [Errno 110] Connection timed
    // out`) is the program's output, shown as Python shows it: the strerror is left out.
    let text: String = text
        .lines()
        .map(|l| match l.find("[Errno ") {
            Some(k) => &l[..k],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut left: BTreeSet<String> = BTreeSet::new();
    for word in i18n::english_words(&text) {
        if !NOT_INTERFACE.contains(&word) && !PYTHON_SAYS.contains(&word) {
            left.insert(word.to_string());
        }
    }
    left.into_iter().collect()
}

/// (b) No half of a wide character: a cell holding a two-cell character is followed by the
/// blank cell it covers, inside the screen (an overlay drawn over the second half, or a cut
/// at the right edge, leaves the first half alone).
fn half_characters(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    let mut found = Vec::new();
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let sym = buf[(x, y)].symbol();
            let w = sym.width() as u16;
            if w == 2 {
                let next = (x + 1 < area.width).then(|| buf[(x + 1, y)].symbol());
                if !matches!(next, Some(" ") | Some("")) {
                    found.push(format!("row {y} col {x}: {sym:?} then {next:?}"));
                }
                x += 2;
            } else {
                x += 1;
            }
        }
    }
    found
}

/// The status bar's words are whole: every word on it is a word of the hints, of the step
/// counter or of the message (a cut is at a space, with `…`), and `? 도움말` keeps its place.
fn status_whole(app: &App, buf: &Buffer) -> Result<(), String> {
    let row = rows(buf).last().cloned().unwrap_or_default();
    if app.size.0 < sockviz::ui::layout::MIN_WIDTH || app.size.1 < sockviz::ui::layout::MIN_HEIGHT {
        return Ok(()); // no status bar: the too-small message
    }
    if row.contains('─') {
        return Ok(()); // an overlay covers the status bar (the help at 80×24)
    }
    let hints = keymap::hints(app.mode, app.lab.attached);
    let (played, all) = app.steps();
    let step = i18n::fill(
        i18n::t("ui.status.step"),
        &[("played", &played), ("all", &all)],
    );
    let mut known: BTreeSet<&str> = hints.split_whitespace().collect();
    known.extend(step.split_whitespace());
    let queued = i18n::fill(i18n::t("ui.status.queued"), &[("n", &app.queued())]);
    known.extend(queued.split_whitespace());
    if let Some(m) = &app.message {
        known.extend(m.split_whitespace());
    }
    known.extend(["·", "…", "●", "REC"]);
    // A cut shows `…` where words were left out, right against the next part's first word.
    for word in row.split(|c: char| c.is_whitespace() || c == '…') {
        if !word.is_empty() && !known.contains(word) {
            return Err(format!("{word:?} is cut on the status bar:\n{row}"));
        }
    }
    if hints.contains(keymap::help_hint()) && !row.contains(keymap::help_hint()) {
        return Err(format!(
            "`{}` is not on the status bar:\n{row}",
            keymap::help_hint()
        ));
    }
    Ok(())
}

/// Every check on one drawn screen; `what` names it in the failure.
fn check(app: &App, what: &str) -> Buffer {
    check_notes(app, what, false)
}

/// [`check`], with `english_notes`: notes that are English as a whole are allowed (a lesson
/// script's own notes, which its lecturer writes; a damaged file's warning note, which is the
/// file reader's, not the screens').
fn check_notes(app: &App, what: &str, english_notes: bool) -> Buffer {
    let buf = draw(app);
    let screen = text(&buf);
    let english = english_left(&screen);
    let english: Vec<_> = english
        .into_iter()
        .filter(|w| !in_payload(app, w) && !in_notes(app, w, english_notes))
        .collect();
    assert!(
        english.is_empty(),
        "{what}: English left {english:?}\n{screen}"
    );
    let halves = half_characters(&buf);
    assert!(
        halves.is_empty(),
        "{what}: half characters {halves:?}\n{screen}"
    );
    if let Err(e) = status_whole(app, &buf) {
        panic!("{what}: {e}\n{screen}");
    }
    buf
}

/// A word of the bytes the program sent (`b'20 bytes received'`, `abcdefghijklmnop`) or of
/// what Python prints when a call raises (`Resource temporarily unavailable`): the program's
/// data and output, shown as they are, not the interface's words.
fn in_payload(app: &App, word: &str) -> bool {
    app.events().iter().any(|e| {
        let data: &[u8] = match &e.kind {
            sockviz::timeline::EventKind::Segment(s) => &s.payload,
            sockviz::timeline::EventKind::Call(c) => &c.data,
            _ => &[],
        };
        let raised = match &e.kind {
            sockviz::timeline::EventKind::Call(c) => c
                .errno
                .as_ref()
                .is_some_and(|n| sockviz::export::labels::python_error(*n).contains(word)),
            _ => false,
        };
        raised || (!data.is_empty() && String::from_utf8_lossy(data).contains(word))
    })
}

/// A word a note quotes as code (`` `who-has 192.0.2.3?` ``), which the ladder may wrap
/// across lines (the backticks then on two rows); with `english_notes`, any word of a note
/// that is English as a whole. And the quiz's texts (`ko-lab`'s, `src/quiz`) while they are
/// still English: once they are Korean this allows nothing, as only a word of a text that
/// `english_words` still flags passes.
fn in_notes(app: &App, word: &str, english_notes: bool) -> bool {
    let english = |text: &str| !i18n::english_words(text).is_empty() && text.contains(word);
    let quoted = |text: &str| {
        text.split('`')
            .skip(1)
            .step_by(2)
            .any(|code| code.split_whitespace().any(|w| w.contains(word)))
    };
    let in_note = app.events().iter().any(|e| match &e.kind {
        sockviz::timeline::EventKind::Note(text) => {
            quoted(text) || (english_notes && english(text))
        }
        _ => false,
    });
    let in_quiz = app.quiz.as_ref().is_some_and(|state| {
        use sockviz::quiz::text;
        let asking = state
            .asking
            .iter()
            .any(|q| english(&text::prompt(q)) || text::choices(q).iter().any(|c| english(c)));
        let missed = state.quiz.missed().iter().any(|(q, given)| {
            english(&text::prompt(q))
                || english(&text::answer(given))
                || english(&text::answer(&q.answer))
                || english(&text::verdict(q, given))
        });
        let (right, asked) = state.quiz.score();
        asking
            || missed
            || english(&text::score(right, asked))
            || app.message.as_deref().is_some_and(english)
    });
    in_note || in_quiz
}

fn scenario_app(run: &[Value], name: &str, w: u16, h: u16) -> App {
    let mut app = lab_app(timeline_of(run), w, h);
    app.source = SourceLabel::Lab {
        scenario: name.to_string(),
        capture: "namespace".into(),
    };
    app
}

/// A few playback positions: the start, the middle of the handshake, the data, the end.
fn positions(len: usize) -> Vec<usize> {
    let mut p: Vec<usize> = [
        0,
        3,
        len / 4,
        len / 2,
        3 * len / 4,
        len.saturating_sub(1),
        len,
    ]
    .into_iter()
    .map(|p| p.min(len))
    .collect();
    p.dedup();
    p
}

/// Every screen of one scenario: the ladder with each bottom pane at several positions, the
/// help scrolled through, the message entry, the scenario picker, a quiz question and score.
fn every_screen(name: &str) {
    korean();
    let run = lab_json_with(name, &["--lang", "ko"]);
    for (w, h) in SIZES {
        let mut app = scenario_app(&run, name, w, h);
        for pos in positions(app.len()) {
            app.playback.pos = pos;
            for pane in [Pane::Bytes, Pane::CallLog, Pane::StreamMap] {
                app.pane = pane;
                check(&app, &format!("{name} {w}×{h} at {pos} {pane:?}"));
            }
        }
        app.pane = Pane::Bytes;
        help_scrolled_through(&mut app, &format!("{name} {w}×{h}"));
        // The message entry, with Korean typed.
        app.update(Action::StartInput { all: true });
        assert_eq!(app.mode, Mode::Input);
        for c in "안녕, 대한민국!".chars() {
            app.update(Action::InputChar(c));
        }
        let buf = check(&app, &format!("{name} {w}×{h} input"));
        assert!(text(&buf).contains("안녕, 대한민국!▏"), "{}", text(&buf));
        app.update(Action::CloseOverlay);
        app.update(Action::OpenPicker);
        assert_eq!(app.mode, Mode::Picker);
        check(&app, &format!("{name} {w}×{h} scenario picker"));
        app.update(Action::CloseOverlay);
        // The lab's own messages on the status bar.
        app.update(Action::CycleBufsize);
        let buf = check(&app, &format!("{name} {w}×{h} bufsize"));
        assert!(text(&buf).contains("recv bufsize"), "{}", text(&buf));
        quiz_screens(&run, name, w, h);
    }
}

/// The help overlay from top to bottom: every key's words and every legend line whole.
fn help_scrolled_through(app: &mut App, what: &str) {
    help_scrolled_through_notes(app, what, false);
}

/// [`help_scrolled_through`] over a screen whose notes may be English (see [`check_notes`]).
fn help_scrolled_through_notes(app: &mut App, what: &str, english_notes: bool) {
    app.update(Action::ToggleHelp);
    assert_eq!(app.mode, Mode::Help);
    let mut seen = String::new();
    let mut last = String::new();
    for _ in 0..60 {
        let buf = check_notes(
            app,
            &format!("{what} help at {}", app.help_scroll),
            english_notes,
        );
        let screen = text(&buf);
        seen.push_str(&screen);
        if screen == last {
            break;
        }
        last = screen;
        app.update(Action::HelpDown);
    }
    for (keys, help) in widgets::help::help_rows(app.lab.attached) {
        assert!(
            seen.contains(help),
            "{what}: help row {keys} {help:?} whole\n{seen}"
        );
    }
    let inner = (app.size.0.min(102) - 2 - 4) as usize;
    for key in widgets::help::LEGEND {
        for part in sockviz::export::labels::wrap(i18n::t(key), inner) {
            assert!(
                seen.contains(&part),
                "{what}: legend {part:?} whole\n{seen}"
            );
        }
    }
    app.update(Action::CloseOverlay);
    assert_eq!(app.mode, Mode::Normal);
}

/// The quiz on: step to each question (answered with its first choice or `0`), then the
/// score.
fn quiz_screens(run: &[Value], name: &str, w: u16, h: u16) {
    let mut app = scenario_app(run, name, w, h);
    app.update(Action::ToggleQuiz);
    check(&app, &format!("{name} {w}×{h} quiz on"));
    let mut asked = 0;
    for _ in 0..app.len() + 2 {
        match app.mode {
            Mode::Quiz => {
                check(&app, &format!("{name} {w}×{h} question {asked}"));
                asked += 1;
                let choices = app
                    .quiz
                    .as_ref()
                    .and_then(|q| q.asking.as_ref())
                    .map_or(0, |q| q.choices.len());
                if choices > 0 {
                    app.update(Action::QuizChar('1'));
                } else {
                    app.update(Action::QuizChar('0'));
                }
                app.update(Action::QuizSubmit);
                check(&app, &format!("{name} {w}×{h} answered {asked}"));
                if app.mode == Mode::Quiz {
                    app.update(Action::QuizSkip);
                }
            }
            Mode::QuizScore => break,
            _ => {
                if app.playback.pos >= app.len() {
                    break;
                }
                app.update(Action::StepForward);
            }
        }
    }
    app.update(Action::ToggleQuiz);
    if app.mode == Mode::QuizScore {
        check(&app, &format!("{name} {w}×{h} score"));
        app.update(Action::QuizNextMissed);
        check(&app, &format!("{name} {w}×{h} score, first missed"));
    }
}

macro_rules! scenario_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                every_screen($name);
            }
        )*
    };
}

scenario_tests! {
    echo_in_korean => "echo",
    segments_in_korean => "segments",
    coalesce_in_korean => "coalesce",
    half_close_in_korean => "half-close",
    refused_in_korean => "refused",
    backlog_in_korean => "backlog",
    slow_reader_in_korean => "slow-reader",
    reset_in_korean => "reset",
    utf8_split_in_korean => "utf8-split",
    echo_link_in_korean => "echo-link",
    syn_timeout_in_korean => "syn-timeout",
    unreachable_in_korean => "unreachable",
    loss_in_korean => "loss",
    slow_start_in_korean => "slow-start",
}

#[test]
fn the_scenarios_tested_are_every_scenario_the_lab_lists() {
    korean();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .args(["lab", "--list"])
        .output()
        .expect("sockviz lab --list");
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert_eq!(
        listed, SCENARIOS,
        "a new scenario needs its Korean screens tested"
    );
}

/// A replayed capture: the connection picker (its rows, its filter typed and matching
/// nothing), and the replay's own screens, with its header and damaged-file warning.
#[test]
fn the_connection_picker_and_its_filter_in_korean() {
    use sockviz::ui::picker::{Picker, reports};
    korean();
    let path = ui_support::data("multi.pcap");
    let scanned = sockviz::open::scan(&path, |_| {}).expect("multi.pcap reads");
    for (w, h) in SIZES {
        let mut picker = Picker::new("multi.pcap".into(), &reports(&scanned));
        let draw_picker = |p: &Picker| {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            widgets::picker::render(
                p,
                &sockviz::ui::Theme::new(sockviz::ui::ThemeName::Dark),
                area,
                &mut buf,
            );
            buf
        };
        let check_picker = |buf: &Buffer, what: &str| {
            let screen = text(buf);
            let english = english_left(&screen);
            assert!(
                english.is_empty(),
                "{what}: English left {english:?}\n{screen}"
            );
            let halves = half_characters(buf);
            assert!(halves.is_empty(), "{what}: {halves:?}\n{screen}");
            screen
        };
        let screen = check_picker(&draw_picker(&picker), &format!("picker {w}×{h}"));
        assert!(screen.contains("TCP 연결"), "{screen}");
        assert!(
            screen.contains(keymap::hints(Mode::Connections, false)),
            "hints whole:\n{screen}"
        );
        picker.update(Action::FilterStart);
        for c in "없는연결".chars() {
            picker.update(Action::FilterChar(c));
        }
        let screen = check_picker(&draw_picker(&picker), &format!("picker filter {w}×{h}"));
        assert!(screen.contains("필터: 없는연결▏"), "{screen}");
        assert!(screen.contains(i18n::t("ui.picker.no_match")), "{screen}");
        picker.update(Action::FilterClear);
        picker.update(Action::FilterStart);
        for c in "5000".chars() {
            picker.update(Action::FilterChar(c));
        }
        check_picker(
            &draw_picker(&picker),
            &format!("picker filter 5000 {w}×{h}"),
        );
    }
}

fn replay_app(file: &str, w: u16, h: u16) -> App {
    let replay = sockviz::open::load(&ui_support::data(file), None).expect("capture loads");
    let mut app = App::new(
        Timeline::new(sockviz::capture::Timestamp(0)),
        SourceLabel::Loading { path: file.into() },
        sockviz::ui::Theme::new(sockviz::ui::ThemeName::Dark),
    );
    app.load_replay(replay, file.into());
    app.playback.playing = false;
    app.size = (w, h);
    app
}

/// Replays of the checked-in captures (wire only): the header, the inferred panels, the
/// empty call log, the stream map; and a damaged file's warning.
#[test]
fn replayed_captures_in_korean() {
    korean();
    let mut files: Vec<String> = [
        "echo.pcap",
        "retrans.pcap",
        "slow_reader.pcap",
        "reset.pcap",
        "half_close.pcap",
        "refused.pcap",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Ok(dir) = std::fs::read_dir(ui_support::data("damaged")) {
        let mut damaged: Vec<String> = dir
            .filter_map(|e| e.ok())
            .map(|e| format!("damaged/{}", e.file_name().to_string_lossy()))
            .filter(|f| f.ends_with(".pcap") || f.ends_with(".pcapng"))
            .collect();
        damaged.sort();
        files.extend(damaged.into_iter().take(3));
    }
    for file in &files {
        for (w, h) in SIZES {
            let Ok(_) = sockviz::open::load(&ui_support::data(file), None) else {
                continue;
            };
            let mut app = replay_app(file, w, h);
            for pos in positions(app.len()) {
                app.playback.pos = pos;
                for pane in [Pane::Bytes, Pane::CallLog, Pane::StreamMap] {
                    app.pane = pane;
                    let buf = check_notes(&app, &format!("{file} {w}×{h} at {pos} {pane:?}"), true);
                    let top = rows(&buf)[0].clone();
                    assert!(top.contains("재생"), "{file}: the header in Korean\n{top}");
                }
            }
            help_scrolled_through_notes(&mut app, &format!("{file} {w}×{h}"), true);
        }
    }
}

/// A lesson's header (where it is, how to go on) and its status line.
#[test]
fn the_lesson_header_in_korean() {
    korean();
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lesson-sockets.txt"),
    )
    .expect("the shipped lesson");
    let run = lab_json_with("echo", &["--lang", "ko"]);
    for (w, h) in SIZES {
        let lesson = sockviz::lesson::parse(&script, "lesson-sockets.txt").expect("it parses");
        let mut app = scenario_app(&run, "echo", w, h);
        app.lab.attached = false;
        app.start_lesson(lesson);
        app.playback.pos = app.len();
        let buf = check_notes(&app, &format!("lesson {w}×{h}"), true);
        let top = rows(&buf)[0].clone();
        assert!(top.contains("lesson · Enter: 다음 단계"), "{top}");
        if let Some(state) = app.lesson.as_mut() {
            state.over = true;
        }
        let buf = check_notes(&app, &format!("lesson over {w}×{h}"), true);
        assert!(rows(&buf)[0].contains(i18n::t("ui.header.lesson_over")));
    }
}

/// Too small a terminal says so in Korean, each line whole.
#[test]
fn the_too_small_message_in_korean() {
    korean();
    let run = lab_json_with("echo", &["--lang", "ko"]);
    let (w, h) = (50, 10);
    let app = scenario_app(&run, "echo", w, h);
    let buf = check(&app, "too small");
    let screen = text(&buf);
    let lines = [
        i18n::fill(
            i18n::t("ui.small.needs"),
            &[
                ("w", &sockviz::ui::layout::MIN_WIDTH),
                ("h", &sockviz::ui::layout::MIN_HEIGHT),
            ],
        ),
        i18n::fill(i18n::t("ui.small.is"), &[("w", &w), ("h", &h)]),
        i18n::t("ui.small.what").to_string(),
    ];
    for line in lines {
        assert!(screen.contains(&line), "{line:?} whole:\n{screen}");
    }
}

/// `sockviz run`'s screen: its help puts what the run adds first (where the program's output
/// is, the kernel's close, poll and select), in Korean too.
#[test]
fn the_run_screen_s_help_in_korean() {
    korean();
    let run = lab_json_with("echo", &["--lang", "ko"]);
    for (w, h) in SIZES {
        let mut app = scenario_app(&run, "run python3 client.py", w, h);
        app.lab.attached = false;
        app.playback.pos = app.len();
        assert!(widgets::help::is_run(&app));
        help_scrolled_through(&mut app, &format!("run {w}×{h}"));
        app.update(Action::ToggleHelp);
        let mut seen = String::new();
        for _ in 0..60 {
            seen.push_str(&text(&check(&app, &format!("run {w}×{h} help"))));
            app.update(Action::HelpDown);
        }
        let inner = (w.min(102) - 2 - 4) as usize;
        for key in widgets::help::RUN_LEGEND {
            for part in sockviz::export::labels::wrap(i18n::t(key), inner) {
                assert!(seen.contains(&part), "run {w}×{h}: {part:?} whole\n{seen}");
            }
        }
    }
}

/// The panels' labels in the textbook's words: whole (`송신 버퍼`, `연결 요청 큐`) where the
/// panel is wide enough, their short forms (`송신`) where the numbers would not fit beside them.
#[test]
fn the_socket_panels_name_their_buffers_in_korean() {
    korean();
    let run = lab_json_with("echo", &["--lang", "ko"]);
    for ((w, h), labels) in SIZES.into_iter().zip([
        ["로컬", "송신", "수신", "연결 요청 큐"],
        ["로컬 주소", "송신 버퍼", "수신 버퍼", "연결 요청 큐"],
    ]) {
        let mut app = scenario_app(&run, "echo", w, h);
        // After the first send: every panel is open.
        let at = (1..=app.len())
            .find(|&p| {
                app.playback.pos = p;
                text(&draw(&app)).contains("send(20) → 20")
            })
            .expect("the client's send is drawn");
        app.playback.pos = at;
        let screen = text(&check(&app, &format!("panels {w}×{h}")));
        for label in labels {
            assert!(
                screen.contains(&format!("{label} ")),
                "{w}×{h}: {label:?}\n{screen}"
            );
        }
    }
}
