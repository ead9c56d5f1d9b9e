//! `coalesce`: three small sends, one recv. TCP is a byte stream with no record boundaries
//! (lecture: "Full duplex, byte stream transmission (record boundary가 없다.)"). Round one runs
//! with Nagle's algorithm on (RFC 9293 §3.7.4: small segments wait for the ACK of the previous
//! one), round two with `TCP_NODELAY`: more segments, still one recv.

use crate::lab::LECTURE_BUFSIZE;
use crate::lab::socket::SockOpt;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pause, recv_to_eof, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "coalesce",
    summary: "three small sends arrive as one recv; once with Nagle on, once with TCP_NODELAY",
    run,
};

const PIECES: [&str; 3] = ["Hello, ", "대한", "민국!"];

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        for round in 0..2 {
            // The server is busy while the three sends arrive; then one recv takes them all.
            pause(120);
            let got = conn.recv(LECTURE_BUFSIZE).step(side, "recv")?;
            ctx.note(format!(
                "round {}: one recv(1024) returned {} bytes written by three sends",
                round + 1,
                got.len()
            ));
            conn.sendall(b"ok").step(side, "sendall")?;
        }
        recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[])?;
        for nodelay in [false, true] {
            if nodelay {
                ctx.note("TCP_NODELAY on: each small send leaves at once, in its own segment");
                s.setsockopt(SockOpt::NoDelay(true))
                    .step(side, "setsockopt")?;
            } else {
                ctx.note("Nagle on (the default): later small sends wait for the first one's ACK");
            }
            for piece in PIECES {
                s.send(piece.as_bytes()).step(side, "send")?;
            }
            s.recv(LECTURE_BUFSIZE).step(side, "recv")?;
        }
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
