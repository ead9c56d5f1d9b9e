//! `coalesce`: three small sends, one recv. TCP is a byte stream with no record boundaries
//! (lecture: "Full duplex, byte stream transmission (record boundary가 없다.)"). Round one runs
//! with Nagle's algorithm on (RFC 9293 §3.7.4: small segments wait for the ACK of the previous
//! one), round two with `TCP_NODELAY`: more segments, still one recv.
//!
//! On loopback the receiver ACKs at once, so Nagle would never hold anything back; the server
//! turns `TCP_QUICKACK` off before each round so its ACKs are delayed as on a real network.

use crate::lab::LECTURE_BUFSIZE;
use crate::lab::socket::SockOpt;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pause, recv_to_eof, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "coalesce",
    summary_key: crate::key!("lab.coalesce.summary"),
    run,
    link: None,
};

const PIECES: [&str; 3] = ["Hello, ", "대한", "민국!"];

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    // The client must not send before the server has turned quick ACKs off.
    let ready = std::sync::Barrier::new(2);
    let server = || {
        let side = Side::Server;
        let accepted = listener.accept().step(Side::Listener, "accept");
        let quickack = match accepted {
            Ok(mut conn) => conn
                .setsockopt(SockOpt::QuickAck(false))
                .step(side, "setsockopt")
                .map(|()| conn),
            Err(e) => Err(e),
        };
        // Release the client whatever happened, so a failure cannot hang the lab.
        ready.wait();
        let mut conn = quickack?;
        for round in 0..2 {
            // The server is busy while the three sends arrive; then one recv takes them all.
            pause(120);
            let got = conn.recv(LECTURE_BUFSIZE).step(side, "recv")?;
            ctx.note(crate::tr!(
                "lab.coalesce.round",
                round = round + 1,
                n = got.len()
            ));
            // The kernel turns quick ACKs back on by itself: turn them off before each round.
            conn.setsockopt(SockOpt::QuickAck(false))
                .step(side, "setsockopt")?;
            conn.sendall(b"ok").step(side, "sendall")?;
        }
        recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let connected = ctx.client(&[]);
        ready.wait();
        let mut s = connected?;
        for nodelay in [false, true] {
            if nodelay {
                ctx.note(crate::i18n::t("lab.coalesce.nodelay"));
                s.setsockopt(SockOpt::NoDelay(true))
                    .step(side, "setsockopt")?;
            } else {
                ctx.note(crate::i18n::t("lab.coalesce.nagle"));
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
