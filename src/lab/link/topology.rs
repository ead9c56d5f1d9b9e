//! Two hosts and a link, built inside the lab's own user namespace (LAB.md, "An emulated link"):
//!
//! ```text
//!  client host netns           middle netns (the lab)            server host netns
//!  client0 192.0.2.1/24 ⇄ veth ⇄ relay-c ─ relay ─ relay-s ⇄ veth ⇄ server0 192.0.2.2/24
//! ```
//! RFC 5737's documentation addresses, one /24 and no default route, so nothing is routed
//! anywhere else; the middle has no addresses and no forwarding, only the relay's sockets.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::mpsc;

use crate::capture::OwnedFrame;
use crate::capture::live::{CaptureStats, LiveCapture, OpenCapture};
use crate::timeline::{CapturePoint, Side, SourceEvent};

use super::host::Host;
use super::iface::{Ifaces, sysctl};
use super::netlink::{VethEnd, add_veth};
use super::relay::{Relay, RelayStats, packet_socket};
use super::spec::LinkSpec;

/// The client host's address (RFC 5737 TEST-NET-1).
pub const CLIENT_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// The server host's address.
pub const SERVER_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// An address on the hosts' network where no host answers ARP (`EHOSTUNREACH`).
pub const ABSENT_HOST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 3);
/// An address on no network the client host has a route to (RFC 5737 TEST-NET-2:
/// `ENETUNREACH`).
pub const UNROUTED_HOST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

const CLIENT_END: VethEnd = VethEnd {
    name: "client0",
    mac: [0x02, 0, 0, 0, 0, 0x01],
};
const SERVER_END: VethEnd = VethEnd {
    name: "server0",
    mac: [0x02, 0, 0, 0, 0, 0x02],
};
const RELAY_CLIENT_END: VethEnd = VethEnd {
    name: "relay-c",
    mac: [0x02, 0, 0, 0, 1, 0x01],
};
const RELAY_SERVER_END: VethEnd = VethEnd {
    name: "relay-s",
    mac: [0x02, 0, 0, 0, 1, 0x02],
};

/// Why the two hosts and their link could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::tr!("lab.err.topology", step = .step, error = .source))]
pub struct TopologyError {
    pub step: String,
    pub source: io::Error,
}

fn at(step: impl Into<String>) -> impl FnOnce(io::Error) -> TopologyError {
    let step = step.into();
    move |source| TopologyError { step, source }
}

/// The running link: its hosts (socket factories) and its relay.
pub struct Topology {
    client: Host,
    server: Host,
    relay: Option<Relay>,
    /// The server host's capture point (the client's is the lab's main capture).
    server_capture: Option<LiveCapture>,
    pub spec: LinkSpec,
}

impl std::fmt::Debug for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topology")
            .field("client", &self.client)
            .field("server", &self.server)
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// What [`build`] hands back before anything runs: the topology, the open captures.
pub struct Built {
    pub topology: Topology,
    /// The client host's capture (on `client0`), open and not yet delivering.
    pub client_capture: Result<OpenCapture, crate::capture::live::LiveCaptureError>,
    /// The server host's (on `server0`).
    pub server_capture: Result<OpenCapture, crate::capture::live::LiveCaptureError>,
}

/// Build the hosts and the veth pairs and open the captures. The calling thread must be in
/// the lab's own namespace with its capabilities there; the hosts give theirs up before this
/// returns (the caller then drops its own and calls [`Topology::start`]).
pub fn build(spec: LinkSpec, mtu: u32, snaplen: u32) -> Result<Built, TopologyError> {
    // IPv6's router solicitations and DAD would be the only other traffic: none, here.
    for path in [
        "ipv6/conf/all/disable_ipv6",
        "ipv6/conf/default/disable_ipv6",
    ] {
        let _ = sysctl(path, "1");
    }
    let client = Host::start("client").map_err(at(crate::tr!("lab.link.step.client_ns")))?;
    let server = Host::start("server").map_err(at(crate::tr!("lab.link.step.server_ns")))?;
    for host in [&client, &server] {
        host.run(prepare_host)
            .and_then(|r| r)
            .map_err(at(crate::tr!("lab.link.step.sysctls", host = host.name)))?;
    }
    add_veth(RELAY_CLIENT_END, CLIENT_END, client.ns.as_fd())
        .map_err(at("ip link add relay-c type veth peer name client0"))?;
    add_veth(RELAY_SERVER_END, SERVER_END, server.ns.as_fd())
        .map_err(at("ip link add relay-s type veth peer name server0"))?;
    let ifaces = Ifaces::new().map_err(at("socket(AF_INET, SOCK_DGRAM)"))?;
    let mtu = libc::c_int::try_from(mtu).unwrap_or(1500);
    for end in [RELAY_CLIENT_END, RELAY_SERVER_END] {
        configure_end(&ifaces, end.name, mtu).map_err(at(format!("{} up", end.name)))?;
    }
    let (client_addr, server_addr) = (CLIENT_ADDR, SERVER_ADDR);
    client
        .run(move || host_end(CLIENT_END, client_addr, server_addr, SERVER_END.mac, mtu))
        .and_then(|r| r)
        .map_err(at("client0 192.0.2.1/24"))?;
    server
        .run(move || host_end(SERVER_END, server_addr, client_addr, CLIENT_END.mac, mtu))
        .and_then(|r| r)
        .map_err(at("server0 192.0.2.2/24"))?;
    let client_capture = client
        .run(move || LiveCapture::open(CLIENT_END.name, "tcp or arp", snaplen))
        .map_err(at(crate::tr!("lab.link.step.client_capture")))?;
    let server_capture = server
        .run(move || LiveCapture::open(SERVER_END.name, "tcp or arp", snaplen))
        .map_err(at(crate::tr!("lab.link.step.server_capture")))?;
    for host in [&client, &server] {
        host.drop_privileges()
            .map_err(at(crate::tr!("lab.link.step.drop_caps", host = host.name)))?;
    }
    Ok(Built {
        topology: Topology {
            client,
            server,
            relay: None,
            server_capture: None,
            spec,
        },
        client_capture,
        server_capture,
    })
}

