//! Real peers: the lecture's own Python client against `sockviz server` (a peer sockviz did not
//! write), and `sockviz client` against it.
//! Capturing on the host needs privileges (CI runs as root); without them the server must say
//! the capture is unavailable and still show its calls.

mod lab_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use lab_support::{BIN, parse};

/// The lecture's client, verbatim but for the address.
const CLIENT: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', int(sys.argv[1])))
msg = 'Hello, 대한민국!'
print(s.send(msg.encode('utf-8')))
reply = s.recv(1024)
print(reply.decode('utf-8'))
s.close()
"#;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

#[test]
fn lecture_python_client_against_sockviz_server() {
    assert!(
        Command::new("python3").arg("--version").output().is_ok(),
        "python3 is missing: `bash scripts/dev test` installs it"
    );
    let port = free_port().to_string();
    let mut server = Command::new(BIN)
        .args(["server", "--port", &port, "--connections", "1", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sockviz server");
    // Wait for "listening" on stderr before connecting.
    let stderr = server.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("utf-8 stderr");
        let ready = line.contains("listening");
        seen.push(line);
        if ready {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.contains("listening")), "{seen:?}");
    let client = Command::new("python3")
        .args(["-c", CLIENT, &port])
        .output()
        .expect("run python3");
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&client.stdout),
        "20\nHello, 대한민국!\n"
    );
    let out = server
        .wait_with_output()
        .expect("server exits after one connection");
    let run = parse(out);
    let recv = run.calls("server", "recv");
    assert_eq!(recv[0]["data"], "Hello, 대한민국!");
    assert_eq!(
        recv.last().expect("recvs")["ret"],
        0,
        "b'' after the client's close"
    );
    let capture = run.summary["capture"].as_str().expect("capture");
    if capture == "host" {
        run.assert_handshake();
        run.assert_fin_exchange();
        run.assert_causal();
        run.assert_recvs_cover_sends();
        let data: Vec<u64> = run
            .segments()
            .iter()
            .filter_map(|s| s["len"].as_u64().filter(|l| *l > 0))
            .collect();
        assert_eq!(data, [20, 20], "the message and its echo");
    } else {
        assert!(capture.starts_with("unavailable: "), "{capture}");
        assert!(capture.contains("setcap"), "{capture}");
        assert!(run.segments().is_empty());
    }
}

/// As an ordinary user the host capture is refused: the server says so, and still echoes and
/// shows its calls.
#[test]
fn sockviz_server_without_capture_rights_still_echoes() {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false);
    if !root || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("needs root (to drop to uid 65534) and setpriv: skipping");
        return;
    }
    let port = free_port().to_string();
    let mut server = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BIN,
        ])
        .args(["server", "--port", &port, "--connections", "1", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sockviz server");
    let stderr = server.stderr.take().expect("piped");
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("utf-8 stderr");
        let ready = line.contains("listening");
        seen.push(line);
        if ready {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|l| l.contains("capture unavailable") && l.contains("setcap")),
        "says plainly that capture needs rights: {seen:?}"
    );
    let msg = "Hello, 대한민국!";
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().expect("port")))
        .expect("connect");
    std::io::Write::write_all(&mut s, msg.as_bytes()).expect("send");
    let mut reply = [0u8; 1024];
    let n = std::io::Read::read(&mut s, &mut reply).expect("recv");
    assert_eq!(&reply[..n], msg.as_bytes(), "echoed");
    drop(s);
    let run = parse(server.wait_with_output().expect("server exits"));
    assert!(
        run.summary["capture"]
            .as_str()
            .expect("capture")
            .starts_with("unavailable: ")
    );
    assert!(run.segments().is_empty(), "never invents segments");
    assert_eq!(run.calls("server", "recv")[0]["data"], msg);
}

/// `sockviz client` against `sockviz server`: both capture on the host at once, and each sees
/// every segment exactly once.
#[test]
fn sockviz_client_against_sockviz_server() {
    let port = free_port().to_string();
    let mut server = Command::new(BIN)
        .args(["server", "--port", &port, "--connections", "1", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sockviz server");
    let stderr = server.stderr.take().expect("piped");
    for line in BufReader::new(stderr).lines() {
        if line.expect("utf-8 stderr").contains("listening") {
            break;
        }
    }
    let client = Command::new(BIN)
        .args(["client", "127.0.0.1", &port, "--json"])
        .output()
        .expect("run sockviz client");
    let client = parse(client);
    assert!(client.status.success(), "{}", client.stderr);
    let server = parse(server.wait_with_output().expect("server exits"));
    let recv = &client.calls("client", "recv")[0];
    assert_eq!(recv["data"], "Hello, 대한민국!");
    for run in [&client, &server] {
        if run.summary["capture"] == "host" {
            run.assert_handshake();
            run.assert_fin_exchange();
            run.assert_causal();
            let numbers: Vec<u64> = run
                .segments()
                .iter()
                .filter_map(|s| s["n"].as_u64())
                .collect();
            let flags = run.flag_trace();
            assert_eq!(
                flags.iter().filter(|f| f.as_str() == "c2s:SYN").count(),
                1,
                "{flags:?}"
            );
            assert!(
                numbers.windows(2).all(|w| w[0] < w[1]),
                "frames in capture order"
            );
        }
    }
}
