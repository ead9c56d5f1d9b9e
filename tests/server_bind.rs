//! `sockviz server` listens on the loopback unless `--bind` exposes it, and says who can reach
//! it (issue 16, item 8).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The local address of the listening socket on `port`, from /proc/net/tcp (hex, as the
/// kernel writes it: 0100007F is 127.0.0.1).
fn listening_address(port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        let (addr, p) = cols.get(1)?.split_once(':')?;
        (cols.get(3) == Some(&"0A") && u16::from_str_radix(p, 16).ok() == Some(port))
            .then(|| addr.to_string())
    })
}

/// Start a one-connection server, read its "listening" line, look at its socket, serve it.
fn serve(extra: &[&str]) -> (String, Option<String>) {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["server", "--port", &port.to_string(), "--connections", "1"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("listening") {
        line.clear();
        if stderr.read_line(&mut line).expect("stderr") == 0 {
            panic!("the server ended before listening");
        }
    }
    let bound = listening_address(port);
    let mut s = match std::net::TcpStream::connect(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => {
            // Not left waiting for a client that will never come.
            let _ = child.kill();
            panic!("connect: {e}");
        }
    };
    s.write_all(b"hi").expect("send");
    let mut buf = [0u8; 2];
    s.read_exact(&mut buf).expect("echo");
    drop(s);
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert!(child.wait().expect("wait").success(), "{rest}");
    (line, bound)
}

#[test]
fn the_server_listens_on_the_loopback_by_default() {
    let (line, bound) = serve(&[]);
    assert!(line.contains("listening on 127.0.0.1:"), "{line}");
    assert!(line.contains("only programs on this machine"), "{line}");
    assert_eq!(bound.as_deref(), Some("0100007F"));
}

#[test]
fn bind_exposes_it_and_says_so() {
    let (line, bound) = serve(&["--bind", "0.0.0.0"]);
    assert!(line.contains("listening on 0.0.0.0:"), "{line}");
    assert!(line.contains("any machine"), "{line}");
    assert_eq!(bound.as_deref(), Some("00000000"));
}
