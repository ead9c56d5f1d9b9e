//! IPComp (RFC 3173) payloads compressed with a real DEFLATE encoder (RFC 2394): inflated and
//! decoded, within 65,535 bytes, and every payload that cannot be inflated named in a warning.

use miniz_oxide::deflate::{compress_to_vec, compress_to_vec_zlib};

use super::encap::{Encap, Hidden};
use super::ipcomp::{Algorithm, IpCompProblem};
use super::testframes::{TcpSpec, ethernet, ipv4, ipv6};
use super::{Decoded, Decoder};
use crate::capture::{LinkType, Timestamp};

const PROTO_AH: u8 = 51;
const PROTO_IPCOMP: u8 = 108;

/// A segment whose payload compresses (a text, as a web page would be).
fn spec() -> TcpSpec {
    TcpSpec {
        src: "192.168.7.1:40000".parse().expect("literal"),
        dst: "192.168.7.2:80".parse().expect("literal"),
        payload: b"HTTP/1.0 200 OK\r\n".repeat(40),
        ..TcpSpec::default()
    }
}

/// The IPComp header (Next Header, flags 0, CPI) and `compressed`.
fn ipcomp(next: u8, cpi: u16, compressed: &[u8]) -> Vec<u8> {
    let mut b = vec![next, 0];
    b.extend_from_slice(&cpi.to_be_bytes());
    b.extend_from_slice(compressed);
    b
}

/// Transport mode: the segment's own IPv4 header carries IPComp (CPI 2, DEFLATE).
fn transport_frame(s: &TcpSpec) -> Vec<u8> {
    let compressed = compress_to_vec(&s.tcp_bytes(), 6);
    ethernet(
        0x0800,
        &ipv4(
            [192, 168, 7, 1],
            [192, 168, 7, 2],
            PROTO_IPCOMP,
            &[],
            &ipcomp(6, 2, &compressed),
        ),
    )
}

/// A decoded segment: payload length, its first bytes, the encapsulation path.
type Seen = (u32, Vec<u8>, Vec<Encap>);

/// Decode `frames` (kept whole) through one decoder: the segments, and the warnings.
fn run(frames: &[Vec<u8>]) -> (Vec<Seen>, Vec<String>) {
    let mut d = Decoder::new();
    let mut segs = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let len = f.len() as u32;
        match d.decode(LinkType::ETHERNET, f, len, Timestamp(i as i64)) {
            Ok(Decoded::Tcp(seg)) => {
                let head = seg.payload[..seg.payload.len().min(17)].to_vec();
                segs.push((seg.payload_len, head, d.last_encap().as_slice()));
            }
            Ok(Decoded::NotTcp) => {}
            Err(e) => panic!("frame {i}: {e}"),
        }
    }
    (segs, d.warnings())
}

