//! Encapsulations: the tunnels and shims a TCP segment can travel inside, and the frames that
//! carry IP sockviz cannot read (encrypted, compressed, not decoded yet).
//!
//! The inner IP/TCP is the connection, as in tshark; [`EncapPath`] remembers what carried it,
//! outermost first, so `inspect` can say "via VXLAN". The parsers for each tunnel header live
//! in `tunnel.rs`; this file holds only the vocabulary every layer shares.

use std::fmt;

use super::ipcomp::IpCompProblem;
use crate::key;

/// One encapsulation a segment was found inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encap {
    /// RFC 7348, UDP port 4789.
    Vxlan,
    /// VXLAN Generic Protocol Extension (draft-ietf-nvo3-vxlan-gpe), UDP port 4790.
    VxlanGpe,
    /// RFC 8926, UDP port 6081.
    Geneve,
    /// RFC 2784/2890 (and RFC 2637's enhanced GRE for PPTP).
    Gre,
    /// Cisco ERSPAN types I-III inside GRE.
    Erspan,
    /// Cisco WCCP v2 redirection inside GRE.
    Wccp,
    /// IPv4 inside IPv4 or IPv6 (RFC 2003, protocol 4).
    Ipv4InIp,
    /// IPv6 inside IPv4 or IPv6 (RFC 4213 6in4, RFC 2473; protocol 41).
    Ipv6InIp,
    /// 3GPP TS 29.281 user plane, UDP port 2152.
    GtpU,
    /// RFC 2516 session stage (EtherType 0x8864).
    Pppoe,
    /// RFC 3032 label stack (EtherType 0x8847/0x8848, GRE, IP protocol 137).
    Mpls,
    /// IEEE 802.1BR E-Tag (EtherType 0x893F).
    ETag,
    /// IPsec Authentication Header (RFC 4302): integrity only, the payload is readable.
    Ah,
    /// RFC 5415 CAPWAP data channel, UDP port 5247.
    Capwap,
    /// Cisco FabricPath (EtherType 0x8903).
    FabricPath,
    /// RFC 2661 L2TPv2 data messages, UDP port 1701.
    L2tp,
    /// RFC 4380 Teredo, UDP port 3544.
    Teredo,
    /// IEEE 802.1ah provider backbone bridging (EtherType 0x88E7).
    Pbb,
    /// RFC 8300 Network Service Header (EtherType 0x894F).
    Nsh,
    /// RFC 3378 EtherIP (IP protocol 97).
    EtherIp,
    /// RFC 9300 LISP data plane, UDP port 4341.
    Lisp,
    /// IEEE 802.1AE MACsec with integrity only (no confidentiality).
    Macsec,
    /// RFC 3173 IP payload compression (IP protocol 108), inflated (RFC 2394 DEFLATE).
    IpComp,
}

impl Encap {
    /// The name `inspect` prints (table and JSON).
    pub fn name(self) -> &'static str {
        match self {
            Encap::Vxlan => "VXLAN",
            Encap::VxlanGpe => "VXLAN-GPE",
            Encap::Geneve => "Geneve",
            Encap::Gre => "GRE",
            Encap::Erspan => "ERSPAN",
            Encap::Wccp => "WCCP",
            Encap::Ipv4InIp => "IPv4-in-IP",
            Encap::Ipv6InIp => "IPv6-in-IP",
            Encap::GtpU => "GTP-U",
            Encap::Pppoe => "PPPoE",
            Encap::Mpls => "MPLS",
            Encap::ETag => "E-Tag",
            Encap::Ah => "IPsec AH",
            Encap::Capwap => "CAPWAP",
            Encap::FabricPath => "FabricPath",
            Encap::L2tp => "L2TP",
            Encap::Teredo => "Teredo",
            Encap::Pbb => "PBB",
            Encap::Nsh => "NSH",
            Encap::EtherIp => "EtherIP",
            Encap::Lisp => "LISP",
            Encap::Macsec => "MACsec",
            Encap::IpComp => "IPComp",
        }
    }
}

