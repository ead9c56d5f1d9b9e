//! Which sockets get a panel (issue 11): every socket of the scenario on screen, as many as the
//! column holds (full boxed panels while they fit, compact ones after that), the rest a key
//! away: `c` turns to the next page, and the column's last row says which page it shows.
//!
//! The first page keeps what mattered before there were pages: the listener and the newest
//! connection's ends; older connections follow, newest first.

use crate::timeline::Side;
use crate::timeline::playback::SocketInfo;
use crate::ui::app::App;

use super::conn_tag::ConnTags;

/// Every socket worth a panel at the position, in page order: open listeners, then the ends of
/// each connection from the newest (client before server), then any socket with no connection
/// yet, then closed listeners.
pub fn sockets<'a>(app: &'a App, tags: &ConnTags) -> Vec<(Option<usize>, &'a SocketInfo)> {
    let born = app.playback.pos.max(1);
    let start = app.start;
    let mut all: Vec<(Option<usize>, &'a SocketInfo)> = app
        .index
        .sockets()
        .iter()
        .filter(|s| s.inferred || s.born < born)
        // A scenario picked live shows its own sockets, not the ones closed before it began.
        .filter(|s| s.born >= start || s.closed.is_none_or(|c| c >= start))
        .map(|s| (tags.of_socket(s.id), s))
        .collect();
    let rank = |(tag, s): &(Option<usize>, &SocketInfo)| {
        let side = match s.side {
            Side::Listener => 0,
            Side::Client => 1,
            Side::Server => 2,
        };
        // An open listener first, then the connections' ends, then the rest; a listener
        // already closed (echo's, after `n` made a new one) last.
        let pos = app.playback.pos;
        let group = match (s.side, tag) {
            (Side::Listener, _) if s.closed.is_some_and(|c| c < pos) => 3,
            (Side::Listener, _) => 0,
            (_, Some(_)) => 1,
            _ => 2,
        };
        (
            group,
            std::cmp::Reverse(tag.unwrap_or(usize::MAX)),
            std::cmp::Reverse(if tag.is_none() { s.born } else { 0 }),
            side,
            s.id.0,
        )
    };
    all.sort_by_key(rank);
    // With one connection (or none), the newest socket of each side, as always.
    if !tags.active() {
        let mut seen: Vec<Side> = Vec::new();
        all.retain(|(_, s)| {
            let keep = !seen.contains(&s.side);
            seen.push(s.side);
            keep
        });
    }
    all
}

/// How many panels a column of `height` rows holds and whether they are full (boxed) panels:
/// full while every socket fits that way, else compact, one row kept for the page line when
/// there are more sockets than that.
pub fn capacity(
    height: u16,
    width: u16,
    n: usize,
    full_rows: u16,
    compact_rows: u16,
) -> (usize, bool) {
    if width >= 34 && height >= full_rows * n as u16 {
        return (n, true);
    }
    let fit = (height / compact_rows) as usize;
    if fit >= n {
        return (n, false);
    }
    (
        ((height.saturating_sub(1)) / compact_rows).max(1) as usize,
        false,
    )
}

/// The slice of `n` sockets page `page` shows with `per` a page (turning past the last page
/// comes back to the first), and the page line: `c: panels 5-8 of 9`.
pub fn page(n: usize, per: usize, page: usize) -> (std::ops::Range<usize>, Option<String>) {
    if n <= per || per == 0 {
        return (0..n, None);
    }
    let pages = n.div_ceil(per);
    let first = (page % pages) * per;
    let last = (first + per).min(n);
    (
        first..last,
        Some(crate::tr!(
            "ui.panel.pages",
            first = first + 1,
            last = last,
            n = n
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_turn_and_come_back() {
        assert_eq!(page(3, 4, 0), (0..3, None));
        assert_eq!(page(9, 4, 0), (0..4, Some("c: panels 1-4 of 9".into())));
        assert_eq!(page(9, 4, 2), (8..9, Some("c: panels 9-9 of 9".into())));
        assert_eq!(page(9, 4, 3).0, 0..4);
    }

    #[test]
    fn full_panels_while_they_fit_then_compact_with_a_page_line() {
        assert_eq!(capacity(32, 38, 3, 8, 4), (3, true));
        assert_eq!(capacity(32, 38, 7, 8, 4), (7, false));
        assert_eq!(capacity(15, 28, 7, 8, 4), (3, false));
    }
}
