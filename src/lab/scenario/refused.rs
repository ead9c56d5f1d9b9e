//! `refused`: connect to a port where nothing listens. The peer's kernel answers the SYN with
//! RST, and `connect()` fails with `ECONNREFUSED` after one round trip (lecture: "connect()가
//! fail되는 경우 - No such server process").

use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step};

pub const SCENARIO: Scenario = Scenario {
    name: "refused",
    summary_key: crate::key!("lab.refused.summary"),
    run,
    link: None,
};

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    ctx.note(crate::tr!("lab.refused.expect", port = ctx.server.port()));
    let side = Side::Client;
    let mut s = ctx.socket(side)?;
    match s.connect(ctx.server) {
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
        Err(e) => return Err(e).step(side, "connect"),
        Ok(()) => {
            s.close();
            return Err(ScenarioError::Unexpected(crate::tr!(
                "lab.refused.listening",
                addr = ctx.server
            )));
        }
    }
    ctx.note(crate::i18n::t("lab.refused.close"));
    s.close();
    Ok(())
}
