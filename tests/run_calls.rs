//! `sockviz run` on the calls beyond the lecture's first ones: an AF_INET6 socket,
//! `getsockopt`, `select`/`poll` waiting for the socket, and `--quiz` on a student's program.

mod lab_support;
mod run_support;

use std::process::Command;

use lab_support::{BIN, derived};
use run_support::{PY, both, calls_of, example, names, one, script, sockviz_run};
use sockviz::capture::Timestamp;
use sockviz::export::labels::python_line;
use sockviz::timeline::{Call, CallEvent, Family, Side, SocketId, Waited};

/// An AF_INET6 client of the lab's IPv4 echo server (a v4-mapped address) that asks for its
/// receive buffer and waits with select and poll before and after it sends.
const WAITING_CLIENT: &str = r#"import select, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.connect(('::ffff:127.0.0.1', 7))
print('rcvbuf', s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
r, w, x = select.select([s], [], [], 0.3)   # nothing to read yet: waits 0.3 s
print('ready', r)
p = select.poll()
p.register(s, select.POLLIN)
print('events', p.poll(300))                # nothing yet: waits 300 ms
s.send(b'Hello')
print('events', p.poll(2000))               # until the echo arrives
print(s.recv(1024))
s.close()
"#;

fn blocked(call: &serde_json::Value) -> f64 {
    call["t_end"].as_f64().unwrap_or(0.0) - call["t_start"].as_f64().unwrap_or(0.0)
}

#[test]
fn an_inet6_client_waiting_with_select_and_poll() {
    let path = script("waiting_client.py", WAITING_CLIENT);
    both(&[], &[PY, &path], |run| {
        assert!(run.status.success(), "{}", run.stderr);
        assert!(run.stderr.contains("b'Hello'"), "{}", run.stderr);
        let client = calls_of(run, "client");
        assert_eq!(
            names(&client),
            [
                "socket",
                "connect",
                "getsockopt",
                "select",
                "poll",
                "send",
                "poll",
                "recv",
                "close"
            ]
        );
        let args: Vec<&str> = client.iter().map(|(_, a)| a.as_str()).collect();
        assert_eq!(args[0], "AF_INET6, SOCK_STREAM");
        assert_eq!(args[1], "('::ffff:127.0.0.1', 7)");
        assert_eq!(args[2], "SOL_SOCKET, SO_RCVBUF");
        assert_eq!(args[3], "[s], [], [], 0.3");
        assert_eq!((args[4], args[6]), ("300", "2000"));
        // The lab's own listener is an AF_INET one.
        assert_eq!(
            one(run, "listener", "socket")["args"],
            "AF_INET, SOCK_STREAM"
        );

        // Waiting is drawn as waiting: the call spans the time it blocked.
        let select = one(run, "client", "select");
        assert_eq!(select["ret"], 0, "timed out: nothing to read");
        assert!(blocked(select) > 0.25, "select waited: {}", blocked(select));
        let polls = run.calls("client", "poll");
        assert_eq!(polls[0]["ret"], 0);
        assert!(
            blocked(polls[0]) > 0.25,
            "poll waited: {}",
            blocked(polls[0])
        );
        assert_eq!(polls[1]["ret"], 1, "the echo made the socket readable");

        // The v4-mapped socket is the IPv4 connection on the wire: its panel follows it.
        let connect = one(run, "client", "connect");
        let sock = connect["sock"].as_u64().expect("sock");
        let after = run
            .truth_at(sock, connect["i"].as_u64().expect("i"))
            .expect("a socket line after connect");
        assert_eq!(derived(after), "ESTABLISHED", "{after}");
        let send = one(run, "client", "send");
        assert!(
            send["segments"].as_array().is_some_and(|s| !s.is_empty()),
            "the send's bytes are found on the wire: {send}"
        );
        run.assert_recvs_cover_sends();
        run.assert_fin_exchange();
    });
}

#[test]
fn the_transcript_says_af_inet6() {
    let path = script("waiting_client_text.py", WAITING_CLIENT);
    let out = Command::new(BIN)
        .current_dir("/")
        .args(["run", "--headless", "--", PY, &path])
        .output()
        .expect("run sockviz");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("socket(AF_INET6, SOCK_STREAM) -> sock 2"),
        "{text}"
    );
    assert!(
        text.contains("getsockopt(SOL_SOCKET, SO_RCVBUF) -> 0"),
        "{text}"
    );
    assert!(text.contains("select([s], [], [], 0.3) -> 0"), "{text}");
    assert!(text.contains("poll(300) -> 0"), "{text}");
}

fn event(side: Side, call: Call) -> CallEvent {
    CallEvent {
        side,
        socket: SocketId(2),
        call,
        len: None,
        ret: Some(0),
        errno: None,
        started: Timestamp(0),
        returned: Timestamp(0),
        data: Vec::new(),
        flow: None,
        stream: None,
        progress: Vec::new(),
    }
}

