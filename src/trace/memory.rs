//! Reading a stopped tracee's buffers: the bytes a send wrote or a recv returned (one buffer or
//! a `struct msghdr`'s iovecs), a socket address, an `int` option value. Every read can fail
//! (the tracee passed a bad pointer, or died): failures give less data, never a panic.

use std::net::SocketAddr;

use super::decode::{Buffers, Remote, Timeout, sockaddr};
use super::ptrace::read_mem;

/// At most this many bytes of one call are copied (the call log shows a prefix; the byte map
/// needs only the counts, which come from the return value).
pub const MAX_COPY: usize = 1 << 20;

/// `struct msghdr` on 64-bit Linux: name, namelen (+pad), iov, iovlen, control, controllen,
/// flags (+pad).
const MSGHDR_LEN: usize = 56;
const IOVEC_LEN: usize = 16;

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The (address, length) pieces a call's bytes live in.
pub fn iovecs(pid: i32, bufs: Buffers) -> Vec<(Remote, u64)> {
    match bufs {
        Buffers::Flat { at, len } => vec![(at, len)],
        Buffers::Msg { at } => {
            let Ok(hdr) = read_mem(pid, at.0, MSGHDR_LEN) else {
                return Vec::new();
            };
            let (Some(iov), Some(n)) = (u64_at(&hdr, 16), u64_at(&hdr, 24)) else {
                return Vec::new();
            };
            let n = usize::try_from(n).unwrap_or(0).min(1024);
            let Ok(raw) = read_mem(pid, iov, n * IOVEC_LEN) else {
                return Vec::new();
            };
            raw.chunks_exact(IOVEC_LEN)
                .filter_map(|c| Some((Remote(u64_at(c, 0)?), u64_at(c, 8)?)))
                .collect()
        }
    }
}

/// The bytes a call asked to move (the sum of its buffers' lengths).
pub fn requested(pid: i32, bufs: Buffers) -> u64 {
    iovecs(pid, bufs).iter().map(|(_, l)| *l).sum()
}

/// The first `count` bytes of the call's buffers (what a send took or a recv filled).
pub fn gather(pid: i32, bufs: Buffers, count: u64) -> Vec<u8> {
    let mut left = usize::try_from(count).unwrap_or(MAX_COPY).min(MAX_COPY);
    let mut out = Vec::with_capacity(left);
    for (at, len) in iovecs(pid, bufs) {
        if left == 0 {
            break;
        }
        let take = usize::try_from(len).unwrap_or(left).min(left);
        match read_mem(pid, at.0, take) {
            Ok(bytes) => {
                left -= bytes.len();
                let short = bytes.len() < take;
                out.extend_from_slice(&bytes);
                if short {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    out
}

/// A socket address the tracee passed (`bind`, `connect`) or received (`accept`).
pub fn address(pid: i32, at: Remote, len: u32) -> Option<SocketAddr> {
    if at.0 == 0 {
        return None;
    }
    let len = usize::try_from(len).ok()?.min(128);
    sockaddr(&read_mem(pid, at.0, len).ok()?)
}

/// A `socklen_t` the kernel wrote (accept's address length).
pub fn socklen(pid: i32, at: Remote) -> Option<u32> {
    let b = read_mem(pid, at.0, 4).ok()?;
    Some(u32::from_ne_bytes(b.get(..4)?.try_into().ok()?))
}

/// An `int` (an option's value, FIONBIO's flag).
pub fn int(pid: i32, at: Remote) -> Option<i32> {
    let b = read_mem(pid, at.0, 4).ok()?;
    Some(i32::from_ne_bytes(b.get(..4)?.try_into().ok()?))
}

/// `struct linger { int l_onoff; int l_linger; }`.
pub fn linger(pid: i32, at: Remote) -> Option<(i32, i32)> {
    let b = read_mem(pid, at.0, 8).ok()?;
    let on = i32::from_ne_bytes(b.get(..4)?.try_into().ok()?);
    let secs = i32::from_ne_bytes(b.get(4..8)?.try_into().ok()?);
    Some((on, secs))
}

/// `struct pollfd` array: the descriptors polled and the events asked for.
pub fn pollfds(pid: i32, at: Remote, n: u64) -> Vec<(i32, i16)> {
    let n = usize::try_from(n).unwrap_or(0).min(1024);
    let Ok(raw) = read_mem(pid, at.0, n * 8) else {
        return Vec::new();
    };
    raw.chunks_exact(8)
        .map(|c| {
            (
                i32::from_ne_bytes([c[0], c[1], c[2], c[3]]),
                i16::from_ne_bytes([c[4], c[5]]),
            )
        })
        .collect()
}

/// A poll's or select's timeout in milliseconds, read at its entry (select rewrites its
/// `timeval` with the time left); `None`: it waits until the socket is ready.
pub fn timeout_ms(pid: i32, t: Timeout) -> Option<i64> {
    let (at, per_ms) = match t {
        Timeout::Millis(ms) => return (ms >= 0).then_some(ms),
        Timeout::Spec(at) => (at, 1_000_000),
        Timeout::Val(at) => (at, 1_000),
    };
    if at.0 == 0 {
        return None;
    }
    let raw = read_mem(pid, at.0, 16).ok()?;
    let secs = u64_at(&raw, 0)? as i64;
    let frac = u64_at(&raw, 8)? as i64;
    Some(secs.saturating_mul(1000).saturating_add(frac / per_ms))
}

/// The descriptors set in an `fd_set` of `nfds` bits.
pub fn fd_set(pid: i32, at: Remote, nfds: i32) -> Vec<i32> {
    if at.0 == 0 || nfds <= 0 {
        return Vec::new();
    }
    let bytes = usize::try_from(nfds).unwrap_or(0).div_ceil(8).min(128);
    let Ok(raw) = read_mem(pid, at.0, bytes) else {
        return Vec::new();
    };
    (0..nfds)
        .filter(|fd| {
            let k = *fd as usize;
            raw.get(k / 8).is_some_and(|b| b & (1 << (k % 8)) != 0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our own process stands in for a tracee: process_vm_readv on oneself is allowed.
    #[test]
    fn buffers_are_gathered_from_a_msghdr() {
        let me = std::process::id() as i32;
        let a = b"Hello, ".to_vec();
        let b = "대한민국!".as_bytes().to_vec();
        let iov = [
            libc::iovec {
                iov_base: a.as_ptr() as *mut libc::c_void,
                iov_len: a.len(),
            },
            libc::iovec {
                iov_base: b.as_ptr() as *mut libc::c_void,
                iov_len: b.len(),
            },
        ];
        // SAFETY: plain data, all-zero is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
        msg.msg_iovlen = 2;
        let bufs = Buffers::Msg {
            at: Remote(&msg as *const libc::msghdr as u64),
        };
        assert_eq!(requested(me, bufs), 20);
        assert_eq!(gather(me, bufs, 20), "Hello, 대한민국!".as_bytes());
        assert_eq!(
            gather(me, bufs, 9),
            "Hello, \u{b300}".as_bytes()[..9].to_vec()
        );
        assert!(
            gather(
                me,
                Buffers::Flat {
                    at: Remote(8),
                    len: 4
                },
                4
            )
            .is_empty()
        );
    }
}
