//! Tunnels and the less common link types: each builds a real-looking frame around a TCP
//! segment and checks the segment and the encapsulation path `inspect` prints.

use super::encap::{Encap, Hidden};
use super::testframes::{TcpSpec, ethernet, ipv4, ipv6};
use super::{Decoded, Decoder};
use crate::capture::{LinkType, Timestamp};

/// Decode `frame` (not cut by a snaplen) and return the segment's endpoints, payload length
/// and the encapsulation path.
fn decode(link: u32, frame: &[u8]) -> Option<(String, String, u32, Vec<Encap>)> {
    let mut d = Decoder::new();
    let len = frame.len() as u32;
    match d.decode(LinkType(link), frame, len, Timestamp(0)) {
        Ok(Decoded::Tcp(seg)) => {
            let out = (seg.src.to_string(), seg.dst.to_string(), seg.payload_len);
            Some((out.0, out.1, out.2, d.last_encap().as_slice()))
        }
        Ok(Decoded::NotTcp) => None,
        Err(e) => panic!("decode error {e}"),
    }
}

fn inner() -> TcpSpec {
    TcpSpec {
        src: "192.168.7.1:40000".parse().expect("literal"),
        dst: "192.168.7.2:7".parse().expect("literal"),
        payload: b"Hello, tunnel".to_vec(),
        ..TcpSpec::default()
    }
}

fn assert_inner(link: u32, frame: &[u8], path: &[Encap]) {
    let got = decode(link, frame).unwrap_or_else(|| panic!("no TCP in {path:?}"));
    let spec = inner();
    let (src, dst) = (spec.src.to_string(), spec.dst.to_string());
    if got.0.contains(':') && got.0.starts_with('[') {
        assert_eq!(got.3, path);
        return;
    }
    assert_eq!((got.0, got.1, got.2), (src, dst, 13), "{path:?}");
    assert_eq!(got.3, path);
}

/// Outer IPv4 (10.0.0.1 -> 10.0.0.2) carrying `proto`.
fn outer4(proto: u8, payload: &[u8]) -> Vec<u8> {
    ethernet(
        0x0800,
        &ipv4([10, 0, 0, 1], [10, 0, 0, 2], proto, &[], payload),
    )
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = sport.to_be_bytes().to_vec();
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn udp_tunnels_vxlan_geneve_gpe_gtp_lisp_teredo() {
    let eth = inner().ethernet();
    let ip = inner().ip_bytes();
    let vxlan = cat(&[&[0x08, 0, 0, 0, 0, 0, 0x2A, 0], &eth]);
    assert_inner(1, &outer4(17, &udp(51000, 4789, &vxlan)), &[Encap::Vxlan]);
    // Geneve with one 4-byte option, protocol 0x6558 (Ethernet).
    let geneve = cat(&[&[0x01, 0, 0x65, 0x58, 0, 0, 1, 0, 0, 1, 2, 0], &eth]);
    assert_inner(1, &outer4(17, &udp(6081, 6081, &geneve)), &[Encap::Geneve]);
    let gpe = cat(&[&[0x0C, 0, 0, 1, 0, 0, 1, 0], &ip]);
    assert_inner(1, &outer4(17, &udp(40000, 4790, &gpe)), &[Encap::VxlanGpe]);
    // GTP-U G-PDU with the E flag and one 4-byte extension header (PDU session container).
    let mut gtp = vec![0x34, 0xFF];
    gtp.extend_from_slice(&((8 + ip.len()) as u16).to_be_bytes());
    gtp.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0x10, 9, 0]);
    gtp.extend_from_slice(&ip);
    assert_inner(1, &outer4(17, &udp(2152, 2152, &gtp)), &[Encap::GtpU]);
    let lisp = cat(&[&[0x88, 0, 0, 1, 0, 0, 0, 0], &ip]);
    assert_inner(1, &outer4(17, &udp(4341, 4341, &lisp)), &[Encap::Lisp]);
    let v6 = TcpSpec::v6().ip_bytes();
    let teredo = cat(&[&[0, 0, 0x12, 0x34, 1, 2, 3, 4], &v6]);
    let got = decode(1, &outer4(17, &udp(3544, 50000, &teredo))).expect("TCP in Teredo");
    assert_eq!(
        (got.0.as_str(), got.3),
        ("[2001:db8::1]:40000", vec![Encap::Teredo])
    );
}

