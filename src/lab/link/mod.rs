//! A wire with a length: two lab hosts in network namespaces of their own, joined by a link
//! that sockviz carries itself (LAB.md, "An emulated link": veth pairs into a middle namespace
//! where a relay moves frames between `AF_PACKET` sockets), so its delay, rate, queue, loss and
//! reordering are sockviz's to set.

pub mod spec;

pub use spec::{BitsPerSec, LinkSpec, LinkSpecError, Loss, QueueLimit};
mod host;
mod iface;
mod netlink;
mod relay;
mod shaper;
pub mod topology;
mod wire;

pub use relay::RelayStats;
pub use topology::{ABSENT_HOST, CLIENT_ADDR, SERVER_ADDR, Topology, UNROUTED_HOST};
pub use wire::LinkError;
pub(in crate::lab) use wire::start_wire;
