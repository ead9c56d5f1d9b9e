//! Reading pcap and pcapng files front to back, and reading single frames back on demand.
//!
//! The reader streams the file through one reusable window (`capture/buffer.rs`); each
//! [`Frame`] borrows its bytes from that window, so reading costs no copy and no allocation per
//! packet. A [`FrameRef`] remembers where the bytes live, so a replay can keep a compact
//! `Vec<FrameRef>` and fetch bytes with [`CaptureFile::read_frame`] when it needs them.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::buffer::{ReadBuffer, WINDOW};
use super::parse::{MAX_RECORD_LEN, Notes, ParseError};
use super::pcap::Pcap;
use super::pcapng::Pcapng;
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
    /// The OS refused a read (missing file, permissions, I/O error); the cause is the source,
    /// which `anyhow`'s `{:#}` prints after this message.
    #[error("{}", crate::tr!("err.capture.io", path = .path.display()))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", crate::tr!("err.capture.not_capture", path = .path.display(), detail = .detail))]
    NotACapture { path: PathBuf, detail: String },
    /// A record after a good file header is broken. `record` is the 1-based number of the pcap
    /// record or pcapng block (all block types counted), `offset` where that record starts.
    #[error("{}", crate::tr!("err.capture.damaged", path = .path.display(), record = .record, offset = .offset, reason = .reason))]
    Damaged {
        path: PathBuf,
        record: u64,
        offset: u64,
        reason: String,
    },
    #[error("{}", crate::tr!("err.capture.not_seekable", path = .path.display()))]
    NotSeekable { path: PathBuf },
}

/// The bytes a capture is read from.
enum Input {
    File(File),
    Bytes(io::Cursor<Vec<u8>>),
    Stream(Box<dyn Read + Send>),
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::File(f) => f.read(buf),
            Input::Bytes(c) => c.read(buf),
            Input::Stream(s) => s.read(buf),
        }
    }
}

enum Parser {
    Pcap(Pcap),
    Pcapng(Pcapng),
}

/// An open capture file, read front to back.
pub struct CaptureFile {
    path: PathBuf,
    format: CaptureFormat,
    reader: ReadBuffer<Input>,
    parser: Parser,
    /// Bytes of the record last handed out, consumed at the next call.
    pending: usize,
    frames: u64,
    notes: Notes,
}

