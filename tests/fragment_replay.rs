//! `sockviz replay` of a plain capture whose TCP segments arrive as IP fragments: the
//! connection read back from the compact index (`--conn N`) holds each segment rebuilt from
//! its fragments, at its full length, exactly as `inspect` counts it.

mod common;
mod encap_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{data, inspect};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn built_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fragment_replay");
    std::fs::create_dir_all(&dir).expect("creating the test's capture directory");
    dir
}

/// `replay FILE --headless --json --conn N`: its JSON lines.
fn replay_conn(path: &Path, conn: usize) -> Vec<Value> {
    let out = Command::new(BIN)
        .arg("replay")
        .arg(path)
        .args(["--headless", "--json", "--conn", &conn.to_string()])
        .output()
        .expect("running sockviz replay");
    assert!(
        out.status.success(),
        "replay {} --conn {conn}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Every connection of `path`: `replay --conn N` holds as many segments as `inspect --json`
/// counts packets for it, and as many payload bytes. Returns (segments, largest segment) of
/// every connection, for the figures.
fn replay_matches_inspect(path: &Path) -> Vec<(u64, u64)> {
    let report = inspect(path);
    assert!(!report.connections.is_empty(), "{}", path.display());
    let mut figures = Vec::new();
    for (k, conn) in report.connections.iter().enumerate() {
        let lines = replay_conn(path, k);
        let segments: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "segment").collect();
        let packets = conn.packets.to_server + conn.packets.to_client;
        assert_eq!(
            segments.len() as u64,
            packets,
            "{} --conn {k}: segments replayed vs inspect's packets",
            path.display()
        );
        let summary = lines
            .iter()
            .find(|l| l["kind"] == "summary")
            .expect("a summary line");
        assert_eq!(summary["segments"].as_u64(), Some(packets));
        assert_eq!(summary["frames"].as_u64(), Some(packets));
        let lens: Vec<u64> = segments.iter().filter_map(|s| s["len"].as_u64()).collect();
        assert_eq!(lens.len(), segments.len(), "every segment has a length");
        assert_eq!(
            lens.iter().sum::<u64>(),
            conn.payload_bytes.to_server + conn.payload_bytes.to_client,
            "{} --conn {k}: payload bytes replayed vs inspect's",
            path.display()
        );
        figures.push((packets, lens.iter().copied().max().unwrap_or(0)));
    }
    figures
}

/// segments.pcap's 100,000-byte upload with every packet over 600 bytes split into IPv4
/// fragments, in order: each 1448-byte segment is rebuilt at the frame of its last fragment.
#[test]
fn fragmented_segments_replay_at_full_length() {
    let file = encap_support::build_fragmented(&data("segments.pcap"), &built_dir(), 600, false);
    let figures = replay_matches_inspect(&file);
    assert_eq!(figures, vec![(104, 1448)], "segments, largest segment");
}

/// retrans.pcap with the last fragment of each datagram sent first: the frame that completes
/// a datagram is not its last fragment.
#[test]
fn fragments_out_of_order_replay_as_inspect_counts_them() {
    let file = encap_support::build_fragmented(&data("retrans.pcap"), &built_dir(), 1000, true);
    let figures = replay_matches_inspect(&file);
    assert_eq!(
        figures,
        vec![(51, 1448), (11, 20)],
        "segments, largest segment"
    );
}

/// multi.pcap's connections with every packet over 44 bytes fragmented (the first fragment
/// holds part of the TCP header only): every connection, not just the first, is rebuilt.
#[test]
fn every_connection_of_a_fragmented_capture_replays_whole() {
    let file = encap_support::build_fragmented(&data("multi.pcap"), &built_dir(), 44, false);
    let figures = replay_matches_inspect(&file);
    assert_eq!(
        figures,
        vec![
            (10, 20),
            (10, 20),
            (10, 20),
            (8, 20),
            (36, 1448),
            (10, 30),
            (2, 0)
        ],
        "segments, largest segment"
    );
}
