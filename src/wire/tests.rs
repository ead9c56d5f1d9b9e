//! Decoder tests: every link type, IP variant and TCP header field, and headers that lie.

use super::testframes::{TcpSpec, ethernet, ipv4, ipv6, wrap};
use super::{DecodeError, Decoded, SackBlock, Segment, SeqNum, TcpFlags, decode, parse_options};
use crate::capture::LinkType;

fn tcp(link: LinkType, data: &[u8]) -> Segment<'_> {
    match decode(link, data) {
        Ok(Decoded::Tcp(seg)) => seg,
        other => panic!("expected a TCP segment, got {other:?}"),
    }
}

fn malformed_layer(link: LinkType, data: &[u8]) -> &'static str {
    match decode(link, data) {
        Err(DecodeError::Malformed { layer, .. }) => layer,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

fn assert_matches_spec(seg: &Segment<'_>, spec: &TcpSpec) {
    assert_eq!(seg.src, spec.src);
    assert_eq!(seg.dst, spec.dst);
    assert_eq!(
        (seg.seq, seg.ack, seg.window),
        (SeqNum(spec.seq), SeqNum(spec.ack), spec.window)
    );
    assert_eq!(seg.flags, TcpFlags(spec.flags));
    assert_eq!(seg.payload_len as usize, spec.payload.len());
    assert_eq!(seg.payload, &spec.payload[..]);
    assert!(!seg.truncated);
}

const ALL_LINKS: [LinkType; 10] = [
    LinkType::ETHERNET,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW_12,
    LinkType::RAW_14,
    LinkType::RAW,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::IPV4,
    LinkType::IPV6,
];

#[test]
fn every_link_type_decodes_ipv4_and_ipv6() {
    for spec in [TcpSpec::default(), TcpSpec::v6()] {
        for link in ALL_LINKS {
            let v6 = spec.src.is_ipv6();
            if (link == LinkType::IPV4 && v6) || (link == LinkType::IPV6 && !v6) {
                continue;
            }
            let frame = wrap(link, &spec.ip_bytes());
            assert_matches_spec(&tcp(link, &frame), &spec);
        }
    }
}

#[test]
fn null_link_accepts_both_host_byte_orders() {
    let spec = TcpSpec::v6();
    for af in [24u32, 28, 30] {
        for header in [af.to_le_bytes(), af.to_be_bytes()] {
            let mut frame = header.to_vec();
            frame.extend_from_slice(&spec.ip_bytes());
            assert_matches_spec(&tcp(LinkType::NULL, &frame), &spec);
        }
    }
    let mut other = 7u32.to_le_bytes().to_vec();
    other.extend_from_slice(&spec.ip_bytes());
    assert_eq!(decode(LinkType::NULL, &other), Ok(Decoded::NotTcp));
}

#[test]
fn vlan_and_qinq_tags_are_followed() {
    let spec = TcpSpec::default();
    let ip = spec.ip_bytes();
    let mut one = vec![0x00, 0x64, 0x08, 0x00];
    one.extend_from_slice(&ip);
    assert_matches_spec(&tcp(LinkType::ETHERNET, &ethernet(0x8100, &one)), &spec);
    let mut two = vec![0x00, 0x0A, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00];
    two.extend_from_slice(&ip);
    assert_matches_spec(&tcp(LinkType::ETHERNET, &ethernet(0x88A8, &two)), &spec);
    assert_eq!(
        malformed_layer(LinkType::ETHERNET, &ethernet(0x8100, &[0, 1])),
        "VLAN"
    );
}

#[test]
fn ethernet_padding_is_not_payload() {
    let spec = TcpSpec {
        payload: Vec::new(),
        flags: TcpFlags::ACK,
        ..TcpSpec::default()
    };
    let frame = spec.ethernet();
    assert_eq!(frame.len(), 60);
    let seg = tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        (seg.payload_len, seg.payload.len(), seg.truncated),
        (0, 0, false)
    );
}

#[test]
fn all_flags_including_ns_cwr_ece_are_read() {
    let spec = TcpSpec {
        flags: 0x1FF,
        ..TcpSpec::default()
    };
    let frame = spec.ethernet();
    let seg = tcp(LinkType::ETHERNET, &frame);
    assert_eq!(seg.flags, TcpFlags(0x1FF));
    assert!(seg.flags.has(TcpFlags::NS) && seg.flags.has(TcpFlags::CWR));
    assert!(seg.flags.has(TcpFlags::ECE));
}

#[test]
fn options_a_lecture_meets_are_read() {
    let mut opts = vec![2, 4, 0x05, 0xB4, 1, 3, 3, 7, 4, 2, 8, 10];
    opts.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]);
    let spec = TcpSpec {
        options: opts,
        flags: TcpFlags::SYN,
        payload: Vec::new(),
        ..TcpSpec::default()
    };
    let frame = spec.ethernet();
    let seg = tcp(LinkType::ETHERNET, &frame);
    assert_eq!(seg.options.mss, Some(1460));
    assert_eq!(seg.options.window_scale, Some(7));
    assert!(seg.options.sack_permitted);
    assert_eq!(seg.options.timestamps, Some((1, 2)));
    assert_eq!(seg.seq_len(), 1);
}

