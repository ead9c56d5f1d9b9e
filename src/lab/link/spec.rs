//! `--link rtt=80ms,rate=1mbit,loss=2%`: what the emulated link between the two lab hosts does.
//!
//! The grammar is a comma-separated list of `key=value` pairs, each key at most once:
//!
//! | key       | value                                              | default     |
//! |-----------|----------------------------------------------------|-------------|
//! | `rtt`     | round-trip time: `80ms`, `0.2s`, `500us`, `0`      | 0           |
//! | `delay`   | one-way delay (half the RTT); not with `rtt`       | 0           |
//! | `rate`    | `bit`, `kbit`, `mbit`, `gbit` per second, or `none`| none        |
//! | `queue`   | packets (`50`, `50p`) or bytes (`64kb`, `9000b`)   | 50 packets  |
//! | `loss`    | `2%` (random), `nth:3` (the 3rd client→server TCP segment), `syn` (every SYN), `0` | none |
//! | `reorder` | `5%`: that share of frames is held back 10 ms more | 0           |
//! | `seed`    | an integer for the random loss and reordering      | 1           |
//!
//! Units follow `tc`'s spelling (`mbit` is 10^6 bits/s), so a `tc qdisc … netem` line reads the
//! same here.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Rates are bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BitsPerSec(pub u64);

/// How much the bottleneck queue holds before it drops (tail drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueLimit {
    Packets(u32),
    Bytes(u64),
}

/// Which frames the link drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    None,
    /// Each frame independently, with this probability in millionths (2% is 20,000).
    Random {
        per_million: u32,
    },
    /// The Nth TCP segment travelling client → server (1-based), once.
    Nth(u32),
    /// Every SYN without ACK: a server host that never hears a connection request.
    Syn,
}

/// The link's properties, the same in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSpec {
    /// One-way delay.
    pub delay: Duration,
    pub rate: Option<BitsPerSec>,
    pub queue: QueueLimit,
    pub loss: Loss,
    /// Share of frames held back [`REORDER_HOLD`] longer, in millionths.
    pub reorder_per_million: u32,
    pub seed: u64,
}

/// How much longer a reordered frame is held than the others.
pub const REORDER_HOLD: Duration = Duration::from_millis(10);
/// The longest one-way delay accepted: long enough for any lesson, short enough not to hang.
pub const MAX_DELAY: Duration = Duration::from_secs(5);

impl LinkSpec {
    /// A wire with no length: no delay, no rate limit, no loss.
    pub const IDEAL: LinkSpec = LinkSpec {
        delay: Duration::ZERO,
        rate: None,
        queue: QueueLimit::Packets(50),
        loss: Loss::None,
        reorder_per_million: 0,
        seed: 1,
    };

    /// The round-trip time the link alone adds.
    pub fn rtt(&self) -> Duration {
        self.delay * 2
    }
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec::IDEAL
    }
}

/// Why a `--link` value was refused: which key, what was given, what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkSpecError {
    #[error("{}", crate::tr!("lab.link.not_key_value", item = .0))]
    NotKeyValue(String),
    #[error("{}", crate::tr!("lab.link.unknown_key", key = .0))]
    UnknownKey(String),
    #[error("{}", crate::tr!("lab.link.repeated", key = .0))]
    Repeated(String),
    #[error("{}", crate::tr!("lab.link.rtt_and_delay"))]
    RttAndDelay,
    #[error("{}", crate::tr!("lab.link.bad_value", key = .key, value = .value, accepted = crate::i18n::t(.accepted)))]
    BadValue {
        key: &'static str,
        value: String,
        /// The key of what the setting takes (`lab.link.takes.duration`).
        accepted: &'static str,
    },
}

const DURATION: &str = crate::key!("lab.link.takes.duration");
const RATE: &str = crate::key!("lab.link.takes.rate");
const QUEUE: &str = crate::key!("lab.link.takes.queue");
const LOSS: &str = crate::key!("lab.link.takes.loss");
const PERCENT: &str = crate::key!("lab.link.takes.percent");
const SEED: &str = crate::key!("lab.link.takes.seed");

impl FromStr for LinkSpec {
    type Err = LinkSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut spec = LinkSpec::IDEAL;
        let mut seen: Vec<&str> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| LinkSpecError::NotKeyValue(item.to_string()))?;
            let key = KEYS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(key))
                .copied()
                .ok_or_else(|| LinkSpecError::UnknownKey(key.to_string()))?;
            if seen.contains(&key) {
                return Err(LinkSpecError::Repeated(key.to_string()));
            }
            if (key == "rtt" && seen.contains(&"delay"))
                || (key == "delay" && seen.contains(&"rtt"))
            {
                return Err(LinkSpecError::RttAndDelay);
            }
            seen.push(key);
            let bad = |accepted| LinkSpecError::BadValue {
                key,
                value: value.to_string(),
                accepted,
            };
            let value_lc = value.to_ascii_lowercase();
            match key {
                "rtt" => {
                    let rtt = parse_duration(&value_lc).ok_or_else(|| bad(DURATION))?;
                    spec.delay = rtt / 2;
                }
                "delay" => spec.delay = parse_duration(&value_lc).ok_or_else(|| bad(DURATION))?,
                "rate" => spec.rate = parse_rate(&value_lc).ok_or_else(|| bad(RATE))?,
                "queue" => spec.queue = parse_queue(&value_lc).ok_or_else(|| bad(QUEUE))?,
                "loss" => spec.loss = parse_loss(&value_lc).ok_or_else(|| bad(LOSS))?,
                "reorder" => {
                    spec.reorder_per_million =
                        parse_percent(&value_lc).ok_or_else(|| bad(PERCENT))?;
                }
                _ => spec.seed = value_lc.parse().map_err(|_| bad(SEED))?,
            }
            if spec.delay > MAX_DELAY {
                return Err(bad(DURATION));
            }
        }
        Ok(spec)
    }
}

