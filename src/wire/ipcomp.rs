//! IP Payload Compression (RFC 3173, IP protocol 108) with DEFLATE (RFC 2394).
//!
//! An IPComp header is 4 bytes: the Next Header of the compressed payload, flags, and the
//! Compression Parameter Index (CPI, RFC 3173 §2.2). The payload after it is one raw DEFLATE
//! stream (RFC 1951, no zlib header: RFC 2394 §2) of the whole upper-layer datagram. The
//! frame's bytes cannot hold the inflated payload, so `ip` hands the compressed bytes up in
//! [`Compressed`] and the [`super::Decoder`] inflates them into its own buffer, as it does for
//! a reassembled datagram.
//!
//! Which payloads are inflated follows tshark (`packet-ipsec.c`): a negotiated CPI (256 and
//! up) does not say the algorithm, so DEFLATE is tried and a payload that does not inflate is
//! reported, not guessed at. The well-known CPIs of other algorithms (OUI 1, LZS 3, LZJH 4)
//! are reported by name without trying.

use std::fmt;
use std::net::IpAddr;

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

use super::ctx::Ctx;
use super::encap::{Encap, Hidden};
use super::error::DecodeError;
use super::segment::Decoded;

/// An inflated payload is at most this long: the datagram it came from had to fit an IP
/// length field (RFC 3173 §3.3 compresses datagrams, not streams).
pub const MAX_INFLATED: usize = 65_535;

/// The Compression Parameter Index (RFC 3173 §2.2, IANA "IPComp transform identifiers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// CPI 2: RFC 2394.
    Deflate,
    /// CPI 1: a vendor's algorithm named by an OUI, negotiated out of band.
    Oui,
    /// CPI 3: RFC 2395.
    Lzs,
    /// CPI 4: RFC 3051.
    Lzjh,
    /// CPI 5-63 (unassigned) and 64-255 (reserved).
    Unassigned(u8),
    /// CPI 256 and up: the security association says which algorithm (DEFLATE is tried).
    Negotiated,
}

impl Algorithm {
    pub fn from_cpi(cpi: u16) -> Self {
        match cpi {
            1 => Algorithm::Oui,
            2 => Algorithm::Deflate,
            3 => Algorithm::Lzs,
            4 => Algorithm::Lzjh,
            0..=255 => Algorithm::Unassigned(cpi as u8),
            _ => Algorithm::Negotiated,
        }
    }

    fn tries_deflate(self) -> bool {
        matches!(self, Algorithm::Deflate | Algorithm::Negotiated)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Algorithm::Deflate => f.write_str("DEFLATE (CPI 2)"),
            Algorithm::Oui => f.write_str(crate::i18n::t("wire.ipcomp.vendor")),
            Algorithm::Lzs => f.write_str("LZS (CPI 3, RFC 2395)"),
            Algorithm::Lzjh => f.write_str("LZJH (CPI 4, RFC 3051)"),
            Algorithm::Unassigned(cpi) => {
                f.write_str(&crate::tr!("wire.ipcomp.unassigned", cpi = cpi))
            }
            Algorithm::Negotiated => f.write_str(crate::i18n::t("wire.ipcomp.negotiated")),
        }
    }
}

/// Why an IPComp payload gave no inner packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpCompProblem {
    /// Compressed with another algorithm than DEFLATE.
    Algorithm(Algorithm),
    /// Tried as DEFLATE (CPI 2 or negotiated) and it did not inflate.
    NotDeflate,
    /// Inflates to more than [`MAX_INFLATED`] bytes.
    TooLarge,
    /// The snaplen cut the compressed payload: the stream's end is not in the file.
    CutBySnaplen,
    /// IPComp inside an inflated payload (RFC 3173 §2.2 compresses a datagram once).
    Nested,
}