#[test]
fn four_sack_blocks_are_read() {
    let mut opts = vec![5, 34];
    for i in 0..8u32 {
        opts.extend_from_slice(&(100 * i).to_be_bytes());
    }
    let o = parse_options(&opts);
    let expected: Vec<SackBlock> = (0..4)
        .map(|i| SackBlock {
            left: SeqNum(200 * i),
            right: SeqNum(200 * i + 100),
        })
        .collect();
    assert_eq!(o.sack_blocks(), &expected[..]);
}

#[test]
fn unknown_options_are_skipped_and_malformed_ones_stop_parsing() {
    // MPTCP (30) before timestamps: skipped by its length, timestamps still read.
    let o = parse_options(&[30, 4, 0, 0, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8]);
    assert_eq!(o.timestamps, Some((9, 8)));
    // MSS with a wrong length is ignored; a zero length stops the list; MSS before it stays.
    let o = parse_options(&[2, 4, 0, 100, 2, 3, 1, 4, 0, 2, 4, 1, 1]);
    assert_eq!(o.mss, Some(100));
    assert!(!o.sack_permitted);
    // A length past the end, and a lone kind byte: nothing read, no panic.
    assert_eq!(parse_options(&[8, 40, 1, 2]), Default::default());
    assert_eq!(parse_options(&[2]), Default::default());
    // SACK of a length that is not 8n+2 is ignored.
    assert_eq!(parse_options(&[5, 7, 0, 0, 0, 0, 0]).sack_count, 0);
}

#[test]
fn ipv4_options_and_authentication_header_are_skipped() {
    let spec = TcpSpec::default();
    let l4 = spec.tcp_bytes();
    let ip = ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 2],
        6,
        &[0x94, 4, 0, 0, 1, 1, 1, 0],
        &l4,
    );
    assert_matches_spec(&tcp(LinkType::RAW, &ip), &spec);
    let mut ah = vec![6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
    ah.extend_from_slice(&[0xAA; 12]); // 24-byte AH: (4 + 2) * 4
    ah.extend_from_slice(&l4);
    let ip = ipv4([10, 0, 0, 1], [10, 0, 0, 2], 51, &[], &ah);
    assert_matches_spec(&tcp(LinkType::RAW, &ip), &spec);
}

