//! The link's own limits (issue 12): the delay and jitter the relay adds when the configured
//! delay is 0, and the throughput it carries with no rate set. Measured from the lab's own
//! captures at both hosts: a segment's transit is its `seen_t.server - seen_t.client` (the
//! other way for the server's), i.e. veth → relay thread → veth, both captures included.
//! Run: `cargo bench --bench link` (the release binary; as any user).

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn lab(scenario: &str, link: &str) -> Vec<Value> {
    let out = Command::new(BIN)
        .args([
            "lab",
            "--headless",
            "--json",
            "--scenario",
            scenario,
            "--link",
            link,
        ])
        .output()
        .expect("run sockviz");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// One-way transits in µs of every segment seen at both hosts.
fn transits(events: &[Value]) -> Vec<f64> {
    events
        .iter()
        .filter(|e| e["kind"] == "segment")
        .filter_map(|e| {
            let c = e["seen_t"]["client"].as_f64()?;
            let s = e["seen_t"]["server"].as_f64()?;
            Some(if e["dir"] == "c2s" { s - c } else { c - s } * 1e6)
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn report(what: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    println!(
        "{what:<44} {:>5} segments  median {:>7.1} µs  p99 {:>8.1} µs  max {:>8.1} µs",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or(0.0)
    );
}

fn main() {
    // Idle: the lecture's echo, one segment at a time.
    let idle: Vec<f64> = (0..20)
        .flat_map(|_| transits(&lab("echo", "delay=0")))
        .collect();
    report("added one-way delay, echo (idle link)", idle);
    // Loaded: 100,000-byte transfers, frames queued behind each other in the relay.
    let mut loaded = Vec::new();
    let mut rates = Vec::new();
    for _ in 0..5 {
        let events = lab("segments", "delay=0");
        loaded.extend(transits(&events));
        // Throughput at the server host: data bytes over the time they took to arrive.
        let arrivals: Vec<(f64, u64)> = events
            .iter()
            .filter(|e| e["kind"] == "segment" && e["dir"] == "c2s")
            .filter_map(|e| Some((e["seen_t"]["server"].as_f64()?, e["len"].as_u64()?)))
            .filter(|(_, len)| *len > 0)
            .collect();
        if let (Some(first), Some(last)) = (arrivals.first(), arrivals.last()) {
            let bytes: u64 = arrivals.iter().skip(1).map(|(_, l)| l).sum();
            rates.push(bytes as f64 * 8.0 / (last.0 - first.0) / 1e6);
        }
    }
    report("added one-way delay, 100 kB transfer", loaded);
    rates.sort_by(f64::total_cmp);
    println!(
        "throughput with no rate set (data, Mbit/s)   median {:.0}  best {:.0}  ({} runs)",
        percentile(&rates, 0.5),
        rates.last().copied().unwrap_or(0.0),
        rates.len()
    );
}
