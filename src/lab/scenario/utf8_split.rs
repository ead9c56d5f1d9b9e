//! `utf8-split`: `recv(4)` on `안녕` (6 bytes of UTF-8) returns `ec 95 88 eb` then `85 95`: the
//! second character is split across two recv calls. Decode the whole stream, not each piece
//! (lecture: "보내는 메시지는 UTF-8 code로 encoding, 받은 메시지는 UNICODE로 decoding").

use crate::timeline::Side;

use super::{Scenario, ScenarioCtx, ScenarioError, Step, pause, run_pair};

pub const SCENARIO: Scenario = Scenario {
    name: "utf8-split",
    summary_key: crate::key!("lab.utf8_split.summary"),
    run,
    link: None,
};

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(ctx: &ScenarioCtx) -> Result<(), ScenarioError> {
    let mut listener = ctx.listener(5, &[])?;
    let server = || {
        let side = Side::Server;
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        // Let all 6 bytes arrive, so the split is recv(4)'s doing, not the network's.
        pause(30);
        let mut all = Vec::new();
        loop {
            let piece = conn.recv(4).step(side, "recv")?;
            if piece.is_empty() {
                break;
            }
            // What `piece.decode('utf-8')` says in the lecture's Python.
            let shown = match std::str::from_utf8(&piece) {
                Ok(s) => crate::tr!("lab.utf8_split.decodes", text = s),
                Err(_) => crate::tr!(
                    "lab.utf8_split.raises",
                    error = crate::export::labels::utf8_decode_error(&piece).unwrap_or_default()
                ),
            };
            ctx.note(crate::tr!(
                "lab.utf8_split.piece",
                hex = hex(&piece),
                shown = shown
            ));
            all.extend_from_slice(&piece);
        }
        ctx.note(crate::tr!(
            "lab.utf8_split.whole",
            hex = hex(&all),
            text = String::from_utf8_lossy(&all)
        ));
        conn.close();
        Ok(())
    };
    let client = || {
        let side = Side::Client;
        let mut s = ctx.client(&[])?;
        s.sendall("안녕".as_bytes()).step(side, "sendall")?;
        s.close();
        Ok(())
    };
    let r = run_pair(server, client);
    listener.close();
    r
}
