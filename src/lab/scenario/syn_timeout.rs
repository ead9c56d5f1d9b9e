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
    summary: "every SYN is dropped: retransmitted after 1 s, 2 s, then connect() fails ETIMEDOUT",
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
    ctx.note(
        "the server listens, but the link drops every SYN before it gets there: nothing comes \
         back, not even a reset",
    );
    ctx.note(format!(
        "TCP_SYNCNT={SYN_RETRIES}: the SYN is retransmitted {SYN_RETRIES} times (1 s, then 2 s \
         later: each wait twice the last) and connect() gives up 4 s after the last, 7 s in all. \
         Linux's default, net.ipv4.tcp_syn_retries = 6, waits 1+2+4+8+16+32+64 = 127 s; the \
         lecture's 75 s is the BSD connection-establishment timer. (Linux 6.6+ first retries \
         at a flat 1 s, net.ipv4.tcp_syn_linear_timeouts = 4; the lab's hosts set it to 0.)"
    ));
    let side = Side::Client;
    let mut s = ctx.socket(side)?;
    s.setsockopt(SockOpt::SynCnt(SYN_RETRIES))
        .step(side, "setsockopt")?;
    let r = s.connect(ctx.server);
    match r {
        Err(e) if e.raw_os_error() == Some(libc::ETIMEDOUT) => {
            ctx.note("connect() failed: ETIMEDOUT (Python raises TimeoutError); close the socket");
        }
        Err(e) => return Err(e).step(side, "connect"),
        Ok(()) => {
            s.close();
            listener.close();
            return Err(ScenarioError::Unexpected(
                "connect() succeeded: the link let a SYN through (was --link given without \
                 loss=syn?)"
                    .into(),
            ));
        }
    }
    s.close();
    listener.close();
    Ok(())
}
