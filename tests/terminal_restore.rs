//! Every screen gives the terminal back, however it ends (issue 16, item 1).
//!
//! The matrix: six screens (the live lab, its message entry, a replay, its help overlay, the
//! connection picker and the scanning screen before it) × seven ends (q, Ctrl-C, SIGINT,
//! SIGTERM, SIGHUP, `tmux kill-session`, and a terminal gone away with SIGHUP ignored, so only
//! the end of its input tells). Each case runs the real binary in its own tmux session; the
//! seven cases of one screen run at once, so the whole matrix takes about 20 s.
//!
//! Where the pane survives, the same pane then runs `stty -a` (cooked: `icanon echo`), and tmux
//! says the alternate screen is off, the cursor visible and mouse reporting off; `$?` follows
//! the shell (0, 130, 143, 129). Where the terminal is gone, the process must be gone within a
//! few seconds with status 129 (written to a file by the shell that waited for it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

mod tmux_support;

use tmux_support::{Session, capture, require_tmux, tmux};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Q,
    CtrlC,
    SigInt,
    SigTerm,
    SigHup,
    KillSession,
    /// The terminal goes away while SIGHUP is ignored (`trap '' HUP`, as `nohup` does): only
    /// its input at end of file tells the program.
    StdinClosed,
}

const ENDS: [End; 7] = [
    End::Q,
    End::CtrlC,
    End::SigInt,
    End::SigTerm,
    End::SigHup,
    End::KillSession,
    End::StdinClosed,
];

impl End {
    fn status(self) -> i32 {
        match self {
            End::Q => 0,
            End::CtrlC | End::SigInt => 130,
            End::SigTerm => 143,
            End::SigHup | End::KillSession | End::StdinClosed => 129,
        }
    }

    fn pane_survives(self) -> bool {
        !matches!(self, End::KillSession | End::StdinClosed)
    }
}

struct Screen {
    name: &'static str,
    args: String,
    /// Text on the screen once it is up.
    ready: &'static str,
    /// Keys that open this screen from the first one (an overlay), and what it then shows.
    open: Option<(&'static str, &'static str)>,
    /// The keys that quit, sent one at a time (Esc leaves the message entry first).
    quit: &'static [&'static str],
}