#[test]
fn the_call_log_writes_them_as_python_does() {
    let line = |side, call| python_line(&event(side, call));
    assert_eq!(
        line(Side::Client, Call::Socket(Family::Inet6)),
        "s = socket.socket(AF_INET6, SOCK_STREAM)"
    );
    assert_eq!(
        line(
            Side::Client,
            Call::GetSockOpt {
                level: "SOL_SOCKET".into(),
                name: "SO_RCVBUF".into()
            }
        ),
        "s.getsockopt(SOL_SOCKET, SO_RCVBUF)"
    );
    assert_eq!(
        line(
            Side::Server,
            Call::Select(Waited {
                read: true,
                write: false,
                timeout_ms: Some(300),
            })
        ),
        "r, w, x = select.select([conn], [], [], 0.3)"
    );
    assert_eq!(
        line(
            Side::Client,
            Call::Poll {
                timeout_ms: Some(300)
            }
        ),
        "events = poller.poll(300)"
    );
    let exit = line(Side::Client, Call::Exit { fd: 3 });
    assert!(
        exit.starts_with("# the program exited: the kernel closed s (fd 3)"),
        "{exit}"
    );
    // Waiting calls are placed and drawn as a blocked recv is; the exit closes the fd.
    for call in [
        Call::Poll { timeout_ms: None },
        Call::Select(Waited {
            read: true,
            write: false,
            timeout_ms: None,
        }),
    ] {
        assert!(call.waits_for_peer() && call.may_block(), "{call}");
    }
    assert!(Call::Exit { fd: 3 }.closes_fd() && Call::Close.closes_fd());
}

#[test]
fn quiz_on_a_students_program() {
    let args = [PY, &example("echo_client.py")];
    let run = sockviz_run(false, &["--quiz"], &args).expect("ran");
    assert!(run.status.success(), "{}", run.stderr);
    let questions: Vec<_> = run.kind("question").collect();
    assert!(!questions.is_empty(), "questions on the program's timeline");
    for q in &questions {
        let before = q["before"].as_u64().expect("before");
        assert!(
            run.events.iter().any(|e| e["i"].as_u64() == Some(before)),
            "the question comes before event {before}: {q}"
        );
        // A typed answer (seq and ack) has no choices.
        let choices = q["choices"].as_array().expect("choices");
        assert!(choices.is_empty() || choices.contains(&q["answer"]), "{q}");
    }
    assert!(
        questions.iter().any(|q| q["ask"] == "flags"),
        "the handshake's flags are asked: {questions:?}"
    );
    let plain = sockviz_run(false, &[], &args).expect("ran");
    assert_eq!(plain.kind("question").count(), 0, "no --quiz, no questions");
    let text = Command::new(BIN)
        .current_dir("/")
        .args(["run", "--headless", "--quiz", "--"])
        .args(args)
        .output()
        .expect("run sockviz");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("quiz         ? Which flags"), "{text}");
}

/// The `?` help on `sockviz run`'s screen says where the program's output and keyboard are and
/// what its exit and waits look like; the lab's screen does not, and neither lists lab keys.
#[test]
fn the_help_on_runs_screen_explains_it() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use sockviz::timeline::Timeline;
    use sockviz::ui::action::Action;
    use sockviz::ui::app::{App, SourceLabel};
    use sockviz::ui::widgets;

    let help = |scenario: &str, attached: bool| {
        let mut app = App::new(
            Timeline::new(Timestamp(0)),
            SourceLabel::Lab {
                scenario: scenario.into(),
                capture: "namespace".into(),
            },
            sockviz::ui::Theme::new(sockviz::ui::ThemeName::Dark),
        );
        app.lab.attached = attached;
        app.size = (100, 40);
        app.update(Action::ToggleHelp);
        let mut term = Terminal::new(TestBackend::new(100, 40)).expect("backend");
        term.draw(|f| widgets::draw(f, &app)).expect("draws");
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let run = help("run python3 echo_client.py", false);
    for want in [
        "your program's output is printed when this screen closes (q)",
        "exit(fd 3 closed by the kernel)",
        "poll(…) select(…)",
        "q Ctrl-C quit",
    ] {
        assert!(run.contains(want), "{want:?} in\n{run}");
    }
    let lab_only: Vec<_> = sockviz::ui::keymap::table(sockviz::ui::keymap::Mode::Normal)
        .iter()
        .filter(|b| b.lab_only)
        .map(|b| sockviz::i18n::t(b.help))
        .collect();
    assert!(!lab_only.is_empty());
    for help in &lab_only {
        assert!(!run.contains(help), "a lab key on run's help: {help:?}");
    }
    let lab = help("echo", true);
    assert!(!lab.contains("your program's output"), "{lab}");
    assert!(lab_only.iter().any(|h| lab.contains(h)), "{lab}");
}
