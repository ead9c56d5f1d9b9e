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
    summary: "the server stops reading: zero window, probes, partial and blocked sends, sendall waits",
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
        ctx.note(
            "the server stops reading: its receive queue fills, then it advertises window 0; \
             the client's kernel keeps asking with zero-window probes (no data, one below the \
             next sequence number: Wireshark labels them keep_alive)",
        );
        pause(STALL_MS);
        ctx.note("the server reads 32 KiB: the window opens and the blocked send returns");
        // More than the client has queued so far, so the blocked send completes within it.
        let first = super::recv_exact(&mut conn, 2 * CHUNK, LECTURE_BUFSIZE, side)?;
        ctx.note("the server stops reading again: now sendall waits for room");
        pause(SECOND_STALL_MS);
        ctx.note("the server drains everything: sendall returns, the client closes");
        let rest = recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        ctx.note(format!(
            "the server read {} bytes in all",
            first.len() + rest.len()
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
        ctx.note("setblocking(True): the next send blocks until all of it is in the send buffer");
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
