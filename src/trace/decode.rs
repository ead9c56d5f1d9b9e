//! A stopped task's system call, typed: its number and six raw arguments become a [`Syscall`]
//! with descriptors, lengths and tracee addresses named; socket addresses decode from the bytes
//! read out of the tracee (`sockaddr_in`, `sockaddr_in6`, ip(7), ipv6(7)).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// An address in the tracee's memory (never dereferenced here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remote(pub u64);

/// Where a call's bytes are: one buffer (`sendto`, `write`) or a `struct msghdr` (`sendmsg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buffers {
    Flat { at: Remote, len: u64 },
    Msg { at: Remote },
}

/// How long a poll or select may wait: poll's milliseconds (negative: forever), or where a
/// `struct timespec` (ppoll, pselect6) or `struct timeval` (select) is (NULL: forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    Millis(i64),
    Spec(Remote),
    Val(Remote),
}

/// One watched system call with its arguments typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syscall {
    Socket {
        domain: i32,
        ty: i32,
    },
    Bind {
        fd: i32,
        addr: Remote,
        len: u32,
    },
    Connect {
        fd: i32,
        addr: Remote,
        len: u32,
    },
    Listen {
        fd: i32,
        backlog: i32,
    },
    /// `accept`/`accept4`: where the kernel writes the peer's address.
    Accept {
        fd: i32,
        addr: Remote,
        len: Remote,
    },
    /// `send`/`sendto`/`sendmsg`/`write`; `to` is a `sendto` destination (NULL for `send`).
    Send {
        fd: i32,
        bufs: Buffers,
        flags: i32,
        to: Option<(Remote, u32)>,
        plain_write: bool,
    },
    /// `recv`/`recvfrom`/`recvmsg`/`read`.
    Recv {
        fd: i32,
        bufs: Buffers,
        flags: i32,
        plain_read: bool,
    },
    Shutdown {
        fd: i32,
        how: i32,
    },
    Close {
        fd: i32,
    },
    SetSockOpt {
        fd: i32,
        level: i32,
        name: i32,
        value: Remote,
        len: u32,
    },
    GetSockOpt {
        fd: i32,
        level: i32,
        name: i32,
    },
    Fcntl {
        fd: i32,
        cmd: i32,
        arg: u64,
    },
    Ioctl {
        fd: i32,
        request: u64,
        arg: Remote,
    },
    /// `poll`/`ppoll`: `n` `struct pollfd` at `fds`.
    Poll {
        fds: Remote,
        n: u64,
        timeout: Timeout,
    },
    /// `select`/`pselect6`: the descriptor sets.
    Select {
        nfds: i32,
        read: Remote,
        write: Remote,
        timeout: Timeout,
    },
}

impl Syscall {
    /// The descriptor the call is about, when it has one.
    pub fn fd(&self) -> Option<i32> {
        match *self {
            Syscall::Bind { fd, .. }
            | Syscall::Connect { fd, .. }
            | Syscall::Listen { fd, .. }
            | Syscall::Accept { fd, .. }
            | Syscall::Send { fd, .. }
            | Syscall::Recv { fd, .. }
            | Syscall::Shutdown { fd, .. }
            | Syscall::Close { fd }
            | Syscall::SetSockOpt { fd, .. }
            | Syscall::GetSockOpt { fd, .. }
            | Syscall::Fcntl { fd, .. }
            | Syscall::Ioctl { fd, .. } => Some(fd),
            Syscall::Socket { .. } | Syscall::Poll { .. } | Syscall::Select { .. } => None,
        }
    }
}

fn int(v: u64) -> i32 {
    v as u32 as i32
}

