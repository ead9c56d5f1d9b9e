//! Issue 12's scenarios, run by the real binary as root and as an ordinary user (at once: each
//! run mostly waits on its link), asserted from the capture at both hosts.

mod lab_support;
mod link_support;

use lab_support::LabRun;
use link_support::{each_user, t, within};
use serde_json::Value;

fn flagged<'a>(run: &'a LabRun, flag: &str) -> Vec<&'a Value> {
    run.segments()
        .into_iter()
        .filter(|s| {
            s["analysis"]
                .as_array()
                .is_some_and(|a| a.iter().any(|f| f == flag))
        })
        .collect()
}

fn at_client(s: &Value) -> f64 {
    s["seen_t"]["client"].as_f64().expect("seen at the client")
}

#[test]
fn echo_link_connect_blocks_one_rtt() {
    each_user(&["--scenario", "echo-link"], |who, run| {
        let c = &run.calls("client", "connect")[0];
        let blocked = c["t_end"].as_f64().expect("t_end") - c["t_start"].as_f64().expect("start");
        eprintln!(
            "{who:?}: echo-link connect() blocked {:.2} ms",
            blocked * 1e3
        );
        assert!(within(blocked, 0.080, 0.10), "{who:?}: {blocked} s");
        // send() returns before the server has the bytes: its recv returns a half RTT later.
        let send = &run.calls("client", "send")[0];
        let recv = &run.calls("server", "recv")[0];
        let gap = recv["t_end"].as_f64().expect("t") - send["t_end"].as_f64().expect("t");
        assert!(
            gap > 0.036,
            "{who:?}: the server read {gap} s after send() returned"
        );
    });
}

#[test]
fn syn_timeout_backs_off_1_2_4_s_then_etimedout() {
    each_user(&["--scenario", "syn-timeout"], |who, run| {
        let syns: Vec<&Value> = run
            .segments()
            .into_iter()
            .filter(|s| s["flags"] == "SYN")
            .collect();
        assert_eq!(
            syns.len(),
            3,
            "{who:?}: TCP_SYNCNT=2: the SYN and 2 retransmissions"
        );
        for s in &syns {
            assert_eq!(s["lost"], true, "{who:?}: {s}");
            assert_eq!(s["seen"], serde_json::json!(["client"]));
        }
        let c = &run.calls("client", "connect")[0];
        assert_eq!(c["errno"], "ETIMEDOUT", "{who:?}: {c}");
        let times: Vec<f64> = syns.iter().map(|s| at_client(s)).collect();
        let waits = [
            times[1] - times[0],
            times[2] - times[1],
            c["t_end"].as_f64().expect("t_end") - times[2],
        ];
        eprintln!("{who:?}: SYN waits {waits:.3?} s, then ETIMEDOUT");
        for (wait, want) in waits.iter().zip([1.0, 2.0, 4.0]) {
            assert!(
                within(*wait, want, 0.10),
                "{who:?}: waited {wait} s, not {want} s"
            );
        }
    });
}

