//! The socket syscalls the lab makes, each wrapped in a small safe function.
//!
//! Every `unsafe` block here calls one libc function whose contract is: a file descriptor we
//! own or borrow for the whole call, and pointers to buffers whose lengths we pass alongside.
//! `BorrowedFd` guarantees the descriptor stays open for the call; slices guarantee the
//! (pointer, length) pairs. That is the whole soundness argument, repeated briefly at each site.
//! IPv4 only: the lecture's `socket.AF_INET, socket.SOCK_STREAM`.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// `SIOCOUTQNSD`: bytes in the send queue not yet sent (linux/sockios.h).
pub const SIOCOUTQNSD: libc::Ioctl = 0x894B;

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn cvt_size(ret: libc::ssize_t) -> io::Result<usize> {
    usize::try_from(ret).map_err(|_| io::Error::last_os_error())
}

fn to_sockaddr(addr: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain old data; all-zero is a valid value (and the padding must be 0).
    let mut sa: libc::sockaddr_in = unsafe { zeroed() };
    sa.sin_family = libc::AF_INET as libc::sa_family_t;
    sa.sin_port = addr.port().to_be();
    sa.sin_addr.s_addr = u32::from(*addr.ip()).to_be();
    sa
}

fn from_sockaddr(sa: &libc::sockaddr_in) -> SocketAddrV4 {
    SocketAddrV4::new(
        Ipv4Addr::from(u32::from_be(sa.sin_addr.s_addr)),
        u16::from_be(sa.sin_port),
    )
}

/// `socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)`.
pub fn tcp_socket() -> io::Result<OwnedFd> {
    // SAFETY: no pointers; on success the kernel hands us a new descriptor nobody else owns.
    let fd =
        cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `fd` was just returned by socket(2) and is owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `socket(AF_INET, SOCK_DGRAM)`: the handle interface ioctls are issued on.
pub fn udp_socket() -> io::Result<OwnedFd> {
    // SAFETY: as in `tcp_socket`.
    let fd = cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: fresh descriptor, owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn bind(fd: BorrowedFd<'_>, addr: SocketAddrV4) -> io::Result<()> {
    let sa = to_sockaddr(addr);
    // SAFETY: `sa` lives across the call and the length passed is its size.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sa as *const libc::sockaddr_in).cast(),
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })
    .map(drop)
}

pub fn connect(fd: BorrowedFd<'_>, addr: SocketAddrV4) -> io::Result<()> {
    let sa = to_sockaddr(addr);
    // SAFETY: as in `bind`.
    cvt(unsafe {
        libc::connect(
            fd.as_raw_fd(),
            (&sa as *const libc::sockaddr_in).cast(),
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })
    .map(drop)
}

pub fn listen(fd: BorrowedFd<'_>, backlog: i32) -> io::Result<()> {
    // SAFETY: no pointers.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) }).map(drop)
}

pub fn accept(fd: BorrowedFd<'_>) -> io::Result<(OwnedFd, SocketAddrV4)> {
    // SAFETY: zeroed sockaddr_in is valid; the kernel writes at most `len` bytes into it.
    let mut sa: libc::sockaddr_in = unsafe { zeroed() };
    let mut len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: `sa` and `len` outlive the call; `len` holds the buffer's size.
    let new = cvt(unsafe {
        libc::accept4(
            fd.as_raw_fd(),
            (&mut sa as *mut libc::sockaddr_in).cast(),
            &mut len,
            libc::SOCK_CLOEXEC,
        )
    })?;
    // SAFETY: accept4 returned a fresh descriptor owned by nothing else.
    Ok((unsafe { OwnedFd::from_raw_fd(new) }, from_sockaddr(&sa)))
}

pub fn send(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: (ptr, len) come from one slice. MSG_NOSIGNAL: a reset peer gives EPIPE, not SIGPIPE.
    cvt_size(unsafe {
        libc::send(
            fd.as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            libc::MSG_NOSIGNAL,
        )
    })
}

/// `send(2)` that never waits (`MSG_DONTWAIT`): as much of `buf` as the send buffer has room
/// for, or `EAGAIN`.
pub fn send_nowait(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: as in `send`.
    cvt_size(unsafe {
        libc::send(
            fd.as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
        )
    })
}

pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: (ptr, len) come from one mutable slice; the kernel writes at most len bytes.
    cvt_size(unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) })
}

