//! Where the tracker keeps its connections: the ones still in progress whole, the ones that
//! are over frozen ([`super::frozen`]).
//!
//! A capture of a million short connections used to keep every one as a `Connection` and a
//! `Track` (about 500 bytes) to the end. A connection whose two ends are both CLOSED or in
//! TIME_WAIT is frozen instead, once [`RETIRE_AFTER`] more connections have finished after it
//! (the final ACK or a RST often follows the close: those find it still whole). A segment that
//! still comes for a frozen connection thaws it, so the analysis stays exact.

use std::collections::VecDeque;
use std::fmt;

use super::conn::{ConnId, Connection};
use super::frozen;
use super::update::Track;

/// Finished connections kept whole before the oldest is frozen.
pub(super) const RETIRE_AFTER: usize = 256;

/// Connections a list holds before it freezes any: below this, keeping every connection whole
/// costs at most ~32 MB, and freezing (about 1,600 instructions a connection) would be paid for
/// nothing. Captures of more connections freeze the ones over, as described above.
pub(super) const FREEZE_FROM: usize = 65_536;

/// Where one connection's state is: a slot of the live slab, or an offset into the frozen
/// bytes (top bit set).
#[derive(Debug, Clone, Copy)]
struct Place(u64);

const FROZEN: u64 = 1 << 63;

impl Place {
    fn live(slot: usize) -> Place {
        Place(slot as u64)
    }

    fn frozen(offset: usize) -> Place {
        Place(offset as u64 | FROZEN)
    }

    fn slot(self) -> Option<usize> {
        (self.0 & FROZEN == 0).then_some(self.0 as usize)
    }

    fn offset(self) -> Option<usize> {
        (self.0 & FROZEN != 0).then_some((self.0 & !FROZEN) as usize)
    }
}

/// A connection in progress (or finished lately): the model works on it in place.
#[derive(Debug, Clone)]
pub(super) struct Live {
    pub conn: Connection,
    pub track: Track,
    /// The stamp of its latest entry in the retirement queue (0: none).
    queued: u64,
}

/// Every connection of a tracker, by [`ConnId`] (in order of first segment).
///
/// [`ConnectionList::get`] and [`ConnectionList::iter`] give copies: a frozen connection is
/// read back from its bytes.
#[derive(Clone, Default)]
pub struct ConnectionList {
    places: Vec<Place>,
    frozen: Vec<u8>,
    live: Vec<Live>,
    /// The retirement bookkeeping (boxed: timelines, which hold a list, stay small).
    work: Box<Work>,
}

#[derive(Clone, Default)]
struct Work {
    free: Vec<usize>,
    /// Bytes of `frozen` no place points at any more (connections thawed since).
    stale: usize,
    /// Finished connections, oldest first, with the stamp they were queued under.
    retiring: VecDeque<(u32, u64)>,
    stamp: u64,
    retire_after: usize,
    freeze_from: usize,
}

