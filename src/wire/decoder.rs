//! [`Decoder`]: decode a capture's frames in order, with what one frame alone cannot give:
//! IP fragment reassembly, the frame's original length (snaplen cut or not), and counts of
//! what was hidden or given up, for the warnings a user reads.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::encap::{EncapPath, Hidden};
use super::error::DecodeError;
use super::fragments::{FragmentStats, Reassembler};
use super::ip::{self, Payload};
use super::ipcomp::{Compressed, DatagramHead, Inflater};
use super::link;
use super::segment::Decoded;
use crate::capture::{LinkType, Timestamp};

#[derive(Debug, Default)]
pub struct Decoder {
    fragments: Reassembler,
    /// The last datagram rebuilt; a segment decoded from it borrows it.
    datagram: Vec<u8>,
    last_encap: EncapPath,
    hidden: BTreeMap<Hidden, u64>,
    ip_longer_than_frame: u64,
    /// The last frame was an IP fragment held for reassembly (it gave no segment itself).
    last_held_fragment: bool,
    /// The last frame completed an IP datagram.
    last_rebuilt: bool,
    /// IPComp payloads are inflated here; a segment decoded from one borrows it.
    inflater: Inflater,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decode one frame. `orig_len` is its length on the wire (from the capture's record):
    /// bytes the snaplen cut are a truncation, bytes an IP header claims beyond it are not.
    /// A fragment that completes a datagram yields the datagram's segment, borrowing this
    /// decoder until the next call.
    pub fn decode<'s>(
        &'s mut self,
        link: LinkType,
        data: &'s [u8],
        orig_len: u32,
        ts: Timestamp,
    ) -> Result<Decoded<'s>, DecodeError> {
        self.decode_tagged(None, link, data, orig_len, ts)
    }

    /// [`Decoder::decode`], with `tag` (the frame's place in the caller's index) remembered
    /// for a fragment: when a later frame completes its datagram,
    /// [`Decoder::reassembled_from`] gives the tags of the fragments it was rebuilt from.
    pub fn decode_tagged<'s>(
        &'s mut self,
        tag: Option<u64>,
        link: LinkType,
        data: &'s [u8],
        orig_len: u32,
        ts: Timestamp,
    ) -> Result<Decoded<'s>, DecodeError> {
        self.last_held_fragment = false;
        self.last_rebuilt = false;
        let missing = (orig_len as usize).saturating_sub(data.len());
        let mut cx = Ctx::new(Some(missing));
        let result = link::link_layer(link, data, &mut cx);
        self.last_encap = cx.encap;
        if let Some(why) = cx.hidden {
            *self.hidden.entry(why).or_insert(0) += 1;
        }
        if let Some(compressed) = cx.compressed {
            return self.inflated(compressed, cx.encap);
        }
        let Some(fragment) = cx.fragment else {
            if cx.ip_longer_than_frame && matches!(result, Ok(Decoded::Tcp(_))) {
                self.ip_longer_than_frame += 1;
            }
            return result;
        };
        let Some(done) = self
            .fragments
            .add_tagged(ts, &fragment, tag, &mut self.datagram)
        else {
            self.last_held_fragment = true;
            return Ok(Decoded::NotTcp);
        };
        self.last_rebuilt = true;
        let mut inner = Ctx::new(Some(0));
        inner.encap = cx.encap;
        let rest = Payload::whole(&self.datagram);
        let result = ip::after_header(done.src, done.dst, done.proto, rest, done.v6, &mut inner);
        self.last_encap = inner.encap;
        if let Some(why) = inner.hidden {
            *self.hidden.entry(why).or_insert(0) += 1;
        }
        if inner.fragment.is_some() {
            self.fragments.note_nested();
        }
        let Some(c) = inner.compressed else {
            return result;
        };
        // An IPComp datagram that was fragmented (RFC 3173 §3.3 compresses before
        // fragmenting): inflate the rebuilt payload.
        if let Err(problem) = self.inflater.inflate(c.data) {
            *self.hidden.entry(Hidden::IpComp(problem)).or_insert(0) += 1;
            return Ok(Decoded::NotTcp);
        }
        let (result, path) = after_inflating(
            self.inflater.inflated(),
            c.head,
            inner.encap,
            &mut self.hidden,
            &mut self.fragments,
        );
        self.last_encap = path;
        result
    }

    /// Inflate an IPComp payload found in the frame and decode what it held.
    fn inflated<'s>(
        &'s mut self,
        c: Compressed<'_>,
        path: EncapPath,
    ) -> Result<Decoded<'s>, DecodeError> {
        if let Err(problem) = self.inflater.inflate(c.data) {
            *self.hidden.entry(Hidden::IpComp(problem)).or_insert(0) += 1;
            return Ok(Decoded::NotTcp);
        }
        let (result, path) = after_inflating(
            self.inflater.inflated(),
            c.head,
            path,
            &mut self.hidden,
            &mut self.fragments,
        );
        self.last_encap = path;
        result
    }

    /// The last frame was an IP fragment, held until its datagram is complete.
    pub fn last_held_fragment(&self) -> bool {
        self.last_held_fragment
    }

    /// When the last frame completed an IP datagram: the tags (see [`Decoder::decode_tagged`])
    /// of the fragments that gave it bytes, the last frame's own included; else empty.
    pub fn reassembled_from(&self) -> &[u64] {
        if self.last_rebuilt {
            self.fragments.completed_tags()
        } else {
            &[]
        }
    }

    /// The encapsulations around the last frame's segment, outermost first.
    pub fn last_encap(&self) -> EncapPath {
        self.last_encap
    }

    /// The end of the capture: datagrams still waiting for fragments count as incomplete.
    pub fn finish(&mut self) {
        self.fragments.finish();
    }

    pub fn fragment_stats(&self) -> FragmentStats {
        self.fragments.stats()
    }

    /// Sentences for what was decoded differently from the plain case, each with its count.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.hidden.iter().map(|(why, n)| why.warning(*n)).collect();
        if self.ip_longer_than_frame > 0 {
            out.push(crate::tr!(
                "wire.decoder.ip_longer",
                n = self.ip_longer_than_frame
            ));
        }
        let f = self.fragments.stats();
        if f.lost() > 0 || f.invalid > 0 || f.nested > 0 {
            let mut why = Vec::new();
            if f.incomplete > 0 {
                why.push(crate::tr!("wire.fragments.incomplete", n = f.incomplete));
            }
            if f.expired > 0 {
                why.push(crate::tr!("wire.fragments.expired", n = f.expired));
            }
            if f.evicted > 0 {
                why.push(crate::tr!("wire.fragments.evicted", n = f.evicted));
            }
            if f.cut_by_snaplen > 0 {
                why.push(crate::tr!("wire.fragments.cut", n = f.cut_by_snaplen));
            }
            if f.invalid > 0 {
                why.push(crate::tr!("wire.fragments.invalid", n = f.invalid));
            }
            if f.nested > 0 {
                why.push(crate::tr!("wire.fragments.nested", n = f.nested));
            }
            out.push(crate::tr!(
                "wire.fragments.lost",
                lost = f.lost(),
                fragments = f.fragments,
                why = why.join(", ")
            ));
        }
        if f.conflicting > 0 {
            out.push(crate::tr!("wire.fragments.conflicting", n = f.conflicting));
        }
        out
    }
}

/// Decode `inflated`, the payload an IPComp header carried, as the datagram after that header
/// (its addresses are the connection's, its Next Header says what follows). A free function
/// over the decoder's fields, so a rebuilt datagram can stay borrowed meanwhile.
fn after_inflating<'s>(
    inflated: &'s [u8],
    head: DatagramHead,
    path: EncapPath,
    hidden: &mut BTreeMap<Hidden, u64>,
    fragments: &mut Reassembler,
) -> (Result<Decoded<'s>, DecodeError>, EncapPath) {
    let mut inner = Ctx::new(Some(0));
    inner.encap = path;
    let rest = Payload::whole(inflated);
    let result = ip::after_header(head.src, head.dst, head.next, rest, head.v6, &mut inner);
    if let Some(why) = inner.hidden {
        *hidden.entry(why).or_insert(0) += 1;
    }
    if inner.fragment.is_some() {
        // A fragment inside an inflated payload: not reassembled (a second level).
        fragments.note_nested();
    }
    (result, inner.encap)
}
