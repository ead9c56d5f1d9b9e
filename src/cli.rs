//! Command-line interface: the options, parsed by clap. What `sockviz --help` says about them
//! is text in the language files (`cli.…` keys in `assets/i18n/en.txt` and `ko.txt`), put on
//! the definitions by [`command`]; a test checks every command and option has its text in both.

use std::path::PathBuf;

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::i18n;

#[derive(Debug, Parser)]
#[command(name = "sockviz", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[arg(long, global = true, value_parser = ["dark", "light", "contrast", "projector", "mono"])]
    pub theme: Option<String>,
    #[arg(long, global = true, value_parser = ["en", "ko"])]
    pub lang: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Lab(LabArgs),
    Run(RunArgs),
    Server {
        #[arg(long, default_value_t = 7)]
        port: u16,
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::Ipv4Addr,
        #[arg(long)]
        connections: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    Client {
        host: String,
        port: u16,
        #[arg(long)]
        message: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Replay {
        file: PathBuf,
        #[arg(long)]
        conn: Option<usize>,
        #[arg(long)]
        headless: bool,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        quiz: bool,
        #[arg(long, value_parser = ["lecture", "original"], default_value = "lecture")]
        pace: String,
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
    Export {
        file: PathBuf,
        #[arg(long, value_parser = ["svg", "txt", "cast"])]
        format: String,
        #[arg(long)]
        conn: Option<usize>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        force: bool,
        #[arg(long, value_parser = ["handshake", "data", "teardown", "all"], conflicts_with = "events")]
        phase: Option<String>,
        #[arg(long, value_name = "FIRST..LAST")]
        events: Option<String>,
        #[arg(long, value_parser = ["ladder", "stream-map"])]
        view: Option<String>,
    },
    Lesson {
        file: PathBuf,
        #[arg(long)]
        headless: bool,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        host_loopback: bool,
        #[arg(long)]
        port: Option<u16>,
    },
    Inspect {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    Completions {
        #[arg(value_parser = ["bash", "zsh", "fish"])]
        shell: String,
    },
    Man {
        subcommand: Option<String>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct LabArgs {
    #[arg(long, default_value = "echo")]
    pub scenario: String,
    #[arg(long)]
    pub list: bool,
    #[arg(long)]
    pub headless: bool,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub quiz: bool,
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(576..=65536))]
    pub mtu: u32,
    #[arg(long)]
    pub host_loopback: bool,
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_name = "KEY=VALUE,...")]
    pub link: Option<crate::lab::link::LinkSpec>,
}

impl Default for LabArgs {
    /// What plain `sockviz` runs: the lecture's echo.
    fn default() -> Self {
        LabArgs {
            scenario: "echo".into(),
            list: false,
            headless: false,
            json: false,
            quiz: false,
            mtu: 1500,
            host_loopback: false,
            port: None,
            record: None,
            force: false,
            link: None,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    pub headless: bool,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub quiz: bool,
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(576..=65536))]
    pub mtu: u32,
    #[arg(long, default_value_t = 7)]
    pub port: u16,
    #[arg(long)]
    pub no_server: bool,
    #[arg(long)]
    pub client: bool,
    #[arg(long)]
    pub no_trace: bool,
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

impl RunArgs {
    /// The programs: `a b ::: c d` is `[[a, b], [c, d]]`.
    pub fn programs(&self) -> Vec<Vec<String>> {
        self.command
            .split(|a| a == ":::")
            .filter(|p| !p.is_empty())
            .map(<[String]>::to_vec)
            .collect()
    }
}

/// The command line in the current language ([`i18n::set`] first): about, after-help and
/// every option's help from the language file, clap's own headings and notes too.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // Built first, so clap's own parts (help, version, the `help` subcommand, global options
    // copied into each subcommand) exist to be given their words.
    cmd.build();
    localize(cmd, "cli")
}

/// Parse this process's arguments with [`command`]; on a mistake or `--help`, clap prints and
/// exits as usual.
pub fn parse() -> Cli {
    let mut cmd = command();
    let matches = cmd.clone().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

fn localize(mut cmd: clap::Command, prefix: &str) -> clap::Command {
    let text = |what: &str| i18n::lookup(&format!("{prefix}.{what}"));
    if let Some(t) = text("about") {
        cmd = cmd.about(t);
    }
    if let Some(t) = text("long_about") {
        cmd = cmd.long_about(t);
    }
    if let Some(t) = text("after_help") {
        cmd = cmd.after_help(t);
    }
    let usage = i18n::t("cli.heading.usage");
    cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
        ))
        .subcommand_help_heading(i18n::t("cli.heading.commands"));
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let help = i18n::lookup(&format!("{prefix}.arg.{id}"))
            .or_else(|| i18n::lookup(&format!("cli.arg.{id}")));
        cmd = cmd.mut_arg(&id, |arg| localize_arg(arg, help));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_prefix = format!("{prefix}.{name}");
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &sub_prefix));
    }
    cmd
}

/// One option's help, heading and clap's `[default: …]` / `[possible values: …]` notes.
fn localize_arg(mut arg: Arg, help: Option<&'static str>) -> Arg {
    let mut text = match help {
        Some(t) => t.to_string(),
        None => arg
            .get_long_help()
            .or(arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default(),
    };
    if !arg.is_hide_default_value_set() && !matches!(arg.get_action(), ArgAction::SetTrue) {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            let note = crate::tr!("cli.note.default", value = defaults.join(", "));
            text = format!("{text} [{note}]");
            arg = arg.hide_default_value(true);
        }
    }
    if !arg.is_hide_possible_values_set() {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !matches!(arg.get_action(), ArgAction::SetTrue) {
            let note = crate::tr!("cli.note.possible", values = values.join(", "));
            text = format!("{text} [{note}]");
            arg = arg.hide_possible_values(true);
        }
    }
    let heading = if arg.is_positional() {
        i18n::t("cli.heading.arguments")
    } else {
        i18n::t("cli.heading.options")
    };
    arg.help(text.trim().to_string()).help_heading(heading)
}