impl ConnectionList {
    pub(super) fn new(retire_after: usize, freeze_from: usize) -> Self {
        ConnectionList {
            work: Box::new(Work {
                retire_after,
                freeze_from,
                ..Work::default()
            }),
            ..ConnectionList::default()
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Connection `n` (0-based, its [`ConnId`]), whole.
    pub fn get(&self, n: usize) -> Option<Connection> {
        let place = *self.places.get(n)?;
        Some(match (place.slot(), place.offset()) {
            (Some(slot), _) => self.live[slot].conn.clone(),
            (None, Some(offset)) => frozen::thaw_connection(id(n), &self.frozen[offset..]),
            (None, None) => unreachable!("a place is a slot or an offset"),
        })
    }

    /// How many connections are frozen now.
    #[cfg(test)]
    pub(super) fn frozen_count(&self) -> usize {
        self.places.iter().filter(|p| p.offset().is_some()).count()
    }

    pub fn first(&self) -> Option<Connection> {
        self.get(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = Connection> + '_ {
        (0..self.len()).filter_map(|n| self.get(n))
    }

    /// Add a new connection (its id is the next one); returns its slot.
    pub(super) fn open(&mut self, conn: Connection, track: Track) -> usize {
        debug_assert_eq!(conn.id.0 as usize, self.places.len());
        let slot = self.put_live(Live {
            conn,
            track,
            queued: 0,
        });
        self.places.push(Place::live(slot));
        slot
    }

    pub(super) fn live(&mut self, slot: usize) -> &mut Live {
        &mut self.live[slot]
    }

    /// The slot of connection `id`, thawing it if it was frozen.
    #[inline]
    pub(super) fn slot(&mut self, id: u32) -> usize {
        let place = self.places[id as usize];
        match place.slot() {
            Some(slot) => slot,
            None => self.thaw(id, place),
        }
    }

    #[cold]
    fn thaw(&mut self, id: u32, place: Place) -> usize {
        let offset = place.offset().expect("not live, so frozen");
        let (conn, track, len) = frozen::thaw(ConnId(id), &self.frozen[offset..]);
        self.work.stale += len;
        let slot = self.put_live(Live {
            conn,
            track,
            queued: 0,
        });
        self.places[id as usize] = Place::live(slot);
        // It was over when frozen: it retires again unless the segment that woke it reopens it
        // (queued only: the caller is about to use the slot).
        self.queue(slot);
        slot
    }

    fn put_live(&mut self, live: Live) -> usize {
        match self.work.free.pop() {
            Some(slot) => {
                self.live[slot] = live;
                slot
            }
            None => {
                self.live.push(live);
                self.live.len() - 1
            }
        }
    }

    /// Connection in `slot` has finished (both ends CLOSED or TIME_WAIT): it joins the
    /// retirement queue, and once the list holds more than [`FREEZE_FROM`] connections, the
    /// oldest finished ones beyond [`RETIRE_AFTER`] are frozen.
    #[inline]
    pub(super) fn finished(&mut self, slot: usize) {
        self.queue(slot);
        if self.work.retiring.len() > self.work.retire_after
            && self.places.len() > self.work.freeze_from
        {
            // One at a time in the steady state; the whole backlog when the list first grows
            // past `freeze_from`.
            while self.work.retiring.len() > self.work.retire_after {
                self.retire_oldest();
            }
        }
    }

    fn queue(&mut self, slot: usize) {
        self.work.stamp += 1;
        let live = &mut self.live[slot];
        live.queued = self.work.stamp;
        self.work
            .retiring
            .push_back((live.conn.id.0, self.work.stamp));
    }

    #[cold]
    fn retire_oldest(&mut self) {
        let Some((id, stamp)) = self.work.retiring.pop_front() else {
            return;
        };
        let Some(slot) = self.places[id as usize].slot() else {
            return;
        };
        let live = &self.live[slot];
        // A later entry stands for it (it took segments since), or it was reopened.
        if live.queued != stamp || !live.conn.is_finished() {
            return;
        }
        self.freeze(id, slot);
    }

    fn freeze(&mut self, id: u32, slot: usize) {
        let offset = self.frozen.len();
        let live = &self.live[slot];
        frozen::freeze(&live.conn, &live.track, &mut self.frozen);
        self.places[id as usize] = Place::frozen(offset);
        self.work.free.push(slot);
        if self.work.stale > (1 << 20) && self.work.stale > self.frozen.len() / 2 {
            self.compact();
        }
    }

    /// Drop the bytes of connections thawed since they were frozen.
    fn compact(&mut self) {
        let mut bytes = Vec::with_capacity(self.frozen.len() - self.work.stale);
        for (n, place) in self.places.iter_mut().enumerate() {
            if let Some(offset) = place.offset() {
                let (_, _, len) = frozen::thaw(id(n), &self.frozen[offset..]);
                *place = Place::frozen(bytes.len());
                bytes.extend_from_slice(&self.frozen[offset..offset + len]);
            }
        }
        self.frozen = bytes;
        self.work.stale = 0;
    }

    /// Every connection frozen, the slab and queue gone: what a finished scan keeps.
    pub(super) fn into_frozen(mut self) -> ConnectionList {
        for n in 0..self.places.len() {
            if let Some(slot) = self.places[n].slot() {
                self.freeze(n as u32, slot);
            }
        }
        if self.work.stale > 0 {
            self.compact();
        }
        self.live = Vec::new();
        self.work = Box::default();
        self.frozen.shrink_to_fit();
        self.places.shrink_to_fit();
        self
    }
}

fn id(n: usize) -> ConnId {
    ConnId(u32::try_from(n).unwrap_or(u32::MAX))
}

impl fmt::Debug for ConnectionList {
    /// As a list of connections (what `Vec<Connection>`'s debug form printed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a ConnectionList {
    type Item = Connection;
    type IntoIter = Box<dyn Iterator<Item = Connection> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}
