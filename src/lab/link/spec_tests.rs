use std::time::Duration;

use super::*;

fn parse(text: &str) -> LinkSpec {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn refused(text: &str) -> String {
    match text.parse::<LinkSpec>() {
        Ok(spec) => panic!("{text} was accepted as {spec}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_issue_example_parses() {
    let spec = parse("rtt=80ms,rate=1mbit,loss=2%");
    assert_eq!(spec.delay, Duration::from_millis(40));
    assert_eq!(spec.rtt(), Duration::from_millis(80));
    assert_eq!(spec.rate, Some(BitsPerSec(1_000_000)));
    assert_eq!(
        spec.loss,
        Loss::Random {
            per_million: 20_000
        }
    );
    assert_eq!(spec.queue, QueueLimit::Packets(50), "the default queue");
    assert_eq!(spec.seed, 1);
}

#[test]
fn an_empty_spec_is_the_ideal_wire() {
    assert_eq!(parse(""), LinkSpec::IDEAL);
}

#[test]
fn durations_take_s_ms_us_and_fractions() {
    assert_eq!(parse("delay=50ms").delay, Duration::from_millis(50));
    assert_eq!(parse("delay=0.2s").delay, Duration::from_millis(200));
    assert_eq!(parse("delay=500us").delay, Duration::from_micros(500));
    assert_eq!(parse("delay=1.5ms").delay, Duration::from_micros(1500));
    assert_eq!(parse("delay=0").delay, Duration::ZERO);
    assert_eq!(parse("rtt=1s").delay, Duration::from_millis(500));
}

#[test]
fn rates_use_tc_units() {
    assert_eq!(parse("rate=500kbit").rate, Some(BitsPerSec(500_000)));
    assert_eq!(parse("rate=2.5mbit").rate, Some(BitsPerSec(2_500_000)));
    assert_eq!(parse("rate=1gbit").rate, Some(BitsPerSec(1_000_000_000)));
    assert_eq!(parse("rate=64000bit").rate, Some(BitsPerSec(64_000)));
    assert_eq!(parse("rate=none").rate, None);
    assert_eq!(
        parse("RATE=1MBIT").rate,
        Some(BitsPerSec(1_000_000)),
        "any case"
    );
}

#[test]
fn queues_are_packets_or_bytes() {
    assert_eq!(parse("queue=20").queue, QueueLimit::Packets(20));
    assert_eq!(parse("queue=20p").queue, QueueLimit::Packets(20));
    assert_eq!(parse("queue=64kb").queue, QueueLimit::Bytes(64_000));
    assert_eq!(parse("queue=16kib").queue, QueueLimit::Bytes(16_384));
    assert_eq!(parse("queue=9000b").queue, QueueLimit::Bytes(9000));
}

#[test]
fn loss_is_random_nth_or_syn() {
    assert_eq!(
        parse("loss=0.5%,seed=7").loss,
        Loss::Random { per_million: 5_000 }
    );
    assert_eq!(parse("loss=0.5%,seed=7").seed, 7);
    assert_eq!(parse("loss=nth:3").loss, Loss::Nth(3));
    assert_eq!(parse("loss=syn").loss, Loss::Syn);
    assert_eq!(parse("loss=0").loss, Loss::None);
    assert_eq!(
        parse("loss=100%").loss,
        Loss::Random {
            per_million: 1_000_000
        }
    );
    assert_eq!(parse("reorder=5%").reorder_per_million, 50_000);
}

#[test]
fn display_round_trips() {
    for text in [
        "rtt=80ms,rate=1mbit,loss=2%",
        "delay=250us,queue=64kb,loss=nth:4,reorder=0.25%,seed=99",
        "loss=syn,rate=1500kbit",
        "",
    ] {
        let spec = parse(text);
        assert_eq!(parse(&spec.to_string()), spec, "{text} → {spec}");
        assert_eq!(parse(&format!("{spec:#}")), spec, "{text} → {spec:#}");
    }
    assert_eq!(
        parse("rtt=80ms,rate=1mbit,loss=2%").to_string(),
        "delay=40ms,rate=1mbit,queue=50p,loss=2%,seed=1"
    );
}

#[test]
fn each_bad_value_names_its_key_and_what_is_accepted() {
    for (text, key, accepted) in [
        ("rtt=80", "rtt", "80ms"),
        ("rtt=-5ms", "rtt", "80ms"),
        ("delay=6s", "delay", "at most 5s"),
        ("delay=fast", "delay", "duration"),
        ("rate=1mbps", "rate", "1mbit"),
        ("rate=1000bit", "rate", "bits per second"),
        ("rate=10", "rate", "1mbit"),
        ("queue=0", "queue", "at least 1"),
        ("queue=100bytes", "queue", "64kb"),
        ("queue=10b", "queue", "at least 1500b"),
        ("loss=150%", "loss", "0 to 100"),
        ("loss=2", "loss", "2%"),
        ("loss=nth:0", "loss", "nth:N"),
        ("loss=nth:x", "loss", "nth:N"),
        ("loss=ack", "loss", "syn"),
        ("reorder=lots", "reorder", "5%"),
        ("seed=-1", "seed", "whole number"),
        ("loss=0.0000001%", "loss", "percentage"),
    ] {
        let e = refused(text);
        assert!(e.contains(&format!("{key}=")), "{text}: {e}");
        assert!(e.contains(accepted), "{text}: {e}");
    }
}

#[test]
fn malformed_lists_are_refused_with_a_reason() {
    assert!(refused("rtt").contains("not key=value"));
    assert!(refused("jitter=5ms").contains("unknown key `jitter`"));
    assert!(refused("jitter=5ms").contains("rtt, delay, rate, queue, loss, reorder, seed"));
    assert!(refused("rtt=10ms,rtt=20ms").contains("`rtt` is given twice"));
    assert!(refused("rtt=10ms,delay=5ms").contains("not both"));
    assert!(refused("delay=5ms,rtt=10ms").contains("not both"));
}