fn prepare_host() -> io::Result<()> {
    for path in [
        "ipv6/conf/all/disable_ipv6",
        "ipv6/conf/default/disable_ipv6",
    ] {
        let _ = sysctl(path, "1");
    }
    // Linux 6.6+ retries a SYN at a flat 1 s four times before backing off; the hosts show the
    // exponential backoff of RFC 6298 §5.5 that the lecture and every textbook describe (older
    // kernels have no such setting, and back off at once).
    let _ = sysctl("ipv4/tcp_syn_linear_timeouts", "0");
    // The lecture's port 7 binds without privileges on either host.
    sysctl("ipv4/ip_unprivileged_port_start", "0")?;
    Ifaces::new()?.up("lo")
}

fn configure_end(ifaces: &Ifaces, name: &str, mtu: libc::c_int) -> io::Result<()> {
    ifaces.offloads_off(name)?;
    let sock = crate::lab::sys::udp_socket()?;
    crate::lab::netns::set_mtu(sock.as_fd(), name, mtu)?;
    ifaces.up(name)
}

fn host_end(
    end: VethEnd,
    addr: Ipv4Addr,
    peer: Ipv4Addr,
    peer_mac: [u8; 6],
    mtu: libc::c_int,
) -> io::Result<()> {
    let ifaces = Ifaces::new()?;
    configure_end(&ifaces, end.name, mtu)?;
    ifaces.address(end.name, addr)?;
    ifaces.neighbour(end.name, peer, peer_mac)
}

impl Topology {
    /// Open the relay's packet sockets (in the calling thread's namespace: the middle one).
    pub fn relay_sockets() -> Result<[OwnedFd; 2], TopologyError> {
        let ifaces = Ifaces::new().map_err(at("socket(AF_INET, SOCK_DGRAM)"))?;
        let mut socks = Vec::with_capacity(2);
        for end in [RELAY_CLIENT_END, RELAY_SERVER_END] {
            let index = ifaces
                .index(end.name)
                .map_err(at(format!("{} index", end.name)))?;
            socks.push(packet_socket(index).map_err(at(format!("AF_PACKET on {}", end.name)))?);
        }
        let [c, s]: [OwnedFd; 2] = socks
            .try_into()
            .map_err(|_| at("relay sockets")(io::Error::other("two sockets expected")))?;
        Ok([c, s])
    }

    /// Start carrying frames.
    pub fn start(&mut self, sockets: [OwnedFd; 2]) -> Result<(), TopologyError> {
        let [c, s] = sockets;
        self.relay =
            Some(Relay::start(self.spec, c, s).map_err(at(crate::tr!("lab.link.step.relay")))?);
        Ok(())
    }

    /// The server's address on the server host.
    pub fn server(port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(SERVER_ADDR, port)
    }

    /// A TCP socket on the host where `side` lives.
    pub fn tcp_socket(&self, side: Side) -> io::Result<OwnedFd> {
        match side {
            Side::Client => self.client.tcp_socket(),
            Side::Server | Side::Listener => self.server.tcp_socket(),
        }
    }

    /// Keep the server host's capture running until [`Topology::stop`].
    pub fn keep_server_capture(&mut self, live: LiveCapture) {
        self.server_capture = Some(live);
    }

    /// Stop the relay and the server host's capture: what the relay carried and dropped, and
    /// what the capture dropped.
    pub fn stop(&mut self) -> (RelayStats, Option<CaptureStats>) {
        let relay = self.relay.take().map(Relay::stop).unwrap_or_default();
        (relay, self.server_capture.take().map(LiveCapture::stop))
    }
}

fn at_client(frame: OwnedFrame) -> SourceEvent {
    SourceEvent::LinkFrame {
        point: CapturePoint::Client,
        frame,
    }
}

fn at_server(frame: OwnedFrame) -> SourceEvent {
    SourceEvent::LinkFrame {
        point: CapturePoint::Server,
        frame,
    }
}

/// Start a capture point delivering to `tx`, each frame labelled with where it was seen.
pub fn start_capture(
    open: Result<OpenCapture, crate::capture::live::LiveCaptureError>,
    point: CapturePoint,
    tx: mpsc::Sender<SourceEvent>,
) -> Result<LiveCapture, String> {
    let wrap = match point {
        CapturePoint::Client => at_client,
        CapturePoint::Server => at_server,
    };
    open.and_then(|o| o.start_wrapped(tx, wrap))
        .map_err(|e| e.to_string())
}
