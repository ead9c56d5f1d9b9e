//! Command-line interface: the options, parsed by clap. What `sockviz --help` says about them
//! is text in the language files (`cli.…` keys in `assets/i18n/en.txt` and `ko.txt`), put on
//! the definitions by [`command`]; a test checks every command and option has its text in both.

use std::path::PathBuf;

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::i18n;

/// Make TCP sockets visible: a live echo lab, capture replay and a connection inspector.
#[derive(Debug, Parser)]
#[command(
    name = "sockviz",
    version,
    about,
    after_help = "Examples:\n  sockviz                     start the echo lab (same as `sockviz lab`)\n  sockviz run -- python3 client.py  your own program's calls, packets and sockets\n  sockviz inspect trace.pcap  list the TCP connections in a capture\n  sockviz replay trace.pcapng step through a capture in the terminal"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Colours of the terminal screens: dark, light, contrast (also `projector`: its own black
    /// background, reads on black and white screens alike) or mono (also chosen when NO_COLOR is
    /// set; light is chosen when COLORFGBG says the background is white).
    #[arg(long, global = true, value_parser = ["dark", "light", "contrast", "projector", "mono"])]
    pub theme: Option<String>,
    #[arg(long, global = true, value_parser = ["en", "ko"])]
    pub lang: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a real echo server and client, capture their traffic and animate it (the default).
    ///
    /// The lab runs in a private network namespace it creates itself, so capturing needs no
    /// root: only the lab's own traffic exists there, on a loopback with MTU 1500 and TSO/GSO off.
    #[command(
        after_help = "Examples:\n  sockviz lab --list\n  sockviz lab --scenario segments --headless\n  sockviz lab --scenario slow-reader --headless --json | jq -c 'select(.kind==\"segment\")'\n  sockviz lab --scenario echo --headless --json --record echo.pcapng\n  sockviz lab --record lecture.pcapng   (in the terminal screens, Ctrl-R also starts/stops recording)\n\nExit status: 0 when the scenario ran to its end, 1 when it stopped early or the recording failed (disk full), 2 when the lab could not start."
    )]
    Lab(LabArgs),
    /// Run your own program in the lab: its socket calls, packets and sockets on one timeline.
    ///
    /// The program runs in the lab's private namespace (loopback MTU 1500, TSO off), traced with
    /// ptrace (no root needed for one's own child), beside the lab's echo server on 127.0.0.1:7.
    #[command(
        after_help = "Examples:\n  sockviz run -- python3 examples/echo_client.py\n  sockviz run --no-server -- python3 examples/echo_server.py ::: python3 examples/echo_client.py\n  sockviz run --client -- python3 examples/echo_server.py\n  sockviz run --headless --json -- python3 client.py | jq -c 'select(.kind==\"call\")'\n\nExit status: the program's own (the first that failed), 2 when it could not start."
    )]
    Run(RunArgs),
    /// Run the lecture's echo server for clients you did not write (Python, nc).
    ///
    /// Captures on the host (needs capture rights: run as root or
    /// `sudo setcap cap_net_raw,cap_net_admin=eip $(which sockviz)`); without them the calls and
    /// probes are still shown.
    #[command(
        after_help = "Listens on 127.0.0.1 (this machine only) unless --bind says otherwise.\n\nExample:\n  sockviz server --port 7007 &\n  python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', 7007)); s.send('Hello, 대한민국!'.encode()); print(s.recv(1024).decode())\""
    )]
    Server {
        /// Port to listen on (the lecture's echo port is 7, which needs root outside the lab).
        #[arg(long, default_value_t = 7)]
        port: u16,
        /// The address to listen on: 127.0.0.1 lets only this machine connect; 0.0.0.0 (or
        /// one of this machine's addresses) lets other machines connect too.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::Ipv4Addr,
        /// Exit after serving this many connections (default: serve until interrupted).
        #[arg(long)]
        connections: Option<u64>,
        /// Print JSON lines instead of a transcript.
        #[arg(long)]
        json: bool,
    },
    /// Talk to any echo server as the lecture's client: connect, send, recv(1024), close.
    #[command(after_help = "Example:\n  sockviz client 127.0.0.1 7007")]
    Client {
        /// The server's address: an IPv4 or IPv6 address or a host name (as `connect((HOST, PORT))`).
        host: String,
        /// The server's TCP port (1-65535), e.g. 7007 for `sockviz server`.
        port: u16,
        /// The message to send (default: the lecture's `Hello, 대한민국!`).
        #[arg(long)]
        message: Option<String>,
        /// Print JSON lines instead of a transcript.
        #[arg(long)]
        json: bool,
    },
    /// Step through a pcap/pcapng capture (tcpdump, Wireshark) or a sockviz recording.
    ///
    /// A recording (`sockviz lab --record`) plays with its calls, probes and buffers; any other
    /// capture plays the wire only, with states and buffer fill inferred (and labelled so).
    #[command(
        after_help = "Examples:\n  sockviz replay lecture.pcapng\n  sockviz replay trace.pcap --conn 2 --pace original --speed 0.5\n  sockviz replay lecture.pcapng --headless --json   # the lab's JSON lines, for diffing"
    )]
    Replay {
        /// The capture file to open.
        file: PathBuf,
        /// Which TCP connection to show (0-based, in order of first appearance; see `inspect`).
        /// Without it, a file with several connections opens a picker (a recording's also
        /// offers the whole session); --headless prints them all.
        #[arg(long)]
        conn: Option<usize>,
        /// Print the timeline instead of showing it: a transcript, or JSON lines with --json.
        #[arg(long)]
        headless: bool,
        /// The lab's JSON lines (`lab --headless --json`), then a summary line (implies --headless).
        #[arg(long)]
        json: bool,
        /// Predict, then reveal: before chosen events playback stops and asks what comes next
        /// (`Q` turns it on and off in the screens); with --headless each question and its
        /// answer is printed before its event, with --json as a `question` line.
        #[arg(long)]
        quiz: bool,
        /// Timing: `lecture` (every arrow takes the same time) or `original` (recorded times,
        /// slowed 1000x so loopback traffic is visible, then by --speed).
        #[arg(long, value_parser = ["lecture", "original"], default_value = "lecture")]
        pace: String,
        /// Playback speed factor (0.1 to 100).
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
    /// Turn a recording or capture into a slide (svg), a handout (txt) or a terminal movie (cast).
    #[command(
        after_help = "Examples:\n  sockviz export lecture.pcapng --format svg --phase handshake --out handshake.svg\n  sockviz export lecture.pcapng --format svg --events 12..40 --out part.svg   (part-1.svg, part-2.svg … when it takes several slides)\n  sockviz export lecture.pcapng --format svg --view stream-map --out bytes.svg\n  sockviz export lecture.pcapng --format svg --out handout.svg   (the whole ladder, one tall page)\n  sockviz export trace.pcap --format txt --conn 1\n  sockviz export lecture.pcapng --format cast --out lecture.cast && asciinema play lecture.cast\n\nThe cast has a marker at each milestone (SYN, ESTABLISHED, first data, FIN, CLOSED): asciinema's player jumps between them."
    )]
    Export {
        /// A sockviz recording or any pcap/pcapng capture.
        file: PathBuf,
        #[arg(long, value_parser = ["svg", "txt", "cast"])]
        format: String,
        /// Which TCP connection (0-based, as `inspect` numbers them). Default: a recording's
        /// whole lab session (every connection of the lesson), a capture's first connection (0).
        #[arg(long)]
        conn: Option<usize>,
        /// Where to write (default: standard output). The file appears once complete; an
        /// existing file is kept unless --force.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists (a symbolic link is never written through).
        #[arg(long)]
        force: bool,
        /// With --format svg: 16:9 slides (1280×720, text at least 18 px) of one phase:
        /// handshake (to the connection's establishment, before any data), data, teardown (from
        /// the first FIN or RST), or all (every event, as many slides as it takes).
        #[arg(long, value_parser = ["handshake", "data", "teardown", "all"], conflicts_with = "events")]
        phase: Option<String>,
        /// With --format svg: 16:9 slides of events FIRST..LAST (1-based and inclusive, the
        /// numbers the slides print beside each row and the scrubber shows as `event N/M`).
        #[arg(long, value_name = "FIRST..LAST")]
        events: Option<String>,
        /// With --format svg: the ladder (default) or the stream map (sends, segments and
        /// recvs over the stream's bytes: no record boundaries), as a 16:9 slide.
        #[arg(long, value_parser = ["ladder", "stream-map"])]
        view: Option<String>,
    },
    /// Play a lecture script: scenarios in order with headings, notes, pauses and questions.
    #[command(
        after_help = "Examples:\n  sockviz lesson examples/lesson-sockets.txt\n  sockviz lesson examples/lesson-sockets.txt --headless\n  sockviz lesson my-class.txt --headless --json | jq -c 'select(.kind==\"question\")'\n\nThe script, one directive a line:\n  title TEXT | section TEXT | note TEXT | scenario NAME | quiz on|off|KINDS | pause\nKINDS: flags,seq_ack,recv,state,send_blocks. \"# \" starts a comment.\n\nExit status: 0 when every scenario ran to its end, 1 when one stopped early, 2 when the script or the lab cannot be used."
    )]
    Lesson {
        /// The lecture script (see `examples/lesson-sockets.txt`).
        file: PathBuf,
        /// Print the lesson instead of showing it: a transcript with the questions and answers.
        #[arg(long)]
        headless: bool,
        /// JSON lines: `lesson`, `section`, `lesson_note`, `pause`, and each scenario's lab
        /// lines with its `question` lines and summary (implies --headless).
        #[arg(long)]
        json: bool,
        /// Use the host's loopback instead of a private namespace (see `lab --host-loopback`).
        #[arg(long)]
        host_loopback: bool,
        /// The echo server's port (default 7; 7007 on the host loopback without root).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Print the TCP connections in a pcap/pcapng capture, like `tshark -q -z conv,tcp`.
    #[command(
        after_help = "Examples:\n  sockviz inspect trace.pcap\n  sockviz inspect trace.pcapng --json | jq '.connections[0].final_state'\n\nExit status: 0 when the file was read (warnings go to the report), 2 when it cannot be used."
    )]
    Inspect {
        /// The capture file to read (pcap or pcapng, any supported link type).
        file: PathBuf,
        /// Print one JSON object instead of the table (schema in the README).
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script for bash, zsh or fish, made from these definitions.
    #[command(
        after_help = "`bash scripts/dev completions` installs them and the manual pages. By hand:\n  sockviz completions bash > ~/.local/share/bash-completion/completions/sockviz\n  sockviz completions zsh > ~/.local/share/zsh/site-functions/_sockviz   (a directory in $fpath)\n  sockviz completions fish > ~/.config/fish/completions/sockviz.fish"
    )]
    Completions {
        /// The shell: bash, zsh or fish.
        #[arg(value_parser = ["bash", "zsh", "fish"])]
        shell: String,
    },
    /// Print the manual page (roff), made from these definitions: `sockviz man | man -l -`.
    Man {
        /// A subcommand's own page (`sockviz man lab` is sockviz-lab(1)); default: sockviz(1).
        subcommand: Option<String>,
    },
}