/// The encapsulations around one segment, outermost first. Fixed size and `Copy`: decoding
/// the common, unencapsulated frame must not allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EncapPath {
    items: [Option<Encap>; EncapPath::MAX],
    len: u8,
}

impl EncapPath {
    /// Deeper nesting than any network builds: past this, the frame is treated as damage.
    pub const MAX: usize = 8;

    pub fn as_slice(&self) -> Vec<Encap> {
        self.items[..usize::from(self.len)]
            .iter()
            .flatten()
            .copied()
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, e: Encap) -> bool {
        self.items[..usize::from(self.len)].contains(&Some(e))
    }

    /// Add `e` inside the current innermost one; false when the path is full.
    pub(super) fn push(&mut self, e: Encap) -> bool {
        let Some(slot) = self.items.get_mut(usize::from(self.len)) else {
            return false;
        };
        *slot = Some(e);
        self.len += 1;
        true
    }
}

impl fmt::Display for EncapPath {
    /// `VXLAN`, `GRE / ERSPAN`: outermost first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(" / ")?;
            }
            f.write_str(e.name())?;
        }
        Ok(())
    }
}

/// Why a frame that carries (or may carry) IP yielded no TCP segment, when that is worth a
/// warning: the user should know these frames may hide connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hidden {
    /// IPsec ESP (RFC 4303), directly or UDP-encapsulated (RFC 3948, port 4500).
    Esp,
    /// 802.11 data frames with the Protected bit: WEP/WPA-encrypted.
    Wifi80211Protected,
    /// 802.11 aggregate MSDUs (several frames in one): not split up.
    Wifi80211Amsdu,
    /// MACsec with confidentiality.
    MacsecEncrypted,
    /// CAPWAP over DTLS.
    CapwapDtls,
    /// CAPWAP's own fragmentation (F bit): not reassembled.
    CapwapFragment,
    /// Van Jacobson compressed TCP/IP headers (RFC 1144) on SLIP or PPP.
    VjCompressed,
    /// IP Payload Compression (RFC 3173, protocol 108) that could not be inflated.
    IpComp(IpCompProblem),
    /// ARCnet's own fragmentation (RFC 1201 split flag): not reassembled.
    ArcnetFragment,
    /// GRE with the Routing bit (RFC 1701 source routes): obsolete, not decoded.
    GreRouting,
    /// A tunnel sockviz recognises but does not decode; the key of its name says which
    /// (`key!("wire.tunnel.…")`).
    Tunnel(&'static str),
}

impl Hidden {
    /// The sentence after "N frame(s) ...", saying what happened and why.
    pub fn explain(self) -> String {
        let key = match self {
            Hidden::Esp => key!("wire.hidden.esp"),
            Hidden::Wifi80211Protected => key!("wire.hidden.wifi_protected"),
            Hidden::Wifi80211Amsdu => key!("wire.hidden.wifi_amsdu"),
            Hidden::MacsecEncrypted => key!("wire.hidden.macsec"),
            Hidden::CapwapDtls => key!("wire.hidden.capwap_dtls"),
            Hidden::CapwapFragment => key!("wire.hidden.capwap_fragment"),
            Hidden::VjCompressed => key!("wire.hidden.vj"),
            Hidden::IpComp(problem) => return problem.explain(),
            Hidden::ArcnetFragment => key!("wire.hidden.arcnet_fragment"),
            Hidden::GreRouting => key!("wire.hidden.gre_routing"),
            Hidden::Tunnel(name) => {
                return crate::tr!("wire.hidden.tunnel", name = crate::i18n::t(name));
            }
        };
        crate::i18n::t(key).to_string()
    }

    /// "N frame(s) ..." with the sentence [`Hidden::explain`] gives.
    pub fn warning(self, n: u64) -> String {
        crate::tr!("wire.hidden.count", n = n, why = self.explain())
    }
}
