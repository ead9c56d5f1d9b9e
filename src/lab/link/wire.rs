//! The lab's wire when it runs over a link: the hosts, the relay and the capture, set up in the
//! order privileges require (everything that needs a capability first, then all of them given
//! up, then the threads that carry and capture frames).

use std::sync::mpsc;

use crate::lab::setup::LabWire;
use crate::lab::{CaptureStatus, ECHO_PORT, LabConfig, NamespaceKind, Prepared};
use crate::privilege::{self, Keep};
use crate::timeline::{CapturePoint, SourceEvent};

use super::spec::LinkSpec;
use super::topology::{self, Topology, TopologyError};

/// Why a lab over a link could not start.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{}", crate::tr!("lab.err.no_namespace", why = .0))]
    NoNamespace(String),
    #[error(transparent)]
    Topology(#[from] TopologyError),
}

/// Build the two hosts and the link, open the client host's capture, start the relay.
pub(in crate::lab) fn start_wire(
    cfg: &LabConfig,
    spec: LinkSpec,
    prepared: &Prepared,
    tx: mpsc::Sender<SourceEvent>,
    mut note: impl FnMut(String),
) -> Result<(LabWire, Topology), LinkError> {
    match prepared {
        Prepared::Namespace(NamespaceKind::UserAndNet) => {}
        Prepared::Namespace(NamespaceKind::NetOnly) => {
            return Err(LinkError::NoNamespace(crate::tr!("lab.err.net_only")));
        }
        Prepared::HostRequested => {
            return Err(LinkError::NoNamespace(crate::tr!(
                "lab.err.host_loopback_given"
            )));
        }
        Prepared::NamespaceFailed(e) => return Err(LinkError::NoNamespace(e.to_string())),
    }
    let built = topology::build(spec, cfg.mtu, cfg.mtu + 128)?;
    let mut topo = built.topology;
    let sockets = Topology::relay_sockets()?;
    // Everything privileged is done: no thread started from here on holds a capability.
    if let Err(e) = privilege::drop_capabilities(Keep::NOTHING) {
        note(crate::tr!("lab.setup.capabilities", error = e));
    }
    topo.start(sockets)?;
    note(crate::tr!(
        "lab.link.hosts",
        client = topology::CLIENT_ADDR,
        server = topology::SERVER_ADDR,
        spec = format!("{spec:#}"),
        rtt = spec.rtt().as_millis()
    ));
    match topology::start_capture(built.server_capture, CapturePoint::Server, tx.clone()) {
        Ok(live) => topo.keep_server_capture(live),
        Err(e) => note(crate::tr!("lab.link.no_server_capture", error = e)),
    }
    let (live, capture) =
        match topology::start_capture(built.client_capture, CapturePoint::Client, tx) {
            Ok(live) => (Some(live), CaptureStatus::Namespace),
            Err(e) => (None, CaptureStatus::Unavailable(e)),
        };
    let wire = LabWire {
        server: Topology::server(cfg.port.unwrap_or(ECHO_PORT)),
        live,
        capture,
        mtu: Some(cfg.mtu),
    };
    Ok((wire, topo))
}
