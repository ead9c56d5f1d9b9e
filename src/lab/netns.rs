//! A private network namespace for the lab, so an ordinary user can capture its own loopback.
//!
//! LAB.md: after `unshare(CLONE_NEWUSER | CLONE_NEWNET)` an unprivileged process owns a fresh
//! namespace whose `lo` it may bring up, reconfigure and capture on, and where port 7 binds.
//! `unshare(CLONE_NEWUSER)` fails with `EINVAL` in a multi-threaded process, so `main` calls
//! [`enter_private_namespace`] before anything can start a thread.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use super::sys;

/// What to print when the lab cannot capture: the two ways to grant it.
pub fn capture_fix() -> &'static str {
    crate::i18n::t("lab.capture_fix")
}

/// Why the private namespace could not be made or set up.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    #[error("{}", crate::tr!("lab.err.unshare", flags = .flags, error = .source, hint = .hint))]
    Unshare {
        flags: &'static str,
        source: io::Error,
        hint: String,
    },
    #[error("{}", crate::tr!("lab.err.id_map", file = .file, error = .source))]
    IdMap {
        file: &'static str,
        source: io::Error,
    },
    #[error("{}", crate::tr!("lab.err.loopback", what = .what, error = .source))]
    Loopback { what: String, source: io::Error },
}

/// Which kind of namespace we ended up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceKind {
    /// Root: a new network namespace only (`unshare -n`).
    NetOnly,
    /// Anyone: a new user namespace mapping us to root inside, plus a network namespace
    /// (`unshare -Urn`).
    UserAndNet,
}

/// Move this (still single-threaded) process into a private network namespace.
///
/// As root a plain `CLONE_NEWNET` is enough; when that is refused (an unprivileged user, or a
/// container without `CAP_SYS_ADMIN`) a user namespace is created along with it.
pub fn enter_private_namespace() -> Result<NamespaceKind, NetnsError> {
    if geteuid() == 0 && unshare(libc::CLONE_NEWNET).is_ok() {
        return Ok(NamespaceKind::NetOnly);
    }
    enter_user_namespace()
}

/// A new user namespace mapping us to root inside, with a network namespace, even as root: the
/// lab's link builds its hosts there, so what it may do stays inside (`unshare -Urn`).
pub fn enter_user_namespace() -> Result<NamespaceKind, NetnsError> {
    let (uid, gid) = (geteuid(), getegid());
    unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET).map_err(|source| NetnsError::Unshare {
        flags: "CLONE_NEWUSER|CLONE_NEWNET",
        hint: userns_hint(&source),
        source,
    })?;
    // A setcap'd binary is non-dumpable, which leaves /proc/self/* owned by root: the maps
    // below would fail with EACCES (crate::privilege::allow_id_maps says why this is safe).
    let _ = crate::privilege::allow_id_maps();
    // user_namespaces(7): an unprivileged process must deny setgroups before writing gid_map.
    write_proc("/proc/self/setgroups", "deny")?;
    write_proc("/proc/self/uid_map", &format!("0 {uid} 1"))?;
    write_proc("/proc/self/gid_map", &format!("0 {gid} 1"))?;
    Ok(NamespaceKind::UserAndNet)
}

fn write_proc(file: &'static str, content: &str) -> Result<(), NetnsError> {
    std::fs::write(file, content).map_err(|source| NetnsError::IdMap { file, source })
}

/// Read the sysctls that commonly forbid unprivileged user namespaces, to name the culprit.
fn userns_hint(err: &io::Error) -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let mut hints = Vec::new();
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        hints.push(crate::i18n::t("lab.hint.userns_clone"));
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        hints.push(crate::i18n::t("lab.hint.apparmor"));
    }
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        hints.push(crate::i18n::t("lab.hint.max_userns"));
    }
    if err.raw_os_error() == Some(libc::EINVAL) {
        hints.push(crate::i18n::t("lab.hint.threads"));
    }
    if hints.is_empty() {
        String::new()
    } else {
        format!(" ({})", hints.join("; "))
    }
}

