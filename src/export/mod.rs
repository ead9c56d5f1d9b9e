//! Exports for slides and handouts: the ladder diagram as SVG, the ladder and the transcript as
//! plain text, and the replay as an asciicast v2 movie with milestone markers.
//!
//! Views only: each reads a loaded timeline ([`crate::open::load`], the same loading the
//! screens use) and writes; nothing here decodes packets.

pub mod cast;
pub mod headless;
pub mod labels;
pub mod ladder;
pub mod range;
pub mod slide;
pub mod stream_svg;
pub mod svg;
pub mod text;
pub mod transcript;

use std::io::Write;
use std::path::Path;

use crate::open::{OpenError, Replay};
use crate::output_file::{AtomicFile, Existing};
pub use cast::Theme;
pub use range::{Cut, EventRange, SlidePhase};

/// What an SVG export draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The ladder diagram (the default).
    #[default]
    Ladder,
    /// The stream map: each direction's bytes by the send that wrote them, the segments that
    /// carried them and the recvs that returned them (no record boundaries).
    StreamMap,
}

impl View {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ladder" => Some(View::Ladder),
            "stream-map" => Some(View::StreamMap),
            _ => None,
        }
    }
}

/// The part and the view an export shows (`--phase`/`--events`, `--view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub cut: Cut,
    pub view: View,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            cut: Cut::Whole,
            view: View::Ladder,
        }
    }
}

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
    #[error("{}", crate::tr!("err.export.write", path = .path, error = .error))]
    Write { path: String, error: std::io::Error },
    #[error(transparent)]
    Create(#[from] crate::output_file::CreateError),
    #[error(transparent)]
    Cut(#[from] range::CutError),
    #[error("{}", crate::tr!("err.export.slides_to_stdout", what = .what, slides = .slides))]
    SlidesToStdout { what: String, slides: usize },
    #[error("{}", crate::i18n::t("err.export.not_svg"))]
    NotSvg,
}

/// `deck.svg` for one slide; `deck-1.svg`, `deck-2.svg` … for several.
pub fn slide_path(out: &Path, k: usize, n: usize) -> std::path::PathBuf {
    if n <= 1 {
        return out.to_path_buf();
    }
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "slide".into());
    let ext = out
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    out.with_file_name(format!("{stem}-{}{ext}", k + 1))
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
    selection: Selection,
) -> Result<(), ExportError> {
    if format != Format::Svg && selection != Selection::default() {
        return Err(ExportError::NotSvg);
    }
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
        Some(n) if count > 1 => {
            crate::tr!("out.export.title_one", file = name, n = n, count = count)
        }
        None if count > 1 => crate::tr!("out.export.title_all", file = name, count = count),
        _ => format!("sockviz · {name}"),
    };
    if format == Format::Svg && selection != Selection::default() {
        return export_slides(&replay, selection, &title, out);
    }
    let Some((p, existing)) = out else {
        let mut sink = std::io::BufWriter::new(std::io::stdout().lock());
        let written =
            write(&mut sink, &replay, format, &name, &title, theme).and_then(|()| sink.flush());
        return match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|error| ExportError::Write {
                path: crate::i18n::t("out.export.stdout").into(),
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

/// Slides: one SVG document per slide, to standard output when there is one, else to
/// numbered files beside `--out`.
fn export_slides(
    replay: &Replay,
    selection: Selection,
    title: &str,
    out: Option<(&Path, Existing)>,
) -> Result<(), ExportError> {
    let docs = svg_documents(replay, selection, title)?;
    let n = docs.len();
    let Some((p, existing)) = out else {
        if n > 1 {
            let what = match selection.cut {
                Cut::Phase(ph) => crate::tr!("out.export.phase", phase = ph.title()),
                Cut::Events(r) => r.to_string(),
                Cut::Whole | Cut::AllSlides => crate::i18n::t("out.export.whole").into(),
            };
            return Err(ExportError::SlidesToStdout { what, slides: n });
        }
        let mut sink = crate::text::Visible::text(std::io::stdout().lock());
        let written = docs
            .iter()
            .try_for_each(|d| sink.write_all(d.as_bytes()))
            .and_then(|()| sink.flush());
        return match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|error| ExportError::Write {
                path: crate::i18n::t("out.export.stdout").into(),
                error,
            }),
        };
    };
    for (k, doc) in docs.iter().enumerate() {
        let path = slide_path(p, k, n);
        if n > 1 {
            crate::output_file::check(&path, existing)?;
        }
        let mut sink = AtomicFile::create(&path, existing)?;
        let written = {
            let mut visible = crate::text::Visible::text(&mut sink);
            visible
                .write_all(doc.as_bytes())
                .and_then(|()| visible.flush())
        };
        written
            .and_then(|()| sink.flush())
            .map_err(|error| ExportError::Write {
                path: path.display().to_string(),
                error,
            })?;
        sink.commit()?;
    }
    Ok(())
}

/// The SVG documents of `selection` (one per slide).
pub fn svg_documents(
    replay: &Replay,
    selection: Selection,
    title: &str,
) -> Result<Vec<String>, range::CutError> {
    match selection.view {
        View::Ladder => slide::slides(&replay.timeline, selection.cut, title),
        View::StreamMap => stream_svg::slides(&replay.timeline, selection.cut, title),
    }
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
