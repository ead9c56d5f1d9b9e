//! Recording the live lab from the screens (Ctrl-R, or `sockviz lab --record FILE`).
//!
//! The event loop hands every batch of source events here before the app sees it. Everything
//! since the lab started is kept, so a recording started halfway still holds the whole session
//! (a replay needs the handshake to make sense of the segments after it); from then on each
//! event is written as it arrives. A write error (disk full) stops the recording, never the lab.

use std::path::{Path, PathBuf};

use crate::capture::{LinkType, Timestamp};
use crate::record::format::{Record, SummaryRecord};
use crate::record::writer::RecordingWriter;
use crate::timeline::SourceEvent;

#[derive(Debug, Default)]
pub struct LiveRecorder {
    history: Vec<SourceEvent>,
    writer: Option<RecordingWriter>,
}

impl LiveRecorder {
    pub fn is_recording(&self) -> bool {
        self.writer.is_some()
    }

    /// Keep `batch`, and write it when recording. `Err` says why recording just stopped.
    pub fn observe(&mut self, batch: &[SourceEvent]) -> Result<(), String> {
        self.history.extend_from_slice(batch);
        if let Some(w) = self.writer.as_mut() {
            for ev in batch {
                if let Err(e) = w.write(ev) {
                    self.writer = None;
                    return Err(e.to_string());
                }
            }
        }
        Ok(())
    }

    /// Start recording to `path`: the session so far, then every new event.
    pub fn start(&mut self, path: &Path) -> Result<(), String> {
        let mut w =
            RecordingWriter::create(path, LinkType::ETHERNET, "lo").map_err(|e| e.to_string())?;
        for ev in &self.history {
            w.write(ev).map_err(|e| e.to_string())?;
        }
        self.writer = Some(w);
        Ok(())
    }

    /// Stop, closing the file with a summary (so a replay knows it is complete); returns the
    /// path written.
    pub fn stop(&mut self, scenario: &str, capture: &str) -> Option<PathBuf> {
        let mut w = self.writer.take()?;
        let started = self.history.iter().find_map(|ev| match ev {
            SourceEvent::Note { at, .. } => Some(*at),
            _ => None,
        });
        let end = crate::lab::probe::now();
        let _ = w.write_record(&Record::Summary(SummaryRecord {
            at: end.0,
            started: started.unwrap_or(Timestamp(end.0)).0,
            scenario: scenario.to_string(),
            capture: capture.to_string(),
            server: self.server(),
            mtu: None,
            failure: None,
            dropped: 0,
        }));
        Some(w.path().to_path_buf())
    }
}

impl LiveRecorder {
    /// The echo server's address, from the first `connect()` (7 in the namespace, 7007 on the
    /// host loopback without root).
    fn server(&self) -> String {
        self.history
            .iter()
            .find_map(|ev| match ev {
                SourceEvent::Call(c) => match c.call {
                    crate::timeline::Call::Connect { addr } => Some(addr),
                    _ => None,
                },
                _ => None,
            })
            .map(|a| a.to_string())
            .unwrap_or_else(|| format!("127.0.0.1:{}", crate::lab::ECHO_PORT))
    }
}

/// `sockviz-20261125-093012.pcapng` in the current directory (UTC, so two lecturers' files sort
/// the same way).
pub fn timestamped_path() -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    PathBuf::from(format!(
        "sockviz-{y:04}{m:02}{d:02}-{:02}{:02}{:02}.pcapng",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_an_error_that_says_so() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let mut rec = LiveRecorder::default();
        let err = rec.start(Path::new("/dev/full")).expect_err("ENOSPC");
        assert!(err.contains("disk full (/dev/full)"), "{err}");
        assert!(!rec.is_recording(), "no REC indicator after a failed start");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_recording_started_late_holds_the_whole_session() {
        let dir = std::env::temp_dir().join(format!("sockviz-live-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("late.pcapng");
        let mut rec = LiveRecorder::default();
        let note = |at, text: &str| SourceEvent::Note {
            at: Timestamp(at),
            text: text.into(),
        };
        rec.observe(&[note(1_000, "scenario echo: x")])
            .expect("not recording yet");
        rec.start(&path).expect("start");
        assert!(rec.is_recording());
        rec.observe(&[note(2_000, "later")]).expect("written");
        assert_eq!(rec.stop("echo", "namespace"), Some(path.clone()));
        let back = crate::record::reader::load(&path, |_| {}).expect("reads back");
        assert!(back.complete());
        assert_eq!(back.timeline.events().len(), 2);
        assert_eq!(back.timeline.origin(), Timestamp(1_000));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
