//! Writing an inspection: the pretty JSON object and the aligned table, a connection at a
//! time (a million connections are never all formatted at once).

use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::*;

/// How many bytes `args` formats to, without keeping them.
fn byte_len(args: std::fmt::Arguments<'_>) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    // Counting cannot fail.
    let _ = std::fmt::write(&mut count, args);
    count.0
}

/// The report as `--json` prints it, its connections taken from `rows` one at a time: the
/// fields of [`Report`], in its order.
#[derive(Serialize)]
struct ReportJson<'a, R: Serialize> {
    file: &'a str,
    format: &'a str,
    packets_total: u64,
    non_tcp_packets: u64,
    undecodable_packets: u64,
    truncated_packets: u64,
    #[serde(skip_serializing_if = "is_zero")]
    recording_events: u64,
    #[serde(skip_serializing_if = "FragmentStats::is_empty")]
    ip_fragments: &'a FragmentStats,
    connections: R,
    warnings: &'a [String],
}

/// A sequence serialized from a fresh iterator.
struct Rows<F>(F);

impl<F, I> Serialize for Rows<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// `head`'s fields with `rows` as its connections, pretty-printed, then a newline.
pub(super) fn write_json<F, I>(head: &Report, rows: F, out: &mut impl Write) -> io::Result<()>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    let json = ReportJson {
        file: &head.file,
        format: &head.format,
        packets_total: head.packets_total,
        non_tcp_packets: head.non_tcp_packets,
        undecodable_packets: head.undecodable_packets,
        truncated_packets: head.truncated_packets,
        recording_events: head.recording_events,
        ip_fragments: &head.ip_fragments,
        connections: Rows(rows),
        warnings: &head.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(io::Error::other)?;
    writeln!(out)
}

/// `head` as aligned columns with `count` connections from `rows` (called twice: widths, then
/// lines).
pub(super) fn write_table<F, I>(
    head: &Report,
    count: usize,
    rows: F,
    out: &mut impl Write,
) -> io::Result<()>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: std::borrow::Borrow<ConnectionReport>,
{
    use std::borrow::Borrow;
    let this = head;
    {
        let out = &mut *out;
        let title = crate::tr!(
            "out.inspect.title",
            file = this.file,
            format = format_name(this),
            packets = this.packets_total,
            connections = count
        );
        writeln!(out, "{title}")?;
        let headers = headers();
        // Formatted twice (widths, then lines) rather than held: a million rows of twelve
        // strings took more memory than everything else inspect keeps.
        let cells = |c: &ConnectionReport| -> [String; 12] {
            [
                c.id.to_string(),
                c.client.clone(),
                c.server.clone(),
                format!("{:.6}", c.start),
                format!("{:.6}", c.duration),
                c.packets.to_server.to_string(),
                c.packets.to_client.to_string(),
                c.bytes.to_server.to_string(),
                c.bytes.to_client.to_string(),
                c.final_state.client.to_string(),
                c.final_state.server.to_string(),
                c.notes(),
            ]
        };
        // The widths pass measures the cells without writing them (the last column, not
        // padded, needs no width).
        let lens = |c: &ConnectionReport| -> [usize; 11] {
            [
                byte_len(format_args!("{}", c.id)),
                c.client.len(),
                c.server.len(),
                byte_len(format_args!("{:.6}", c.start)),
                byte_len(format_args!("{:.6}", c.duration)),
                byte_len(format_args!("{}", c.packets.to_server)),
                byte_len(format_args!("{}", c.packets.to_client)),
                byte_len(format_args!("{}", c.bytes.to_server)),
                byte_len(format_args!("{}", c.bytes.to_client)),
                c.final_state.client.len(),
                c.final_state.server.len(),
            ]
        };
        let mut widths = headers.map(UnicodeWidthStr::width);
        for c in rows() {
            for (w, len) in widths.iter_mut().zip(lens(c.borrow())) {
                *w = (*w).max(len);
            }
        }
        // Numbers right-aligned, text left-aligned; the last column is not padded.
        let right = [
            true, false, false, true, true, true, true, true, true, false, false, false,
        ];
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                if i == cells.len() - 1 {
                    s.push_str(cell);
                } else if right[i] {
                    let _ = std::fmt::Write::write_fmt(
                        &mut s,
                        format_args!("{cell:>w$}", w = widths[i]),
                    );
                } else {
                    let _ = std::fmt::Write::write_fmt(
                        &mut s,
                        format_args!("{cell:<w$}", w = widths[i]),
                    );
                }
            }
            s.trim_end().to_string()
        };
        // The headings may be Korean (two cells a syllable): padded by cells, not chars.
        let heading: Vec<String> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let fill = " ".repeat(widths[i].saturating_sub(h.width()));
                match i {
                    _ if i == headers.len() - 1 => h.to_string(),
                    _ if right[i] => format!("{fill}{h}"),
                    _ => format!("{h}{fill}"),
                }
            })
            .collect();
        writeln!(out, "{}", heading.join("  ").trim_end())?;
        for c in rows() {
            writeln!(out, "{}", line(&cells(c.borrow())))?;
        }
        if this.non_tcp_packets > 0 || this.undecodable_packets > 0 {
            let line = crate::tr!(
                "out.inspect.non_tcp",
                non_tcp = this.non_tcp_packets,
                undecodable = this.undecodable_packets
            );
            writeln!(out, "{line}")?;
        }
        let f = &this.ip_fragments;
        if f.reassembled > 0 {
            let line = crate::tr!("out.inspect.reassembled", n = f.reassembled);
            writeln!(out, "{line}")?;
        }
        if this.recording_events > 0 {
            let line = crate::tr!(
                "out.inspect.recording",
                records = this.recording_events,
                file = this.file
            );
            writeln!(out, "{line}")?;
        }
        for w in &this.warnings {
            writeln!(out, "{}", crate::tr!("out.warning", warning = w))?;
        }
    }
    Ok(())
}

/// `pcap (little-endian, microsecond)` in the reader's language.
fn format_name(report: &Report) -> String {
    use crate::capture::CaptureFormat;
    use crate::i18n::t;
    match report.capture_format {
        Some(CaptureFormat::Pcap {
            nanosecond,
            big_endian,
        }) => crate::tr!(
            "out.inspect.pcap_format",
            endian = if big_endian {
                t("out.inspect.big_endian")
            } else {
                t("out.inspect.little_endian")
            },
            resolution = if nanosecond {
                t("out.inspect.nanosecond")
            } else {
                t("out.inspect.microsecond")
            }
        ),
        _ => report.format.clone(),
    }
}

/// The table's twelve column headings in the current language (English if the language's
/// list is not twelve long).
fn headers() -> [&'static str; 12] {
    let split = |text: &'static str| -> Option<[&'static str; 12]> {
        let cols: Vec<&'static str> = text.split('|').map(str::trim).collect();
        cols.try_into().ok()
    };
    split(crate::i18n::t("out.inspect.columns"))
        .or_else(|| split(crate::i18n::Lang::En.table().get("out.inspect.columns")?))
        .unwrap_or(["?"; 12])
}

#[cfg(test)]
mod heading_tests {
    use crate::i18n::Lang;

    #[test]
    fn both_languages_name_twelve_columns() {
        for lang in Lang::ALL {
            let text = lang.table().get("out.inspect.columns").unwrap_or("");
            assert_eq!(text.split('|').count(), 12, "{}", lang.file_name());
        }
    }
}
