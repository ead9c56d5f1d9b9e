//! A lab host: a thread that lives in a network namespace of its own and does there whatever
//! must be done there: configure its interface, open its capture, create its sockets.
//!
//! A network namespace belongs to a thread, not a process (`unshare(CLONE_NEWNET)` is allowed in
//! a threaded process, unlike `CLONE_NEWUSER`), and a socket stays in the namespace it was made
//! in whichever thread uses it. So the scenario's threads need no privilege to switch
//! namespaces: they ask the host thread for a socket and use it where they are.

use std::io;
use std::os::fd::OwnedFd;
use std::sync::mpsc;
use std::thread;

type Job = Box<dyn FnOnce() + Send>;

/// One host's thread, inside its own network namespace.
pub struct Host {
    pub name: &'static str,
    /// `/proc/thread-self/ns/net` of the host thread: names the namespace to rtnetlink.
    pub ns: OwnedFd,
    jobs: Option<mpsc::Sender<Job>>,
    handle: Option<thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("name", &self.name).finish()
    }
}

impl Host {
    /// Start a thread in a new network namespace (the caller's thread needs `CAP_SYS_ADMIN` in
    /// the lab's user namespace; the new thread inherits it until [`Host::drop_privileges`]).
    pub fn start(name: &'static str) -> io::Result<Host> {
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
        let (ns_tx, ns_rx) = mpsc::channel::<io::Result<OwnedFd>>();
        let handle = thread::Builder::new()
            .name(format!("host-{name}"))
            .spawn(move || {
                let entered = crate::lab::netns::unshare(libc::CLONE_NEWNET)
                    .and_then(|()| std::fs::File::open("/proc/thread-self/ns/net"))
                    .map(OwnedFd::from);
                let ok = entered.is_ok();
                let _ = ns_tx.send(entered);
                if ok {
                    for job in jobs_rx.iter() {
                        job();
                    }
                }
            })?;
        let ns = ns_rx
            .recv()
            .map_err(|_| io::Error::other("the host thread ended before its namespace existed"))?
            .map_err(|e| io::Error::new(e.kind(), format!("unshare(CLONE_NEWNET): {e}")))?;
        Ok(Host {
            name,
            ns,
            jobs: Some(jobs_tx),
            handle: Some(handle),
        })
    }

    /// Run `f` on the host's thread, in its namespace, and return what it returns.
    pub fn run<T, F>(&self, f: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs
            .as_ref()
            .ok_or_else(|| io::Error::other("the host has stopped"))?
            .send(job)
            .map_err(|_| io::Error::other(format!("the {} host's thread has ended", self.name)))?;
        rx.recv()
            .map_err(|_| io::Error::other(format!("the {} host's thread failed", self.name)))
    }

    /// `socket(AF_INET, SOCK_STREAM)` in this host's namespace.
    pub fn tcp_socket(&self) -> io::Result<OwnedFd> {
        self.run(crate::lab::sys::tcp_socket)?
    }

    /// Give up the host thread's capabilities once its namespace is configured.
    pub fn drop_privileges(&self) -> io::Result<()> {
        self.run(|| crate::privilege::drop_capabilities(crate::privilege::Keep::NOTHING))?
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        // A closed job channel ends the thread's loop.
        self.jobs.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
