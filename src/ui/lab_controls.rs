//! Driving the live lab from the keyboard: the message being typed, the recv size, auto-echo,
//! the scenario highlighted in the picker, and the recording's state. Keys change it through
//! [`super::app::App::update`], which returns what the lab is asked to do as effects.

use std::path::PathBuf;

use crate::output_file::Existing;

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

    pub fn scenario_up(&mut self) {
        self.scenario = self.scenario.saturating_sub(1);
    }

    pub fn scenario_down(&mut self) {
        self.scenario = (self.scenario + 1).min(crate::lab::scenario::ALL.len() - 1);
    }
}
