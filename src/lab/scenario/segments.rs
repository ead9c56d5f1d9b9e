//! `segments`: one `sendall` of 100,000 bytes leaves as MSS-sized segments (1448 bytes of data
//! each with timestamps on a 1500-byte MTU, TSO off), and the server's `recv(1024)` calls see
//! yet another division of the same bytes (lecture: "내가 1,000 메시지를 보냈다 하자. 상대 측에서
//! recv했을 때 받은 메시지가 같은 1,000 byte일까?").

use crate::lab::LECTURE_BUFSIZE;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pattern, recv_to_eof, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "segments",
    summary_key: crate::key!("lab.segments.summary"),
    run,
    link: None,
};

const TOTAL: usize = 100_000;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    one_sendall(ctx, TOTAL, crate::i18n::t("lab.segments.watch"))
}

/// The client's one `sendall` of `total` bytes (after `note`), the server's `recv(1024)` to
/// `b''` checking it read them all; both close. `loss` runs the same transfer over a link.
pub(super) fn one_sendall(
    ctx: &ScenarioCtx,
    total: usize,
    note: &str,
) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        let all = recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        if all.len() != total {
            return Err(ScenarioError::Unexpected(crate::tr!(
                "lab.err.read_short",
                n = all.len(),
                total = total
            )));
        }
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[])?;
        ctx.note(note);
        s.sendall(&pattern(total)).step(side, "sendall")?;
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