#[test]
fn ipv6_extension_headers_are_walked() {
    let spec = TcpSpec::v6();
    let (src, dst) = (
        [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [0xFE; 16],
    );
    let mut chain = vec![60, 0, 1, 4, 0, 0, 0, 0]; // hop-by-hop -> destination options
    chain.extend_from_slice(&[43, 1, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // -> routing
    chain.extend_from_slice(&[6, 0, 4, 0, 0, 0, 0, 0]); // routing -> TCP
    chain.extend_from_slice(&spec.tcp_bytes());
    let packet = ipv6(src, dst, 0, &chain);
    let seg = tcp(LinkType::IPV6, &packet);
    assert_eq!(seg.payload, &spec.payload[..]);
    assert_eq!(seg.payload_len as usize, spec.payload.len());
    // An extension header that runs past the payload length is malformed.
    assert_eq!(
        malformed_layer(
            LinkType::IPV6,
            &ipv6(src, dst, 0, &[6, 3, 0, 0, 0, 0, 0, 0])
        ),
        "IPv6"
    );
}

#[test]
fn fragments_alone_are_not_tcp_the_decoder_reassembles_them() {
    // Without the capture's order there is nothing to reassemble with: first and later
    // fragments are both NotTcp (tests_fragments.rs reassembles them through `Decoder`).
    let spec = TcpSpec::default();
    let mut ip = spec.ip_bytes();
    ip[6] = 0x20; // MF, offset 0: first fragment
    assert_eq!(decode(LinkType::RAW, &ip), Ok(Decoded::NotTcp));
    ip[6] = 0x00;
    ip[7] = 0x10; // offset 16 * 8
    assert_eq!(decode(LinkType::RAW, &ip), Ok(Decoded::NotTcp));
    let s6 = TcpSpec::v6();
    let mut frag = vec![6, 0, 0, 1, 0, 0, 0, 42];
    frag.extend_from_slice(&s6.tcp_bytes());
    assert_eq!(
        decode(LinkType::IPV6, &ipv6([1; 16], [2; 16], 44, &frag)),
        Ok(Decoded::NotTcp)
    );
}

#[test]
fn snaplen_cut_payload_still_decodes_as_truncated() {
    let spec = TcpSpec {
        payload: vec![9; 1000],
        ..TcpSpec::default()
    };
    let frame = spec.ethernet();
    let cut = &frame[..14 + 20 + 20 + 10];
    let seg = tcp(LinkType::ETHERNET, cut);
    assert_eq!(
        (seg.payload_len, seg.payload.len(), seg.truncated),
        (1000, 10, true)
    );
    assert_eq!(seg.seq, SeqNum(spec.seq));
    // Cut inside the TCP header: malformed, not a panic.
    assert_eq!(
        malformed_layer(LinkType::ETHERNET, &frame[..14 + 20 + 12]),
        "TCP"
    );
    assert_eq!(
        malformed_layer(LinkType::ETHERNET, &frame[..14 + 10]),
        "IPv4"
    );
    assert_eq!(
        malformed_layer(LinkType::ETHERNET, &frame[..10]),
        "Ethernet"
    );
}

#[test]
fn snaplen_cut_inside_the_options_keeps_the_header_and_whole_options() {
    // tcpdump -s 68 on a SYN: 14 + 20 + 34 bytes of a 40-byte TCP header (the timestamps
    // option is cut in the middle).
    let spec = TcpSpec {
        options: vec![
            2, 4, 0x05, 0xA0, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ],
        flags: TcpFlags::SYN,
        payload: Vec::new(),
        ..TcpSpec::default()
    };
    let frame = spec.ethernet();
    let seg = tcp(LinkType::ETHERNET, &frame[..68]);
    assert_eq!(seg.flags, TcpFlags(TcpFlags::SYN));
    assert_eq!(
        (seg.seq, seg.ack, seg.window),
        (SeqNum(spec.seq), SeqNum(spec.ack), spec.window)
    );
    assert_eq!(seg.options.mss, Some(1440));
    assert!(seg.options.sack_permitted);
    assert_eq!(seg.options.timestamps, None);
    assert_eq!((seg.payload_len, seg.truncated), (0, true));
}

#[test]
fn headers_that_lie_are_malformed() {
    let spec = TcpSpec::default();
    let good = spec.ip_bytes();
    let mut short_total = good.clone();
    short_total[2..4].copy_from_slice(&12u16.to_be_bytes());
    assert_eq!(malformed_layer(LinkType::RAW, &short_total), "IPv4");
    let mut leaves_no_tcp = good.clone();
    leaves_no_tcp[2..4].copy_from_slice(&30u16.to_be_bytes());
    assert_eq!(malformed_layer(LinkType::RAW, &leaves_no_tcp), "TCP");
    let mut small_offset = good.clone();
    small_offset[20 + 12] = 0x40;
    assert_eq!(malformed_layer(LinkType::RAW, &small_offset), "TCP");
    let mut big_offset = good.clone();
    big_offset[20 + 12] = 0xF0; // 60-byte header, 25 bytes on the wire
    assert_eq!(malformed_layer(LinkType::RAW, &big_offset), "TCP");
    let mut bad_ihl = good.clone();
    bad_ihl[0] = 0x43;
    assert_eq!(malformed_layer(LinkType::RAW, &bad_ihl), "IPv4");
    assert_eq!(malformed_layer(LinkType::RAW, &[0x70, 0, 0]), "IP");
    assert_eq!(
        malformed_layer(LinkType::IPV4, &TcpSpec::v6().ip_bytes()),
        "IPv4"
    );
}

#[test]
fn zero_total_length_uses_the_captured_length() {
    let spec = TcpSpec {
        payload: vec![1; 3000],
        ..TcpSpec::default()
    };
    let mut ip = spec.ip_bytes();
    ip[2..4].copy_from_slice(&[0, 0]);
    let seg = tcp(LinkType::RAW, &ip);
    assert_eq!((seg.payload_len, seg.truncated), (3000, false));
}

#[test]
fn non_tcp_and_unknown_links() {
    let udp = ipv4([1, 1, 1, 1], [2, 2, 2, 2], 17, &[], &[0; 8]);
    assert_eq!(decode(LinkType::RAW, &udp), Ok(Decoded::NotTcp));
    assert_eq!(
        decode(LinkType::ETHERNET, &ethernet(0x0806, &[0; 28])),
        Ok(Decoded::NotTcp)
    );
    assert_eq!(
        decode(LinkType(147), &[1, 2, 3]),
        Err(DecodeError::UnsupportedLink(LinkType(147)))
    );
    let mut netlink = wrap(LinkType::LINUX_SLL, &TcpSpec::default().ip_bytes());
    netlink[2..4].copy_from_slice(&824u16.to_be_bytes());
    assert_eq!(decode(LinkType::LINUX_SLL, &netlink), Ok(Decoded::NotTcp));
    assert_eq!(
        malformed_layer(LinkType::LINUX_SLL2, &[0; 19]),
        "Linux cooked v2"
    );
    assert_eq!(malformed_layer(LinkType::LOOP, &[0; 3]), "loopback");
}
