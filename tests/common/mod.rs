//! Shared by the integration tests: run the real `sockviz` binary on the checked-in captures
//! (`tests/data`, made by `tests/fixtures/make-captures.sh`) and read its `inspect --json` output.
//!
//! The JSON is read into test-side structs rather than the library's own `Report`, so these tests
//! check the documented schema (field names and meanings) and not just a serde round trip.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

/// `tests/data/<rel>`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// Every capture file directly in `tests/data/<dir>` (sorted; README and others skipped).
pub fn captures_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(dir))
        .unwrap_or_else(|e| panic!("reading tests/data/{dir}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    files.sort();
    files
}

/// Run `sockviz inspect FILE --json`.
pub fn run_inspect(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .arg("inspect")
        .arg(path)
        .arg("--json")
        .output()
        .expect("running the sockviz binary")
}

/// `sockviz inspect FILE --json`, which must succeed, parsed.
pub fn inspect(path: &Path) -> Report {
    let out = run_inspect(path);
    assert!(
        out.status.success(),
        "sockviz inspect {} --json exited with {}; stderr:\n{}",
        path.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "inspect --json output for {} is not the documented JSON ({e}):\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `inspect` on `tests/data/<rel>`.
pub fn inspect_data(rel: &str) -> Report {
    inspect(&data(rel))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    pub packets_total: u64,
    pub non_tcp_packets: u64,
    #[serde(default)]
    pub undecodable_packets: u64,
    #[serde(default)]
    pub truncated_packets: u64,
    pub connections: Vec<Conn>,
    pub warnings: Vec<String>,
}

impl Report {
    /// The one connection whose client is `client` (panics when there is not exactly one).
    pub fn by_client(&self, client: &str) -> &Conn {
        let found: Vec<&Conn> = self
            .connections
            .iter()
            .filter(|c| c.client == client)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one connection from {client}, got {}: {:#?}",
            found.len(),
            self.connections
        );
        found[0]
    }

    pub fn only(&self) -> &Conn {
        assert_eq!(
            self.connections.len(),
            1,
            "expected one connection: {:#?}",
            self.connections
        );
        &self.connections[0]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PerDirection {
    pub to_server: u64,
    pub to_client: u64,
}

/// Shorthand for an expected [`PerDirection`].
pub fn dir(to_server: u64, to_client: u64) -> PerDirection {
    PerDirection {
        to_server,
        to_client,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Flags {
    pub syn: u64,
    pub syn_ack: u64,
    pub fin: u64,
    pub rst: u64,
}

/// The `analysis` object: one count per `tcp.analysis.*` flag tshark would set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Analysis {
    pub retransmission: u64,
    pub fast_retransmission: u64,
    pub spurious_retransmission: u64,
    pub out_of_order: u64,
    pub dup_ack: u64,
    pub zero_window: u64,
    pub zero_window_probe: u64,
    pub window_full: u64,
    pub window_update: u64,
    pub keep_alive: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct States {
    pub client: String,
    pub server: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Conn {
    pub id: u32,
    pub client: String,
    pub server: String,
    pub start: f64,
    pub duration: f64,
    pub packets: PerDirection,
    pub bytes: PerDirection,
    pub payload_bytes: PerDirection,
    pub flags: Flags,
    pub analysis: Analysis,
    pub handshake_seen: bool,
    pub mid_stream: bool,
    pub half_close: bool,
    pub final_state: States,
}

impl Conn {
    pub fn states(&self) -> (&str, &str) {
        (&self.final_state.client, &self.final_state.server)
    }
}

/// Assert that `variant` is `base` re-wrapped: the same connection, with every frame's length
/// changed by `link_delta` bytes (the size difference of the link-layer headers).
pub fn assert_same_connection(base: &Conn, variant: &Conn, link_delta: i64, what: &str) {
    let ctx = format!("{what}: {} -> {}", base.client, base.server);
    assert_eq!(variant.client, base.client, "{ctx}: client");
    assert_eq!(variant.server, base.server, "{ctx}: server");
    assert_eq!(variant.packets, base.packets, "{ctx}: packets");
    let shifted = |bytes: u64, packets: u64| -> u64 {
        u64::try_from(bytes as i64 + link_delta * packets as i64).expect("non-negative")
    };
    assert_eq!(
        variant.bytes,
        dir(
            shifted(base.bytes.to_server, base.packets.to_server),
            shifted(base.bytes.to_client, base.packets.to_client)
        ),
        "{ctx}: bytes (base {:?}, {link_delta:+} per frame)",
        base.bytes
    );
    assert_eq!(variant.payload_bytes, base.payload_bytes, "{ctx}: payload");
    assert_eq!(variant.flags, base.flags, "{ctx}: flags");
    assert_eq!(variant.analysis, base.analysis, "{ctx}: analysis");
    assert_eq!(
        variant.handshake_seen, base.handshake_seen,
        "{ctx}: handshake"
    );
    assert_eq!(variant.mid_stream, base.mid_stream, "{ctx}: mid_stream");
    assert_eq!(variant.half_close, base.half_close, "{ctx}: half_close");
    assert_eq!(variant.final_state, base.final_state, "{ctx}: final_state");
    assert!(
        (variant.duration - base.duration).abs() < 1e-9,
        "{ctx}: duration {} vs base {}",
        variant.duration,
        base.duration
    );
}
