//! `unreachable`: the lecture's other two connect() failures. To an address on no network the
//! client host has a route to, `connect()` fails at once with `ENETUNREACH` (nothing is sent);
//! to an address on its own network where no host answers ARP, the kernel asks "who has it?"
//! three times, a second apart, and `connect()` fails with `EHOSTUNREACH` (lecture:
//! "host/network unreachable").

use std::net::SocketAddrV4;
use std::time::Duration;

use crate::lab::ECHO_PORT;
use crate::lab::link::{ABSENT_HOST, LinkSpec, UNROUTED_HOST};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step};

pub const SCENARIO: Scenario = Scenario {
    name: "unreachable",
    summary_key: crate::key!("lab.unreachable.summary"),
    run,
    link: Some(LinkSpec {
        delay: Duration::from_millis(10),
        ..LinkSpec::IDEAL
    }),
};

/// Connect to `to`, expecting `errno`.
fn expect_failure(
    ctx: &ScenarioCtx,
    to: SocketAddrV4,
    errno: i32,
    name: &str,
) -> Result<(), ScenarioError> {
    let side = Side::Client;
    let mut s = ctx.socket(side)?;
    match s.connect(to) {
        Err(e) if e.raw_os_error() == Some(errno) => {
            ctx.note(crate::tr!("lab.unreachable.failed", errno = name));
            s.close();
            Ok(())
        }
        Err(e) => {
            s.close();
            Err(e).step(side, "connect")
        }
        Ok(()) => {
            s.close();
            Err(ScenarioError::Unexpected(crate::tr!(
                "lab.unreachable.connected",
                to = to,
                errno = name
            )))
        }
    }
}

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    if !ctx.over_link() {
        return Err(ScenarioError::Unexpected(crate::tr!(
            "lab.unreachable.no_link"
        )));
    }
    ctx.note(crate::tr!("lab.unreachable.unrouted", host = UNROUTED_HOST));
    expect_failure(
        ctx,
        SocketAddrV4::new(UNROUTED_HOST, ECHO_PORT),
        libc::ENETUNREACH,
        "ENETUNREACH (Network is unreachable)",
    )?;
    ctx.note(crate::tr!("lab.unreachable.absent", host = ABSENT_HOST));
    expect_failure(
        ctx,
        SocketAddrV4::new(ABSENT_HOST, ECHO_PORT),
        libc::EHOSTUNREACH,
        "EHOSTUNREACH (No route to host)",
    )
}
