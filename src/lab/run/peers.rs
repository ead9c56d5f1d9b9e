//! The lab's peers for a student's program: the lecture's echo server on 127.0.0.1:7 (for a
//! client), and the lecture's client (for a server, `--client`). Both are the lab's own
//! instrumented sockets, so their calls appear beside the program's.

use std::net::SocketAddrV4;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::lab::probe::Recorder;
use crate::lab::socket::{LabSocket, Shutdown, SockOpt};
use crate::lab::{LECTURE_BUFSIZE, LECTURE_MESSAGE};
use crate::timeline::Side;

/// The lab's echo server, listening before the program starts; echoes each `recv` until
/// `b''`, one connection after another (the lecture's iterative server).
pub struct EchoServer {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl EchoServer {
    /// Bind and listen now (so the program's first `connect` finds it); serve on a thread.
    pub fn start(rec: &Arc<Recorder>, addr: SocketAddrV4) -> std::io::Result<EchoServer> {
        let mut listener = LabSocket::new(rec, Side::Listener)?;
        listener.setsockopt(SockOpt::ReuseAddr(true))?;
        listener.bind(addr)?;
        listener.listen(5)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("echo-server".into())
            .spawn(move || serve(listener, &flag))?;
        Ok(EchoServer { stop, handle })
    }

    /// Stop accepting; a connection still open is served until its client's FIN (which the
    /// kernel sends when the program exits), at most `grace` more.
    pub fn stop(self, rec: &Recorder, grace: Duration) {
        self.stop.store(true, Ordering::Relaxed);
        let deadline = Instant::now() + grace;
        while !self.handle.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if !self.handle.is_finished() {
            rec.note(crate::i18n::t("lab.run.server_shut_down"));
            rec.shutdown_all();
        }
        let _ = self.handle.join();
    }
}

fn serve(mut listener: LabSocket, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        // Poll first, so stopping never leaves an accept() drawn blocked forever.
        match listener.wait_readable(20) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => break,
        }
        let Ok(mut conn) = listener.accept() else {
            break;
        };
        loop {
            match conn.recv(LECTURE_BUFSIZE) {
                Ok(data) if data.is_empty() => break,
                Ok(data) => {
                    if conn.sendall(&data).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        conn.close();
    }
    listener.close();
}

/// Wait until something listens on `port`, then play the lecture's client against it:
/// connect, `sendall` the message, `shutdown(SHUT_WR)`, `recv` until `b''`, close. Works with a
/// server that echoes each recv and with one that reads to EOF before replying.
pub fn lecture_client(
    rec: &Arc<Recorder>,
    addr: SocketAddrV4,
    listening: impl Fn() -> bool,
    wait: Duration,
) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + wait;
    while !listening() {
        if Instant::now() > deadline {
            return Err(crate::tr!(
                "lab.run.nothing_listened",
                port = addr.port(),
                secs = wait.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let fail =
        |what: &str, e: std::io::Error| crate::tr!("lab.run.client_failed", call = what, error = e);
    let mut s = LabSocket::new(rec, Side::Client).map_err(|e| fail("socket", e))?;
    s.connect(addr).map_err(|e| fail("connect", e))?;
    s.sendall(LECTURE_MESSAGE.as_bytes())
        .map_err(|e| fail("sendall", e))?;
    s.shutdown(Shutdown::Write)
        .map_err(|e| fail("shutdown", e))?;
    let mut reply = Vec::new();
    loop {
        match s.recv(LECTURE_BUFSIZE) {
            Ok(data) if data.is_empty() => break,
            Ok(data) => reply.extend(data),
            Err(e) => {
                s.close();
                return Err(fail("recv", e));
            }
        }
    }
    s.close();
    Ok(reply)
}
