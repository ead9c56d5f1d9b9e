//! The `sockviz` binary: parse the command line, run the chosen mode, map errors to exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use sockviz::cli::{Command, LabArgs, RunArgs};
use sockviz::lab::{self, LabConfig, Prepared};
use sockviz::output_file::Existing;
// Everything printed that came from a file or a traced program shows its control characters.
use sockviz::text::Visible;

fn main() -> ExitCode {
    // The language first: `--help` and clap's headings are written in it.
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    sockviz::i18n::set(sockviz::i18n::Lang::from_args_and_env(&args));
    let cli = sockviz::cli::parse();
    let theme = sockviz::ui::Theme::pick(
        cli.theme.as_deref().and_then(sockviz::ui::ThemeName::parse),
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        sockviz::ui::Theme::light_background(std::env::var("COLORFGBG").ok().as_deref()),
    );
    let command = cli
        .command
        .unwrap_or_else(|| Command::Lab(LabArgs::default()));
    // The lab's private namespace must be entered while this process has one thread:
    // unshare(CLONE_NEWUSER) fails with EINVAL otherwise (LAB.md). Nothing before this line
    // starts a thread (clap parses on this one).
    let prepared = match &command {
        Command::Lab(args) if !args.list => Some(lab::prepare(&lab_config(args))),
        Command::Run(_) => Some(lab::prepare(&LabConfig::default())),
        Command::Lesson { host_loopback, .. } => Some(lab::prepare(&LabConfig {
            host_loopback: *host_loopback,
            ..LabConfig::default()
        })),
        _ => None,
    };
    // Reading files needs no capability: a setcap'd binary gives them up before it reads one
    // (the lab, server and client give them up once their capture is open).
    if !matches!(
        &command,
        Command::Lab(LabArgs { list: false, .. })
            | Command::Run(_)
            | Command::Lesson { .. }
            | Command::Server { .. }
            | Command::Client { .. }
    ) && let Err(e) = sockviz::privilege::drop_capabilities(sockviz::privilege::Keep::NOTHING)
    {
        say(format_args!(
            "sockviz: {}",
            sockviz::tr!("err.main.drop_caps", error = e)
        ));
    }
    match run(command, prepared, theme) {
        Ok(code) => code,
        Err(err) => match sockviz::ui::terminal::pending_signal() {
            // An error after a hangup or a signal is that signal's doing: its status, not 2.
            Some(n) => ExitCode::from(128u8.saturating_add(u8::try_from(n).unwrap_or(0))),
            None => {
                say(format_args!("sockviz: {err:#}"));
                ExitCode::from(2)
            }
        },
    }
}

