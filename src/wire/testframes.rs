//! Test-only builders: real-looking TCP/IP packets, link-layer wrappers, and pcap/pcapng files
//! built byte by byte, so each test states exactly what it feeds the reader and decoder.

use std::net::{IpAddr, SocketAddr};

use crate::capture::LinkType;

/// A TCP segment to build. Defaults: 10.0.0.1:40000 -> 10.0.0.2:80, PSH|ACK, no options.
#[derive(Debug, Clone)]
pub(crate) struct TcpSpec {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub window: u16,
    /// Raw option bytes; padded with end-of-list to a multiple of 4.
    pub options: Vec<u8>,
    pub payload: Vec<u8>,
}

impl Default for TcpSpec {
    fn default() -> Self {
        TcpSpec {
            src: "10.0.0.1:40000".parse().expect("literal"),
            dst: "10.0.0.2:80".parse().expect("literal"),
            seq: 1000,
            ack: 2000,
            flags: 0x018,
            window: 512,
            options: Vec::new(),
            payload: b"hello".to_vec(),
        }
    }
}

impl TcpSpec {
    pub fn v6() -> Self {
        TcpSpec {
            src: "[2001:db8::1]:40000".parse().expect("literal"),
            dst: "[2001:db8::2]:80".parse().expect("literal"),
            ..TcpSpec::default()
        }
    }

    /// The TCP header, options and payload.
    pub fn tcp_bytes(&self) -> Vec<u8> {
        let mut opts = self.options.clone();
        while opts.len() % 4 != 0 {
            opts.push(0);
        }
        let offset_words = (20 + opts.len()) / 4;
        let mut b = Vec::new();
        b.extend_from_slice(&self.src.port().to_be_bytes());
        b.extend_from_slice(&self.dst.port().to_be_bytes());
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.ack.to_be_bytes());
        b.push(((offset_words as u8) << 4) | (self.flags >> 8) as u8);
        b.push(self.flags as u8);
        b.extend_from_slice(&self.window.to_be_bytes());
        b.extend_from_slice(&[0xAB, 0xCD, 0, 0]); // checksum (wrong on purpose), urgent
        b.extend_from_slice(&opts);
        b.extend_from_slice(&self.payload);
        b
    }

    /// The IP packet (v4 or v6 after the addresses) carrying the segment.
    pub fn ip_bytes(&self) -> Vec<u8> {
        let l4 = self.tcp_bytes();
        match (self.src.ip(), self.dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => ipv4(s.octets(), d.octets(), 6, &[], &l4),
            (IpAddr::V6(s), IpAddr::V6(d)) => ipv6(s.octets(), d.octets(), 6, &l4),
            _ => panic!("test spec mixes IPv4 and IPv6"),
        }
    }

    /// An Ethernet II frame, padded to the 60-byte minimum like a real NIC would.
    pub fn ethernet(&self) -> Vec<u8> {
        let ether_type = if self.src.is_ipv4() { 0x0800 } else { 0x86DD };
        let mut f = ethernet(ether_type, &self.ip_bytes());
        f.resize(f.len().max(60), 0);
        f
    }
}

/// IPv4 header (with `options`, padded) + payload; total length set, flags DF.
pub(crate) fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, options: &[u8], l4: &[u8]) -> Vec<u8> {
    let mut opts = options.to_vec();
    while opts.len() % 4 != 0 {
        opts.push(0);
    }
    let ihl = (20 + opts.len()) / 4;
    let total = (20 + opts.len() + l4.len()) as u16;
    let mut b = vec![0x40 | ihl as u8, 0];
    b.extend_from_slice(&total.to_be_bytes());
    b.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0]);
    b.extend_from_slice(&src);
    b.extend_from_slice(&dst);
    b.extend_from_slice(&opts);
    b.extend_from_slice(l4);
    b
}

/// IPv6 header + payload (which may start with extension headers, named by `next`).
pub(crate) fn ipv6(src: [u8; 16], dst: [u8; 16], next: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0x60, 0, 0, 0];
    b.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    b.extend_from_slice(&[next, 64]);
    b.extend_from_slice(&src);
    b.extend_from_slice(&dst);
    b.extend_from_slice(payload);
    b
}

pub(crate) fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ether_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Wrap an IP packet in the link header of `link`, the way each capturing system writes it.
pub(crate) fn wrap(link: LinkType, ip: &[u8]) -> Vec<u8> {
    let v6 = ip.first().is_some_and(|b| b >> 4 == 6);
    let ether_type: u16 = if v6 { 0x86DD } else { 0x0800 };
    let mut f = match link {
        LinkType::ETHERNET => return ethernet(ether_type, ip),
        // macOS lo0 on a little-endian host: AF in host order.
        LinkType::NULL => (if v6 { 30u32 } else { 2 }).to_le_bytes().to_vec(),
        LinkType::LOOP => (if v6 { 24u32 } else { 2 }).to_be_bytes().to_vec(),
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 | LinkType::IPV4 | LinkType::IPV6 => {
            Vec::new()
        }
        LinkType::LINUX_SLL => {
            let mut h = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
            h.extend_from_slice(&ether_type.to_be_bytes());
            h
        }
        LinkType::LINUX_SLL2 => {
            let mut h = ether_type.to_be_bytes().to_vec();
            h.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            h
        }
        other => panic!("no wrapper for {other}"),
    };
    f.extend_from_slice(ip);
    f
}

