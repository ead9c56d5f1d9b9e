//! The index's frames, packed: each entry as variable-length differences from the one before.
//!
//! Two columns, written by the scan's two threads (`read_ahead.rs`): where each frame is
//! ([`PlaceColumn`], by the reading thread: frame numbers, file offsets and times grow by
//! little from frame to frame, lengths and link types are small) and which connection owns it
//! ([`ConnColumn`], by the tracking thread: a connection's frames tend to follow each other).
//! About 10 bytes a frame in all.

use std::collections::HashMap;

use crate::capture::{LinkType, Timestamp};
use crate::tcp::ConnId;

use super::{IndexedFrame, UNOWNED};

/// Where each frame is: every field of an [`IndexedFrame`] but its connection.
#[derive(Default)]
pub(super) struct PlaceColumn {
    bytes: Vec<u8>,
    entries: u64,
    /// The last entry written, which the next is a difference from.
    last: Option<IndexedFrame>,
}

impl PlaceColumn {
    pub fn push(&mut self, f: &IndexedFrame) {
        let prev = self.last.unwrap_or(START);
        let b = &mut self.bytes;
        put(b, f.number.wrapping_sub(prev.number));
        put(b, f.data_offset.wrapping_sub(prev.data_offset));
        put_signed(b, f.ts.0.wrapping_sub(prev.ts.0));
        put(b, u64::from(f.captured_len));
        put_signed(b, i64::from(f.orig_len) - i64::from(f.captured_len));
        put(b, u64::from(f.link.0));
        self.last = Some(*f);
        self.entries += 1;
    }

    /// The next entry's place (how many were written).
    pub fn len(&self) -> u64 {
        self.entries
    }
}

/// Which connection owns each frame ([`UNOWNED`]: a fragment whose datagram is incomplete).
#[derive(Default)]
pub(super) struct ConnColumn {
    bytes: Vec<u8>,
    entries: u64,
    last: u32,
    /// Whether any entry was written [`UNOWNED`].
    held_fragments: bool,
}

impl ConnColumn {
    pub fn push(&mut self, conn: ConnId) {
        put_signed(&mut self.bytes, i64::from(conn.0) - i64::from(self.last));
        self.last = conn.0;
        self.held_fragments |= conn == UNOWNED;
        self.entries += 1;
    }
}

/// The first entry is a difference from this.
const START: IndexedFrame = IndexedFrame {
    number: 0,
    data_offset: 0,
    ts: Timestamp(0),
    captured_len: 0,
    orig_len: 0,
    link: LinkType(0),
    conn: ConnId(0),
};

/// The index's frames in capture order.
pub struct PackedFrames {
    places: PlaceColumn,
    conns: ConnColumn,
    /// Fragment entries (by place) that a later frame's datagram claimed for its connection.
    owners: HashMap<u64, ConnId>,
    /// Entries still [`UNOWNED`] when the scan ended: left out.
    unowned: u64,
}

impl PackedFrames {
    /// The two columns of one scan (as many entries each), and the fragments' owners.
    pub(super) fn join(
        mut places: PlaceColumn,
        mut conns: ConnColumn,
        owners: HashMap<u64, ConnId>,
    ) -> Self {
        debug_assert_eq!(places.entries, conns.entries, "one connection per place");
        places.bytes.shrink_to_fit();
        conns.bytes.shrink_to_fit();
        let mut frames = PackedFrames {
            places,
            conns,
            owners,
            unowned: 0,
        };
        // Fragments of datagrams that never completed or carried no TCP are left out.
        if frames.conns.held_fragments {
            frames.unowned = frames.places.entries - frames.iter().count() as u64;
        }
        frames
    }

    /// How many frames the index holds.
    pub fn len(&self) -> usize {
        (self.places.entries - self.unowned) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frames in capture order (fragments that no segment claimed left out).
    pub fn iter(&self) -> impl Iterator<Item = IndexedFrame> + '_ {
        let (mut at, mut conn_at) = (0usize, 0usize);
        let mut prev = START;
        let entries = self.places.entries.min(self.conns.entries);
        (0..entries).filter_map(move |place| {
            let b = &self.places.bytes;
            let number = prev.number.wrapping_add(get(b, &mut at));
            let data_offset = prev.data_offset.wrapping_add(get(b, &mut at));
            let ts = Timestamp(prev.ts.0.wrapping_add(get_signed(b, &mut at)));
            let captured_len = get(b, &mut at) as u32;
            let orig_len = (i64::from(captured_len) + get_signed(b, &mut at)) as u32;
            let link = LinkType(get(b, &mut at) as u32);
            let conn_delta = get_signed(&self.conns.bytes, &mut conn_at);
            let conn = ConnId((i64::from(prev.conn.0) + conn_delta) as u32);
            prev = IndexedFrame {
                number,
                data_offset,
                ts,
                captured_len,
                orig_len,
                link,
                conn,
            };
            let mut f = prev;
            if f.conn == UNOWNED {
                f.conn = *self.owners.get(&place)?;
            }
            Some(f)
        })
    }
}

fn put(b: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        b.push((n as u8) | 0x80);
        n >>= 7;
    }
    b.push(n as u8);
}

fn put_signed(b: &mut Vec<u8>, n: i64) {
    put(b, ((n << 1) ^ (n >> 63)) as u64);
}

/// Reads what [`put`] wrote; the bytes are the index's own.
fn get(b: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*at];
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

fn get_signed(b: &[u8], at: &mut usize) -> i64 {
    let z = get(b, at);
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}
