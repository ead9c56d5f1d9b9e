//! Driving the live lab from the keyboard: the message being typed, the recv size, auto-echo,
//! the scenario highlighted in the picker, and the recording's state. Keys change it through
//! [`super::app::App::update`], which returns what the lab is asked to do as effects.

use std::path::PathBuf;

use crate::capture::Timestamp;
use crate::lab::interactive::LabCommand;
use crate::output_file::Existing;
use crate::timeline::{Call, CallStart, Side};

/// A lab call that has not come back yet: asked from the keyboard, or begun by the lab (a
/// scenario's blocked `sendall`, reported by its start). The lab reports a call's result when
/// it returns; until then the screen knows it only from here, so a `recv` on an empty buffer is
/// drawn blocked at once, and a key pressed meanwhile says it waits.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCall {
    /// The side whose worker makes the call (its calls queue behind this one).
    pub side: Side,
    /// As the lecture writes it when called: `recv(1024)`, `sendall(5)`, `close()`.
    pub label: String,
    /// The call asked for: the call event of the same kind on this side answers it.
    pub call: Call,
    /// Seconds since the key was pressed or the start was reported (ticks add up; no clock is
    /// read).
    pub secs: f64,
    /// When the lab began the call (`None`: asked from the keyboard, not yet begun); the
    /// ladder draws it at that moment.
    pub started: Option<Timestamp>,
}

impl PendingCall {
    /// The call a lab command makes on one side's socket, if it makes one.
    pub fn of(cmd: &LabCommand) -> Option<PendingCall> {
        let (side, call) = match cmd {
            LabCommand::Send { text, all } => (
                Side::Client,
                Call::Send {
                    len: text.len() as u64,
                    all: *all,
                },
            ),
            LabCommand::Recv { side, bufsize } => (
                *side,
                Call::Recv {
                    bufsize: *bufsize as u64,
                },
            ),
            LabCommand::Shutdown { side, how } => (*side, Call::Shutdown(*how)),
            LabCommand::Close { side } => (*side, Call::Close),
            _ => return None,
        };
        Some(PendingCall {
            side,
            label: label(&call),
            call,
            secs: 0.0,
            started: None,
        })
    }
}

/// A pending call as the lecture writes it when called: `recv(1024)`, `sendall(5)`.
fn label(call: &Call) -> String {
    match call {
        Call::Send { len, .. } => format!("{}({len})", call.name()),
        Call::Recv { bufsize } => format!("recv({bufsize})"),
        other => other.to_string(),
    }
}

/// The lifeline a side's calls stand on: the listener shares the server's.
fn lifeline(side: Side) -> Side {
    if side == Side::Client {
        Side::Client
    } else {
        Side::Server
    }
}

/// A call still pending after this long is blocked, not merely on its way back.
pub const BLOCKED_NOTICE_SECS: f64 = 0.1;

/// The recv sizes `b` cycles through: small ones split a message, 1024 is the lecture's.
pub const BUFSIZES: [usize; 5] = [1, 5, 16, 1024, 4096];

#[derive(Debug, Clone, PartialEq)]
pub struct LabControls {
    /// Lab keys are live (a lab session is attached).
    pub attached: bool,
    /// The message being typed (Input mode).
    pub input: String,
    /// Enter sends it with `sendall` rather than `send`.
    pub input_all: bool,
    /// The scenario highlighted in the scenario picker.
    pub scenario: usize,
    /// Index into [`BUFSIZES`].
    pub bufsize: usize,
    pub auto_echo: bool,
    /// The file being recorded to (the status bar's `● REC`).
    pub recording: Option<String>,
    /// Where the next recording goes (`lab --record FILE`, and whether `--force` lets it
    /// replace an existing file); `None`: a new file named by sockviz.
    pub record_path: Option<(PathBuf, Existing)>,
    /// Calls asked from the keyboard that have not returned, oldest first.
    pub pending: Vec<PendingCall>,
    /// A link's two capture points' frames, put back in capture-time order before the tracker
    /// sees them (a few milliseconds' window).
    pub link_order: crate::lab::capture_order::CaptureOrder,
}

impl Default for LabControls {
    fn default() -> Self {
        LabControls {
            attached: false,
            input: String::new(),
            input_all: false,
            scenario: 0,
            bufsize: 3,
            auto_echo: true,
            recording: None,
            record_path: None,
            pending: Vec::new(),
            link_order: Default::default(),
        }
    }
}

impl LabControls {
    /// The recv size `r`/`R` ask for.
    pub fn recv_size(&self) -> usize {
        BUFSIZES[self.bufsize]
    }

    pub fn cycle_bufsize(&mut self) {
        self.bufsize = (self.bufsize + 1) % BUFSIZES.len();
    }

    /// The oldest call still blocking `side`'s worker, if it has been waiting long enough to
    /// be called blocked.
    pub fn blocked(&self, side: Side) -> Option<&PendingCall> {
        self.pending
            .iter()
            .find(|p| p.side == side && p.secs >= BLOCKED_NOTICE_SECS)
    }

    /// The lab began a call that may block: the keyboard's call it is (the oldest of its kind
    /// on that side not yet begun), or one the lab made on its own (a scenario's).
    pub fn started(&mut self, start: &CallStart) {
        let side = lifeline(start.side);
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.side == side && p.started.is_none() && p.call.same_kind(&start.call))
        {
            p.started = Some(start.started);
            return;
        }
        self.pending.push(PendingCall {
            side,
            label: label(&start.call),
            call: start.call.clone(),
            secs: 0.0,
            started: Some(start.started),
        });
    }

    /// A call event came back: the oldest pending call it answers is done (one the lab has
    /// begun before one merely asked for).
    pub fn returned(&mut self, side: Side, call: &Call) {
        let side = lifeline(side);
        let mine = |p: &PendingCall| p.side == side && p.call.same_kind(call);
        if let Some(k) = self
            .pending
            .iter()
            .position(|p| mine(p) && p.started.is_some())
        {
            self.pending.remove(k);
        } else if let Some(k) = self
            .pending
            .iter()
            .position(|p| p.side == side && p.call.same_kind(call))
        {
            self.pending.remove(k);
        }
    }

    pub fn scenario_up(&mut self) {
        self.scenario = self.scenario.saturating_sub(1);
    }

    pub fn scenario_down(&mut self) {
        self.scenario = (self.scenario + 1).min(crate::lab::scenario::ALL.len() - 1);
    }
}
