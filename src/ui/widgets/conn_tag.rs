//! Which connection an arrow or a call belongs to (issue 11): when the scenario on screen has
//! more than one connection (backlog's three clients, `n`), every arrow and every call label
//! carries a short tag, `c1`, `c2`, ..., in its own colour, and the ladder's heading names each
//! tag's client port. One connection needs no tag, and gets none.

use ratatui::style::Style;

use crate::tcp::ConnId;
use crate::timeline::SocketId;
use crate::ui::app::App;

/// The tags of one frame: connections numbered from the scenario's start, in order of their
/// first segment (the order `inspect` and `--conn` use).
#[derive(Debug, Clone, Default)]
pub struct ConnTags {
    /// (connection, its client's port), tag `k + 1` for entry `k`.
    conns: Vec<(ConnId, u16)>,
    /// Each socket that is an end of one of them, with its tag number.
    sockets: Vec<(SocketId, usize)>,
}

impl ConnTags {
    pub fn of(app: &App) -> Self {
        let list = app.index.connections_from(app.start);
        if list.len() < 2 {
            return ConnTags::default();
        }
        let conns: Vec<(ConnId, u16)> = list.iter().map(|(id, c, _)| (*id, c.port())).collect();
        let sockets = app
            .index
            .sockets()
            .iter()
            .filter_map(|s| {
                let id = app.index.conn_of(s)?;
                let n = conns.iter().position(|(c, _)| *c == id)? + 1;
                Some((s.id, n))
            })
            .collect();
        ConnTags { conns, sockets }
    }

    /// Whether tags are drawn at all (two connections or more).
    pub fn active(&self) -> bool {
        self.conns.len() > 1
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// The tag number (from 1) of a segment's connection.
    pub fn of_conn(&self, id: ConnId) -> Option<usize> {
        self.conns.iter().position(|(c, _)| *c == id).map(|k| k + 1)
    }

    /// The tag number of a call's socket (a listener's calls have none).
    pub fn of_socket(&self, id: SocketId) -> Option<usize> {
        self.sockets.iter().find(|(s, _)| *s == id).map(|(_, n)| *n)
    }

    /// `(tag number, client port)` of every connection, in order.
    pub fn ports(&self) -> impl Iterator<Item = (usize, u16)> + '_ {
        self.conns.iter().enumerate().map(|(k, (_, p))| (k + 1, *p))
    }
}

/// `c1`, `c2`, ...
pub fn text(n: usize) -> String {
    format!("c{n}")
}

/// A tag's colour: the theme's four band fills in turn (dark text on a coloured cell; the mono
/// theme alternates reverse video), so neighbouring connections differ even without reading.
pub fn style(app: &App, n: usize) -> Style {
    app.theme.bands[n.saturating_sub(1) % app.theme.bands.len()]
}