/// Decode one system call by number (this build's architecture).
pub fn decode(nr: u64, a: [u64; 6]) -> Option<Syscall> {
    let nr = i64::try_from(nr).ok()?;
    let flat = |at: u64, len: u64| Buffers::Flat {
        at: Remote(at),
        len,
    };
    Some(match nr {
        libc::SYS_socket => Syscall::Socket {
            domain: int(a[0]),
            ty: int(a[1]),
        },
        libc::SYS_bind => Syscall::Bind {
            fd: int(a[0]),
            addr: Remote(a[1]),
            len: a[2] as u32,
        },
        libc::SYS_connect => Syscall::Connect {
            fd: int(a[0]),
            addr: Remote(a[1]),
            len: a[2] as u32,
        },
        libc::SYS_listen => Syscall::Listen {
            fd: int(a[0]),
            backlog: int(a[1]),
        },
        libc::SYS_accept | libc::SYS_accept4 => Syscall::Accept {
            fd: int(a[0]),
            addr: Remote(a[1]),
            len: Remote(a[2]),
        },
        libc::SYS_sendto => Syscall::Send {
            fd: int(a[0]),
            bufs: flat(a[1], a[2]),
            flags: int(a[3]),
            to: (a[4] != 0).then_some((Remote(a[4]), a[5] as u32)),
            plain_write: false,
        },
        libc::SYS_sendmsg => Syscall::Send {
            fd: int(a[0]),
            bufs: Buffers::Msg { at: Remote(a[1]) },
            flags: int(a[2]),
            to: None,
            plain_write: false,
        },
        libc::SYS_write => Syscall::Send {
            fd: int(a[0]),
            bufs: flat(a[1], a[2]),
            flags: 0,
            to: None,
            plain_write: true,
        },
        libc::SYS_recvfrom => Syscall::Recv {
            fd: int(a[0]),
            bufs: flat(a[1], a[2]),
            flags: int(a[3]),
            plain_read: false,
        },
        libc::SYS_recvmsg => Syscall::Recv {
            fd: int(a[0]),
            bufs: Buffers::Msg { at: Remote(a[1]) },
            flags: int(a[2]),
            plain_read: false,
        },
        libc::SYS_read => Syscall::Recv {
            fd: int(a[0]),
            bufs: flat(a[1], a[2]),
            flags: 0,
            plain_read: true,
        },
        libc::SYS_shutdown => Syscall::Shutdown {
            fd: int(a[0]),
            how: int(a[1]),
        },
        libc::SYS_close => Syscall::Close { fd: int(a[0]) },
        libc::SYS_setsockopt => Syscall::SetSockOpt {
            fd: int(a[0]),
            level: int(a[1]),
            name: int(a[2]),
            value: Remote(a[3]),
            len: a[4] as u32,
        },
        libc::SYS_getsockopt => Syscall::GetSockOpt {
            fd: int(a[0]),
            level: int(a[1]),
            name: int(a[2]),
        },
        libc::SYS_fcntl => Syscall::Fcntl {
            fd: int(a[0]),
            cmd: int(a[1]),
            arg: a[2],
        },
        libc::SYS_ioctl => Syscall::Ioctl {
            fd: int(a[0]),
            request: a[1],
            arg: Remote(a[2]),
        },
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll => Syscall::Poll {
            fds: Remote(a[0]),
            n: a[1],
            timeout: Timeout::Millis(i64::from(int(a[2]))),
        },
        libc::SYS_ppoll => Syscall::Poll {
            fds: Remote(a[0]),
            n: a[1],
            timeout: Timeout::Spec(Remote(a[2])),
        },
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select => Syscall::Select {
            nfds: int(a[0]),
            read: Remote(a[1]),
            write: Remote(a[2]),
            timeout: Timeout::Val(Remote(a[4])),
        },
        libc::SYS_pselect6 => Syscall::Select {
            nfds: int(a[0]),
            read: Remote(a[1]),
            write: Remote(a[2]),
            timeout: Timeout::Spec(Remote(a[4])),
        },
        _ => return None,
    })
}

/// A `struct sockaddr` read from the tracee: AF_INET and AF_INET6 become addresses, anything
/// else (AF_UNIX, a truncated read) `None`.
pub fn sockaddr(bytes: &[u8]) -> Option<SocketAddr> {
    let family = u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]);
    let port = u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]);
    match i32::from(family) {
        libc::AF_INET => {
            let ip: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            Some(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port)))
        }
        libc::AF_INET6 => {
            let flow = u32::from_be_bytes(bytes.get(4..8)?.try_into().ok()?);
            let ip: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
            let scope = u32::from_ne_bytes(bytes.get(24..28)?.try_into().ok()?);
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(ip),
                port,
                flow,
                scope,
            )))
        }
        _ => None,
    }
}

/// A TCP socket the lecture would make: `AF_INET`/`AF_INET6` and `SOCK_STREAM` (the type's
/// flag bits, `SOCK_CLOEXEC`/`SOCK_NONBLOCK`, masked off).
pub fn is_tcp(domain: i32, ty: i32) -> bool {
    matches!(domain, libc::AF_INET | libc::AF_INET6) && ty & 0xf == libc::SOCK_STREAM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_calls_decode_with_their_arguments() {
        let send = decode(libc::SYS_sendto as u64, [3, 0x1000, 20, 0, 0, 0]);
        assert_eq!(
            send,
            Some(Syscall::Send {
                fd: 3,
                bufs: Buffers::Flat {
                    at: Remote(0x1000),
                    len: 20
                },
                flags: 0,
                to: None,
                plain_write: false
            })
        );
        assert_eq!(
            decode(libc::SYS_close as u64, [u64::MAX, 0, 0, 0, 0, 0]),
            Some(Syscall::Close { fd: -1 })
        );
        assert_eq!(decode(libc::SYS_openat as u64, [0; 6]), None);
        assert!(is_tcp(
            libc::AF_INET,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC
        ));
        assert!(!is_tcp(libc::AF_UNIX, libc::SOCK_STREAM));
        assert!(!is_tcp(libc::AF_INET, libc::SOCK_DGRAM));
    }

    #[test]
    fn sockaddrs_decode_from_the_bytes_python_passes() {
        let mut v4 = vec![0u8; 16];
        v4[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        v4[2..4].copy_from_slice(&7u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[127, 0, 0, 1]);
        assert_eq!(sockaddr(&v4), Some("127.0.0.1:7".parse().expect("literal")));
        let mut v6 = vec![0u8; 28];
        v6[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        v6[2..4].copy_from_slice(&8080u16.to_be_bytes());
        v6[23] = 1;
        assert_eq!(sockaddr(&v6), Some("[::1]:8080".parse().expect("literal")));
        assert_eq!(sockaddr(&v4[..6]), None, "truncated");
        assert_eq!(sockaddr(&[1, 0, 0, 0]), None, "AF_UNIX");
    }
}
