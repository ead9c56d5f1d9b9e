//! Connections that are over are kept frozen ([`crate::tcp::list`]); freezing must change no
//! answer, on the checked-in captures as on arbitrary segments (`props.rs`).

use std::path::Path;

use crate::capture::CaptureFile;
use crate::tcp::Tracker;
use crate::wire::{Decoded, Decoder};

/// Every TCP segment of `name` through a tracker that freezes each connection as soon as it
/// finishes and one that never does: the same segment infos, the same connections.
fn same_with_and_without_freezing(path: &Path) -> usize {
    let name = path.display();
    let Ok(mut file) = CaptureFile::open(path) else {
        return 0; // tests/data/damaged: files that are no capture at all
    };
    let mut decoder = Decoder::new();
    let mut at_once = Tracker::retiring_after(0);
    let mut never = Tracker::retiring_after(usize::MAX);
    let mut segments = 0;
    while let Ok(Some((frame, _))) = file.next_frame() {
        if let Ok(Decoded::Tcp(seg)) =
            decoder.decode(frame.link, frame.data, frame.orig_len, frame.ts)
        {
            let a = at_once.push(frame.ts, frame.orig_len, &seg);
            let b = never.push(frame.ts, frame.orig_len, &seg);
            assert_eq!(a, b, "{name}: frame {}", frame.number);
            segments += 1;
        }
    }
    assert_eq!(
        format!("{:?}", at_once.connections()),
        format!("{:?}", never.connections()),
        "{name}"
    );
    segments
}

#[test]
fn freezing_at_once_changes_nothing_on_the_test_captures() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let (mut files, mut segments) = (0, 0);
    for dir in [data.clone(), data.join("variants"), data.join("damaged")] {
        for entry in std::fs::read_dir(&dir).expect("tests/data is there") {
            let path = entry.expect("a directory entry").path();
            if path
                .extension()
                .is_some_and(|e| e == "pcap" || e == "pcapng")
            {
                segments += same_with_and_without_freezing(&path);
                files += 1;
            }
        }
    }
    assert!(
        files >= 40 && segments > 500,
        "{files} files, {segments} segments"
    );
}

/// A connection frozen after its close still takes a late segment (here the peer's
/// retransmitted FIN): thawed, counted and analysed as if it had stayed whole.
#[test]
fn a_late_segment_thaws_a_frozen_connection() {
    use super::*;
    let mut w = Wire::new();
    w.tracker = Tracker::retiring_after(0);
    w.handshake();
    w.push(c2s(FIN | ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0));
    w.push(s2c(FIN | ACK, SERVER_ISN + 1, CLIENT_ISN + 2, 0));
    w.push(c2s(ACK, CLIENT_ISN + 2, SERVER_ISN + 2, 0));
    assert!(w.conn(0).is_finished());
    let late = w.push(s2c(FIN | ACK, SERVER_ISN + 1, CLIENT_ISN + 2, 0));
    assert!(late.analysis.contains(crate::tcp::Analysis::RETRANSMISSION));
    assert_eq!(w.conn(0).to_client.packets, 3);
    assert_eq!(w.tracker.connections().len(), 1);
}

/// A list freezes nothing while it holds `freeze_from` connections or fewer (small captures
/// and lab sessions keep every connection whole); past that, every finished connection beyond
/// the newest `retire_after` is frozen, the backlog at once.
#[test]
fn freezing_starts_only_past_its_threshold() {
    use super::*;
    let mut t = Tracker::freezing(2, 10);
    let close = |t: &mut Tracker, port: u16| {
        for s in [
            seg(port, SERVER, SYN, CLIENT_ISN, 0, 0),
            seg(SERVER, port, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0),
            seg(port, SERVER, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0),
            seg(port, SERVER, FIN | ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0),
            seg(SERVER, port, FIN | ACK, SERVER_ISN + 1, CLIENT_ISN + 2, 0),
            seg(port, SERVER, ACK, CLIENT_ISN + 2, SERVER_ISN + 2, 0),
        ] {
            t.push(crate::capture::Timestamp(0), 60, &s);
        }
    };
    for port in 0..10 {
        close(&mut t, CLIENT + port);
    }
    assert_eq!(t.connections().len(), 10);
    assert_eq!(
        t.connections().frozen_count(),
        0,
        "10 connections: none frozen"
    );
    close(&mut t, CLIENT + 10);
    assert_eq!(
        t.connections().frozen_count(),
        9,
        "11 finished connections, the newest 2 kept whole"
    );
    close(&mut t, CLIENT + 11);
    assert_eq!(t.connections().frozen_count(), 10);
    assert!(t.connections().iter().all(|c| c.is_finished()));
}