const KEYS: &[&str] = &["rtt", "delay", "rate", "queue", "loss", "reorder", "seed"];

/// A decimal number with at most 6 fractional digits, as millionths (`1.5` → 1,500,000).
fn parse_millionths(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) || frac.len() > 6 {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut frac_m: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..6 {
        frac_m *= 10;
    }
    whole.checked_mul(1_000_000)?.checked_add(frac_m)
}

fn parse_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let (number, nanos_per_unit) = [("us", 1_000u64), ("µs", 1_000), ("ms", 1_000_000)]
        .iter()
        .find_map(|(unit, n)| text.strip_suffix(unit).map(|num| (num, *n)))
        .or_else(|| text.strip_suffix('s').map(|num| (num, 1_000_000_000)))?;
    let millionths = parse_millionths(number)?;
    let nanos = u128::from(millionths) * u128::from(nanos_per_unit) / 1_000_000;
    let d = Duration::from_nanos(u64::try_from(nanos).ok()?);
    (d <= MAX_DELAY * 2).then_some(d)
}

fn parse_rate(text: &str) -> Option<Option<BitsPerSec>> {
    if text == "none" || text == "0" {
        return Some(None);
    }
    let (number, scale) = [
        ("gbit", 1_000_000_000u64),
        ("mbit", 1_000_000),
        ("kbit", 1_000),
        ("bit", 1),
    ]
    .iter()
    .find_map(|(unit, n)| text.strip_suffix(unit).map(|num| (num, *n)))?;
    let bits = u128::from(parse_millionths(number)?) * u128::from(scale) / 1_000_000;
    // Below 8 kbit/s a full frame takes more than a second and a lesson stalls.
    let bits = u64::try_from(bits).ok()?;
    (8_000..=100_000_000_000)
        .contains(&bits)
        .then_some(Some(BitsPerSec(bits)))
}

fn parse_queue(text: &str) -> Option<QueueLimit> {
    let count = |s: &str| s.parse::<u64>().ok();
    let bytes = [("kib", 1024u64), ("kb", 1000), ("b", 1)]
        .iter()
        .find_map(|(unit, n)| text.strip_suffix(unit).map(|num| (num, *n)));
    if let Some((num, scale)) = bytes {
        let b = count(num)?.checked_mul(scale)?;
        // Less than one full frame could never pass a full-sized segment.
        return (1500..=1 << 30)
            .contains(&b)
            .then_some(QueueLimit::Bytes(b));
    }
    let num = text.strip_suffix('p').unwrap_or(text);
    let n = u32::try_from(count(num)?).ok()?;
    (1..=100_000).contains(&n).then_some(QueueLimit::Packets(n))
}

fn parse_percent(text: &str) -> Option<u32> {
    if text == "0" {
        return Some(0);
    }
    let m = parse_millionths(text.strip_suffix('%')?)?;
    // millionths of a percent → millionths of one.
    let per_million = m / 100;
    u32::try_from(per_million).ok().filter(|p| *p <= 1_000_000)
}

fn parse_loss(text: &str) -> Option<Loss> {
    if text == "syn" {
        return Some(Loss::Syn);
    }
    if text == "none" {
        return Some(Loss::None);
    }
    if let Some(n) = text.strip_prefix("nth:") {
        let n: u32 = n.parse().ok()?;
        return (n >= 1).then_some(Loss::Nth(n));
    }
    Some(match parse_percent(text)? {
        0 => Loss::None,
        per_million => Loss::Random { per_million },
    })
}

fn fmt_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us % 1000 == 0 {
        format!("{}ms", us / 1000)
    } else {
        format!("{us}us")
    }
}

fn fmt_percent(per_million: u32) -> String {
    let hundredths = u64::from(per_million) / 100;
    if hundredths % 100 == 0 {
        format!("{}%", hundredths / 100)
    } else {
        format!("{}.{:02}%", hundredths / 100, hundredths % 100)
    }
}

impl fmt::Display for BitsPerSec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        match b {
            _ if b % 1_000_000_000 == 0 => write!(f, "{}gbit", b / 1_000_000_000),
            _ if b % 1_000_000 == 0 => write!(f, "{}mbit", b / 1_000_000),
            _ if b % 1_000 == 0 => write!(f, "{}kbit", b / 1_000),
            _ => write!(f, "{b}bit"),
        }
    }
}

impl fmt::Display for LinkSpec {
    /// The canonical `--link` text: parsing it gives the same spec back. `{:#}` puts a space
    /// after each comma (still valid `--link` text), so a note can wrap between the keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if f.alternate() { ", " } else { "," };
        write!(f, "delay={}", fmt_duration(self.delay))?;
        if let Some(rate) = self.rate {
            write!(f, "{sep}rate={rate}")?;
        }
        match self.queue {
            QueueLimit::Packets(n) => write!(f, "{sep}queue={n}p")?,
            QueueLimit::Bytes(n) => write!(f, "{sep}queue={n}b")?,
        }
        match self.loss {
            Loss::None => {}
            Loss::Random { per_million } => write!(f, "{sep}loss={}", fmt_percent(per_million))?,
            Loss::Nth(n) => write!(f, "{sep}loss=nth:{n}")?,
            Loss::Syn => write!(f, "{sep}loss=syn")?,
        }
        if self.reorder_per_million > 0 {
            write!(f, "{sep}reorder={}", fmt_percent(self.reorder_per_million))?;
        }
        write!(f, "{sep}seed={}", self.seed)
    }
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
