//! Least privilege (issue 16, item 2): the binary given `cap_net_raw,cap_net_admin=eip` with
//! `setcap`, as the README's fix says, run by an ordinary user. The default lab must work (a
//! setcap'd binary is non-dumpable, which used to break the namespace's id maps), and no thread
//! may hold a capability once the capture is open; `inspect` and `replay` none at all.
//!
//! Needs root (to setcap a copy of the binary and to switch to `nobody`) and `setcap`
//! (libcap2-bin, installed by `scripts/dev test`); skipped with a message otherwise.

mod lab_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lab_support::{BIN, parse};

const NOBODY: &str = "65534";

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// A copy of the binary an ordinary user can run, with the README's capabilities.
struct SetcapBinary {
    dir: PathBuf,
    bin: PathBuf,
}

impl Drop for SetcapBinary {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn setcap_binary(name: &str) -> Option<SetcapBinary> {
    if !is_root() {
        eprintln!("skipped: run as root to setcap a copy of the binary");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("sockviz-caps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
    let bin = dir.join("sockviz");
    std::fs::copy(BIN, &bin).expect("copy the binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let copy = SetcapBinary { dir, bin };
    match Command::new("setcap")
        .arg("cap_net_raw,cap_net_admin=eip")
        .arg(&copy.bin)
        .output()
    {
        Ok(o) if o.status.success() => Some(copy),
        Ok(o) => {
            eprintln!(
                "skipped: setcap failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("skipped: setcap (libcap2-bin) is missing: {e}");
            None
        }
    }
}

/// Run `bin args` as `nobody`. Through a shell, as a user would: `setpriv` exec'ing the binary
/// directly leaves it dumpable, which hid the id-map failure.
fn as_nobody(bin: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("setpriv");
    c.args([
        &format!("--reuid={NOBODY}"),
        &format!("--regid={NOBODY}"),
        "--clear-groups",
        "--",
        "/bin/sh",
        "-c",
        "exec \"$0\" \"$@\"",
    ]);
    c.arg(bin).args(args).current_dir("/");
    c
}

/// `CapEff` of each thread of `pid` (empty once the process is gone).
fn thread_caps(pid: u32) -> Vec<u64> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .collect()
}

/// Samples of every thread's `CapEff` until the child exits.
struct Samples(Vec<(Duration, Vec<u64>)>);

fn sample_until_exit(child: &mut Child) -> Samples {
    let start = Instant::now();
    let mut samples = Vec::new();
    while child.try_wait().expect("wait").is_none() {
        let caps = thread_caps(child.id());
        if !caps.is_empty() {
            samples.push((start.elapsed(), caps));
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Samples(samples)
}

impl Samples {
    /// Once a second thread exists the capture is open (every mode opens it first).
    fn assert_none_once_threaded(&self, what: &str) {
        let threaded: Vec<_> = self.0.iter().filter(|(_, c)| c.len() > 1).collect();
        assert!(
            !threaded.is_empty(),
            "{what}: never saw it running with threads ({} samples)",
            self.0.len()
        );
        for (at, caps) in threaded {
            assert!(
                caps.iter().all(|&c| c == 0),
                "{what}: a thread holds capabilities at {at:?}: {caps:x?}"
            );
        }
    }
}

/// Samples of every thread's `CapEff` taken while `file` is open in the child, until it exits.
fn sample_while_open(child: &mut Child, file: &Path) -> Vec<Vec<u64>> {
    let start = Instant::now();
    let mut samples = Vec::new();
    while child.try_wait().expect("wait").is_none() {
        let open = std::fs::read_dir(format!("/proc/{}/fd", child.id()))
            .map(|fds| {
                fds.filter_map(|e| e.ok())
                    .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l == file))
            })
            .unwrap_or(false);
        let caps = thread_caps(child.id());
        if open && !caps.is_empty() {
            samples.push(caps);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    samples
}

/// A server that would wait forever for its client is ended if an assertion fails first.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run_lab(copy: &SetcapBinary, args: &[&str]) -> (lab_support::LabRun, Samples) {
    let mut child = as_nobody(&copy.bin, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // The JSON of one scenario fits in the pipe: reading it after the exit cannot block it.
    let samples = sample_until_exit(&mut child);
    let out = child.wait_with_output().expect("output");
    (parse(out), samples)
}

#[test]
fn the_default_lab_works_for_a_setcap_user_and_gives_up_every_capability() {
    let Some(copy) = setcap_binary("lab") else {
        return;
    };
    let (run, samples) = run_lab(&copy, &["lab", "--headless", "--json"]);
    assert!(run.status.success(), "{}\n{}", run.stderr, run.summary);
    assert_eq!(
        run.summary["capture"], "namespace",
        "the private namespace, not a broken fallback: {}",
        run.summary
    );
    assert_eq!(run.calls("client", "recv")[0]["data"], "Hello, 대한민국!");
    run.assert_handshake();
    samples.assert_none_once_threaded("lab");
}

#[test]
fn the_host_loopback_lab_captures_with_setcap_and_gives_up_every_capability() {
    let Some(copy) = setcap_binary("host") else {
        return;
    };
    let port = free_port().to_string();
    let args = [
        "lab",
        "--headless",
        "--json",
        "--host-loopback",
        "--port",
        &port,
    ];
    let (run, samples) = run_lab(&copy, &args);
    assert!(run.status.success(), "{}\n{}", run.stderr, run.summary);
    assert_eq!(run.summary["capture"], "host", "{}", run.summary);
    run.assert_handshake();
    samples.assert_none_once_threaded("lab --host-loopback");
}

#[test]
fn the_server_gives_up_every_capability_before_its_first_client() {
    let Some(copy) = setcap_binary("server") else {
        return;
    };
    let port = free_port();
    let mut child = as_nobody(
        &copy.bin,
        &[
            "server",
            "--port",
            &port.to_string(),
            "--connections",
            "1",
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut guard = KillOnDrop(Some(child));
    let child = guard.0.as_mut().expect("just set");
    let mut line = String::new();
    while !line.contains("listening") {
        line.clear();
        if stderr.read_line(&mut line).expect("stderr") == 0 {
            panic!("the server ended before listening");
        }
    }
    let caps = thread_caps(child.id());
    assert!(caps.len() > 1, "capture and probe threads: {caps:?}");
    assert!(caps.iter().all(|&c| c == 0), "listening: {caps:x?}");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(b"hello").expect("send");
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).expect("echo");
    assert_eq!(&buf, b"hello");
    let caps = thread_caps(child.id());
    assert!(caps.iter().all(|&c| c == 0), "serving: {caps:x?}");
    drop(s);
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    let out = guard
        .0
        .take()
        .expect("still ours")
        .wait_with_output()
        .expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.contains("\"capture\":\"host\""),
        "captured with setcap: {summary}\n{line}{rest}"
    );
}

/// A capture big enough that reading it takes a while: echo.pcap's frames, many times over.
fn big_capture(dir: &Path, copies: usize) -> PathBuf {
    let echo = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/echo.pcap"))
        .expect("tests/data/echo.pcap");
    let (header, records) = echo.split_at(24);
    let mut out = Vec::with_capacity(24 + records.len() * copies);
    out.extend_from_slice(header);
    for _ in 0..copies {
        out.extend_from_slice(records);
    }
    let path = dir.join("big.pcap");
    std::fs::write(&path, out).expect("write the capture");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    path
}

fn reader_holds_nothing(mode: &[&str], copies: usize) {
    let Some(copy) = setcap_binary(mode[0]) else {
        return;
    };
    let file = big_capture(&copy.dir, copies);
    let mut args: Vec<&str> = mode.to_vec();
    let file_arg = file.to_str().expect("UTF-8 temp path");
    args.insert(1, file_arg);
    let mut child = as_nobody(&copy.bin, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // While the file is open, i.e. from before the first byte is read: the drop comes first.
    let samples = sample_while_open(&mut child, &file);
    let out = child.wait_with_output().expect("output");
    assert!(
        out.status.success(),
        "{mode:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        samples.len() >= 3,
        "{mode:?}: too few samples while it read: {}",
        samples.len()
    );
    for caps in samples {
        assert!(
            caps.iter().all(|&c| c == 0),
            "{mode:?}: capabilities while reading: {caps:x?}"
        );
    }
}

#[test]
fn inspect_holds_no_capability_while_it_reads() {
    reader_holds_nothing(&["inspect"], 20_000);
}

#[test]
fn replay_holds_no_capability_while_it_reads() {
    reader_holds_nothing(&["replay", "--headless"], 1_000);
}
