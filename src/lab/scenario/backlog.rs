//! `backlog`: `listen(1)`, then three clients connect before the server accepts anything. The
//! kernel completes backlog + 1 handshakes into the accept queue (LAB.md); the next SYN is
//! dropped while the queue is full, so that client's `connect()` waits for its SYN to be
//! retransmitted (about a second) after the server starts accepting (lecture: "`number` 만큼의
//! connection을 수용하는 queue를 할당하라는 의미다. (실제로 시스템 마다 할당하는 수는 다를 수
//! 있다.)").

use std::sync::Mutex;

use crate::lab::LECTURE_BUFSIZE;
use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pause, recv_to_eof};

pub const SCENARIO: Scenario = Scenario {
    name: "backlog",
    summary_key: crate::key!("lab.backlog.summary"),
    run,
    link: None,
};

const BACKLOG: i32 = 1;
const CLIENTS: usize = 3;

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let listener = Mutex::new(ctx.listener(BACKLOG, &[])?);
    ctx.note(crate::tr!("lab.backlog.watch", backlog = BACKLOG));
    std::thread::scope(|scope| {
        let mut clients = Vec::new();
        for i in 0..CLIENTS {
            clients.push(scope.spawn(move || -> Result<(), ScenarioError> {
                // One after another, so the queue fills in a readable order.
                pause(40 * i as u64);
                let side = Side::Client;
                let mut s = ctx.client(&[])?;
                s.sendall(format!("client {}", i + 1).as_bytes())
                    .step(side, "sendall")?;
                recv_to_eof(&mut s, LECTURE_BUFSIZE, side)?;
                s.close();
                Ok(())
            }));
        }
        // The server is busy: nobody accepts while the clients connect.
        pause(40 * CLIENTS as u64 + 300);
        ctx.note(crate::i18n::t("lab.backlog.accepting"));
        let server = scope.spawn(|| -> Result<(), ScenarioError> {
            for _ in 0..CLIENTS {
                let mut conn = {
                    let mut l = listener
                        .lock()
                        .map_err(|_| ScenarioError::Panicked("listener"))?;
                    l.accept().step(Side::Listener, "accept")?
                };
                conn.recv(LECTURE_BUFSIZE).step(Side::Server, "recv")?;
                conn.close();
            }
            Ok(())
        });
        let mut result = server
            .join()
            .map_err(|_| ScenarioError::Panicked("server"))?;
        for c in clients {
            let r = c.join().map_err(|_| ScenarioError::Panicked("client"))?;
            result = result.and(r);
        }
        result
    })?;
    if let Ok(l) = listener.into_inner() {
        l.close();
    }
    Ok(())
}
