//! What tracing costs a program (issue 13): 10,000 small `send`s (8 bytes each) to the lab's
//! echo server, timed inside the Python program itself, under `sockviz run` traced and
//! untraced (`--no-trace`: same namespace, capture and echo server, no ptrace).
//! Each send is one seccomp stop and one syscall-exit stop for the tracer, which also reads
//! the bytes and probes the socket. A benchmark, not a test: the README quotes the ratio.
//! Run: `cargo bench --bench trace_sends`.

use std::process::Command;

const SENDS: &str = r#"import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 7))
t0 = time.perf_counter()
for i in range(10000):
    s.send(b'12345678')
t1 = time.perf_counter()
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.close()
print('LOOP', t1 - t0)
"#;

/// Seconds the program's send loop took, as it printed them (to stderr under --json).
fn one_run(traced: bool) -> Option<f64> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockviz"));
    cmd.args(["run", "--headless", "--json"]);
    if !traced {
        cmd.arg("--no-trace");
    }
    let out = cmd
        .args(["--", "/usr/bin/python3", "-c", SENDS])
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("LOOP "))
        .and_then(|v| v.trim().parse().ok())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs = 5;
    let mut traced = Vec::new();
    let mut untraced = Vec::new();
    for _ in 0..runs {
        // Interleaved, so machine load hits both alike.
        untraced.extend(one_run(false));
        traced.extend(one_run(true));
    }
    if traced.is_empty() || untraced.is_empty() {
        eprintln!("trace_sends: sockviz run did not report its loop time (no python3?)");
        return;
    }
    let (t, u) = (median(traced), median(untraced));
    println!(
        "10,000 sends of 8 bytes: untraced {:.1} ms ({:.1} µs/send), traced {:.1} ms ({:.1} µs/send): {:.1}x",
        u * 1e3,
        u * 1e2,
        t * 1e3,
        t * 1e2,
        t / u
    );
}
