//! The byte map: which send wrote, which segments carried and which recv read each stream byte.
//!
//! The lecture's question ("내가 1,000 메시지를 보냈다 하자. 상대 측에서 recv했을 때 받은
//! 메시지가 같은 1,000 byte일까?") is answered by lining the three up by stream offset: send
//! calls count bytes from the writer's side, segments by relative sequence number (RFC 9293
//! §3.4: the first data byte is ISN + 1), recv calls from the reader's side.

use std::collections::BTreeMap;

use super::Event;
use super::event::{ByteRange, EventKind, Flow};

/// Event indices touching a flow, each with the stream bytes it moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowBytes {
    pub sends: Vec<(usize, ByteRange)>,
    pub segments: Vec<(usize, ByteRange)>,
    pub recvs: Vec<(usize, ByteRange)>,
}

/// Where a recv's bytes came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// Segments whose payload overlaps the recv's bytes (retransmissions included).
    pub segments: Vec<usize>,
    pub sends: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByteMap {
    flows: BTreeMap<Flow, FlowBytes>,
}

impl ByteMap {
    /// Index every event of `events` that moved stream bytes.
    pub fn build(events: &[Event]) -> Self {
        let mut map = ByteMap::default();
        map.update(events, 0);
        map
    }

    /// Bring the map up to date after the events from `first_changed` on changed (inserted or
    /// moved); the entries before it stay. Costs what the changed tail costs.
    pub fn update(&mut self, events: &[Event], first_changed: usize) {
        for fb in self.flows.values_mut() {
            for v in [&mut fb.sends, &mut fb.segments, &mut fb.recvs] {
                let keep = v.partition_point(|(i, _)| *i < first_changed);
                v.truncate(keep);
            }
        }
        let flows = &mut self.flows;
        for (i, ev) in events.iter().enumerate().skip(first_changed) {
            match &ev.kind {
                EventKind::Call(c) => {
                    let (Some(flow), Some(range)) = (c.flow, c.stream) else {
                        continue;
                    };
                    if range.is_empty() {
                        continue;
                    }
                    let entry = flows.entry(flow).or_default();
                    if c.call.reads() {
                        entry.recvs.push((i, range));
                    } else {
                        entry.sends.push((i, range));
                    }
                }
                EventKind::Segment(s) => {
                    if let Some(range) = s.stream() {
                        flows.entry(s.flow()).or_default().segments.push((i, range));
                    }
                }
                _ => {}
            }
        }
    }

    pub fn flow(&self, flow: &Flow) -> Option<&FlowBytes> {
        self.flows.get(flow)
    }

    pub fn flows(&self) -> impl Iterator<Item = (&Flow, &FlowBytes)> {
        self.flows.iter()
    }

    /// The segments and sends that overlap `range` of `flow`.
    pub fn origin(&self, flow: &Flow, range: ByteRange) -> Origin {
        let Some(fb) = self.flows.get(flow) else {
            return Origin::default();
        };
        let pick = |v: &[(usize, ByteRange)]| {
            v.iter()
                .filter(|(_, r)| r.overlaps(&range))
                .map(|(i, _)| *i)
                .collect()
        };
        Origin {
            segments: pick(&fb.segments),
            sends: pick(&fb.sends),
        }
    }

    /// The recvs that read some of `range` of `flow` (for a send or a segment: where did
    /// these bytes go).
    pub fn readers(&self, flow: &Flow, range: ByteRange) -> Vec<usize> {
        self.flows
            .get(flow)
            .map(|fb| {
                fb.recvs
                    .iter()
                    .filter(|(_, r)| r.overlaps(&range))
                    .map(|(i, _)| *i)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;
    use crate::timeline::Call;
    use crate::timeline::event::{CallEvent, Side, SocketId};

    const SEND: Call = Call::Send { len: 5, all: false };
    const RECV: Call = Call::Recv { bufsize: 1024 };

    fn call(call: Call, flow: Flow, start: u64, end: u64) -> Event {
        Event {
            at: Timestamp(0),
            kind: EventKind::Call(CallEvent {
                side: Side::Client,
                socket: SocketId(1),
                call,
                len: Some(end - start),
                ret: None,
                errno: None,
                started: Timestamp(0),
                returned: Timestamp(0),
                data: Vec::new(),
                flow: Some(flow),
                stream: Some(ByteRange { start, end }),
                progress: Vec::new(),
            }),
        }
    }

    #[test]
    fn a_recv_maps_to_the_sends_that_wrote_its_bytes() {
        let flow = Flow {
            from: "127.0.0.1:40000".parse().expect("literal"),
            to: "127.0.0.1:7".parse().expect("literal"),
        };
        // Three 5-byte sends read back by one recv of 15 (the coalesce lesson).
        let events = vec![
            call(SEND, flow, 0, 5),
            call(SEND, flow, 5, 10),
            call(SEND, flow, 10, 15),
            call(RECV, flow, 0, 15),
        ];
        let map = ByteMap::build(&events);
        let origin = map.origin(&flow, ByteRange { start: 0, end: 15 });
        assert_eq!(origin.sends, vec![0, 1, 2]);
        assert_eq!(map.readers(&flow, ByteRange { start: 5, end: 6 }), vec![3]);
    }
}
