//! Command-line interface: what `sockviz --help` says.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Make TCP sockets visible: a live echo lab, capture replay and a connection inspector.
#[derive(Debug, Parser)]
#[command(
    name = "sockviz",
    version,
    about,
    after_help = "Examples:\n  sockviz                     start the echo lab (same as `sockviz lab`)\n  sockviz inspect trace.pcap  list the TCP connections in a capture\n  sockviz replay trace.pcapng step through a capture in the terminal"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a real echo server and client, capture their traffic and animate it (the default).
    #[command(after_help = "Example:\n  sockviz lab")]
    Lab,
    /// Step through a pcap/pcapng capture (tcpdump, Wireshark) or a sockviz recording.
    #[command(after_help = "Example:\n  sockviz replay trace.pcapng")]
    Replay {
        /// The capture file to open.
        file: PathBuf,
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
}
