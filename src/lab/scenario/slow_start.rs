//! `slow-start`: a transfer over a long fat link (100 ms, 50 mbit/s: 625 kB in flight to fill
//! it). The sender's congestion window starts at 10 segments and doubles each round trip
//! (RFC 5681 §3.1), so the bytes in flight grow per RTT until the receiver's window, kept small
//! here, caps them.

use std::time::Duration;

use crate::lab::LECTURE_BUFSIZE;
use crate::lab::link::{BitsPerSec, LinkSpec, QueueLimit};
use crate::lab::socket::Shutdown;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, SockOpt, Step, pattern, recv_to_eof, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "slow-start",
    summary_key: crate::key!("lab.slow_start.summary"),
    run,
    link: Some(LinkSpec {
        delay: Duration::from_millis(50),
        rate: Some(BitsPerSec(50_000_000)),
        queue: QueueLimit::Packets(200),
        ..LinkSpec::IDEAL
    }),
};

const TOTAL: usize = 400_000;
/// The server's receive buffer (the kernel doubles it): a window of about 128 kB, 90 segments.
const RCVBUF: i32 = 131_072;
/// The client's send buffer (doubled, and at most `net.core.wmem_max`): big enough that the
/// window, not the buffer, limits what is in flight.
const SNDBUF: i32 = 212_992;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[SockOpt::RcvBuf(RCVBUF)])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        let all = recv_to_eof(&mut conn, LECTURE_BUFSIZE, side)?;
        if all.len() != TOTAL {
            return Err(ScenarioError::Unexpected(crate::tr!(
                "lab.err.read_short",
                n = all.len(),
                total = TOTAL
            )));
        }
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[SockOpt::SndBuf(SNDBUF)])?;
        ctx.note(crate::i18n::t("lab.slow_start.watch"));
        // Four sendalls of 100,000 bytes (one would do; a recording keeps each call's bytes in
        // one record, and readers such as tshark take records up to 256 KiB).
        for piece in pattern(TOTAL).chunks(TOTAL / 4) {
            s.sendall(piece).step(side, "sendall")?;
        }
        // sendall returns once the bytes are in the send buffer, long before they arrive: the
        // socket stays open (and probed) until the server has read them all and closed.
        s.shutdown(Shutdown::Write).step(side, "shutdown")?;
        recv_to_eof(&mut s, LECTURE_BUFSIZE, side)?;
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
