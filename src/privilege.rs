//! Least privilege: capabilities are given up as soon as the capture is open.
//!
//! sockviz needs `CAP_NET_RAW` (and `CAP_NET_ADMIN` for the loopback's settings) only to open its
//! capture: on the host when it runs as root or was given them with `setcap`, and inside the
//! lab's private user namespace, where the process holds every capability (scoped to that
//! namespace) after `unshare`. Like `tcpdump -Z`, it drops them once the capture is open;
//! `inspect`, `replay` and `export` drop them before reading anything.
//!
//! Capabilities belong to a thread, not a process (capabilities(7)): a thread started before
//! the drop keeps what it had. So each mode drops on the thread that opens the capture *before*
//! it starts any other thread, and a thread that must start earlier (the recorder) drops its own
//! first thing. [`threads_holding_capabilities`] reads `/proc` to check that none is left.

use std::io;

/// `CAP_DAC_OVERRIDE` (linux/capability.h): write files whatever their mode.
const CAP_DAC_OVERRIDE: u32 = 1;
/// `CAP_DAC_READ_SEARCH`: read files and search directories whatever their mode.
const CAP_DAC_READ_SEARCH: u32 = 2;
/// `CAP_NET_BIND_SERVICE`: bind ports below `net.ipv4.ip_unprivileged_port_start` (1024).
const CAP_NET_BIND_SERVICE: u32 = 10;

/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set, for capabilities 0-63.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// What a mode still needs after its capture is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// Its server has yet to bind a port below 1024 (the lecture's port 7 on the host, as root).
    pub low_port: bool,
}

impl Keep {
    pub const NOTHING: Keep = Keep { low_port: false };

    /// Whether a server still to bind `port` on the host needs `CAP_NET_BIND_SERVICE`.
    pub fn for_port(port: u16) -> Keep {
        Keep {
            low_port: u32::from(port) < unprivileged_port_start(),
        }
    }

    fn mask(self) -> u64 {
        let mut mask = 0u64;
        if self.low_port {
            mask |= 1 << CAP_NET_BIND_SERVICE;
        }
        // Root on the host keeps reading and writing files it names (a capture in a user's
        // home, a recording started with Ctrl-R): uid 0 without these could not, which is a
        // surprise, not a protection. An ordinary user never had them; inside the lab's user
        // namespace they reach only the user's own files.
        if is_host_root() {
            mask |= (1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH);
        }
        mask
    }
}

/// Give up every capability of the calling thread except `keep` (effective, permitted and
/// inheritable sets, and the ambient set), so neither this thread nor a thread or program it
/// starts can use them again. Doing nothing is not an error: most runs hold none.
pub fn drop_capabilities(keep: Keep) -> io::Result<()> {
    // SAFETY: PR_CAP_AMBIENT_CLEAR_ALL takes no pointers; it only shrinks this thread's set.
    // EINVAL means a kernel older than 4.3, which has no ambient set to clear.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    };
    let held = capget()?;
    let keep = keep.mask();
    let mut next = [CapData::default(); 2];
    for (i, (now, new)) in held.iter().zip(next.iter_mut()).enumerate() {
        let word = (keep >> (32 * i)) as u32;
        new.permitted = now.permitted & word;
        new.effective = now.permitted & word;
        new.inheritable = 0;
    }
    if held
        .iter()
        .all(|d| d.effective == 0 && d.permitted == 0 && d.inheritable == 0)
    {
        return Ok(());
    }
    capset(&next)
}

/// The effective capabilities of the calling thread, as `/proc/self/status` shows `CapEff`.
pub fn effective() -> io::Result<u64> {
    let data = capget()?;
    Ok(u64::from(data[0].effective) | (u64::from(data[1].effective) << 32))
}

fn capget() -> io::Result<[CapData; 2]> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes one header and, for version 3, two CapData; both outlive the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(data)
}

fn capset(data: &[CapData; 2]) -> io::Result<()> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    // SAFETY: capset reads one header and two CapData, which outlive the call; pid 0 is the
    // calling thread, the only one capset may change.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        )
    };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Let this process write its own `/proc/self/{setgroups,uid_map,gid_map}` after entering a
/// user namespace. A binary given capabilities with `setcap` starts "non-dumpable", which makes
/// `/proc/self/*` belong to root, so the id maps could not be written (`EACCES`) and the lab was
/// left in a namespace with no loopback. Ptrace and `/proc/PID/mem` still need the caller to
/// hold every capability this process holds (ptrace(2), "ptrace access mode checking"), so no
/// other program of the same user gains access to the capabilities.
pub fn allow_id_maps() -> io::Result<()> {
    // SAFETY: PR_SET_DUMPABLE takes no pointers.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) } < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Root of the host, not the root a user namespace maps the user to.
fn is_host_root() -> bool {
    // SAFETY: no arguments, cannot fail.
    let euid = unsafe { libc::geteuid() };
    euid == 0 && in_initial_user_namespace()
}

fn in_initial_user_namespace() -> bool {
    std::fs::read_to_string("/proc/self/uid_map")
        .is_ok_and(|map| map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
}

/// `net.ipv4.ip_unprivileged_port_start` of this network namespace (1024 when unreadable).
pub fn unprivileged_port_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1024)
}

/// Threads of process `pid` whose `CapEff` is not empty, as (thread id, `CapEff`).
pub fn threads_holding_capabilities(pid: u32) -> io::Result<Vec<(u32, u64)>> {
    let mut held = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let entry = entry?;
        let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        // A thread may end between the listing and the read.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let eff = status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0);
        if eff != 0 {
            held.push((tid, eff));
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_thread_holds_nothing_and_other_threads_keep_theirs() {
        let before = effective().expect("capget");
        let dropped = std::thread::spawn(|| {
            drop_capabilities(Keep::NOTHING).expect("drop");
            let tid = unsafe { libc::gettid() } as u32;
            let pid = std::process::id();
            let held = threads_holding_capabilities(pid).expect("read /proc");
            (
                effective().expect("capget"),
                held.iter().any(|(t, _)| *t == tid),
            )
        })
        .join()
        .expect("thread");
        let kept = if is_host_root() {
            (1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH)
        } else {
            0
        };
        assert_eq!(
            dropped.0,
            before & kept,
            "only the file capabilities of host root"
        );
        assert_eq!(dropped.1, kept != 0 && before & kept != 0);
        // Capabilities are per thread: this one is untouched.
        assert_eq!(effective().expect("capget"), before);
    }

    #[test]
    fn a_low_port_keeps_only_bind_service() {
        let keep = Keep { low_port: true };
        assert_ne!(keep.mask() & (1 << CAP_NET_BIND_SERVICE), 0);
        assert_eq!(keep.mask() & (1 << 13), 0, "never CAP_NET_RAW");
        assert_eq!(Keep::for_port(7).low_port, unprivileged_port_start() > 7);
    }
}
