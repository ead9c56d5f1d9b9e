//! `half-close`: the client sends its request and `shutdown(SHUT_WR)`: FIN goes out, but the
//! client can still read. The server's `recv` returns `b''` (the FIN), it replies and closes; the
//! client reads the reply to `b''` (lecture: "shutdown(socket.SHUT_WR) 후에 socket이 close된 것은
//! 아니므로 recv할 수 있다").

use crate::lab::{LECTURE_BUFSIZE, LECTURE_MESSAGE};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, recv_to_eof, run_pair};
use crate::lab::socket::Shutdown;

pub const SCENARIO: Scenario = Scenario {
    name: "half-close",
    summary_key: crate::key!("lab.half_close.summary"),
    run,
    link: None,
};

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        let request = recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        ctx.note(crate::i18n::t("lab.half_close.eof"));
        let reply = format!("{} bytes received", request.len());
        conn.sendall(reply.as_bytes()).step(side, "sendall")?;
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[])?;
        s.sendall(LECTURE_MESSAGE.as_bytes())
            .step(side, "sendall")?;
        ctx.note(crate::i18n::t("lab.half_close.shutdown"));
        s.shutdown(Shutdown::Write).step(side, "shutdown")?;
        recv_to_eof(&mut s, LECTURE_BUFSIZE, side)?;
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
