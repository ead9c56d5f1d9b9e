//! Captures for the tshark cross-check, built from the real segments of the checked-in
//! loopback captures: each frame's IP packet re-wrapped in a tunnel or another link type, or
//! split into IP fragments, and written with a small pcap writer. tshark must then find the
//! same connections, frames, bytes and analysis counts in them as sockviz.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One record of a classic little-endian microsecond pcap.
#[derive(Debug, Clone)]
pub struct Record {
    pub secs: u32,
    pub usecs: u32,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// Read a little-endian microsecond pcap (what the fixtures are).
pub fn read_pcap(path: &Path) -> (u32, Vec<Record>) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &b[..4],
        &[0xD4, 0xC3, 0xB2, 0xA1],
        "{}: LE µs pcap",
        path.display()
    );
    let u32le = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let link = u32le(20);
    let mut at = 24;
    let mut out = Vec::new();
    while at + 16 <= b.len() {
        let caplen = u32le(at + 8) as usize;
        out.push(Record {
            secs: u32le(at),
            usecs: u32le(at + 4),
            data: b[at + 16..at + 16 + caplen].to_vec(),
            orig_len: u32le(at + 12),
        });
        at += 16 + caplen;
    }
    (link, out)
}

pub fn write_pcap(path: &Path, link: u32, records: &[Record]) {
    let mut f = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend_from_slice(&262_144u32.to_le_bytes());
    f.extend_from_slice(&link.to_le_bytes());
    for r in records {
        f.extend_from_slice(&r.secs.to_le_bytes());
        f.extend_from_slice(&r.usecs.to_le_bytes());
        f.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
        f.extend_from_slice(&r.orig_len.to_le_bytes());
        f.extend_from_slice(&r.data);
    }
    std::fs::write(path, f).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn be16(v: usize) -> [u8; 2] {
    (v as u16).to_be_bytes()
}

/// RFC 1071 checksum, so that tshark sees well-formed outer headers.
fn checksum(b: &[u8]) -> u16 {
    let mut sum = 0u32;
    for c in b.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// An outer IPv4 header 10.99.0.1 -> 10.99.0.2 (swapped when `back`) around `payload`.
pub fn ipv4(proto: u8, back: bool, payload: &[u8]) -> Vec<u8> {
    let (s, d) = if back {
        ([10, 99, 0, 2], [10, 99, 0, 1])
    } else {
        ([10, 99, 0, 1], [10, 99, 0, 2])
    };
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&be16(20 + payload.len()));
    h.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
    h.extend_from_slice(&s);
    h.extend_from_slice(&d);
    let c = checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

pub fn ipv6(next: u8, back: bool, payload: &[u8]) -> Vec<u8> {
    let (mut s, mut d) = ([0u8; 16], [0u8; 16]);
    s[..2].copy_from_slice(&[0xFD, 0x99]);
    d[..2].copy_from_slice(&[0xFD, 0x99]);
    s[15] = 1;
    d[15] = 2;
    if back {
        std::mem::swap(&mut s, &mut d);
    }
    let mut h = vec![0x60, 0, 0, 0];
    h.extend_from_slice(&be16(payload.len()));
    h.extend_from_slice(&[next, 64]);
    h.extend_from_slice(&s);
    h.extend_from_slice(&d);
    h.extend_from_slice(payload);
    h
}

/// UDP with a zero checksum (allowed over IPv4).
pub fn udp(sport: u16, dport: u16, back: bool, payload: &[u8]) -> Vec<u8> {
    let (s, d) = if back { (dport, sport) } else { (sport, dport) };
    let mut u = s.to_be_bytes().to_vec();
    u.extend_from_slice(&d.to_be_bytes());
    u.extend_from_slice(&be16(8 + payload.len()));
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

pub fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ether_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn ip_of(frame: &[u8]) -> &[u8] {
    &frame[14..]
}

fn ether_type_of(ip: &[u8]) -> u16 {
    if ip[0] >> 4 == 6 { 0x86DD } else { 0x0800 }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Each way of carrying an IP packet: (file name, link type, wrap(ip, is_reply) -> frame).
type Wrap = fn(&[u8], bool) -> Vec<u8>;

pub fn wrappers() -> Vec<(&'static str, u32, Wrap)> {
    vec![
        ("vxlan", 1, |ip, back| {
            let inner = ethernet(ether_type_of(ip), ip);
            ethernet(
                0x0800,
                &ipv4(
                    17,
                    back,
                    &udp(
                        49152,
                        4789,
                        back,
                        &cat(&[&[8, 0, 0, 0, 0, 0, 42, 0], &inner]),
                    ),
                ),
            )
        }),
        ("geneve", 1, |ip, back| {
            let inner = ethernet(ether_type_of(ip), ip);
            ethernet(
                0x0800,
                &ipv4(
                    17,
                    back,
                    &udp(
                        49153,
                        6081,
                        back,
                        &cat(&[&[0, 0, 0x65, 0x58, 0, 0, 5, 0], &inner]),
                    ),
                ),
            )
        }),
        ("gre", 1, |ip, back| {
            let et = ether_type_of(ip).to_be_bytes();
            ethernet(0x0800, &ipv4(47, back, &cat(&[&[0, 0, et[0], et[1]], ip])))
        }),
        ("gre-erspan2", 1, |ip, back| {
            let inner = ethernet(ether_type_of(ip), ip);
            let hdr = [
                0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, 0x10, 0x64, 0, 1, 0, 0, 0, 0,
            ];
            ethernet(0x0800, &ipv4(47, back, &cat(&[&hdr, &inner])))
        }),
        ("gre-wccp", 1, |ip, back| {
            ethernet(
                0x0800,
                &ipv4(47, back, &cat(&[&[0, 0, 0x88, 0x3E, 0, 0, 0, 0], ip])),
            )
        }),
        ("ipip", 1, |ip, back| {
            let proto = if ip[0] >> 4 == 6 { 41 } else { 4 };
            ethernet(0x0800, &ipv4(proto, back, ip))
        }),
        ("ip6ip", 1, |ip, back| {
            let proto = if ip[0] >> 4 == 6 { 41 } else { 4 };
            ethernet(0x86DD, &ipv6(proto, back, ip))
        }),
        ("gtpu", 1, |ip, back| {
            let mut g = vec![0x30, 0xFF];
            g.extend_from_slice(&be16(ip.len()));
            g.extend_from_slice(&[0, 0, 0, 7]);
            ethernet(
                0x0800,
                &ipv4(17, back, &udp(2152, 2152, back, &cat(&[&g, ip]))),
            )
        }),
        ("pppoe", 1, |ip, _| {
            let proto: [u8; 2] = if ip[0] >> 4 == 6 {
                [0, 0x57]
            } else {
                [0, 0x21]
            };
            let mut h = vec![0x11, 0, 0, 9];
            h.extend_from_slice(&be16(ip.len() + 2));
            ethernet(0x8864, &cat(&[&h, &proto, ip]))
        }),
        ("mpls", 1, |ip, _| {
            ethernet(0x8847, &cat(&[&[0, 0x10, 0x01, 64], ip]))
        }),
        ("etag", 1, |ip, _| {
            let et = ether_type_of(ip).to_be_bytes();
            ethernet(0x893F, &cat(&[&[0, 0, 0, 0x10, 0, 0, et[0], et[1]], ip]))
        }),
        ("ah", 1, |ip, _| {
            // The AH goes between the IP header and TCP; the IP header's protocol becomes 51.
            let v6 = ip[0] >> 4 == 6;
            let hl = if v6 {
                40
            } else {
                usize::from(ip[0] & 0x0F) * 4
            };
            let mut h = ip[..hl].to_vec();
            let ah = [
                6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ];
            if v6 {
                h[6] = 51;
                let pl = u16::from_be_bytes([h[4], h[5]]) as usize + 24;
                h[4..6].copy_from_slice(&be16(pl));
            } else {
                h[9] = 51;
                let tl = u16::from_be_bytes([h[2], h[3]]) as usize + 24;
                h[2..4].copy_from_slice(&be16(tl));
                h[10..12].copy_from_slice(&[0, 0]);
                let c = checksum(&h);
                h[10..12].copy_from_slice(&c.to_be_bytes());
            }
            ethernet(ether_type_of(ip), &cat(&[&h, &ah, &ip[hl..]]))
        }),
        ("fabricpath", 1, |ip, back| fabricpath(ip, back, false)),
        ("fabricpath-1ad", 1, |ip, back| fabricpath(ip, back, true)),
        ("ipcomp", 1, |ip, _| {
            ethernet(ether_type_of(ip), &ipcomp_transport(ip))
        }),
        ("ipcomp-tunnel", 1, |ip, back| {
            let next = if ip[0] >> 4 == 6 { 41 } else { 4 };
            let comp = cat(&[&[next, 0, 0x63, 0xE1], &deflate(ip)]);
            ethernet(0x0800, &ipv4(108, back, &comp))
        }),
        ("capwap", 1, |ip, back| {
            let inner = ethernet(ether_type_of(ip), ip);
            ethernet(
                0x0800,
                &ipv4(
                    17,
                    back,
                    &udp(
                        5247,
                        5247,
                        back,
                        &cat(&[&[0, 0x10, 0x02, 0, 0, 0, 0, 0], &inner]),
                    ),
                ),
            )
        }),
        ("ppp", 9, |ip, _| {
            let p: [u8; 2] = if ip[0] >> 4 == 6 {
                [0, 0x57]
            } else {
                [0, 0x21]
            };
            cat(&[&[0xFF, 0x03], &p, ip])
        }),
        ("ppp-hdlc", 50, |ip, _| {
            let p: [u8; 2] = if ip[0] >> 4 == 6 {
                [0, 0x57]
            } else {
                [0, 0x21]
            };
            cat(&[&[0xFF, 0x03], &p, ip])
        }),
        ("chdlc", 104, |ip, _| {
            let et = ether_type_of(ip).to_be_bytes();
            cat(&[&[0x0F, 0, et[0], et[1]], ip])
        }),
        ("frelay", 107, |ip, _| {
            let nlpid = if ip[0] >> 4 == 6 { 0x8E } else { 0xCC };
            cat(&[&[0x18, 0x41, 0x03, nlpid], ip])
        }),
        ("slip", 8, |ip, back| {
            cat(&[&[u8::from(back)], &[0x40], &[0; 14], ip])
        }),
        ("ipoib", 242, |ip, _| {
            let et = ether_type_of(ip).to_be_bytes();
            cat(&[&[0x80; 40], &[et[0], et[1], 0, 0], ip])
        }),
        ("nflog", 239, |ip, _| {
            let family = if ip[0] >> 4 == 6 { 10 } else { 2 };
            let mut f = vec![family, 0, 0, 0];
            f.extend_from_slice(&((4 + ip.len()) as u16).to_le_bytes());
            f.extend_from_slice(&9u16.to_le_bytes());
            f.extend_from_slice(ip);
            f
        }),
        ("radiotap-80211", 127, |ip, back| {
            cat(&[&[0, 0, 8, 0, 0, 0, 0, 0], &wifi(ip, back)])
        }),
        ("ppi-80211", 192, |ip, back| {
            cat(&[&[0, 0, 8, 0, 105, 0, 0, 0], &wifi(ip, back)])
        }),
        ("juniper-ether", 178, |ip, _| {
            cat(&[
                b"MGC",
                &[0x81, 0, 4, 1, 2, 0, 0],
                &ethernet(ether_type_of(ip), ip),
            ])
        }),
        ("arcnet-linux", 129, |ip, _| {
            let t = if ip[0] >> 4 == 6 { 0xC4 } else { 212 };
            cat(&[&[1, 2, 0, 0, t, 0, 0, 0], ip])
        }),
        ("v6-under-v4-ethertype", 1, |ip, _| ethernet(0x0800, ip)),
        // A loose source route not yet used: the header names the next hop (x.x.x.254), the
        // option the final destination, which tshark (and the pseudo-header) takes as ip.dst.
        ("lsrr", 1, |ip, _| {
            if ip[0] != 0x45 {
                return ethernet(ether_type_of(ip), ip);
            }
            let mut h = ip[..20].to_vec();
            let final_dst = [h[16], h[17], h[18], h[19]];
            h[19] = 254;
            h[0] = 0x47;
            let total = u16::from_be_bytes([h[2], h[3]]) as usize + 8;
            h[2..4].copy_from_slice(&be16(total));
            h.extend_from_slice(&[0x83, 7, 4]);
            h.extend_from_slice(&final_dst);
            h.push(1);
            h[10..12].copy_from_slice(&[0, 0]);
            let c = checksum(&h);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            ethernet(0x0800, &cat(&[&h, &ip[20..]]))
        }),
    ]
}

/// A Cisco FabricPath frame: outer hierarchical MACs (switch-id, sub-switch-id, LID), an
/// optional 802.1ad tag, EtherType 0x8903 with the 10-bit FTag and 6-bit TTL, the host's
/// Ethernet frame, and the FabricPath frame's own FCS (CRC-32 over all of it, as a FabricPath
/// switch sends it; tshark's dissector always takes the last 4 bytes as that FCS).
fn fabricpath(ip: &[u8], back: bool, tag_1ad: bool) -> Vec<u8> {
    // Switch 0x0C1, sub-switch 0, LID 7 and switch 0x0C2, LID 9.
    let (a, b) = (
        [0x02, 0x00, 0xC1, 0x00, 0x00, 0x07],
        [0x02, 0x00, 0xC2, 0x00, 0x00, 0x09],
    );
    let (src, dst) = if back { (b, a) } else { (a, b) };
    let mut f = cat(&[&dst, &src]);
    if tag_1ad {
        f.extend_from_slice(&[0x88, 0xA8, 0x00, 0x2A]);
    }
    // FTag 1, TTL 32.
    f.extend_from_slice(&[0x89, 0x03, 0x00, 0x60]);
    f.extend_from_slice(&ethernet(ether_type_of(ip), ip));
    let fcs = crc32(&f);
    f.extend_from_slice(&fcs.to_le_bytes());
    f
}

/// IEEE 802.3 CRC-32 (reflected, polynomial 0xEDB88320), as an Ethernet FCS.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Raw DEFLATE (RFC 1951) as an IPComp sender writes it (RFC 2394), from a real encoder.
fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(bytes, 6)
}

/// IPComp in transport mode (RFC 3173 §3): the packet's own header now says protocol 108, and
/// the IPComp header (Next Header TCP, CPI 2 = DEFLATE) precedes the compressed segment. Every
/// segment is compressed, even one that does not shrink (a sender would send that one
/// uncompressed, RFC 3173 §2.2; compressing all of them tests more).
fn ipcomp_transport(ip: &[u8]) -> Vec<u8> {
    let v6 = ip[0] >> 4 == 6;
    let (hl, total) = if v6 {
        (40, 40 + u16::from_be_bytes([ip[4], ip[5]]) as usize)
    } else {
        (
            usize::from(ip[0] & 0x0F) * 4,
            u16::from_be_bytes([ip[2], ip[3]]) as usize,
        )
    };
    let next = if v6 { ip[6] } else { ip[9] };
    let comp = cat(&[&[next, 0, 0, 2], &deflate(&ip[hl..total])]);
    let mut h = ip[..hl].to_vec();
    if v6 {
        h[6] = 108;
        h[4..6].copy_from_slice(&be16(comp.len()));
    } else {
        h[9] = 108;
        h[2..4].copy_from_slice(&be16(hl + comp.len()));
        h[10..12].copy_from_slice(&[0, 0]);
        let c = checksum(&h);
        h[10..12].copy_from_slice(&c.to_be_bytes());
    }
    cat(&[&h, &comp])
}

/// An 802.11 data frame (To DS from the first side, From DS back) with LLC/SNAP.
fn wifi(ip: &[u8], back: bool) -> Vec<u8> {
    let mut f = vec![0x08, if back { 0x02 } else { 0x01 }, 0, 0];
    f.extend_from_slice(&[
        0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 3,
    ]);
    f.extend_from_slice(&[0, 0]);
    let et = ether_type_of(ip).to_be_bytes();
    f.extend_from_slice(&[0xAA, 0xAA, 0x03, 0, 0, 0, et[0], et[1]]);
    f.extend_from_slice(ip);
    f
}

/// Re-wrap every frame of `src` (Ethernet, loopback traffic) with each wrapper whose name is
/// in `only` (all when empty) into `dir`.
pub fn build_wrapped(src: &Path, dir: &Path, only: &[&str]) -> Vec<PathBuf> {
    let (link, records) = read_pcap(src);
    assert_eq!(link, 1);
    let stem = src.file_stem().and_then(|s| s.to_str()).expect("name");
    // Loopback: both ends share the address; the first frame's (the SYN's) destination port
    // is the server's, and frames from it go "back".
    let tcp_of = |ip: &[u8]| {
        if ip[0] >> 4 == 6 {
            40
        } else {
            usize::from(ip[0] & 0x0F) * 4
        }
    };
    let server_port = {
        let ip = ip_of(&records[0].data);
        ip[tcp_of(ip) + 2..tcp_of(ip) + 4].to_vec()
    };
    let mut out = Vec::new();
    for (name, link, wrap) in wrappers() {
        if !only.is_empty() && !only.contains(&name) {
            continue;
        }
        let wrapped: Vec<Record> = records
            .iter()
            .map(|r| {
                let ip = ip_of(&r.data);
                let back = ip[tcp_of(ip)..tcp_of(ip) + 2] == server_port[..];
                let data = wrap(ip, back);
                Record {
                    orig_len: data.len() as u32,
                    data,
                    ..r.clone()
                }
            })
            .collect();
        let path = dir.join(format!("{stem}.{name}.pcap"));
        write_pcap(&path, link, &wrapped);
        out.push(path);
    }
    out
}

/// Split every IP packet of `src` longer than `mtu` into fragments (in order, or with the
/// last fragment first when `reverse`); IPv4 only.
pub fn build_fragmented(src: &Path, dir: &Path, mtu: usize, reverse: bool) -> PathBuf {
    let (link, records) = read_pcap(src);
    assert_eq!(link, 1);
    let mut out = Vec::new();
    let mut id = 0x1000u16;
    for r in &records {
        let ip = ip_of(&r.data);
        let total = u16::from_be_bytes([ip[2], ip[3]]) as usize;
        if ip[0] >> 4 != 4 || total <= mtu {
            out.push(r.clone());
            continue;
        }
        id = id.wrapping_add(1);
        let hl = usize::from(ip[0] & 0x0F) * 4;
        let payload = &ip[hl..total];
        let step = (mtu - hl) / 8 * 8;
        let mut frags: Vec<Record> = payload
            .chunks(step)
            .enumerate()
            .map(|(i, chunk)| {
                let mut h = ip[..hl].to_vec();
                h[2..4].copy_from_slice(&be16(hl + chunk.len()));
                h[4..6].copy_from_slice(&id.to_be_bytes());
                let more = (i + 1) * step < payload.len();
                let field = ((i * step / 8) as u16) | if more { 0x2000 } else { 0 };
                h[6..8].copy_from_slice(&field.to_be_bytes());
                h[10..12].copy_from_slice(&[0, 0]);
                let c = checksum(&h);
                h[10..12].copy_from_slice(&c.to_be_bytes());
                let data = ethernet(0x0800, &cat(&[&h, chunk]));
                Record {
                    orig_len: data.len() as u32,
                    data,
                    ..r.clone()
                }
            })
            .collect();
        if reverse {
            frags.rotate_right(1);
        }
        out.extend(frags);
    }
    let stem = src.file_stem().and_then(|s| s.to_str()).expect("name");
    let path = dir.join(format!(
        "{stem}.frag{mtu}{}.pcap",
        if reverse { "-rev" } else { "" }
    ));
    write_pcap(&path, 1, &out);
    path
}

/// The IP total length of the first data segment raised by 20 bytes the frame does not have
/// (the capture kept the whole frame: caplen == orig_len).
pub fn build_lying_length(src: &Path, dir: &Path) -> PathBuf {
    let (link, mut records) = read_pcap(src);
    assert_eq!(link, 1);
    let r = records
        .iter_mut()
        .find(|r| r.data.len() > 14 + 20 + 32 + 10)
        .expect("a data segment");
    let ip = &mut r.data[14..];
    let total = u16::from_be_bytes([ip[2], ip[3]]) as usize + 20;
    ip[2..4].copy_from_slice(&be16(total));
    let stem = src.file_stem().and_then(|s| s.to_str()).expect("name");
    let path = dir.join(format!("{stem}.lying-length.pcap"));
    write_pcap(&path, 1, &records);
    path
}
