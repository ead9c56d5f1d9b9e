//! `refused`: connect to a port where nothing listens. The peer's kernel answers the SYN with
//! RST, and `connect()` fails with `ECONNREFUSED` after one round trip (lecture: "connect()가
//! fail되는 경우 - No such server process").

use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step};

pub const SCENARIO: Scenario = Scenario {
    name: "refused",
    summary: "connect to a port with no listener: SYN answered by RST, ECONNREFUSED",
    run,
    link: None,
};

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    ctx.note(format!(
        "nothing listens on port {}: expect RST, then ECONNREFUSED",
        ctx.server.port()
    ));
    let side = Side::Client;
    let mut s = ctx.socket(side)?;
    match s.connect(ctx.server) {
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
        Err(e) => return Err(e).step(side, "connect"),
        Ok(()) => {
            s.close();
            return Err(ScenarioError::Unexpected(format!(
                "something is listening on {}: pick a free port with --port",
                ctx.server
            )));
        }
    }
    ctx.note("a refused socket cannot be reused: close it (lecture: fail되면 socket을 close해야)");
    s.close();
    Ok(())
}
