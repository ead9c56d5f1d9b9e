//! `echo`: the lecture's first program. The client connects to the echo server on port 7, sends
//! `Hello, 대한민국!` (20 bytes of UTF-8), reads the reply with `recv(1024)` and closes; the
//! server echoes until `b''` and closes too.

use crate::lab::{LECTURE_BUFSIZE, LECTURE_MESSAGE};
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "echo",
    summary: "the lecture's echo client and server: connect, send 20 bytes, recv(1024), close",
    run,
    link: None,
};

pub(super) fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    ctx.note("handshake: connect() returns after one round trip (SYN, SYN,ACK, ACK)");
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
            ctx.note(format!(
                "recv(1024) returned {} of the {} bytes: a byte stream has no message boundaries",
                reply.len(),
                msg.len()
            ));
            let rest = super::recv_exact(&mut s, msg.len() - reply.len(), LECTURE_BUFSIZE, side)?;
            drop(rest);
        }
        ctx.note("close(): the client sends FIN; the server's recv returns b'' and it closes too");
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