impl IpCompProblem {
    /// The sentence after "N frame(s) ...".
    pub fn explain(self) -> String {
        match self {
            IpCompProblem::Algorithm(a) => crate::tr!("wire.ipcomp.algorithm", algorithm = a),
            IpCompProblem::NotDeflate => crate::tr!("wire.ipcomp.not_deflate"),
            IpCompProblem::TooLarge => crate::tr!("wire.ipcomp.too_large", max = MAX_INFLATED),
            IpCompProblem::CutBySnaplen => crate::tr!("wire.ipcomp.cut"),
            IpCompProblem::Nested => crate::tr!("wire.ipcomp.nested"),
        }
    }
}

/// A compressed payload found in a frame (or a reassembled datagram), to be inflated by the
/// decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compressed<'a> {
    pub head: DatagramHead,
    pub data: &'a [u8],
}

/// What the inflated payload is decoded with: the addresses of the IP header the IPComp
/// header came with (the connection's, in transport mode) and the Next Header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatagramHead {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub v6: bool,
    pub next: u8,
}

/// The IPComp header at the start of `captured` (`wire` bytes on the wire): hand the payload
/// up for inflating, or say why not.
pub(super) fn header<'a>(
    src: IpAddr,
    dst: IpAddr,
    v6: bool,
    captured: &'a [u8],
    wire: usize,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let [next, _flags, c0, c1, data @ ..] = captured else {
        return Ok(Decoded::NotTcp);
    };
    let nested = cx.encap.contains(Encap::IpComp);
    cx.enter(Encap::IpComp)?;
    if nested {
        return cx.hide(Hidden::IpComp(IpCompProblem::Nested));
    }
    let algorithm = Algorithm::from_cpi(u16::from_be_bytes([*c0, *c1]));
    if !algorithm.tries_deflate() {
        return cx.hide(Hidden::IpComp(IpCompProblem::Algorithm(algorithm)));
    }
    if captured.len() < wire {
        return cx.hide(Hidden::IpComp(IpCompProblem::CutBySnaplen));
    }
    cx.compressed = Some(Compressed {
        head: DatagramHead {
            src,
            dst,
            v6,
            next: *next,
        },
        data,
    });
    Ok(Decoded::NotTcp)
}

/// A DEFLATE decompressor and its output buffer, reused from frame to frame (the
/// decompressor's tables are about 11 KB: allocated once, on the first IPComp frame).
#[derive(Default)]
pub struct Inflater {
    state: Option<Box<DecompressorOxide>>,
    out: Vec<u8>,
    /// Bytes of `out` the last successful [`Inflater::inflate`] wrote.
    len: usize,
}

impl fmt::Debug for Inflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inflater")
            .field("out", &self.out.len())
            .finish()
    }
}

impl Inflater {
    /// Inflate `data` (raw DEFLATE, as RFC 2394 sends it; a zlib-wrapped stream is accepted
    /// too, as tshark does) into this inflater's buffer, at most [`MAX_INFLATED`] bytes.
    pub fn inflate(&mut self, data: &[u8]) -> Result<(), IpCompProblem> {
        self.len = 0;
        let state = self.state.get_or_insert_with(Box::default);
        self.out.resize(MAX_INFLATED, 0);
        let mut attempt = |flags: u32| {
            state.init();
            let flags = flags | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
            match decompress(state, data, &mut self.out, 0, flags) {
                (TINFLStatus::Done, _, written) => Ok(written),
                (TINFLStatus::HasMoreOutput, _, _) => Err(IpCompProblem::TooLarge),
                _ => Err(IpCompProblem::NotDeflate),
            }
        };
        let written = match attempt(0) {
            Err(IpCompProblem::NotDeflate) if zlib_header(data) => {
                attempt(TINFL_FLAG_PARSE_ZLIB_HEADER)?
            }
            other => other?,
        };
        self.len = written;
        Ok(())
    }

    /// What the last successful [`Inflater::inflate`] wrote; empty after a failed one.
    pub fn inflated(&self) -> &[u8] {
        &self.out[..self.len]
    }
}

/// RFC 1950 §2.2: method 8 (deflate) and a header check that divides by 31.
fn zlib_header(data: &[u8]) -> bool {
    matches!(data, [cmf, flg, ..] if cmf & 0x0F == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0)
}
