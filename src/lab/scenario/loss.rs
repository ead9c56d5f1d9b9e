//! `loss`: a transfer over a link that loses a segment. The receiver acknowledges what it has
//! in order again and again (duplicate ACKs, SACK blocks saying what came after the gap), and
//! the sender retransmits on the third duplicate without waiting for its timer: fast
//! retransmit (RFC 5681 §3.2). Each is flagged as Wireshark's analysis flags it.

use std::time::Duration;

use crate::lab::link::{BitsPerSec, LinkSpec, Loss};

use super::{Scenario, ScenarioCtx, ScenarioError};

pub const SCENARIO: Scenario = Scenario {
    name: "loss",
    summary_key: crate::key!("lab.loss.summary"),
    run,
    link: Some(LinkSpec {
        // Wireshark calls a resend a fast retransmission only within 20 ms of the last
        // duplicate ACK. The timeline stamps a duplicate ACK when the server sends it and the
        // resend when the client sends it, one one-way delay apart: at 20 ms that straddled
        // the window (the resend read as out-of-order about one run in three); at 5 ms it is
        // well inside, as on the client's own capture.
        delay: Duration::from_millis(5),
        rate: Some(BitsPerSec(10_000_000)),
        // The client's 10th segment: its 8th of data, with plenty behind it to be duplicated.
        loss: Loss::Nth(10),
        ..LinkSpec::IDEAL
    }),
};

const TOTAL: usize = 100_000;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    super::segments::one_sendall(ctx, TOTAL, crate::i18n::t("lab.loss.watch"))
}