pub fn shutdown(fd: BorrowedFd<'_>, how: libc::c_int) -> io::Result<()> {
    // SAFETY: no pointers.
    cvt(unsafe { libc::shutdown(fd.as_raw_fd(), how) }).map(drop)
}

pub fn set_nonblocking(fd: BorrowedFd<'_>, on: bool) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL take and return plain integers.
    let flags = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    let flags = if on {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags) }).map(drop)
}

pub fn set_int_opt(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `value` lives across the call and the length passed is its size.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

pub fn get_int_opt(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value`/`len` outlive the call; the kernel writes at most `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    })?;
    Ok(value)
}

/// `SO_LINGER`: `Some(0)` makes close(2) send RST and drop unsent data (socket(7)).
pub fn set_linger(fd: BorrowedFd<'_>, linger: Option<u16>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: libc::c_int::from(linger.is_some()),
        l_linger: libc::c_int::from(linger.unwrap_or(0)),
    };
    // SAFETY: `value` lives across the call and the length passed is its size.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&value as *const libc::linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    })
    .map(drop)
}

fn name_of(
    fd: BorrowedFd<'_>,
    f: unsafe extern "C" fn(libc::c_int, *mut libc::sockaddr, *mut libc::socklen_t) -> libc::c_int,
) -> io::Result<SocketAddrV4> {
    // SAFETY: zeroed sockaddr_in is valid; the kernel writes at most `len` bytes into it.
    let mut sa: libc::sockaddr_in = unsafe { zeroed() };
    let mut len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: `f` is getsockname or getpeername; `sa`/`len` outlive the call.
    cvt(unsafe {
        f(
            fd.as_raw_fd(),
            (&mut sa as *mut libc::sockaddr_in).cast(),
            &mut len,
        )
    })?;
    Ok(from_sockaddr(&sa))
}

pub fn local_addr(fd: BorrowedFd<'_>) -> io::Result<SocketAddrV4> {
    name_of(fd, libc::getsockname)
}

pub fn peer_addr(fd: BorrowedFd<'_>) -> io::Result<SocketAddrV4> {
    name_of(fd, libc::getpeername)
}

/// An ioctl that writes one `int`: `SIOCINQ`, `SIOCOUTQ`, `SIOCOUTQNSD` (tcp(7)).
pub fn ioctl_int(fd: BorrowedFd<'_>, request: libc::Ioctl) -> io::Result<i32> {
    let mut value: libc::c_int = 0;
    // SAFETY: these requests write exactly one int through the pointer, which outlives the call.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), request, &mut value as *mut libc::c_int) })?;
    Ok(value)
}

/// `getsockopt(IPPROTO_TCP, TCP_INFO)` (tcp(7)); the kernel fills as much as it knows.
pub fn tcp_info(fd: BorrowedFd<'_>) -> io::Result<libc::tcp_info> {
    // SAFETY: tcp_info is plain integers; all-zero is valid.
    let mut info: libc::tcp_info = unsafe { zeroed() };
    let mut len = size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: `info`/`len` outlive the call; the kernel writes at most `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    })?;
    Ok(info)
}

/// Wait until `fd` is writable (or `timeout_ms` passes): how `sendall` waits on a
/// non-blocking socket, like Python's `sock_sendall` waiting on a timeout socket.
pub fn wait_writable(fd: BorrowedFd<'_>, timeout_ms: i32) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one pollfd, passed with count 1, outlives the call.
    let n = cvt(unsafe { libc::poll(&mut pfd, 1, timeout_ms) })?;
    Ok(n > 0)
}

/// Wait until `fd` is readable (or `timeout_ms` passes).
pub fn wait_readable(fd: BorrowedFd<'_>, timeout_ms: i32) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd, passed with count 1, outlives the call.
    let n = cvt(unsafe { libc::poll(&mut pfd, 1, timeout_ms) })?;
    Ok(n > 0)
}

/// The errno's symbolic name (`ECONNREFUSED`), what Python's exception text and strace show.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::EPIPE => "EPIPE",
        libc::EAGAIN => "EAGAIN",
        libc::EINPROGRESS => "EINPROGRESS",
        libc::ENOTCONN => "ENOTCONN",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EINVAL => "EINVAL",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EBADF => "EBADF",
        libc::EINTR => "EINTR",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        _ => "E?",
    }
}