/// One run of the binary.
struct Case {
    session: Session,
    end: End,
    status_file: PathBuf,
    pid: Option<u32>,
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

/// A capture big enough that the debug binary is still scanning it when the end comes:
/// 600,000 ACKs over 500 connections (about 42 MB).
fn big_capture(path: &Path) {
    let mut out = Vec::with_capacity(43_000_000);
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for i in 0..600_000u32 {
        let mut pkt = vec![0u8; 12];
        pkt.extend_from_slice(&[0x08, 0x00]);
        pkt.extend_from_slice(&[
            0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        pkt.extend_from_slice(&(1000 + (i % 500) as u16).to_be_bytes());
        pkt.extend_from_slice(&80u16.to_be_bytes());
        pkt.extend_from_slice(&i.to_be_bytes());
        pkt.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x10, 0x03, 0xe8, 0, 0, 0, 0]);
        out.extend_from_slice(&(i / 1000).to_le_bytes());
        out.extend_from_slice(&(i % 1000).to_le_bytes());
        out.extend_from_slice(&(pkt.len() as u32).to_le_bytes());
        out.extend_from_slice(&(pkt.len() as u32).to_le_bytes());
        out.extend_from_slice(&pkt);
    }
    std::fs::write(path, out).expect("the big capture is written");
}

fn child_of(shell: &str) -> Option<u32> {
    let out = Command::new("pgrep")
        .args(["-P", shell.trim(), "sockviz"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
}

fn alive(pid: u32) -> bool {
    // A zombie has no threads to run; `State: Z` counts as gone.
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| {
            !s.lines()
                .any(|l| l.starts_with("State:") && l.contains('Z'))
        })
        .unwrap_or(false)
}

fn start_case(bin: &str, screen: &Screen, end: End, tmp: &Path) -> Case {
    let name = format!(
        "sockviz-end-{}-{}-{:?}",
        std::process::id(),
        screen.name,
        end
    );
    let status_file = tmp.join(format!("{}-{:?}.status", screen.name, end));
    let cmd = format!("{bin} {}", screen.args);
    let script = if end.pane_survives() {
        format!(
            "{cmd}; echo EXITED:$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 60"
        )
    } else {
        // The shell outlives the hangup only to write the status down.
        let trap = if end == End::StdinClosed {
            "''"
        } else {
            "true"
        };
        format!(
            "trap {trap} HUP; {cmd}; echo $? > {}",
            status_file.display()
        )
    };
    let session = tmux_support::start(&name, &script);
    Case {
        session,
        end,
        status_file,
        pid: None,
    }
}

fn wait_all(cases: &[Case], secs: u64, text: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut missing: Vec<usize> = (0..cases.len()).collect();
    let mut last = vec![String::new(); cases.len()];
    while !missing.is_empty() && Instant::now() < deadline {
        missing.retain(|&i| {
            last[i] = capture(&cases[i].session.0);
            !last[i].contains(text)
        });
        sleep(Duration::from_millis(100));
    }
    missing
        .into_iter()
        .map(|i| format!("{:?}: never showed {text:?}:\n{}", cases[i].end, last[i]))
        .collect()
}

fn end_case(case: &Case, screen: &Screen) {
    let name = &case.session.0;
    let pid = case.pid.map(|p| p.to_string()).unwrap_or_default();
    let kill = |sig: &str| {
        let _ = Command::new("kill").args([sig, &pid]).status();
    };
    match case.end {
        End::Q => {
            for k in screen.quit {
                tmux(&["send-keys", "-t", name, k]);
                sleep(Duration::from_millis(150));
            }
        }
        End::CtrlC => {
            tmux(&["send-keys", "-t", name, "C-c"]);
        }
        End::SigInt => kill("-INT"),
        End::SigTerm => kill("-TERM"),
        End::SigHup => kill("-HUP"),
        End::KillSession | End::StdinClosed => {
            tmux(&["kill-session", "-t", name]);
        }
    }
}

fn check_case(case: &Case, screen: &Screen) -> Result<(), String> {
    let what = format!("{} ended by {:?}", screen.name, case.end);
    let deadline = Instant::now() + Duration::from_secs(6);
    if case.end.pane_survives() {
        let name = &case.session.0;
        let mut after = capture(name);
        while !(after.contains("EXITED:") && after.contains("icanon")) {
            if Instant::now() > deadline {
                return Err(format!("{what}: did not exit:\n{after}"));
            }
            sleep(Duration::from_millis(100));
            after = capture(name);
        }
        let want = format!("EXITED:{}", case.end.status());
        if !after.contains(&want) {
            return Err(format!("{what}: wanted {want}:\n{after}"));
        }
        if !after.lines().any(|l| l.trim() == "icanon echo") {
            return Err(format!("{what}: not cooked (icanon echo):\n{after}"));
        }
        let flags = tmux(&[
            "display",
            "-p",
            "-t",
            name,
            "#{alternate_on} #{cursor_flag} #{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}#{mouse_sgr_flag}",
        ]);
        if flags.trim() != "0 1 0000" {
            return Err(format!(
                "{what}: alternate screen, cursor, mouse = {:?} (want \"0 1 0000\")",
                flags.trim()
            ));
        }
    } else {
        loop {
            let status = std::fs::read_to_string(&case.status_file).unwrap_or_default();
            if !status.trim().is_empty() {
                if status.trim() != case.end.status().to_string() {
                    return Err(format!("{what}: status {status:?}, wanted 129"));
                }
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("{what}: no status written (still running?)"));
            }
            sleep(Duration::from_millis(100));
        }
    }
    if let Some(pid) = case.pid
        && alive(pid)
    {
        return Err(format!("{what}: process {pid} left running"));
    }
    Ok(())
}

fn screens(tmp: &Path) -> Vec<Screen> {
    let big = tmp.join("big.pcap");
    big_capture(&big);
    vec![
        Screen {
            name: "scanning",
            args: format!("replay {}", big.display()),
            ready: "for TCP connections",
            open: None,
            quit: &["q"],
        },
        Screen {
            name: "picker",
            args: format!("replay {}", data("multi.pcap")),
            ready: "7 TCP connections",
            open: None,
            quit: &["q"],
        },
        Screen {
            name: "replay",
            args: format!("replay {}", data("echo.pcap")),
            ready: "inferred",
            open: None,
            quit: &["q"],
        },
        Screen {
            name: "help",
            args: format!("replay {}", data("echo.pcap")),
            ready: "inferred",
            open: Some(("?", "keys · ? or Esc closes")),
            quit: &["q"],
        },
        Screen {
            name: "lab",
            args: "lab".into(),
            ready: " SYN seq=0",
            open: None,
            quit: &["q"],
        },
        Screen {
            name: "message-entry",
            args: "lab".into(),
            ready: " SYN seq=0",
            open: Some(("s", "Enter sends · Esc cancels")),
            quit: &["Escape", "q"],
        },
    ]
}

#[test]
fn every_screen_gives_the_terminal_back_however_it_ends() {
    require_tmux();
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let tmp = std::env::temp_dir().join(format!("sockviz-terminal-restore-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("a temporary directory");
    let started = Instant::now();
    let mut failures = Vec::new();
    for screen in screens(&tmp) {
        let mut cases: Vec<Case> = ENDS
            .iter()
            .map(|&end| start_case(bin, &screen, end, &tmp))
            .collect();
        let mut problems = wait_all(&cases, 20, screen.ready);
        if let Some((keys, shows)) = screen.open
            && problems.is_empty()
        {
            for c in &cases {
                tmux(&["send-keys", "-t", &c.session.0, keys]);
            }
            problems = wait_all(&cases, 5, shows);
        }
        if !problems.is_empty() {
            failures.extend(
                problems
                    .into_iter()
                    .map(|p| format!("{}: {p}", screen.name)),
            );
            continue;
        }
        for c in &cases {
            // Still on this screen (the scan not finished yet) when the end comes.
            let screen_now = capture(&c.session.0);
            if !screen_now.contains(screen.open.map_or(screen.ready, |o| o.1)) {
                failures.push(format!(
                    "{}: {:?}: left the screen early:\n{screen_now}",
                    screen.name, c.end
                ));
            }
        }
        for c in &mut cases {
            let shell = tmux(&["list-panes", "-t", &c.session.0, "-F", "#{pane_pid}"]);
            c.pid = child_of(&shell);
        }
        for c in &cases {
            end_case(c, &screen);
        }
        for c in &cases {
            if let Err(e) = check_case(c, &screen) {
                failures.push(e);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        failures.is_empty(),
        "{} of 42 cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("42 cases in {:.1} s", started.elapsed().as_secs_f64());
}
