//! The `sockviz` binary: parse the command line, run the chosen mode, map errors to exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use sockviz::cli::{Cli, Command, LabArgs};
use sockviz::lab::{self, LabConfig, Prepared};
use sockviz::output_file::Existing;
// Everything printed that came from a file or a traced program shows its control characters.
use sockviz::text::Visible;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        _ => None,
    };
    // Reading files needs no capability: a setcap'd binary gives them up before it reads one
    // (the lab, server and client give them up once their capture is open).
    if !matches!(
        &command,
        Command::Lab(LabArgs { list: false, .. }) | Command::Server { .. } | Command::Client { .. }
    ) && let Err(e) = sockviz::privilege::drop_capabilities(sockviz::privilege::Keep::NOTHING)
    {
        say(format_args!("sockviz: cannot drop capabilities: {e}"));
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
                    .try_for_each(|s| writeln!(out, "{:<12} {}", s.name, s.summary));
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
                sockviz::export::headless::write_json(&mut out, &timeline, &summary)
                    .and_then(|()| out.flush())
            } else {
                let mut out = Visible::text(out);
                sockviz::export::headless::write_transcript(&mut out, &timeline, &summary)
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
                    "sockviz: the {} scenario stopped early: {f}",
                    summary.scenario
                ));
                return Ok(ExitCode::from(1));
            }
            Ok(code)
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
            pace,
            speed,
        } => {
            if headless || json || !std::io::stdout().is_terminal() {
                let loaded = sockviz::open::SourceFile::open(&file)?.transcript(conn)?;
                let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                let written = if json {
                    let mut out = Visible::json(out);
                    sockviz::record::headless::write_json(&mut out, &file, &loaded)
                        .and_then(|()| out.flush())
                } else {
                    let mut out = Visible::text(out);
                    sockviz::record::headless::write_transcript(&mut out, &file, &loaded)
                        .and_then(|()| out.flush())
                };
                return finish_output(written);
            }
            let options = sockviz::ui::replay::ReplayOptions {
                conn,
                lecture_pace: pace != "original",
                speed: speed.clamp(0.1, 100.0),
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
        } => {
            let format = sockviz::export::Format::parse(&format)
                .ok_or_else(|| anyhow::anyhow!("unknown export format {format}"))?;
            let out = out.as_deref().map(|p| (p, Existing::from_force(force)));
            sockviz::export::export(&file, format, conn, out, theme)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
