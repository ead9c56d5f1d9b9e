//! Interface settings in the calling thread's network namespace: up, offloads off, an IPv4
//! address, a permanent neighbour entry. ioctls only (netdevice(7), arp(7)), as `lo` is set up
//! in `netns.rs`.

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use crate::lab::netns::{self, ETHTOOL_SGSO, ETHTOOL_STSO};
use crate::lab::sys;

/// ethtool's `gro off` and `tx off` (linux/ethtool.h).
const ETHTOOL_SGRO: u32 = 0x2c;
const ETHTOOL_STXCSUM: u32 = 0x17;

/// A handle for interface ioctls in this thread's namespace.
pub struct Ifaces {
    sock: OwnedFd,
}

impl Ifaces {
    pub fn new() -> io::Result<Self> {
        Ok(Ifaces {
            sock: sys::udp_socket()?,
        })
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }

    pub fn up(&self, name: &str) -> io::Result<()> {
        netns::set_up(self.fd(), name)
    }

    /// TSO, GSO, GRO and tx checksum offload off (LAB.md): frames read from a veth are then
    /// ordinary MTU-sized frames with full checksums, which the far side accepts when re-sent.
    pub fn offloads_off(&self, name: &str) -> io::Result<()> {
        for cmd in [ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO, ETHTOOL_STXCSUM] {
            netns::set_ethtool(self.fd(), name, cmd, 0)?;
        }
        Ok(())
    }

    /// `ip addr add ADDR/24 dev NAME`: the /24 brings the on-link route, and no other.
    pub fn address(&self, name: &str, addr: Ipv4Addr) -> io::Result<()> {
        let mut req = netns::ifreq_for(name);
        req.ifr_ifru.ifru_addr = sockaddr(addr);
        netns::ioctl_ifreq(self.fd(), libc::SIOCSIFADDR, &mut req)?;
        let mut req = netns::ifreq_for(name);
        req.ifr_ifru.ifru_netmask = sockaddr(Ipv4Addr::new(255, 255, 255, 0));
        netns::ioctl_ifreq(self.fd(), libc::SIOCSIFNETMASK, &mut req)
    }

    /// `ip neigh replace ADDR lladdr MAC dev NAME nud permanent`: the first frame to the peer
    /// does not wait one round trip for ARP.
    pub fn neighbour(&self, name: &str, addr: Ipv4Addr, mac: [u8; 6]) -> io::Result<()> {
        // SAFETY: arpreq is plain data (sockaddrs, flags, a name array); all-zero is valid.
        let mut req: libc::arpreq = unsafe { std::mem::zeroed() };
        req.arp_pa = sockaddr(addr);
        req.arp_ha.sa_family = libc::ARPHRD_ETHER;
        for (dst, src) in req.arp_ha.sa_data.iter_mut().zip(mac) {
            *dst = src as libc::c_char;
        }
        req.arp_flags = libc::ATF_COM | libc::ATF_PERM;
        for (dst, src) in req.arp_dev.iter_mut().zip(name.bytes().take(15)) {
            *dst = src as libc::c_char;
        }
        // SAFETY: SIOCSARP reads one arpreq, which outlives the call.
        let ret = unsafe { libc::ioctl(self.fd().as_raw_fd(), libc::SIOCSARP, &mut req) };
        if ret < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// The interface's index, for binding an `AF_PACKET` socket to it.
    pub fn index(&self, name: &str) -> io::Result<i32> {
        let mut req = netns::ifreq_for(name);
        netns::ioctl_ifreq(self.fd(), libc::SIOCGIFINDEX, &mut req)?;
        // SAFETY: SIOCGIFINDEX just filled the `ifru_ifindex` member of the union.
        Ok(unsafe { req.ifr_ifru.ifru_ifindex })
    }
}

fn sockaddr(addr: Ipv4Addr) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(addr.octets()),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size; the kernel reads it as sockaddr_in.
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

/// Write a sysctl of this thread's network namespace (`/proc/sys/net/...` follows the caller).
pub fn sysctl(path: &str, value: &str) -> io::Result<()> {
    std::fs::write(format!("/proc/sys/net/{path}"), value)
        .map_err(|e| io::Error::new(e.kind(), format!("/proc/sys/net/{path}: {e}")))
}