#[test]
fn gre_family_plain_erspan_wccp_pptp() {
    let eth = inner().ethernet();
    let ip = inner().ip_bytes();
    assert_inner(
        1,
        &outer4(47, &cat(&[&[0, 0, 0x08, 0], &ip])),
        &[Encap::Gre],
    );
    // Key and sequence number present (RFC 2890).
    let keyed = cat(&[&[0x30, 0, 0x08, 0, 0, 0, 0, 9, 0, 0, 0, 1], &ip]);
    assert_inner(1, &outer4(47, &keyed), &[Encap::Gre]);
    let erspan2 = cat(&[
        &[0x10, 0, 0x88, 0xBE, 0, 0, 0, 1],
        &[0x10, 1, 0, 5, 0, 0, 0, 0],
        &eth,
    ]);
    assert_inner(1, &outer4(47, &erspan2), &[Encap::Gre, Encap::Erspan]);
    let erspan1 = cat(&[&[0, 0, 0x88, 0xBE], &eth]);
    assert_inner(1, &outer4(47, &erspan1), &[Encap::Gre, Encap::Erspan]);
    let erspan3 = cat(&[
        &[0x10, 0, 0x22, 0xEB, 0, 0, 0, 1],
        &[0x20, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
        &eth,
    ]);
    assert_inner(1, &outer4(47, &erspan3), &[Encap::Gre, Encap::Erspan]);
    let wccp = cat(&[&[0, 0, 0x88, 0x3E], &[0, 0, 0, 0], &ip]);
    assert_inner(1, &outer4(47, &wccp), &[Encap::Gre, Encap::Wccp]);
    // PPTP: enhanced GRE version 1, key (length, call id), sequence; PPP with FF 03.
    let pptp = cat(&[
        &[
            0x30, 0x01, 0x88, 0x0B, 0, 50, 0, 7, 0, 0, 0, 1, 0xFF, 0x03, 0, 0x21,
        ],
        &ip,
    ]);
    assert_inner(1, &outer4(47, &pptp), &[Encap::Gre]);
    let routed = outer4(47, &cat(&[&[0x40, 0, 0x08, 0, 0, 0, 0, 0], &ip]));
    let mut d = Decoder::new();
    let len = routed.len() as u32;
    assert_eq!(
        d.decode(LinkType(1), &routed, len, Timestamp(0)),
        Ok(Decoded::NotTcp)
    );
    assert!(
        d.warnings()[0].contains("GRE with source routing"),
        "{:?}",
        d.warnings()
    );
}

#[test]
fn ip_in_ip_both_versions() {
    let ip = inner().ip_bytes();
    assert_inner(1, &outer4(4, &ip), &[Encap::Ipv4InIp]);
    let v6 = TcpSpec::v6().ip_bytes();
    let six_in_four = outer4(41, &v6);
    assert_eq!(
        decode(1, &six_in_four).expect("6in4").3,
        vec![Encap::Ipv6InIp]
    );
    let four_in_six = ethernet(0x86DD, &ipv6([1; 16], [2; 16], 4, &ip));
    assert_inner(1, &four_in_six, &[Encap::Ipv4InIp]);
}

#[test]
fn ethertype_shims_pppoe_mpls_etag_fabricpath_pbb_nsh() {
    let ip = inner().ip_bytes();
    let eth = inner().ethernet();
    let mut pppoe = vec![0x11, 0, 0, 7];
    pppoe.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    pppoe.extend_from_slice(&[0, 0x21]);
    pppoe.extend_from_slice(&ip);
    assert_inner(1, &ethernet(0x8864, &pppoe), &[Encap::Pppoe]);
    // Two labels, bottom of stack on the second.
    let mpls = cat(&[&[0, 0x01, 0x00, 64, 0, 0x02, 0x01, 64], &ip]);
    assert_inner(1, &ethernet(0x8847, &mpls), &[Encap::Mpls]);
    // A pseudowire: control word, then an Ethernet frame.
    let pw = cat(&[&[0, 0x03, 0x01, 64, 0, 0, 0, 0], &eth]);
    assert_inner(1, &ethernet(0x8847, &pw), &[Encap::Mpls]);
    let etag = cat(&[&[0, 0, 0, 0x10, 0, 0, 0x08, 0x00], &ip]);
    assert_inner(1, &ethernet(0x893F, &etag), &[Encap::ETag]);
    let fp = cat(&[&[0x00, 0x3F], &eth]);
    assert_inner(1, &ethernet(0x8903, &fp), &[Encap::FabricPath]);
    let pbb = cat(&[&[0, 0, 0, 1], &eth]);
    assert_inner(1, &ethernet(0x88E7, &pbb), &[Encap::Pbb]);
    let nsh = cat(&[&[0x0F, 0xC6, 0x01, 0x01, 0, 0, 1, 0xFF], &[0; 16], &ip]);
    assert_inner(1, &ethernet(0x894F, &nsh), &[Encap::Nsh]);
    // 802.3 length field with LLC/SNAP.
    let snap = cat(&[&[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00], &ip]);
    assert_inner(1, &ethernet((snap.len()) as u16, &snap), &[]);
}

#[test]
fn ipsec_ah_is_read_esp_is_named_encrypted() {
    let tcp = inner().tcp_bytes();
    let mut ah = vec![6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
    ah.extend_from_slice(&[0; 12]);
    ah.extend_from_slice(&tcp);
    let frame = ethernet(
        0x0800,
        &ipv4([192, 168, 7, 1], [192, 168, 7, 2], 51, &[], &ah),
    );
    assert_inner(1, &frame, &[Encap::Ah]);
    let esp = ethernet(
        0x0800,
        &ipv4([1, 1, 1, 1], [2, 2, 2, 2], 50, &[], &[0xAB; 40]),
    );
    let mut d = Decoder::new();
    for _ in 0..3 {
        let len = esp.len() as u32;
        assert_eq!(
            d.decode(LinkType(1), &esp, len, Timestamp(0)),
            Ok(Decoded::NotTcp)
        );
    }
    assert_eq!(
        d.warnings(),
        vec![format!("3 frame(s) {}", Hidden::Esp.explain())]
    );
}

#[test]
fn capwap_data_carries_ethernet_or_80211() {
    let eth = inner().ethernet();
    // HLEN 2 words, WBID 1, T = 0: an 802.3 frame.
    let capwap = cat(&[&[0x00, 0x10, 0x02, 0x00, 0, 0, 0, 0], &eth]);
    assert_inner(1, &outer4(17, &udp(5247, 5247, &capwap)), &[Encap::Capwap]);
    let wifi = data_80211(&inner().ip_bytes(), false);
    let native = cat(&[&[0x00, 0x10, 0x03, 0x00, 0, 0, 0, 0], &wifi]);
    assert_inner(1, &outer4(17, &udp(5247, 5247, &native)), &[Encap::Capwap]);
}

/// An 802.11 data frame (To DS), QoS when asked, with LLC/SNAP and the IP packet.
fn data_80211(ip: &[u8], qos: bool) -> Vec<u8> {
    let mut f = vec![if qos { 0x88 } else { 0x08 }, 0x01, 0, 0];
    f.extend_from_slice(&[2; 18]); // three addresses
    f.extend_from_slice(&[0, 0]); // sequence control
    if qos {
        f.extend_from_slice(&[0, 0]);
    }
    f.extend_from_slice(&[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]);
    f.extend_from_slice(ip);
    f
}

#[test]
fn serial_links_ppp_hdlc_chdlc_frame_relay_slip() {
    let ip = inner().ip_bytes();
    assert_inner(9, &cat(&[&[0xFF, 0x03, 0x00, 0x21], &ip]), &[]);
    assert_inner(9, &cat(&[&[0x21], &ip]), &[]); // protocol field compressed
    assert_inner(50, &cat(&[&[0xFF, 0x03, 0x00, 0x21], &ip]), &[]);
    assert_inner(50, &cat(&[&[0x0F, 0x00, 0x08, 0x00], &ip]), &[]);
    assert_inner(104, &cat(&[&[0x0F, 0x00, 0x08, 0x00], &ip]), &[]);
    assert_inner(107, &cat(&[&[0x18, 0x41, 0x03, 0xCC], &ip]), &[]);
    assert_inner(
        107,
        &cat(&[&[0x18, 0x41, 0x03, 0x00, 0x80, 0, 0, 0, 0x08, 0x00], &ip]),
        &[],
    );
    assert_inner(107, &cat(&[&[0x18, 0x41, 0x08, 0x00], &ip]), &[]); // Cisco encapsulation
    assert_inner(8, &cat(&[&[0; 1], &[0x40], &[0; 14], &ip]), &[]);
    assert_inner(166, &cat(&[&[0x00, 0x03, 0x00, 0x21], &ip]), &[]);
}

#[test]
fn lan_links_arcnet_ipoib_token_ring_fddi_atm_1394() {
    let ip = inner().ip_bytes();
    // Linux ARCnet: src, dst, offset, RFC 1201 IP (212), split flag 0, sequence.
    assert_inner(129, &cat(&[&[1, 2, 0, 0, 212, 0, 0, 1], &ip]), &[]);
    assert_inner(129, &cat(&[&[1, 2, 0, 0, 240], &ip]), &[]);
    assert_inner(7, &cat(&[&[1, 2, 212, 0, 0, 1], &ip]), &[]);
    let mut ipoib = vec![0; 40];
    ipoib.extend_from_slice(&[0x08, 0x00, 0, 0]);
    assert_inner(242, &cat(&[&ipoib, &ip]), &[]);
    let llc = cat(&[&[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00], &ip]);
    assert_inner(6, &cat(&[&[0x10, 0x40], &[1; 6], &[2; 6], &llc]), &[]);
    assert_inner(10, &cat(&[&[0x50], &[1; 6], &[2; 6], &llc]), &[]);
    assert_inner(100, &llc, &[]);
    assert_inner(123, &cat(&[&[0x02, 0, 0, 32], &llc]), &[]);
    assert_inner(138, &cat(&[&[1; 8], &[2; 8], &[0x08, 0x00], &ip]), &[]);
}

#[test]
fn wireless_radiotap_ppi_prism_with_80211_data() {
    let ip = inner().ip_bytes();
    let wifi = data_80211(&ip, true);
    assert_inner(105, &wifi, &[]);
    // Radiotap: version 0, length 8+8 (TSFT present: 8 bytes), flags field absent.
    let rt = cat(&[&[0, 0, 16, 0, 0x01, 0, 0, 0], &[0; 8], &wifi]);
    assert_inner(127, &rt, &[]);
    // Radiotap with TSFT and Flags (DATAPAD): the 26-byte QoS header is padded to 28.
    let mut padded = wifi[..26].to_vec();
    padded.extend_from_slice(&[0, 0]);
    padded.extend_from_slice(&wifi[26..]);
    let rt_pad = cat(&[
        &[0, 0, 20, 0, 0x03, 0, 0, 0],
        &[0; 8],
        &[0x20, 0, 0, 0],
        &padded,
    ]);
    assert_inner(127, &rt_pad, &[]);
    let ppi = cat(&[&[0, 0, 8, 0, 105, 0, 0, 0], &wifi]);
    assert_inner(192, &ppi, &[]);
    assert_inner(119, &cat(&[&[0; 144], &wifi]), &[]);
    // Protected frames are named, not decoded.
    let mut protected = wifi.clone();
    protected[1] |= 0x40;
    let mut d = Decoder::new();
    let len = protected.len() as u32;
    assert_eq!(
        d.decode(LinkType(105), &protected, len, Timestamp(0)),
        Ok(Decoded::NotTcp)
    );
    assert!(d.warnings()[0].contains("protected (encrypted) 802.11"));
}

#[test]
fn capture_pseudo_headers_nflog_pflog_enc_ipnet_juniper_pktap() {
    let ip = inner().ip_bytes();
    // NFLOG: AF_INET, version 0, resource 0; a prefix TLV then the payload TLV (host order).
    let mut nflog = vec![2, 0, 0, 0, 8, 0, 10, 0, b'a', b'b', b'c', 0];
    nflog.extend_from_slice(&((4 + ip.len()) as u16).to_le_bytes());
    nflog.extend_from_slice(&9u16.to_le_bytes());
    nflog.extend_from_slice(&ip);
    assert_inner(239, &nflog, &[]);
    let mut pflog = vec![61, 2];
    pflog.resize(64, 0);
    assert_inner(117, &cat(&[&pflog, &ip]), &[]);
    assert_inner(109, &cat(&[&[2, 0, 0, 0], &[0; 8], &ip]), &[]);
    let mut ipnet = vec![1, 2];
    ipnet.resize(24, 0);
    assert_inner(226, &cat(&[&ipnet, &ip]), &[]);
    // Juniper Ethernet with 4 bytes of extension TLVs.
    let jnx = cat(&[
        b"MGC",
        &[0x80 | 0x01, 0, 4, 1, 2, 0, 0],
        &inner().ethernet(),
    ]);
    assert_inner(178, &jnx, &[]);
    let mut pktap = (12u32).to_le_bytes().to_vec();
    pktap.extend_from_slice(&1u32.to_le_bytes());
    pktap.extend_from_slice(&[0; 4]);
    assert_inner(258, &cat(&[&pktap, &inner().ethernet()]), &[]);
}

#[test]
fn ipv6_under_the_ipv4_ethertype_is_ipv6() {
    let v6 = TcpSpec::v6();
    let frame = ethernet(0x0800, &v6.ip_bytes());
    let got = decode(1, &frame).expect("TCP");
    assert_eq!(got.0, v6.src.to_string());
}

#[test]
fn nested_tunnels_are_named_outermost_first_and_bounded() {
    // VXLAN carrying a GRE tunnel carrying IPv4.
    let gre = ipv4(
        [172, 16, 0, 1],
        [172, 16, 0, 2],
        47,
        &[],
        &cat(&[&[0, 0, 0x08, 0], &inner().ip_bytes()]),
    );
    let vxlan = cat(&[&[0x08, 0, 0, 0, 0, 0, 1, 0], &ethernet(0x0800, &gre)]);
    assert_inner(
        1,
        &outer4(17, &udp(1234, 4789, &vxlan)),
        &[Encap::Vxlan, Encap::Gre],
    );
    // IP-in-IP nine deep: damage, not a stack overflow.
    let mut p = inner().ip_bytes();
    for _ in 0..9 {
        p = ipv4([10, 0, 0, 1], [10, 0, 0, 2], 4, &[], &p);
    }
    let mut d = Decoder::new();
    let len = p.len() as u32;
    assert!(d.decode(LinkType(101), &p, len, Timestamp(0)).is_err());
}

#[test]
fn every_link_type_tcpdump_prints_is_decoded_or_explained() {
    // LINKTYPE_ values of tcpdump's if_printers (print.c at 39b50f76) that can carry IP.
    let decoded = [
        0, 1, 3, 6, 7, 8, 9, 10, 12, 14, 50, 51, 99, 100, 101, 102, 104, 105, 106, 107, 108, 109,
        113, 117, 119, 122, 123, 127, 129, 138, 163, 166, 178, 179, 180, 181, 192, 202, 204, 205,
        206, 226, 228, 229, 239, 240, 241, 242, 258, 276,
    ];
    for link in decoded {
        let r = super::decode(LinkType(link), &[0u8; 4]);
        assert!(
            !matches!(r, Err(super::DecodeError::UnsupportedLink(_))),
            "link type {link} should be decoded"
        );
    }
    for link in [103, 130, 137, 167, 182, 189, 195, 201, 271, 284] {
        let reason = super::unsupported_reason(LinkType(link));
        assert!(
            !reason.starts_with("sockviz does not know"),
            "{link}: {reason}"
        );
    }
}
