//! Recordings: a lab session kept in one pcapng file that Wireshark opens as a capture and
//! `sockviz replay` plays with its calls and probes (format: `format.rs`,
//! `docs/recording-format.md`).

mod convert;
pub mod format;
pub mod headless;
pub mod reader;
pub mod recorder;
pub mod session;
pub mod writer;

pub use convert::parse_call;
pub use reader::{Recording, is_recording};
pub use session::{RecordOutcome, run_recorded};
pub use writer::{RecordError, RecordingWriter};
