//! `echo`: the lecture's first program. The client connects to the echo server on port 7, sends
//! `Hello, 대한민국!` (20 bytes of UTF-8), reads the reply with `recv(1024)` and closes; the
//! server echoes until `b''` and closes too.

use crate::lab::{LECTURE_BUFSIZE, LECTURE_MESSAGE};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "echo",
    summary_key: crate::key!("lab.echo.summary"),
    run,
    link: None,
};

pub(super) fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    ctx.note(crate::i18n::t("lab.echo.handshake"));
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        loop {
            let data = conn.recv(LECTURE_BUFSIZE).step(side, "recv")?;
            if data.is_empty() {
                break;
            }
            conn.sendall(&data).step(side, "sendall")?;
        }
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[])?;
        let msg = LECTURE_MESSAGE.as_bytes();
        s.send(msg).step(side, "send")?;
        let reply = s.recv(LECTURE_BUFSIZE).step(side, "recv")?;
        if reply.len() < msg.len() {
            // TCP keeps no message boundaries: a real client would loop; the lesson notes it.
            ctx.note(crate::tr!(
                "lab.echo.short_recv",
                got = reply.len(),
                sent = msg.len()
            ));
            let rest = super::recv_exact(&mut s, msg.len() - reply.len(), LECTURE_BUFSIZE, side)?;
            drop(rest);
        }
        ctx.note(crate::i18n::t("lab.echo.close"));
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
