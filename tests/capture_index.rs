//! The compact per-packet index `replay` keeps of a plain capture: it lists each connection's
//! frames and nothing else, and a connection loaded from it (its frames read back from the
//! file) is the same timeline as that connection cut out of the whole file read into memory.

use std::path::{Path, PathBuf};

use sockviz::capture::{CaptureFile, FileError};
use sockviz::tcp::AnalysisCounts;
use sockviz::timeline::capture_index::{CaptureIndex, IndexedFrame};
use sockviz::timeline::{EventKind, OwnedFrame, SourceEvent, Timeline};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The whole file in one timeline, as `replay` read it before the index (a damaged tail a note
/// after the last frame): the oracle.
fn whole(path: &Path) -> Timeline {
    let mut file = CaptureFile::open(path).expect("capture opens");
    let mut all: Option<Timeline> = None;
    let mut last_ts = None;
    loop {
        let frame = match file.next_frame() {
            Ok(Some((frame, _))) => frame,
            Ok(None) => break,
            Err(err @ FileError::Damaged { .. }) => {
                let (tl, at) = (all.as_mut().expect("frames"), last_ts.expect("frames"));
                tl.push(SourceEvent::Note {
                    at,
                    text: err.to_string(),
                });
                break;
            }
            Err(e) => panic!("{e}"),
        };
        last_ts = Some(frame.ts);
        all.get_or_insert_with(|| Timeline::new(frame.ts))
            .push(SourceEvent::Frame(OwnedFrame {
                ts: frame.ts,
                link: frame.link,
                orig_len: frame.orig_len,
                data: frame.data.to_vec(),
            }));
    }
    all.expect("capture has frames")
}

fn segment_numbers(tl: &Timeline) -> Vec<u64> {
    tl.events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Segment(s) => Some(s.number),
            _ => None,
        })
        .collect()
}

#[test]
fn the_index_of_multi_pcap_holds_each_connections_packets_and_loads_exactly_them() {
    let path = data("multi.pcap");
    let index = CaptureIndex::scan(&path, |_| {}).expect("multi.pcap scans");
    let report = sockviz::inspect::inspect_file(&path).expect("multi.pcap inspects");
    assert_eq!(index.connections().len(), report.connections.len());
    assert!(report.connections.len() > 2, "multi.pcap has several");
    for (n, (conn, rep)) in index
        .connections()
        .iter()
        .zip(&report.connections)
        .enumerate()
    {
        let mine: Vec<u64> = index
            .frames()
            .iter()
            .filter(|f| f.conn == conn.id)
            .map(|f| f.number)
            .collect();
        assert_eq!(
            mine.len() as u64,
            rep.packets.to_server + rep.packets.to_client,
            "connection {n}: index entries vs inspect's packets"
        );
        let loaded = index.load(conn.id, conn.first_ts, false).expect("loads");
        assert_eq!(
            segment_numbers(&loaded),
            mine,
            "connection {n}: frame numbers"
        );
        assert_eq!(loaded.frames_seen(), mine.len() as u64);
    }
    // Every TCP frame is in exactly one connection, in capture order.
    let numbers: Vec<u64> = index.frames().iter().map(|f| f.number).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_connection_loaded_from_the_index_is_the_one_cut_out_of_the_whole_file() {
    for name in [
        "multi.pcap",
        "port_reuse.pcap",
        "retrans.pcap",
        "midstream.pcap",
        "damaged/cut-tail.pcap",
        "variants/echo.pcapng",
    ] {
        let path = data(name);
        let all = whole(&path);
        let index = CaptureIndex::scan(&path, |_| {}).expect("scans");
        // `Connection` has no `PartialEq`; its debug form lists every field.
        assert_eq!(
            format!("{:?}", index.connections()),
            format!("{:?}", all.connections()),
            "{name}: connections"
        );
        for conn in all.connections() {
            let id = conn.id;
            let expected = all.narrowed(conn.first_ts, |ev| match &ev.kind {
                EventKind::Segment(s) => s.conn == id,
                EventKind::Note(_) => true,
                _ => false,
            });
            let loaded = index.load(id, conn.first_ts, true).expect("loads");
            assert_eq!(
                loaded.events(),
                expected.events(),
                "{name}: connection {}",
                id.0
            );
            // The per-segment flags add up to what `inspect` counts for the connection.
            let mut counts = AnalysisCounts::default();
            for ev in loaded.events() {
                if let EventKind::Segment(s) = &ev.kind {
                    counts.add(s.analysis);
                }
            }
            assert_eq!(
                counts, conn.analysis,
                "{name}: connection {} analysis",
                id.0
            );
        }
    }
}

#[test]
fn a_reused_port_is_flagged_on_the_second_connections_syn() {
    let index = CaptureIndex::scan(&data("port_reuse.pcap"), |_| {}).expect("scans");
    let second = index.connections().get(1).expect("two connections");
    let loaded = index
        .load(second.id, second.first_ts, false)
        .expect("loads");
    let EventKind::Segment(syn) = &loaded.events()[0].kind else {
        panic!("the first event is the SYN");
    };
    assert_eq!(syn.analysis.to_string(), "reused_ports");
    assert_eq!(second.analysis.reused_ports, 1);
}

#[test]
fn an_index_entry_is_a_few_tens_of_bytes_not_a_packet() {
    assert!(std::mem::size_of::<IndexedFrame>() <= 40);
}
