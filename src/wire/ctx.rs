//! What one frame's decoding learns on the way down besides the segment: the encapsulations
//! it went through, an IP fragment to hand to reassembly, an IPComp payload to inflate, why a
//! frame hid its TCP, and how many bytes the capture left out.

use std::net::IpAddr;

use super::encap::{Encap, EncapPath, Hidden};
use super::error::{DecodeError, malformed};
use super::ipcomp::Compressed;
use crate::key;

/// An IP fragment found in a frame (RFC 791 §3.2, RFC 8200 §4.5), borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentRef<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4: the Identification field; IPv6: the Fragment header's Identification.
    pub id: u32,
    /// IPv4: the protocol field (part of the key, RFC 791); IPv6: the Fragment header's Next
    /// Header (the first fragment's is the one that counts).
    pub proto: u8,
    pub v6: bool,
    /// Offset of `data` in the datagram's payload, in bytes.
    pub offset: u32,
    pub more: bool,
    /// The fragment's payload as captured.
    pub data: &'a [u8],
    /// True when the capture kept fewer bytes than the fragment had (snaplen).
    pub cut: bool,
}

/// Decoding state for one frame.
#[derive(Debug, Default)]
pub struct Ctx<'a> {
    pub encap: EncapPath,
    pub fragment: Option<FragmentRef<'a>>,
    /// An IPComp payload to inflate (the frame's bytes cannot hold it inflated).
    pub compressed: Option<Compressed<'a>>,
    pub hidden: Option<Hidden>,
    /// Bytes of the current slice the capture did not keep: `Some(orig_len - caplen)` at the
    /// link layer. `None` when unknown (the stateless [`super::decode`]): then IP lengths are
    /// trusted as they were before a frame's original length was known.
    pub missing: Option<usize>,
    /// The IP header claimed more bytes than the frame had on the wire (not a snaplen cut):
    /// the frame's bytes were used instead.
    pub ip_longer_than_frame: bool,
    /// The PPI or PKTAP header named another link type: set while decoding its payload, so a
    /// nested pseudo-header cannot recurse.
    pub in_pseudo_header: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(missing: Option<usize>) -> Self {
        Ctx {
            missing,
            ..Ctx::default()
        }
    }

    /// Enter encapsulation `e`; past [`EncapPath::MAX`] levels the frame is damage (a crafted
    /// tunnel inside itself would otherwise recurse without end).
    pub fn enter(&mut self, e: Encap) -> Result<(), DecodeError> {
        if self.encap.push(e) {
            Ok(())
        } else {
            Err(malformed("tunnel", key!("wire.bad.nesting")))
        }
    }

    pub fn hide(&mut self, why: Hidden) -> Result<super::Decoded<'a>, DecodeError> {
        self.hidden = Some(why);
        Ok(super::Decoded::NotTcp)
    }
}
