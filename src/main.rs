//! The `sockviz` binary: parse the command line, run the chosen mode, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use sockviz::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Lab)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sockviz: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Inspect { file, json } => {
            let report = sockviz::inspect::inspect_file(&file)?;
            // Stdout is line-buffered; the JSON of a big capture has millions of lines.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = if json {
                report.write_json(&mut out)
            } else {
                report.write_table(&mut out)
            };
            match written.and_then(|()| out.flush()) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                // `sockviz inspect big.pcap | head` closes the pipe early: not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
                Err(e) => Err(e.into()),
            }
        }
        Command::Lab => {
            eprintln!(
                "sockviz: the live echo lab is not built yet. For now, read captures with \
                 `sockviz inspect FILE` (see `sockviz --help`)."
            );
            Ok(ExitCode::from(2))
        }
        Command::Replay { file } => {
            eprintln!(
                "sockviz: the replay screen is not built yet. `sockviz inspect {}` lists its \
                 connections.",
                file.display()
            );
            Ok(ExitCode::from(2))
        }
    }
}