/// Options of `sockviz lab`.
#[derive(Debug, Clone, clap::Args)]
pub struct LabArgs {
    /// The scenario to run (see `--list`).
    #[arg(long, default_value = "echo")]
    pub scenario: String,
    /// List the scenarios, one per line, and exit.
    #[arg(long)]
    pub list: bool,
    /// Run without the terminal animation and print the timeline.
    #[arg(long)]
    pub headless: bool,
    /// With --headless: one JSON object per event per line, then a summary line.
    #[arg(long)]
    pub json: bool,
    /// Predict, then reveal: before chosen events playback stops and asks what comes next
    /// (`Q` turns it on and off in the screens); with --headless each question and its answer
    /// is printed before its event, with --json as a `question` line.
    #[arg(long)]
    pub quiz: bool,
    /// The loopback MTU inside the lab's namespace.
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(576..=65536))]
    pub mtu: u32,
    /// Use the host's loopback instead of a private namespace (capture needs root or
    /// cap_net_raw; the host's lo keeps its MTU and TSO).
    #[arg(long)]
    pub host_loopback: bool,
    /// The echo server's port (default 7; 7007 on the host loopback without root).
    #[arg(long)]
    pub port: Option<u16>,
    /// Record the session to this pcapng file (packets, calls, probes; Wireshark opens it,
    /// `sockviz replay` plays it).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Replace the --record file if it exists (a symbolic link is never written through).
    #[arg(long)]
    pub force: bool,
    /// Put the client and the server on two hosts joined by a link sockviz carries, e.g.
    /// `rtt=80ms,rate=1mbit,loss=2%` (keys rtt, delay, rate, queue, loss, reorder, seed; see
    /// the README's "link" section). Link scenarios pick one when this is not given.
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

