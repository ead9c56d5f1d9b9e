//! `slow-reader`: the server stops reading. Its receive queue fills, it advertises a zero
//! window, the client's kernel sends window probes, and the client's calls show the lecture's
//! three behaviours (lecture, "send"): a non-blocking `send` queues only what fits and returns
//! that count, a blocking `send` blocks until everything is queued, and `sendall` waits too.
//! Then the server drains and everything moves again.
//!
//! LAB.md: buffers autotune to megabytes on loopback, so the writer gets a small `SO_SNDBUF` and
//! the listener a small `SO_RCVBUF` *before* `listen` (accepted sockets inherit it).

use crate::lab::LECTURE_BUFSIZE;
use crate::lab::socket::SockOpt;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pattern, pause, recv_to_eof, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "slow-reader",
    summary_key: crate::key!("lab.slow_reader.summary"),
    run,
    link: None,
};

/// Small enough to fill in a screenful; the kernel doubles both.
const RCVBUF: i32 = 4096;
const SNDBUF: i32 = 4096;
const CHUNK: usize = 16 * 1024;
/// How long the server does not read, before and after reading one chunk.
const STALL_MS: u64 = 1000;
const SECOND_STALL_MS: u64 = 500;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(1, &[SockOpt::RcvBuf(RCVBUF)])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        ctx.note(crate::i18n::t("lab.slow_reader.stall"));
        pause(STALL_MS);
        ctx.note(crate::i18n::t("lab.slow_reader.reads"));
        // More than the client has queued so far, so the blocked send completes within it.
        let first = super::recv_exact(&mut conn, 2 * CHUNK, LECTURE_BUFSIZE, side)?;
        ctx.note(crate::i18n::t("lab.slow_reader.stall_again"));
        pause(SECOND_STALL_MS);
        ctx.note(crate::i18n::t("lab.slow_reader.drains"));
        let rest = recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        ctx.note(crate::tr!(
            "lab.slow_reader.total",
            n = first.len() + rest.len()
        ));
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[SockOpt::SndBuf(SNDBUF)])?;
        let data = pattern(4 * CHUNK);
        s.setblocking(false).step(side, "setblocking")?;
        let mut sent = 0;
        // Non-blocking: the first send queues what fits; once full, EAGAIN.
        while sent < CHUNK {
            match s.send(&data[sent..sent + CHUNK]) {
                Ok(n) => sent += n,
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => break,
                Err(e) => return Err(e).step(side, "send"),
            }
            pause(20);
        }
        ctx.note(crate::i18n::t("lab.slow_reader.blocking"));
        s.setblocking(true).step(side, "setblocking")?;
        let n = s.send(&data[sent..sent + CHUNK]).step(side, "send")?;
        sent += n;
        s.sendall(&data[sent..]).step(side, "sendall")?;
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
