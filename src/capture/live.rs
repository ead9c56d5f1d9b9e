//! A live libpcap capture: the lab's frame source, beside the capture files. Frames go out as
//! [`OwnedFrame`]s over a channel of whatever event type the caller collects (the lab sends
//! `timeline::SourceEvent`s), so this layer knows nothing of what consumes them.
//!
//! LAB.md: open the handle in immediate mode (a send() → packet delivery of ~19 µs; without it
//! libpcap may deliver nothing at all), with a short timeout so the thread notices when to stop.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use pcap::{Capture, Precision};

use super::{LinkType, OwnedFrame, Timestamp};

/// Why a live capture could not start.
#[derive(Debug, thiserror::Error)]
pub enum LiveCaptureError {
    #[error("{}", crate::tr!("err.live.open", device = .device, source = .source))]
    Open { device: String, source: pcap::Error },
    #[error("{}", crate::tr!("err.live.filter", filter = .filter, device = .device, source = .source))]
    Filter {
        device: String,
        filter: String,
        source: pcap::Error,
    },
    #[error("{}", crate::tr!("err.live.thread", error = .0))]
    Thread(std::io::Error),
}

/// A capture running on its own thread until [`LiveCapture::stop`].
pub struct LiveCapture {
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<CaptureStats>>,
    pub link: LinkType,
    pub device: String,
}

/// What the capture thread saw, and whether it ended early.
#[derive(Debug, Clone, Default)]
pub struct CaptureStats {
    pub frames: u64,
    /// libpcap's own count of packets it dropped for lack of buffer space.
    pub dropped: u32,
    pub error: Option<String>,
}

fn open(
    device: &str,
    snaplen: i32,
    precision: Precision,
) -> Result<Capture<pcap::Active>, pcap::Error> {
    Capture::from_device(device)?
        .immediate_mode(true)
        .snaplen(snaplen)
        .timeout(20)
        .buffer_size(32 << 20)
        .precision(precision)
        .open()
}

/// A capture handle that is open but not yet delivering: between the two, the caller gives up
/// the privileges opening it took (crate::privilege), before the capture thread exists.
pub struct OpenCapture {
    cap: Capture<pcap::Active>,
    link: LinkType,
    nanos: bool,
    device: String,
}

impl OpenCapture {
    /// Start delivering frames to `tx` on a thread of its own.
    pub fn start<E>(self, tx: mpsc::Sender<E>) -> Result<LiveCapture, LiveCaptureError>
    where
        E: From<OwnedFrame> + Send + 'static,
    {
        self.start_wrapped(tx, E::from)
    }

    /// [`OpenCapture::start`], each frame wrapped by `wrap` (to say which capture point saw it).
    pub fn start_wrapped<E>(
        self,
        tx: mpsc::Sender<E>,
        wrap: fn(OwnedFrame) -> E,
    ) -> Result<LiveCapture, LiveCaptureError>
    where
        E: Send + 'static,
    {
        let OpenCapture {
            cap,
            link,
            nanos,
            device,
        } = self;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("capture".into())
            .spawn(move || run(cap, link, nanos, &flag, &tx, wrap))
            .map_err(LiveCaptureError::Thread)?;
        Ok(LiveCapture {
            stop,
            handle: Some(handle),
            link,
            device,
        })
    }
}

impl LiveCapture {
    /// Open `device` with `filter` (BPF syntax; empty for everything); [`OpenCapture::start`]
    /// then delivers the frames. Frames sent before that are not captured.
    ///
    /// `snaplen` should be just above the MTU: in immediate mode libpcap uses a ring of
    /// fixed-size slots (TPACKET_V2) sized by the snaplen, and with 65535 the ring held so few
    /// frames that a 100,000-byte sendall lost most of its segments (measured: 60 of 100
    /// dropped; none with 4096).
    pub fn open(device: &str, filter: &str, snaplen: u32) -> Result<OpenCapture, LiveCaptureError> {
        let open_err = |source| LiveCaptureError::Open {
            device: device.to_string(),
            source,
        };
        // Nanosecond stamps keep a send's segment apart from its return; fall back if refused.
        let snaplen = i32::try_from(snaplen.min(65535)).unwrap_or(65535);
        let (cap, nanos) = match open(device, snaplen, Precision::Nano) {
            Ok(cap) => (cap, true),
            Err(_) => (
                open(device, snaplen, Precision::Micro).map_err(open_err)?,
                false,
            ),
        };
        // Non-blocking, polled with our own timeout: in immediate mode libpcap's own timeout is
        // not applied, so a blocking read would never notice the stop flag.
        let mut cap = cap.setnonblock().map_err(open_err)?;
        if !filter.is_empty() {
            cap.filter(filter, true)
                .map_err(|source| LiveCaptureError::Filter {
                    device: device.to_string(),
                    filter: filter.to_string(),
                    source,
                })?;
        }
        let link = LinkType(u32::try_from(cap.get_datalink().0).unwrap_or(u32::MAX));
        Ok(OpenCapture {
            cap,
            link,
            nanos,
            device: device.to_string(),
        })
    }

    /// [`LiveCapture::open`] then [`OpenCapture::start`].
    pub fn start<E>(
        device: &str,
        filter: &str,
        snaplen: u32,
        tx: mpsc::Sender<E>,
    ) -> Result<Self, LiveCaptureError>
    where
        E: From<OwnedFrame> + Send + 'static,
    {
        Self::open(device, filter, snaplen)?.start(tx)
    }

    /// Stop after the packets already delivered (at most one timeout, 20 ms, later).
    pub fn stop(mut self) -> CaptureStats {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run<E>(
    mut cap: Capture<pcap::Active>,
    link: LinkType,
    nanos: bool,
    stop: &AtomicBool,
    tx: &mpsc::Sender<E>,
    wrap: fn(OwnedFrame) -> E,
) -> CaptureStats {
    let mut stats = CaptureStats::default();
    let mut stopping_since: Option<std::time::Instant> = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            // Keep draining what is queued, but not forever if the traffic never pauses.
            let since = *stopping_since.get_or_insert_with(std::time::Instant::now);
            if since.elapsed() > std::time::Duration::from_millis(200) {
                break;
            }
        }
        match cap.next_packet() {
            Ok(packet) => {
                let h = packet.header;
                let frac = h.ts.tv_usec;
                let ns =
                    h.ts.tv_sec
                        .saturating_mul(1_000_000_000)
                        .saturating_add(if nanos { frac } else { frac * 1000 });
                stats.frames += 1;
                let frame = OwnedFrame {
                    ts: Timestamp(ns),
                    link,
                    orig_len: h.len,
                    data: packet.data.to_vec(),
                };
                if tx.send(wrap(frame)).is_err() {
                    break;
                }
            }
            Err(pcap::Error::TimeoutExpired) => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Err(e) = wait_readable(cap.as_raw_fd(), 20) {
                    stats.error = Some(e.to_string());
                    break;
                }
            }
            Err(e) => {
                stats.error = Some(e.to_string());
                break;
            }
        }
    }
    if let Ok(s) = cap.stats() {
        stats.dropped = s.dropped;
    }
    stats
}

/// Wait until the capture's descriptor is readable (or `timeout_ms` passes).
fn wait_readable(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd, passed with count 1, outlives the call; poll only reads `fd`, which
    // the caller's capture handle keeps open for the duration.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n > 0)
}