/// Options of `sockviz run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Print the timeline instead of showing it (the program keeps the terminal's stdin).
    #[arg(long)]
    pub headless: bool,
    /// With --headless: JSON lines as `lab --headless --json` (the program's stdout goes to
    /// stderr).
    #[arg(long)]
    pub json: bool,
    /// Predict, then reveal, on your own program's timeline: the screen stops before chosen
    /// events and asks (`Q` turns it on and off); with --headless each question and its answer
    /// is printed before its event, with --json as a `question` line.
    #[arg(long)]
    pub quiz: bool,
    /// The loopback MTU inside the lab's namespace.
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(576..=65536))]
    pub mtu: u32,
    /// The port of the lab's echo server, or that --client connects to.
    #[arg(long, default_value_t = 7)]
    pub port: u16,
    /// Leave the port free for your own server (no lab echo server).
    #[arg(long)]
    pub no_server: bool,
    /// Once the program listens on the port, the lab's client connects, sends the lecture's
    /// message, shuts down its sending side and reads until b'' (implies --no-server).
    #[arg(long)]
    pub client: bool,
    /// Run untraced: packets and sockets only (for a program making very many calls, or to
    /// compare the tracer's cost).
    #[arg(long)]
    pub no_trace: bool,
    /// Record the session to this pcapng file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Replace the --record file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The program and its arguments; `:::` separates two programs run together (the second
    /// starts once the first listens).
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
