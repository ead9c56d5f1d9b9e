//! Words for socket calls on the ladder: `recv(1024) → b''`, `accept() → #3`, and shorter
//! forms for narrow terminals.

use crate::timeline::CallEvent;

/// `connect()`, `recv(1024) → b'' [12ms]`, `accept() → #3`: what a call did and how long it
/// blocked, in a few cells.
pub fn call_label(c: &CallEvent) -> String {
    let mut s = call_label_plain(c);
    let blocked = c.blocked_secs();
    if blocked >= 0.001 {
        s.push_str(&format!(" [{:.0}ms]", blocked * 1000.0));
    }
    s
}

/// The label without the block time.
pub fn call_label_plain(c: &CallEvent) -> String {
    let mut s = match c.call {
        "socket" => "socket()".to_string(),
        "bind" | "connect" => format!("{}({})", c.call, short_addr(&c.args)),
        "listen" => format!("listen({})", c.args),
        "accept" => match c.ret {
            Some(id) => format!("accept() → #{id}"),
            None => "accept()".into(),
        },
        // sendall returns None in Python: only send's count is worth printing.
        "send" => format!(
            "send({}) → {}",
            c.len.unwrap_or(0),
            c.ret.map(|r| r.to_string()).unwrap_or_else(|| "?".into())
        ),
        "sendall" => format!("sendall({})", c.len.unwrap_or(0)),
        "recv" => match c.len {
            Some(0) => format!("recv({}) → b''", c.args),
            Some(n) => format!("recv({}) → {n}", c.args),
            None => format!("recv({})", c.args),
        },
        "shutdown" => format!("shutdown({})", c.args),
        "setsockopt" => {
            let opt = c.args.split(", ").nth(1).unwrap_or("");
            format!("setsockopt({opt})")
        }
        other => format!("{other}({})", c.args),
    };
    if let Some(e) = c.errno {
        s.push_str(&format!(" ✗ {}", e.name));
    }
    s
}

/// `recv→20`, `send→20`, `accept→#3`: for narrow terminals.
pub fn call_label_short(c: &CallEvent) -> String {
    let mut s = match c.call {
        "sendall" => format!("sendall({})", c.len.unwrap_or(0)),
        "send" | "recv" => match c.ret {
            Some(0) => format!("{}→b''", c.call),
            Some(n) => format!("{}→{n}", c.call),
            None => c.call.to_string(),
        },
        "accept" => match c.ret {
            Some(id) => format!("accept→#{id}"),
            None => "accept".into(),
        },
        "shutdown" => "shutdown".into(),
        other => other.to_string(),
    };
    if let Some(e) = c.errno {
        s.push_str(&format!(" ✗{}", e.name));
    }
    s
}

fn short_addr(args: &str) -> String {
    match crate::timeline::playback::parse_py_addr(args) {
        Some(a) => format!(":{}", a.port()),
        None => args.to_string(),
    }
}
