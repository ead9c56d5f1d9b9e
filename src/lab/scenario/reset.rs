//! `reset`: two ways `close()` sends RST instead of FIN (RFC 9293 §3.6.1; socket(7) SO_LINGER).
//! First the server closes with the client's bytes still unread in its receive queue; the
//! client's next `recv` fails with `ECONNRESET`. Then the client sets `SO_LINGER` to (1, 0) and
//! closes: an abortive close, RST at once; the server's `recv` fails the same way.

use crate::lab::socket::SockOpt;
use crate::lab::{LECTURE_BUFSIZE, LECTURE_MESSAGE};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pause, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "reset",
    summary_key: crate::key!("lab.reset.summary"),
    run,
    link: None,
};

fn expect_reset(r: std::io::Result<Vec<u8>>, side: Side) -> Result<(), ScenarioError> {
    match r {
        Err(e) if e.raw_os_error() == Some(libc::ECONNRESET) => Ok(()),
        Err(e) => Err(e).step(side, "recv"),
        Ok(data) => Err(ScenarioError::Unexpected(crate::tr!(
            "lab.reset.no_reset",
            side = super::side_word(side),
            n = data.len()
        ))),
    }
}

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    ctx.note(crate::i18n::t("lab.reset.part1"));
    run_pair(
        || {
            let conn = listener.accept().step(Side::Listener, "accept")?;
            pause(50);
            conn.close();
            Ok(())
        },
        || {
            let mut s = ctx.client(&[])?;
            s.send(LECTURE_MESSAGE.as_bytes())
                .step(Side::Client, "send")?;
            pause(120);
            expect_reset(s.recv(LECTURE_BUFSIZE), Side::Client)?;
            s.close();
            Ok(())
        },
    )?;
    ctx.note(crate::i18n::t("lab.reset.part2"));
    let r = run_pair(
        || {
            let mut conn = listener.accept().step(Side::Listener, "accept")?;
            expect_reset(conn.recv(LECTURE_BUFSIZE), Side::Server)?;
            conn.close();
            Ok(())
        },
        || {
            let mut s = ctx.client(&[])?;
            s.setsockopt(SockOpt::Linger(Some(0)))
                .step(Side::Client, "setsockopt")?;
            pause(50);
            s.close();
            Ok(())
        },
    );
    listener.close();
    r
}
