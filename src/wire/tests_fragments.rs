//! IP reassembly through the [`Decoder`] (RFC 791 §3.2, RFC 8200 §4.5), and lengths that
//! disagree with the frame.

use super::testframes::{TcpSpec, ethernet, ipv6};
use super::{Decoded, Decoder, FragmentStats};
use crate::capture::{LinkType, Timestamp};

/// `spec`'s IPv4 packet split into fragments of the payload ranges given (multiples of 8
/// except the last), each with identification 0x4242.
fn v4_fragments(spec: &TcpSpec, cuts: &[(usize, usize)]) -> Vec<Vec<u8>> {
    let whole = spec.ip_bytes();
    let (header, payload) = whole.split_at(20);
    cuts.iter()
        .map(|&(from, to)| {
            let mut h = header.to_vec();
            h[2..4].copy_from_slice(&((20 + to - from) as u16).to_be_bytes());
            h[4..6].copy_from_slice(&0x4242u16.to_be_bytes());
            let more = to < payload.len();
            let field = ((from / 8) as u16) | if more { 0x2000 } else { 0 };
            h[6..8].copy_from_slice(&field.to_be_bytes());
            let mut f = h;
            f.extend_from_slice(&payload[from..to]);
            ethernet(0x0800, &f)
        })
        .collect()
}

fn big() -> TcpSpec {
    TcpSpec {
        payload: (0..2000u32).map(|i| i as u8).collect(),
        ..TcpSpec::default()
    }
}

/// Feed frames; return (frame index, payload_len, payload bytes) of each segment.
fn run(d: &mut Decoder, frames: &[Vec<u8>]) -> Vec<(usize, u32, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let len = f.len() as u32;
        if let Ok(Decoded::Tcp(seg)) = d.decode(LinkType::ETHERNET, f, len, Timestamp(i as i64)) {
            out.push((i, seg.payload_len, seg.payload.to_vec()));
        }
    }
    out
}

#[test]
fn ipv4_fragments_in_order_become_one_segment_at_the_last_frame() {
    let spec = big();
    let frames = v4_fragments(&spec, &[(0, 800), (800, 1600), (1600, 2020)]);
    let mut d = Decoder::new();
    let segs = run(&mut d, &frames);
    assert_eq!(segs.len(), 1);
    assert_eq!((segs[0].0, segs[0].1), (2, 2000));
    assert_eq!(segs[0].2, spec.payload);
    d.finish();
    let s = d.fragment_stats();
    assert_eq!((s.fragments, s.reassembled, s.lost()), (3, 1, 0));
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
}

#[test]
fn out_of_order_and_duplicate_fragments_reassemble_once() {
    let spec = big();
    let f = v4_fragments(&spec, &[(0, 800), (800, 1600), (1600, 2020)]);
    let frames = vec![f[2].clone(), f[0].clone(), f[0].clone(), f[1].clone()];
    let mut d = Decoder::new();
    let segs = run(&mut d, &frames);
    assert_eq!(segs.iter().map(|s| s.0).collect::<Vec<_>>(), vec![3]);
    assert_eq!(segs[0].2, spec.payload);
    assert_eq!(d.fragment_stats().overlapping, 1);
}

#[test]
fn overlapping_fragments_keep_the_first_bytes_and_count_conflicts() {
    let spec = big();
    let mut f = v4_fragments(&spec, &[(0, 808), (800, 1600), (1600, 2020)]);
    // The second fragment's first 8 bytes (overlapping the first) say something else.
    let at = 14 + 20;
    for b in &mut f[1][at..at + 8] {
        *b = 0xEE;
    }
    let mut d = Decoder::new();
    let segs = run(&mut d, &f);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0].2, spec.payload, "first arrival wins");
    assert_eq!(d.fragment_stats().conflicting, 1);
    assert!(d.warnings().iter().any(|w| w.contains("different bytes")));
}

#[test]
fn missing_fragments_are_counted_and_cut_ones_are_not_reassembled() {
    let spec = big();
    let f = v4_fragments(&spec, &[(0, 800), (800, 1600), (1600, 2020)]);
    let mut d = Decoder::new();
    assert!(run(&mut d, &[f[0].clone(), f[2].clone()]).is_empty());
    // Another datagram whose fragments the snaplen cut: tshark reassembles only fragments
    // whose bytes are all there, and dissects a first fragment alone (a truncated segment).
    let other = v4_fragments(
        &TcpSpec { seq: 9, ..big() },
        &[(0, 800), (800, 1600), (1600, 2020)],
    );
    let mut seen = Vec::new();
    for (i, mut x) in other.into_iter().enumerate() {
        x[14 + 4..14 + 6].copy_from_slice(&[0x43, 0x43]);
        let full = x.len() as u32;
        x.truncate(100);
        if let Ok(Decoded::Tcp(seg)) = d.decode(LinkType::ETHERNET, &x, full, Timestamp(10)) {
            seen.push((i, seg.seq, seg.truncated));
        }
    }
    assert_eq!(seen, vec![(0, crate::wire::SeqNum(9), true)]);
    d.finish();
    let s = d.fragment_stats();
    assert_eq!((s.incomplete, s.reassembled, s.fragments), (1, 0, 2));
    let w = d.warnings();
    assert!(
        w[0].starts_with("1 IP datagram(s) could not be reassembled from 2 fragment(s)"),
        "{w:?}"
    );
}

