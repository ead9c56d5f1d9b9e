//! A streaming read buffer: records are parsed in place, never copied one by one.
//!
//! Why not `mmap` the file: the mapped pages count in RSS (a 1 GB capture would look like a
//! 1 GB process), and a file truncated under the mapping (a capture still being rotated)
//! kills the process with SIGBUS. Why not `BufReader`: it cannot hand out a record that spans
//! its refill boundary. This buffer keeps a window of the file, compacts the unread tail to the
//! front when it runs dry, and grows only when a single record is larger than the window.

use std::io::{self, Read};

/// Size of the window the file is read through. Large enough that `read(2)` calls cost
/// nothing per packet, small enough to stay in L2/L3 while the packets are decoded.
pub(crate) const WINDOW: usize = 1 << 20;

pub(crate) struct ReadBuffer<R> {
    input: R,
    /// Backing storage; `buf.len()` is the capacity in use (always initialised).
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    pos: u64,
    /// The input returned 0 bytes once: the end of the file is known.
    eof: bool,
    /// Size of the reading window (see [`WINDOW`]).
    window: usize,
}

impl<R: Read> ReadBuffer<R> {
    /// A window of `window` bytes (clamped to 64..=[`WINDOW`]); smaller ones suit inputs known to
    /// be small (in-memory captures, fuzzing), so that opening one costs no 1 MiB allocation.
    pub(crate) fn with_window(input: R, window: usize) -> Self {
        ReadBuffer {
            window: window.clamp(64, WINDOW),
            input,
            buf: Vec::new(),
            start: 0,
            end: 0,
            pos: 0,
            eof: false,
        }
    }

    /// The input, for positioned reads that leave the stream position alone.
    pub(crate) fn input(&self) -> &R {
        &self.input
    }

    /// The unread bytes currently buffered (at least what the last `fill` asked for).
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// File offset of the first unread byte.
    #[inline]
    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    /// Mark `n` buffered bytes as read. `n` must not exceed `bytes().len()`.
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        let n = n.min(self.end - self.start);
        self.start += n;
        self.pos += n as u64;
    }

    /// Make at least `n` unread bytes available. Returns how many are available, which is less
    /// than `n` only at the end of the input.
    #[inline]
    pub(crate) fn fill(&mut self, n: usize) -> io::Result<usize> {
        let have = self.end - self.start;
        if have >= n {
            return Ok(have);
        }
        self.refill(n)
    }

    #[cold]
    fn refill(&mut self, n: usize) -> io::Result<usize> {
        // Move the unread tail to the front so the whole window is free for reading.
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() < self.window {
            self.buf.resize(self.window, 0);
        } else if self.buf.len() > 4 * self.window && self.end <= self.window && n <= self.window {
            // Give back the memory a huge record took once it is behind us.
            self.buf.truncate(self.window);
            self.buf.shrink_to_fit();
        }
        while self.end < n && !self.eof {
            if self.end == self.buf.len() {
                // One record larger than the window. Grow by doubling as bytes actually
                // arrive, so a record header that lies about its length costs at most twice
                // the bytes the file really has, never the length it claims.
                let grown = (self.buf.len() * 2).min(n.max(self.window));
                self.buf.resize(grown, 0);
            }
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call, like a pipe.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn fill_spans_short_reads_and_reports_eof() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut rb = ReadBuffer::with_window(
            Trickle {
                data: &data,
                step: 7,
            },
            WINDOW,
        );
        assert!(rb.fill(100).unwrap() >= 100);
        assert_eq!(rb.bytes()[..100], data[..100]);
        rb.consume(95);
        assert_eq!(rb.pos(), 95);
        assert!(rb.fill(9_000).unwrap() >= 9_000);
        assert_eq!(rb.bytes()[0], data[95]);
        rb.consume(9_000);
        assert_eq!(rb.fill(5_000).unwrap(), 10_000 - 9_095);
    }

    #[test]
    fn grows_for_one_huge_record_only_as_far_as_the_data() {
        let data = vec![1u8; 3 * WINDOW];
        let mut rb = ReadBuffer::with_window(&data[..], WINDOW);
        // Ask for far more than exists: we get what there is, and no 256 MiB allocation.
        assert_eq!(rb.fill(256 << 20).unwrap(), 3 * WINDOW);
        assert!(rb.buf.len() <= 4 * WINDOW);
    }
}
