//! `syn-timeout`: the server host never hears the SYN (the link drops every SYN, as a firewall
//! in front of it would, silently). The client's kernel retransmits the SYN with exponential
//! backoff, 1 s, 2 s, 4 s …, and `connect()` fails with `ETIMEDOUT` (Python: `TimeoutError`).
//! `TCP_SYNCNT` = 2 keeps the lesson at 7 s (lecture: "host/network unreachable: TCP retries,
//! so it takes long to learn that it failed (75 s)").

use std::time::Duration;

use crate::lab::link::{LinkSpec, Loss};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, SockOpt, Step};

pub const SCENARIO: Scenario = Scenario {
    name: "syn-timeout",
    summary_key: crate::key!("lab.syn_timeout.summary"),
    run,
    link: Some(LinkSpec {
        delay: Duration::from_millis(10),
        loss: Loss::Syn,
        ..LinkSpec::IDEAL
    }),
};

/// Retransmissions before giving up: SYNs at 0, 1 and 3 s, `ETIMEDOUT` at 7 s.
pub const SYN_RETRIES: i32 = 2;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let listener = ctx.listener(5, &[])?;
    ctx.note(crate::i18n::t("lab.syn_timeout.drops"));
    ctx.note(crate::tr!("lab.syn_timeout.retries", n = SYN_RETRIES));
    let side = Side::Client;
    let mut s = ctx.socket(side)?;
    s.setsockopt(SockOpt::SynCnt(SYN_RETRIES))
        .step(side, "setsockopt")?;
    let r = s.connect(ctx.server);
    match r {
        Err(e) if e.raw_os_error() == Some(libc::ETIMEDOUT) => {
            ctx.note(crate::i18n::t("lab.syn_timeout.failed"));
        }
        Err(e) => return Err(e).step(side, "connect"),
        Ok(()) => {
            s.close();
            listener.close();
            return Err(ScenarioError::Unexpected(crate::tr!(
                "lab.syn_timeout.connected"
            )));
        }
    }
    s.close();
    listener.close();
    Ok(())
}