#[test]
fn unreachable_fails_with_enetunreach_and_ehostunreach() {
    each_user(&["--scenario", "unreachable"], |who, run| {
        let errnos: Vec<&Value> = run
            .calls("client", "connect")
            .iter()
            .map(|c| &c["errno"])
            .collect();
        assert_eq!(errnos, ["ENETUNREACH", "EHOSTUNREACH"], "{who:?}");
        assert!(run.segments().is_empty(), "{who:?}: no SYN ever left");
        let arp = run
            .kind("note")
            .filter(|n| {
                n["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("who has 192.0.2.3?"))
            })
            .count();
        assert!(arp >= 3, "{who:?}: {arp} ARP requests shown");
        assert_eq!(run.summary["failure"], Value::Null);
    });
}

#[test]
fn loss_shows_dup_acks_a_fast_retransmit_and_the_lost_segment() {
    each_user(&["--scenario", "loss"], |who, run| {
        let lost: Vec<&Value> = run
            .segments()
            .into_iter()
            .filter(|s| s["lost"] == true)
            .collect();
        assert_eq!(lost.len(), 1, "{who:?}");
        assert_eq!(lost[0]["seen"], serde_json::json!(["client"]));
        assert_eq!(lost[0]["len"], 1448);
        let retrans = flagged(run, "retransmission");
        let fast = flagged(run, "fast_retransmission");
        let dups = flagged(run, "duplicate_ack");
        eprintln!(
            "{who:?}: loss: {} retransmission(s), {} fast, {} duplicate ACKs",
            retrans.len(),
            fast.len(),
            dups.len()
        );
        assert!(!retrans.is_empty() && !fast.is_empty(), "{who:?}");
        assert!(dups.len() >= 3, "{who:?}: {} dup ACKs", dups.len());
        assert_eq!(fast[0]["seq"], lost[0]["seq"], "the lost bytes sent again");
        // The duplicate ACKs name what arrived beyond the gap (RFC 2018): it starts where the
        // lost segment ended.
        let gap_end = lost[0]["seq"].as_u64().expect("seq") + 1448;
        let sack = &dups[0]["sack"][0];
        assert_eq!(sack[0].as_u64(), Some(gap_end), "{who:?}: {}", dups[0]);
        assert_eq!(
            fast[0]["seen"].as_array().map(Vec::len),
            Some(2),
            "and they arrive"
        );
    });
}

#[test]
fn slow_start_doubles_what_is_in_flight_each_rtt() {
    each_user(&["--scenario", "slow-start"], |who, run| {
        // Rounds by acknowledgement, not by the clock (a loaded machine stretches the clock):
        // round k+1 is what the client sent from the first ACK of round k's data until the
        // first ACK of round k+1's.
        let data: Vec<(f64, u64)> = run
            .segments()
            .into_iter()
            .filter(|s| s["dir"] == "c2s" && s["len"].as_u64().unwrap_or(0) > 0)
            .filter(|s| s["analysis"].as_array().is_none_or(|a| a.is_empty()))
            .map(|s| {
                (
                    at_client(s),
                    s["seq"].as_u64().unwrap_or(0) + s["len"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let acks: Vec<(f64, u64)> = run
            .segments()
            .into_iter()
            .filter(|s| s["dir"] == "s2c" && s["seen_t"]["client"].is_f64())
            .map(|s| (at_client(s), s["ack"].as_u64().unwrap_or(0)))
            .collect();
        let first_ack_above = |seq: u64| acks.iter().find(|(_, a)| *a > seq).map(|(t, _)| *t);
        let mut rounds = vec![10usize];
        let mut sent_to = data[9].1;
        let mut from = first_ack_above(1).expect("the first round acknowledged");
        for _ in 0..2 {
            let to = first_ack_above(sent_to).unwrap_or(f64::MAX);
            let round: Vec<&(f64, u64)> = data
                .iter()
                .filter(|(t, _)| (from..to).contains(t))
                .collect();
            rounds.push(round.len());
            sent_to = round.last().map_or(sent_to, |(_, end)| *end);
            from = to;
        }
        eprintln!("{who:?}: slow-start segments per round {rounds:?}");
        assert_eq!(
            data.iter().filter(|(t, _)| *t < data[9].0 + 0.05).count(),
            10,
            "{who:?}: the initial window"
        );
        assert!(
            rounds[1] >= 15 && rounds[2] > rounds[1],
            "{who:?}: {rounds:?}"
        );
        // The kernel's cwnd, probed: grows from 10.
        let cwnds: Vec<u64> = run
            .kind("probe")
            .filter(|p| p["side"] == "client")
            .filter_map(|p| p["cwnd"].as_u64())
            .collect();
        assert!(cwnds.iter().max() >= Some(&40), "{who:?}: {cwnds:?}");
        let _ = t;
    });
}