#[test]
fn ipv6_fragments_reassemble_with_the_first_fragments_next_header() {
    let spec = TcpSpec {
        payload: vec![7; 1500],
        ..TcpSpec::v6()
    };
    let tcp = spec.tcp_bytes();
    let (a, b) = tcp.split_at(1024);
    let frag = |offset: usize, more: bool, nh: u8, data: &[u8]| {
        let mut p = vec![nh, 0];
        p.extend_from_slice(&(((offset / 8) as u16) << 3 | u16::from(more)).to_be_bytes());
        p.extend_from_slice(&0xDEADBEEFu32.to_be_bytes());
        p.extend_from_slice(data);
        ethernet(0x86DD, &ipv6([0x20; 16], [0x21; 16], 44, &p))
    };
    // RFC 8200 §4.5: only the offset-0 fragment's Next Header counts.
    let frames = vec![frag(1024, false, 17, b), frag(0, true, 6, a)];
    let mut d = Decoder::new();
    let segs = run(&mut d, &frames);
    assert_eq!(segs.len(), 1);
    assert_eq!((segs[0].0, segs[0].1), (1, 1500));
}

#[test]
fn memory_and_time_stay_bounded_under_endless_fragments() {
    let mut r = super::Reassembler::new();
    let mut out = Vec::new();
    let data = [0u8; 1480];
    for i in 0..20_000u32 {
        let f = super::FragmentRef {
            src: "10.0.0.1".parse().expect("literal"),
            dst: "10.0.0.2".parse().expect("literal"),
            id: i,
            proto: 6,
            v6: false,
            offset: 0,
            more: true,
            data: &data,
            cut: false,
        };
        assert!(
            r.add(Timestamp(i64::from(i) * 1_000_000), &f, &mut out)
                .is_none()
        );
        assert!(r.held_bytes() <= super::fragments::MAX_HELD_BYTES);
    }
    let s: FragmentStats = r.stats();
    assert!(s.evicted > 0 && s.expired == 0, "{s:?}");
    // 100 s later everything left has expired.
    let f = super::FragmentRef {
        src: "10.0.0.9".parse().expect("literal"),
        dst: "10.0.0.2".parse().expect("literal"),
        id: 1,
        proto: 6,
        v6: false,
        offset: 0,
        more: true,
        data: &data,
        cut: false,
    };
    r.add(Timestamp(120_000_000_000), &f, &mut out);
    assert_eq!(r.held_bytes(), 1480);
}

fn fragment_of(id: u32, offset: u32, data: &[u8]) -> super::FragmentRef<'_> {
    super::FragmentRef {
        src: "10.0.0.1".parse().expect("literal"),
        dst: "10.0.0.2".parse().expect("literal"),
        id,
        proto: 6,
        v6: false,
        offset,
        more: true,
        data,
        cut: false,
    }
}

#[test]
fn datagrams_that_grow_after_their_first_fragment_stay_within_the_bound() {
    // Each datagram starts with 8 bytes, then a fragment near 64 KiB grows its buffer: 400
    // of them would hold 26 MB if only the first fragment were weighed.
    let mut r = super::Reassembler::new();
    let mut out = Vec::new();
    let small = [1u8; 8];
    for id in 0..400u32 {
        let t = Timestamp(i64::from(id));
        r.add(t, &fragment_of(id, 0, &small), &mut out);
        r.add(t, &fragment_of(id, 65_000, &small), &mut out);
        assert!(r.held_memory() <= super::fragments::MAX_HELD_BYTES);
        assert!(r.held_bytes() <= r.held_memory());
    }
    let s = r.stats();
    assert!(s.evicted > 100, "{s:?}");
    // The newest datagram was not pushed out by its own growth: it still completes.
    let last = vec![2u8; 65_008 - 8];
    let mut f = fragment_of(399, 8, &last);
    f.more = true;
    let done = r.add(Timestamp(400), &f, &mut out);
    assert!(
        done.is_none(),
        "no fragment has said where the datagram ends yet"
    );
    let mut f = fragment_of(399, 65_000, &small);
    f.more = false;
    assert!(r.add(Timestamp(401), &f, &mut out).is_some());
    assert_eq!(out.len(), 65_008);
}

