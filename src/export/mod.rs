//! Exports for slides and handouts: the ladder diagram as SVG, the ladder and the transcript as
//! plain text, and the replay as an asciicast v2 movie with milestone markers.
//!
//! Views only: each reads a loaded timeline ([`crate::open::load`], the same loading the
//! screens use) and writes; nothing here decodes packets.

pub mod cast;
pub mod headless;
pub mod labels;
pub mod ladder;
pub mod svg;
pub mod text;

use std::io::Write;
use std::path::Path;

use crate::open::{OpenError, Replay};
use crate::output_file::{AtomicFile, Existing};
pub use cast::Theme;

/// What `sockviz export --format` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Txt,
    Cast,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "svg" => Some(Format::Svg),
            "txt" => Some(Format::Txt),
            "cast" => Some(Format::Cast),
            _ => None,
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Load(#[from] OpenError),
    /// The OS error is part of the sentence and not a `source`, so it is printed once.
    #[error("cannot write {path}: {error}; check the directory exists and has space")]
    Write { path: String, error: std::io::Error },
    #[error(transparent)]
    Create(#[from] crate::output_file::CreateError),
}

/// Load `file` (recording or capture, connection `conn`) and write it as `format` to `out`
/// (standard output when `None`). A file appears only once complete (crate::output_file): a
/// failed export leaves none; an existing one is replaced only with [`Existing::Replace`].
pub fn export(
    file: &Path,
    format: Format,
    conn: Option<usize>,
    out: Option<(&Path, Existing)>,
    theme: Theme,
) -> Result<(), ExportError> {
    // Before the load, which may take a while on a big capture.
    if let Some((p, existing)) = out {
        crate::output_file::check(p, existing)?;
    }
    // Without --conn (as `--help` says): a recording's whole lab session, every connection
    // of the lesson (reset's and coalesce's two parts, backlog's three clients), and a plain
    // capture's first connection (0): a capture's connections need not belong together.
    let replay = crate::open::load(file, conn)?;
    let name = file.display().to_string();
    let count = replay.connections;
    let title = match replay.conn {
        Some(n) if count > 1 => format!("sockviz · {name} · connection {n} of {count}"),
        None if count > 1 => format!("sockviz · {name} · all {count} connections"),
        _ => format!("sockviz · {name}"),
    };
    let Some((p, existing)) = out else {
        let mut sink = std::io::BufWriter::new(std::io::stdout().lock());
        let written =
            write(&mut sink, &replay, format, &name, &title, theme).and_then(|()| sink.flush());
        return match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|error| ExportError::Write {
                path: "standard output".into(),
                error,
            }),
        };
    };
    let mut sink = AtomicFile::create(p, existing)?;
    write(&mut sink, &replay, format, &name, &title, theme)
        .and_then(|()| sink.flush())
        .map_err(|error| ExportError::Write {
            path: p.display().to_string(),
            error,
        })?;
    sink.commit()?;
    Ok(())
}

/// Write an already loaded replay.
pub fn write(
    out: &mut dyn Write,
    replay: &Replay,
    format: Format,
    name: &str,
    title: &str,
    theme: Theme,
) -> std::io::Result<()> {
    // Whatever the file holds, its control characters are shown, never obeyed (`crate::text`).
    match format {
        Format::Svg => {
            let mut out = crate::text::Visible::text(out);
            svg::write(&mut out, &replay.timeline, title)?;
            out.flush()
        }
        Format::Txt => {
            let mut out = crate::text::Visible::text(out);
            text::write(&mut out, &replay.timeline, title)?;
            out.flush()
        }
        Format::Cast => {
            let mut out = crate::text::Visible::json(out);
            cast::write(
                &mut out,
                replay,
                name,
                title,
                theme,
                cast::CastSize::default(),
            )?;
            out.flush()
        }
    }
}