#[test]
fn a_deflated_transport_mode_segment_is_inflated_and_decoded() {
    let s = spec();
    let frame = transport_frame(&s);
    assert!(
        frame.len() < 14 + 20 + 4 + s.tcp_bytes().len() / 4,
        "really compressed"
    );
    let (segs, warnings) = run(&[frame]);
    assert_eq!(
        segs,
        vec![(680, b"HTTP/1.0 200 OK\r\n".to_vec(), vec![Encap::IpComp])]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn tunnel_mode_under_ah_with_a_negotiated_cpi_names_every_layer() {
    // The corpus's AH-IPcomp captures: outer IP / AH / IPComp (CPI 0x63e1) / inner IP / TCP.
    let s = spec();
    let inner = compress_to_vec(&s.ip_bytes(), 9);
    let mut ah = vec![PROTO_IPCOMP, 4, 0, 0, 0xC6, 0x7C, 0xEA, 0xDF, 0, 0, 0, 1];
    ah.extend_from_slice(&[0x5A; 12]);
    ah.extend_from_slice(&ipcomp(4, 0x63E1, &inner));
    let frame = ethernet(
        0x0800,
        &ipv4([40, 0, 0, 2], [30, 0, 0, 1], PROTO_AH, &[], &ah),
    );
    let mut d = Decoder::new();
    let len = frame.len() as u32;
    match d.decode(LinkType::ETHERNET, &frame, len, Timestamp(0)) {
        Ok(Decoded::Tcp(seg)) => {
            // The inner header's addresses are the connection's.
            assert_eq!(
                (seg.src.to_string(), seg.dst.to_string(), seg.payload_len),
                (
                    "192.168.7.1:40000".to_string(),
                    "192.168.7.2:80".to_string(),
                    680
                )
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.last_encap().as_slice(),
        vec![Encap::Ah, Encap::IpComp, Encap::Ipv4InIp]
    );
}

#[test]
fn ipv6_transport_mode_and_a_zlib_wrapped_stream_are_inflated() {
    let s = TcpSpec {
        payload: b"GET /4k.html HTTP/1.0\r\n".repeat(10),
        ..TcpSpec::v6()
    };
    let (src, dst) = (s.src.ip(), s.dst.ip());
    let (std::net::IpAddr::V6(src), std::net::IpAddr::V6(dst)) = (src, dst) else {
        panic!("v6 spec");
    };
    let raw = compress_to_vec(&s.tcp_bytes(), 6);
    let zlib = compress_to_vec_zlib(&s.tcp_bytes(), 6);
    let frames: Vec<Vec<u8>> = [raw, zlib]
        .iter()
        .map(|c| {
            ethernet(
                0x86DD,
                &ipv6(src.octets(), dst.octets(), PROTO_IPCOMP, &ipcomp(6, 2, c)),
            )
        })
        .collect();
    let (segs, warnings) = run(&frames);
    assert_eq!(segs.len(), 2, "{warnings:?}");
    assert!(
        segs.iter()
            .all(|(len, _, path)| *len == 230 && path == &[Encap::IpComp])
    );
}

#[test]
fn other_algorithms_and_payloads_that_do_not_inflate_are_named() {
    let compressed = compress_to_vec(&spec().tcp_bytes(), 6);
    let frame = |cpi: u16, payload: &[u8]| {
        ethernet(
            0x0800,
            &ipv4(
                [1, 1, 1, 1],
                [2, 2, 2, 2],
                PROTO_IPCOMP,
                &[],
                &ipcomp(6, cpi, payload),
            ),
        )
    };
    // LZS and LZJH are not tried; a negotiated CPI that is not DEFLATE fails to inflate.
    let (segs, warnings) = run(&[
        frame(3, &compressed),
        frame(4, &compressed),
        frame(4, &compressed),
        frame(0x1234, &[0xFF; 64]),
    ]);
    assert!(segs.is_empty());
    assert_eq!(
        warnings,
        vec![
            format!(
                "1 frame(s) {}",
                Hidden::IpComp(IpCompProblem::Algorithm(Algorithm::Lzs)).explain()
            ),
            format!(
                "2 frame(s) {}",
                Hidden::IpComp(IpCompProblem::Algorithm(Algorithm::Lzjh)).explain()
            ),
            format!(
                "1 frame(s) {}",
                Hidden::IpComp(IpCompProblem::NotDeflate).explain()
            ),
        ]
    );
    assert!(
        warnings[0].contains("LZS (CPI 3, RFC 2395)"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[2].contains("does not inflate as DEFLATE"),
        "{}",
        warnings[2]
    );
}

#[test]
fn inflating_stops_at_65535_bytes() {
    // 20 header bytes and 65,515 of payload: exactly the limit, decoded.
    let at_limit = TcpSpec {
        payload: vec![b'a'; 65_515],
        ..spec()
    };
    let (segs, warnings) = run(&[transport_frame(&at_limit)]);
    assert_eq!(segs.len(), 1, "{warnings:?}");
    assert_eq!(segs[0].0, 65_515);
    // One byte more (a deflate "bomb" a few hundred bytes long): refused, and said so.
    let past = TcpSpec {
        payload: vec![b'a'; 65_516],
        ..spec()
    };
    let frame = transport_frame(&past);
    assert!(frame.len() < 400);
    let (segs, warnings) = run(&[frame]);
    assert!(segs.is_empty());
    assert_eq!(
        warnings,
        vec![format!(
            "1 frame(s) {}",
            Hidden::IpComp(IpCompProblem::TooLarge).explain()
        )]
    );
    assert!(warnings[0].contains("more than 65535 bytes"));
}

#[test]
fn a_payload_the_snaplen_cut_is_not_inflated() {
    let frame = transport_frame(&spec());
    let mut d = Decoder::new();
    let cut = &frame[..frame.len() - 10];
    assert_eq!(
        d.decode(LinkType::ETHERNET, cut, frame.len() as u32, Timestamp(0)),
        Ok(Decoded::NotTcp)
    );
    assert_eq!(
        d.warnings(),
        vec![format!(
            "1 frame(s) {}",
            Hidden::IpComp(IpCompProblem::CutBySnaplen).explain()
        )]
    );
}

#[test]
fn ipcomp_inside_an_inflated_payload_is_not_inflated_again() {
    let once = ipcomp(6, 2, &compress_to_vec(&spec().tcp_bytes(), 6));
    let twice = ipcomp(PROTO_IPCOMP, 2, &compress_to_vec(&once, 6));
    let frame = ethernet(
        0x0800,
        &ipv4([1, 1, 1, 1], [2, 2, 2, 2], PROTO_IPCOMP, &[], &twice),
    );
    let (segs, warnings) = run(&[frame]);
    assert!(segs.is_empty());
    assert_eq!(
        warnings,
        vec![format!(
            "1 frame(s) {}",
            Hidden::IpComp(IpCompProblem::Nested).explain()
        )]
    );
}

#[test]
fn a_fragmented_ipcomp_datagram_is_reassembled_then_inflated() {
    // RFC 3173 §3.3: compress, then fragment (the compressed payload is about 330 bytes).
    let s = TcpSpec {
        payload: (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ..spec()
    };
    let body = ipcomp(6, 2, &compress_to_vec(&s.tcp_bytes(), 6));
    assert!(body.len() > 200, "{}", body.len());
    let whole = ipv4([192, 168, 7, 1], [192, 168, 7, 2], PROTO_IPCOMP, &[], &body);
    let (header, payload) = whole.split_at(20);
    let frames: Vec<Vec<u8>> = [(0usize, 160usize), (160, payload.len())]
        .iter()
        .map(|&(from, to)| {
            let mut h = header.to_vec();
            h[2..4].copy_from_slice(&((20 + to - from) as u16).to_be_bytes());
            let more = if to < payload.len() { 0x2000 } else { 0 };
            h[6..8].copy_from_slice(&(((from / 8) as u16) | more).to_be_bytes());
            ethernet(0x0800, &[&h[..], &payload[from..to]].concat())
        })
        .collect();
    let (segs, warnings) = run(&frames);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(segs.len(), 1);
    assert_eq!((segs[0].0, segs[0].2.clone()), (3000, vec![Encap::IpComp]));
}
