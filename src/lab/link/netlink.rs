//! One rtnetlink request: create a veth pair whose far end lands in another network namespace
//! (`ip link add NEAR address MAC type veth peer name FAR address MAC netns FD`).
//!
//! rtnetlink(7), veth(4): `RTM_NEWLINK` with `IFLA_LINKINFO { IFLA_INFO_KIND "veth",
//! IFLA_INFO_DATA { VETH_INFO_PEER { ifinfomsg, IFLA_IFNAME, IFLA_ADDRESS, IFLA_NET_NS_FD } } }`.
//! No library: the message is a few nested attributes, built here and checked by a test.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// `VETH_INFO_PEER` (linux/veth.h).
const VETH_INFO_PEER: u16 = 1;
const NLA_F_NESTED: u16 = 1 << 15;
/// `sizeof(struct ifinfomsg)`: family, pad, type, index, flags, change.
const IFINFOMSG_LEN: usize = 16;

/// A netlink message under construction: attributes append, nests patch their length at the end.
struct Message {
    buf: Vec<u8>,
}

impl Message {
    fn new(kind: u16, flags: u16) -> Self {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_len, patched in `finish`
        buf.extend_from_slice(&kind.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&1u32.to_ne_bytes()); // nlmsg_seq
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid: the kernel
        let mut m = Message { buf };
        m.ifinfomsg();
        m
    }

    fn ifinfomsg(&mut self) {
        self.buf.extend_from_slice(&[0u8; IFINFOMSG_LEN]); // AF_UNSPEC, no index, no flags
    }

    fn pad(&mut self) {
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
    }

    fn attr(&mut self, kind: u16, payload: &[u8]) {
        let len = u16::try_from(4 + payload.len()).expect("attributes here are a few bytes");
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
    }

    fn name(&mut self, kind: u16, name: &str) {
        let mut bytes = name.as_bytes().to_vec();
        bytes.push(0);
        self.attr(kind, &bytes);
    }

    /// Open a nested attribute; returns where its header is, for [`Message::end`].
    fn begin(&mut self, kind: u16) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        at
    }

    fn end(&mut self, at: usize) {
        let len = u16::try_from(self.buf.len() - at).expect("a nest here is a few dozen bytes");
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
    }

    fn finish(mut self) -> Vec<u8> {
        let len = u32::try_from(self.buf.len()).expect("a message here is a few hundred bytes");
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf
    }
}

/// One end of a veth pair: its name and MAC address.
#[derive(Debug, Clone, Copy)]
pub struct VethEnd {
    pub name: &'static str,
    pub mac: [u8; 6],
}

/// The `RTM_NEWLINK` message for a veth pair: `near` in the caller's namespace, `far` in the
/// namespace `far_ns` names.
fn veth_message(near: VethEnd, far: VethEnd, far_ns: u32) -> Vec<u8> {
    let flags =
        (libc::NLM_F_REQUEST | libc::NLM_F_ACK | libc::NLM_F_CREATE | libc::NLM_F_EXCL) as u16;
    let mut m = Message::new(libc::RTM_NEWLINK, flags);
    m.name(libc::IFLA_IFNAME, near.name);
    m.attr(libc::IFLA_ADDRESS, &near.mac);
    let info = m.begin(libc::IFLA_LINKINFO);
    m.name(libc::IFLA_INFO_KIND, "veth");
    let data = m.begin(libc::IFLA_INFO_DATA);
    let peer = m.begin(VETH_INFO_PEER);
    m.ifinfomsg();
    m.name(libc::IFLA_IFNAME, far.name);
    m.attr(libc::IFLA_ADDRESS, &far.mac);
    m.attr(libc::IFLA_NET_NS_FD, &far_ns.to_ne_bytes());
    m.end(peer);
    m.end(data);
    m.end(info);
    m.finish()
}

/// Create the veth pair `near` ⇄ `far`, `far` inside the network namespace `far_ns`.
pub fn add_veth(near: VethEnd, far: VethEnd, far_ns: BorrowedFd<'_>) -> io::Result<()> {
    let fd = u32::try_from(far_ns.as_raw_fd()).map_err(|_| io::Error::other("bad ns fd"))?;
    let request = veth_message(near, far, fd);
    // SAFETY: plain socket(2); the result is checked before it is owned.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` was just returned by socket(2) and is owned by nothing else.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: sockaddr_nl is plain data; all-zero with the family set addresses the kernel.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    // SAFETY: the buffer and the address outlive the call; lengths are theirs.
    let sent = unsafe {
        libc::sendto(
            sock.as_raw_fd(),
            request.as_ptr().cast(),
            request.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut reply = [0u8; 1024];
    // SAFETY: `reply` is writable for its whole length during the call.
    let got = unsafe { libc::recv(sock.as_raw_fd(), reply.as_mut_ptr().cast(), reply.len(), 0) };
    let got = usize::try_from(got).map_err(|_| io::Error::last_os_error())?;
    ack_status(&reply[..got])
}

/// The answer to a request with `NLM_F_ACK`: an `NLMSG_ERROR` whose error is 0 on success.
fn ack_status(reply: &[u8]) -> io::Result<()> {
    let u16_at = |i: usize| {
        reply
            .get(i..i + 2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]))
    };
    let i32_at = |i: usize| {
        reply
            .get(i..i + 4)
            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    match (u16_at(4), i32_at(16)) {
        (Some(kind), Some(0)) if kind == libc::NLMSG_ERROR as u16 => Ok(()),
        (Some(kind), Some(err)) if kind == libc::NLMSG_ERROR as u16 => {
            Err(io::Error::from_raw_os_error(-err))
        }
        _ => Err(io::Error::other(
            "rtnetlink answered with no acknowledgement",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_veth_request_nests_the_peer_with_its_namespace() {
        let near = VethEnd {
            name: "relay-c",
            mac: [2, 0, 0, 0, 1, 1],
        };
        let far = VethEnd {
            name: "client0",
            mac: [2, 0, 0, 0, 0, 1],
        };
        let m = veth_message(near, far, 7);
        assert_eq!(
            u32::from_ne_bytes([m[0], m[1], m[2], m[3]]) as usize,
            m.len()
        );
        assert_eq!(m.len() % 4, 0);
        let text = String::from_utf8_lossy(&m);
        let (relay, veth, client) = (
            text.find("relay-c").expect("near name"),
            text.find("veth").expect("kind"),
            text.find("client0").expect("far name"),
        );
        assert!(relay < veth && veth < client, "near, kind, then the peer");
        // IFLA_NET_NS_FD (28) carrying 7, after the peer's name.
        let ns = [8u8, 0, 28, 0, 7, 0, 0, 0];
        let at = m
            .windows(8)
            .position(|w| w == ns)
            .expect("the ns attribute");
        assert!(at > client);
    }

    #[test]
    fn a_netlink_error_is_an_os_error() {
        let mut reply = vec![0u8; 36];
        reply[4..6].copy_from_slice(&(libc::NLMSG_ERROR as u16).to_ne_bytes());
        assert!(ack_status(&reply).is_ok());
        reply[16..20].copy_from_slice(&(-libc::EEXIST).to_ne_bytes());
        let e = ack_status(&reply).expect_err("EEXIST");
        assert_eq!(e.raw_os_error(), Some(libc::EEXIST));
    }
}