/// A line on stderr that cannot panic: after a hangup stderr is a dead terminal, and
/// `eprintln!` would panic (exit status 101) where the shell expects 129.
fn say(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn lab_config(args: &LabArgs) -> LabConfig {
    LabConfig {
        scenario: args.scenario.clone(),
        mtu: args.mtu,
        host_loopback: args.host_loopback,
        port: args.port,
        link: args.link,
    }
}

/// 0 when the user quit; 128 + the signal's number when Ctrl-C, SIGINT, SIGTERM, SIGHUP or a
/// hangup ended the screen (the shell's convention), after the terminal was restored either way.
/// A signal that came while the screen was closing counts too.
fn screen_exit(ended: sockviz::ui::terminal::Ended) -> ExitCode {
    let ended = match (ended, sockviz::ui::terminal::pending_signal()) {
        (sockviz::ui::terminal::Ended::Quit, Some(n)) => sockviz::ui::terminal::Ended::Signal(n),
        (e, _) => e,
    };
    ExitCode::from(ended.exit_status())
}

/// `sockviz big.pcap | head` closes the pipe early: not an error.
fn finish_output(written: std::io::Result<()>) -> anyhow::Result<ExitCode> {
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn run(
    command: Command,
    prepared: Option<Prepared>,
    theme: sockviz::ui::Theme,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            sockviz::shell::completions(&shell, &mut out)?;
            finish_output(out.flush())
        }
        Command::Man { subcommand } => {
            let mut out = std::io::stdout().lock();
            sockviz::shell::man(subcommand.as_deref(), &mut out)?;
            finish_output(out.flush())
        }
        Command::Inspect { file, json } => {
            // Printed a connection at a time from the compact form the scan kept.
            let report = sockviz::inspect::read_file(&file, |_| {})?;
            // Stdout is line-buffered; the JSON of a big capture has millions of lines.
            let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = if json {
                let mut out = Visible::json(out);
                report.write_json(&mut out).and_then(|()| out.flush())
            } else {
                let mut out = Visible::text(out);
                report.write_table(&mut out).and_then(|()| out.flush())
            };
            finish_output(written)
        }
        Command::Lab(args) => {
            if args.list {
                let mut out = std::io::stdout().lock();
                let written = lab::scenario::ALL
                    .iter()
                    .try_for_each(|s| writeln!(out, "{:<12} {}", s.name, s.summary()));
                return finish_output(written);
            }
            let prepared = prepared.unwrap_or(Prepared::HostRequested);
            if lab::scenario::find(&args.scenario).is_none() {
                return Err(lab::LabError::UnknownScenario(args.scenario).into());
            }
            let existing = Existing::from_force(args.force);
            // Refused before the lab starts rather than after it ran (or in the status bar).
            if let Some(path) = &args.record {
                sockviz::output_file::check(path, existing)?;
            }
            if !args.headless && std::io::stdout().is_terminal() {
                let ended = sockviz::ui::launch::run_lab_recording(
                    &lab_config(&args),
                    &prepared,
                    theme,
                    args.record.clone().map(|p| (p, existing)),
                    args.quiz,
                )?;
                return Ok(screen_exit(ended));
            }
            let (timeline, summary, recorded) = match &args.record {
                Some(path) => {
                    let (tl, summary, outcome) = sockviz::record::run_recorded(
                        &lab_config(&args),
                        &prepared,
                        path,
                        existing,
                    )?;
                    (tl, summary, Some(outcome))
                }
                None => {
                    let (tl, summary) = lab::run(&lab_config(&args), &prepared)?;
                    (tl, summary, None)
                }
            };
            let out = std::io::stdout().lock();
            let written = if args.json {
                let mut out = Visible::json(out);
                sockviz::export::headless::write_json(&mut out, &timeline, &summary, args.quiz)
                    .and_then(|()| out.flush())
            } else {
                let mut out = Visible::text(out);
                sockviz::export::headless::write_transcript(
                    &mut out, &timeline, &summary, args.quiz,
                )
                .and_then(|()| out.flush())
            };
            let code = finish_output(written)?;
            if let Some(err) = recorded.as_ref().and_then(|o| o.error.as_ref()) {
                // A full disk is reported, not ignored: the timeline above is complete, the
                // file is not.
                say(format_args!("sockviz: {err}"));
                return Ok(ExitCode::from(1));
            }
            if let Some(f) = &summary.failure {
                say(format_args!(
                    "sockviz: {}",
                    sockviz::tr!(
                        "err.main.stopped_early",
                        scenario = summary.scenario,
                        failure = f
                    )
                ));
                return Ok(ExitCode::from(1));
            }
            Ok(code)
        }
        Command::Run(args) => run_program(args, prepared, theme),
        Command::Lesson {
            file,
            headless,
            json,
            host_loopback,
            port,
        } => {
            let lesson = sockviz::lesson::read(&file)?;
            let prepared = prepared.unwrap_or(Prepared::HostRequested);
            if !headless && !json && std::io::stdout().is_terminal() {
                let cfg = LabConfig {
                    host_loopback,
                    port,
                    ..LabConfig::default()
                };
                let ended = sockviz::ui::launch::run_lesson(lesson, &cfg, &prepared, theme)?;
                return Ok(screen_exit(ended));
            }
            let run = sockviz::lesson::headless::LessonRun {
                host_loopback,
                port,
                json,
            };
            let out = std::io::stdout().lock();
            let shown = file.display().to_string();
            let played = if json {
                let mut out = Visible::json(out);
                sockviz::lesson::headless::play(&mut out, &lesson, &shown, &prepared, &run)
            } else {
                let mut out = Visible::text(out);
                sockviz::lesson::headless::play(&mut out, &lesson, &shown, &prepared, &run)
            };
            let played = match played {
                Err(sockviz::lesson::headless::PlayError::Io(e)) => {
                    return finish_output(Err(e));
                }
                other => other?,
            };
            for (name, why) in &played.failures {
                say(format_args!(
                    "sockviz: {}",
                    sockviz::tr!("err.main.stopped_early", scenario = name, failure = why)
                ));
            }
            Ok(if played.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Server {
            port,
            bind,
            connections,
            json,
        } => {
            lab::peer::serve(bind, port, connections, lab::peer::PeerOutput { json })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Client {
            host,
            port,
            message,
            json,
        } => {
            lab::peer::client(
                &host,
                port,
                message.as_deref(),
                lab::peer::PeerOutput { json },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            file,
            conn,
            headless,
            json,
            quiz,
            pace,
            speed,
        } => {
            if headless || json || !std::io::stdout().is_terminal() {
                let loaded = sockviz::open::SourceFile::open(&file)?.transcript(conn)?;
                let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                let written = if json {
                    let mut out = Visible::json(out);
                    sockviz::record::headless::write_json(&mut out, &file, &loaded, quiz)
                        .and_then(|()| out.flush())
                } else {
                    let mut out = Visible::text(out);
                    sockviz::record::headless::write_transcript(&mut out, &file, &loaded, quiz)
                        .and_then(|()| out.flush())
                };
                return finish_output(written);
            }
            let options = sockviz::ui::replay::ReplayOptions {
                conn,
                lecture_pace: pace != "original",
                speed: speed.clamp(0.1, 100.0),
                quiz,
            };
            let ended = sockviz::ui::replay::run(file, options, theme)?;
            Ok(screen_exit(ended))
        }
        Command::Export {
            file,
            format,
            conn,
            out,
            force,
            phase,
            events,
            view,
        } => {
            use sockviz::export::{Cut, EventRange, Selection, SlidePhase, View};
            let format = sockviz::export::Format::parse(&format)
                .ok_or_else(|| anyhow::anyhow!(sockviz::tr!("err.main.format", format = format)))?;
            let out = out.as_deref().map(|p| (p, Existing::from_force(force)));
            let cut =
                match (phase.as_deref(), events.as_deref()) {
                    (Some("all"), _) => Cut::AllSlides,
                    (Some(p), _) => Cut::Phase(SlidePhase::parse(p).ok_or_else(|| {
                        anyhow::anyhow!(sockviz::tr!("err.main.phase", phase = p))
                    })?),
                    (None, Some(e)) => Cut::Events(EventRange::parse(e).ok_or_else(|| {
                        anyhow::anyhow!(sockviz::tr!("err.main.events", events = e))
                    })?),
                    (None, None) => Cut::Whole,
                };
            let view = view.as_deref().and_then(View::parse).unwrap_or_default();
            let selection = Selection { cut, view };
            sockviz::export::export(&file, format, conn, out, theme, selection)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `sockviz run [OPTIONS] -- CMD`: the screens, or the lab's transcript/JSON lines.
fn run_program(
    args: RunArgs,
    prepared: Option<Prepared>,
    theme: sockviz::ui::Theme,
) -> anyhow::Result<ExitCode> {
    use sockviz::lab::run::{Output, RunConfig};
    let prepared = prepared.unwrap_or(Prepared::HostRequested);
    let existing = Existing::from_force(args.force);
    if let Some(path) = &args.record {
        sockviz::output_file::check(path, existing)?;
    }
    // Refused before any screen opens (the screens' thread would have nowhere to say it).
    for program in args.programs() {
        let first = program.first().map(String::as_str).unwrap_or_default();
        if sockviz::trace::spawn::resolve(first).is_none() {
            return Err(sockviz::trace::SpawnError::NotFound(first.to_string()).into());
        }
    }
    let screen = !args.headless && !args.json && std::io::stdout().is_terminal();
    let shown_after = screen
        .then(|| std::env::temp_dir().join(format!("sockviz-run-{}.out", std::process::id())));
    let cfg = RunConfig {
        programs: args.programs(),
        mtu: args.mtu,
        port: args.port,
        server: !args.no_server && !args.client,
        client: args.client,
        output: match (&shown_after, args.json) {
            (Some(path), _) => Output::File(path.clone()),
            (None, true) => Output::Stderr,
            (None, false) => Output::Terminal,
        },
        trace: !args.no_trace,
    };
    if let Some(path) = shown_after {
        let ended = sockviz::ui::launch::run_program(
            &cfg,
            prepared,
            theme,
            args.record.clone().map(|p| (p, existing)),
            args.quiz,
        );
        // The program's output, now that the terminal is the shell's again.
        if let Ok(text) = std::fs::read(&path) {
            let _ = std::io::stdout().write_all(&text);
        }
        let _ = std::fs::remove_file(&path);
        return Ok(screen_exit(ended?));
    }
    let (timeline, summary, recorded) = match &args.record {
        Some(path) => {
            let (tl, summary, outcome) = sockviz::record::session::record_with(
                path,
                existing,
                |tx| lab::run::run_live(&cfg, &prepared, lab::probe::now(), tx),
                |s| &s.lab,
                lab::run::RunError::Thread,
            )?;
            (tl, summary, Some(outcome))
        }
        None => {
            let (tl, summary) = lab::run::run(&cfg, &prepared)?;
            (tl, summary, None)
        }
    };
    let out = std::io::stdout().lock();
    let written = if args.json {
        let mut out = Visible::json(out);
        sockviz::export::headless::write_json(&mut out, &timeline, &summary.lab, args.quiz)
            .and_then(|()| out.flush())
    } else {
        let mut out = Visible::text(out);
        sockviz::export::headless::write_transcript(&mut out, &timeline, &summary.lab, args.quiz)
            .and_then(|()| out.flush())
    };
    finish_output(written)?;
    if let Some(err) = recorded.as_ref().and_then(|o| o.error.as_ref()) {
        say(format_args!("sockviz: {err}"));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::from(
        u8::try_from(summary.exit_status()).unwrap_or(1),
    ))
}