/// Configure the namespace's `lo` as the lecture needs it: up, Ethernet MTU, and TSO/GSO off
/// so one `sendall` shows as MSS-sized segments (LAB.md: TSO off is what matters).
pub fn configure_loopback(mtu: u32) -> Result<(), NetnsError> {
    let sock = sys::udp_socket().map_err(|source| NetnsError::Loopback {
        what: "socket(AF_INET, SOCK_DGRAM)".into(),
        source,
    })?;
    let fd = sock.as_fd();
    let err = |what: &str| {
        let what = what.to_string();
        move |source| NetnsError::Loopback { what, source }
    };
    set_up(fd, "lo").map_err(err("ioctl(SIOCSIFFLAGS, IFF_UP) on lo"))?;
    let mtu = libc::c_int::try_from(mtu).unwrap_or(libc::c_int::MAX);
    set_mtu(fd, "lo", mtu).map_err(err(&format!("ioctl(SIOCSIFMTU, {mtu}) on lo")))?;
    set_ethtool(fd, "lo", ETHTOOL_STSO, 0).map_err(err("ethtool -K lo tso off"))?;
    set_ethtool(fd, "lo", ETHTOOL_SGSO, 0).map_err(err("ethtool -K lo gso off"))?;
    Ok(())
}

/// Let any port bind without privileges in this namespace (`net.ipv4.ip_unprivileged_port_start`
/// = 0, a per-namespace setting), so the lecture's port 7 still binds after the lab has given
/// up its capabilities (crate::privilege). Only the lab's own programs exist here.
pub fn allow_low_ports() -> io::Result<()> {
    std::fs::write("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0")
}

pub(crate) const ETHTOOL_STSO: u32 = 0x1f;
pub(crate) const ETHTOOL_SGSO: u32 = 0x24;

/// `struct ethtool_value` (linux/ethtool.h).
#[repr(C)]
struct EthtoolValue {
    cmd: u32,
    data: u32,
}

pub(crate) fn ifreq_for(name: &str) -> libc::ifreq {
    // SAFETY: ifreq is plain data (a name array and a union of plain data); all-zero is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req
        .ifr_name
        .iter_mut()
        .zip(name.bytes().take(libc::IFNAMSIZ - 1))
    {
        *dst = src as libc::c_char;
    }
    req
}

pub(crate) fn ioctl_ifreq(
    fd: BorrowedFd<'_>,
    request: libc::Ioctl,
    req: &mut libc::ifreq,
) -> io::Result<()> {
    // SAFETY: the SIOC*IF* requests read/write one ifreq, which outlives the call.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), request, req as *mut libc::ifreq) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

pub(crate) fn set_up(fd: BorrowedFd<'_>, name: &str) -> io::Result<()> {
    let mut req = ifreq_for(name);
    ioctl_ifreq(fd, libc::SIOCGIFFLAGS, &mut req)?;
    // SAFETY: SIOCGIFFLAGS just filled the `ifru_flags` member of the union.
    let flags = unsafe { req.ifr_ifru.ifru_flags };
    req.ifr_ifru.ifru_flags = flags | libc::IFF_UP as libc::c_short;
    ioctl_ifreq(fd, libc::SIOCSIFFLAGS, &mut req)
}

pub(crate) fn set_mtu(fd: BorrowedFd<'_>, name: &str, mtu: libc::c_int) -> io::Result<()> {
    let mut req = ifreq_for(name);
    req.ifr_ifru.ifru_mtu = mtu;
    ioctl_ifreq(fd, libc::SIOCSIFMTU, &mut req)
}

pub(crate) fn set_ethtool(fd: BorrowedFd<'_>, name: &str, cmd: u32, data: u32) -> io::Result<()> {
    let mut value = EthtoolValue { cmd, data };
    let mut req = ifreq_for(name);
    // The kernel reads the ethtool_value through this pointer during the ioctl only; `value`
    // outlives that call.
    req.ifr_ifru.ifru_data = (&mut value as *mut EthtoolValue).cast();
    ioctl_ifreq(fd, libc::SIOCETHTOOL, &mut req)
}

pub(crate) fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: no pointers; unshare only changes this process's namespace membership.
    if unsafe { libc::unshare(flags) } < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

pub fn geteuid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::geteuid() }
}

fn getegid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getegid() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fix_names_every_setting_that_forbids_user_namespaces() {
        for setting in [
            "kernel.unprivileged_userns_clone",
            "user.max_user_namespaces",
            "kernel.apparmor_restrict_unprivileged_userns",
            "setcap cap_net_raw,cap_net_admin=eip",
        ] {
            assert!(super::capture_fix().contains(setting), "{setting}");
        }
    }
}