#[test]
fn replay_tags_and_ranges_count_against_the_memory_bound() {
    // Many datagrams of many tiny fragments with gaps: ranges and tags are a fifth of what
    // they hold.
    let mut r = super::Reassembler::new();
    let mut out = Vec::new();
    let small = [3u8; 8];
    let mut tag = 0u64;
    for id in 0..220u32 {
        for k in 0..1_000u32 {
            tag += 1;
            let t = Timestamp(i64::from(id));
            r.add_tagged(t, &fragment_of(id, k * 64, &small), Some(tag), &mut out);
        }
        assert!(r.held_memory() <= super::fragments::MAX_HELD_BYTES);
        // Payload is 64,000 bytes a datagram; 1,000 ranges and tags add 16,000 or more.
        assert!(r.held_memory() >= r.held_bytes() + r.held_bytes() / 4);
    }
    assert!(r.stats().evicted > 0);
    r.finish();
    assert_eq!((r.held_bytes(), r.held_memory()), (0, 0));
}

#[test]
fn ip_length_beyond_an_uncut_frame_uses_the_frame_and_says_so() {
    let spec = TcpSpec {
        payload: vec![1; 100],
        ..TcpSpec::default()
    };
    let mut frame = spec.ethernet();
    // The header claims 50 bytes more than were sent; the frame was captured whole.
    frame[14 + 2..14 + 4].copy_from_slice(&(20 + 20 + 150u16).to_be_bytes());
    let mut d = Decoder::new();
    let len = frame.len() as u32;
    match d.decode(LinkType::ETHERNET, &frame, len, Timestamp(0)) {
        Ok(Decoded::Tcp(seg)) => assert_eq!((seg.payload_len, seg.truncated), (100, false)),
        other => panic!("{other:?}"),
    }
    assert!(d.warnings()[0].contains("IP length larger than their frame"));
    // The same bytes with an original length the snaplen cut: a truncation, header trusted.
    match d.decode(LinkType::ETHERNET, &frame, len + 50, Timestamp(0)) {
        Ok(Decoded::Tcp(seg)) => assert_eq!((seg.payload_len, seg.truncated), (150, true)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_source_routed_segment_belongs_to_the_routes_final_destination() {
    // 10.0.0.1 -> next hop 10.0.0.254, loose source route ending at 10.0.0.2 (pointer 4:
    // not yet used). tshark's ip.dst, and the pseudo-header, are 10.0.0.2.
    let spec = TcpSpec {
        dst: "10.0.0.254:80".parse().expect("literal"),
        ..TcpSpec::default()
    };
    let tcp = spec.tcp_bytes();
    let ip = super::testframes::ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 254],
        6,
        &[0x83, 7, 4, 10, 0, 0, 2, 1],
        &tcp,
    );
    match super::decode(LinkType::RAW, &ip) {
        Ok(Decoded::Tcp(seg)) => assert_eq!(seg.dst.to_string(), "10.0.0.2:80"),
        other => panic!("{other:?}"),
    }
    // The route used up (pointer past the end): the header's destination is the final one.
    let ip = super::testframes::ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 254],
        6,
        &[0x83, 7, 8, 10, 0, 0, 2, 1],
        &tcp,
    );
    match super::decode(LinkType::RAW, &ip) {
        Ok(Decoded::Tcp(seg)) => assert_eq!(seg.dst.to_string(), "10.0.0.254:80"),
        other => panic!("{other:?}"),
    }
}

/// `decode_tagged` remembers which frames gave a datagram bytes, so a replay reading one
/// connection's frames back can rebuild it: the duplicate that added nothing is left out.
#[test]
fn a_rebuilt_datagram_names_the_frames_it_came_from() {
    let spec = big();
    let f = v4_fragments(&spec, &[(0, 800), (800, 1600), (1600, 2020)]);
    let frames = [f[1].clone(), f[0].clone(), f[1].clone(), f[2].clone()];
    let mut d = Decoder::new();
    let mut from = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let len = frame.len() as u32;
        let tcp = matches!(
            d.decode_tagged(
                Some(i as u64 + 10),
                LinkType::ETHERNET,
                frame,
                len,
                Timestamp(0)
            ),
            Ok(Decoded::Tcp(_))
        );
        assert_eq!(d.last_held_fragment(), !tcp, "frame {i}");
        from.push(d.reassembled_from().to_vec());
    }
    assert_eq!(from, vec![vec![], vec![], vec![], vec![10, 11, 13]]);
}