/// A classic pcap file: `records` are (seconds, fraction, captured bytes, original length).
pub(crate) fn pcap_file(
    big_endian: bool,
    nanosecond: bool,
    link: u32,
    snaplen: u32,
    records: &[(u32, u32, &[u8], u32)],
) -> Vec<u8> {
    let u16b = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u32b = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = Vec::new();
    f.extend_from_slice(&u32b(if nanosecond { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }));
    f.extend_from_slice(&u16b(2));
    f.extend_from_slice(&u16b(4));
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&u32b(snaplen));
    f.extend_from_slice(&u32b(link));
    for (secs, frac, data, orig) in records {
        f.extend_from_slice(&u32b(*secs));
        f.extend_from_slice(&u32b(*frac));
        f.extend_from_slice(&u32b(data.len() as u32));
        f.extend_from_slice(&u32b(*orig));
        f.extend_from_slice(data);
    }
    f
}

/// A pcapng file assembled block by block in one byte order.
pub(crate) struct PcapngBuilder {
    pub big_endian: bool,
    pub bytes: Vec<u8>,
}

impl PcapngBuilder {
    /// A file starting with a Section Header Block.
    pub fn new(big_endian: bool) -> Self {
        let mut b = PcapngBuilder {
            big_endian,
            bytes: Vec::new(),
        };
        b.section(big_endian);
        b
    }

    pub fn u16b(&self, v: u16) -> [u8; 2] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    pub fn u32b(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    /// Any block: body padded to 4 bytes, lengths at both ends.
    pub fn block(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
        let mut body = body.to_vec();
        while body.len() % 4 != 0 {
            body.push(0);
        }
        let len = (12 + body.len()) as u32;
        let (t, l) = (self.u32b(block_type), self.u32b(len));
        self.bytes.extend_from_slice(&t);
        self.bytes.extend_from_slice(&l);
        self.bytes.extend_from_slice(&body);
        self.bytes.extend_from_slice(&l);
        self
    }

    /// A new section, possibly switching byte order.
    pub fn section(&mut self, big_endian: bool) -> &mut Self {
        self.big_endian = big_endian;
        let mut body = self.u32b(0x1A2B_3C4D).to_vec();
        body.extend_from_slice(&self.u16b(1));
        body.extend_from_slice(&self.u16b(0));
        body.extend_from_slice(&[0xFF; 8]); // section length unknown
        self.block(0x0A0D_0D0A, &body)
    }

    /// An Interface Description Block with raw options `(code, value)`.
    pub fn interface(&mut self, link: u16, snaplen: u32, options: &[(u16, &[u8])]) -> &mut Self {
        let mut body = self.u16b(link).to_vec();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&self.u32b(snaplen));
        for (code, value) in options {
            body.extend_from_slice(&self.u16b(*code));
            body.extend_from_slice(&self.u16b(value.len() as u16));
            body.extend_from_slice(value);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        if !options.is_empty() {
            body.extend_from_slice(&[0; 4]); // opt_endofopt
        }
        self.block(1, &body)
    }

    /// An Enhanced Packet Block.
    pub fn enhanced(&mut self, iface: u32, ticks: u64, data: &[u8], orig: u32) -> &mut Self {
        let mut body = self.u32b(iface).to_vec();
        body.extend_from_slice(&self.u32b((ticks >> 32) as u32));
        body.extend_from_slice(&self.u32b(ticks as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(orig));
        body.extend_from_slice(data);
        self.block(6, &body)
    }

    /// A Simple Packet Block (`data` is what the block holds, `orig` its original length).
    pub fn simple(&mut self, data: &[u8], orig: u32) -> &mut Self {
        let mut body = self.u32b(orig).to_vec();
        body.extend_from_slice(data);
        self.block(3, &body)
    }

    /// The obsolete Packet Block (type 2).
    pub fn obsolete(&mut self, iface: u16, ticks: u64, data: &[u8], orig: u32) -> &mut Self {
        let mut body = self.u16b(iface).to_vec();
        body.extend_from_slice(&self.u16b(0));
        body.extend_from_slice(&self.u32b((ticks >> 32) as u32));
        body.extend_from_slice(&self.u32b(ticks as u32));
        body.extend_from_slice(&self.u32b(data.len() as u32));
        body.extend_from_slice(&self.u32b(orig));
        body.extend_from_slice(data);
        self.block(2, &body)
    }
}