impl CaptureFile {
    /// Open a pcap or pcapng file and check its file header.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        let file = File::open(path).map_err(|source| FileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::with_input(path.to_path_buf(), Input::File(file), WINDOW)
    }

    /// Read a capture held in memory (tests, fuzzing). `name` is used in messages.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, FileError> {
        let window = bytes.len();
        Self::with_input(name.into(), Input::Bytes(io::Cursor::new(bytes)), window)
    }

    /// Read a capture from any stream (a pipe, stdin). Such a capture is read front to back
    /// only: [`CaptureFile::read_frame`] answers [`FileError::NotSeekable`].
    pub fn from_reader(
        name: impl Into<PathBuf>,
        reader: impl Read + Send + 'static,
    ) -> Result<Self, FileError> {
        Self::with_input(name.into(), Input::Stream(Box::new(reader)), WINDOW)
    }

    fn with_input(path: PathBuf, input: Input, window: usize) -> Result<Self, FileError> {
        let mut reader = ReadBuffer::with_window(input, window);
        let mut notes = Notes::default();
        let opened = detect(&mut reader, &mut notes);
        let (format, parser) = match opened {
            Ok(found) => found,
            Err(ParseError::Io(source)) => return Err(FileError::Io { path, source }),
            Err(ParseError::Damaged { reason, .. }) => {
                return Err(FileError::NotACapture {
                    path,
                    detail: reason,
                });
            }
        };
        Ok(CaptureFile {
            path,
            format,
            reader,
            parser,
            pending: 0,
            frames: 0,
            notes,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Non-fatal notes about the file so far (snaplen exceeded, odd timestamp resolution, ...),
    /// one per kind, worth showing next to the report.
    pub fn warnings(&self) -> &[String] {
        &self.notes.list
    }

    /// The next frame and where it lives; `Ok(None)` at a clean end of file.
    ///
    /// After an `Err`, the reader's position is unspecified: stop reading.
    pub fn next_frame(&mut self) -> Result<Option<(Frame<'_>, FrameRef)>, FileError> {
        self.reader.consume(std::mem::take(&mut self.pending));
        let next = match &mut self.parser {
            Parser::Pcap(p) => p.next(&mut self.reader, &mut self.notes),
            Parser::Pcapng(p) => p.next(&mut self.reader, &mut self.notes),
        };
        let rec = match next {
            Ok(Some(rec)) => rec,
            Ok(None) => return Ok(None),
            Err(e) => return Err(self.error(e)),
        };
        self.pending = rec.record_len;
        self.frames += 1;
        let end = rec.data_start + rec.caplen as usize;
        let data = &self.reader.bytes()[rec.data_start..end];
        let frame_ref = FrameRef {
            data_offset: self.reader.pos() + rec.data_start as u64,
            captured_len: rec.caplen,
            orig_len: rec.orig_len,
            ts: rec.ts,
            link: rec.link,
        };
        let frame = Frame {
            number: self.frames,
            ts: rec.ts,
            link: rec.link,
            orig_len: rec.orig_len,
            data,
            interface: rec.interface,
        };
        Ok(Some((frame, frame_ref)))
    }

    /// Read the captured bytes of a frame found earlier into `buf` (reused, so a replay
    /// allocates once) and return them. Uses positioned reads: the front-to-back reading
    /// position is not disturbed.
    pub fn read_frame<'b>(
        &self,
        frame: &FrameRef,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8], FileError> {
        let len = frame.captured_len as usize;
        if len > MAX_RECORD_LEN {
            return Err(self.io_error(io::Error::new(
                io::ErrorKind::InvalidInput,
                crate::tr!("wire.file.frame_too_large", len = len),
            )));
        }
        buf.clear();
        buf.resize(len, 0);
        match self.reader.input() {
            Input::File(f) => {
                read_exact_at(f, buf, frame.data_offset).map_err(|e| self.io_error(e))?
            }
            Input::Bytes(c) => {
                let all = c.get_ref();
                let src = usize::try_from(frame.data_offset)
                    .ok()
                    .and_then(|start| all.get(start..start.checked_add(len)?))
                    .ok_or_else(|| {
                        self.io_error(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            crate::i18n::t("wire.file.frame_past_end"),
                        ))
                    })?;
                buf.copy_from_slice(src);
            }
            Input::Stream(_) => {
                return Err(FileError::NotSeekable {
                    path: self.path.clone(),
                });
            }
        }
        Ok(buf)
    }

    fn io_error(&self, source: io::Error) -> FileError {
        FileError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn error(&self, e: ParseError) -> FileError {
        match e {
            ParseError::Io(source) => self.io_error(source),
            ParseError::Damaged {
                record,
                offset,
                reason,
            } => FileError::Damaged {
                path: self.path.clone(),
                record,
                offset,
                reason,
            },
        }
    }
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut f = f.try_clone()?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// Tell the container from its first four bytes and read its file header.
///
/// pcap: draft-ietf-opsawg-pcap §4 (magic 0xA1B2C3D4 µs, 0xA1B23C4D ns, either byte order).
/// pcapng: draft-ietf-opsawg-pcapng §4.1 (the Section Header Block type 0x0A0D0D0A is a
/// palindrome so it reads the same in both byte orders).
fn detect(
    rb: &mut ReadBuffer<Input>,
    notes: &mut Notes,
) -> Result<(CaptureFormat, Parser), ParseError> {
    let have = rb.fill(4)?;
    let damaged = |reason: String| ParseError::Damaged {
        record: 0,
        offset: 0,
        reason,
    };
    if have == 0 {
        return Err(damaged(crate::tr!("wire.file.empty")));
    }
    if have < 4 {
        return Err(damaged(crate::tr!("wire.file.too_short", have = have)));
    }
    let magic = [rb.bytes()[0], rb.bytes()[1], rb.bytes()[2], rb.bytes()[3]];
    if magic == [0x0A, 0x0D, 0x0D, 0x0A] {
        let parser = Pcapng::open(rb, notes)?;
        return Ok((CaptureFormat::Pcapng, Parser::Pcapng(parser)));
    }
    let (nanosecond, big_endian) = match magic {
        [0xD4, 0xC3, 0xB2, 0xA1] => (false, false),
        [0xA1, 0xB2, 0xC3, 0xD4] => (false, true),
        [0x4D, 0x3C, 0xB2, 0xA1] => (true, false),
        [0xA1, 0xB2, 0x3C, 0x4D] => (true, true),
        _ => {
            return Err(damaged(crate::tr!(
                "wire.file.magic",
                magic = format!(
                    "{:02x}{:02x}{:02x}{:02x}",
                    magic[0], magic[1], magic[2], magic[3]
                )
            )));
        }
    };
    let parser = Pcap::open(rb, nanosecond, big_endian, notes).map_err(damaged)?;
    Ok((
        CaptureFormat::Pcap {
            nanosecond,
            big_endian,
        },
        Parser::Pcap(parser),
    ))
}
