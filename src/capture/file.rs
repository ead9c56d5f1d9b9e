//! Reading pcap and pcapng files. (Skeleton: the capture-file helper replaces this.)

use std::path::{Path, PathBuf};

use super::{Frame, LinkType, Timestamp};

/// Which container the file uses, as detected from its magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    Pcap { nanosecond: bool, big_endian: bool },
    Pcapng,
}

/// Where a frame lives in the file, so its bytes can be read back on demand.
///
/// The compact per-packet index is a `Vec<FrameRef>`; the bytes stay in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRef {
    /// Offset of the first captured byte of the frame in the file.
    pub data_offset: u64,
    pub captured_len: u32,
    pub orig_len: u32,
    pub ts: Timestamp,
    pub link: LinkType,
}

/// Why a capture file could not be read, or where it stopped making sense.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a pcap or pcapng file ({detail})")]
    NotACapture { path: PathBuf, detail: String },
    #[error("{path}: record {record} at offset {offset}: {reason}; stopped reading there")]
    Damaged {
        path: PathBuf,
        record: u64,
        offset: u64,
        reason: String,
    },
}

/// An open capture file, read front to back.
pub struct CaptureFile {
    path: PathBuf,
    format: CaptureFormat,
}

impl CaptureFile {
    pub fn open(path: &Path) -> Result<Self, FileError> {
        Err(FileError::NotACapture {
            path: path.to_path_buf(),
            detail: "reader not built yet".into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// The next frame and where it lives; `Ok(None)` at a clean end of file.
    pub fn next_frame(&mut self) -> Result<Option<(Frame<'_>, FrameRef)>, FileError> {
        Ok(None)
    }
}
