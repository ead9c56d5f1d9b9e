//! The lab's side of [`App::update`]: keys that drive the real sockets, and the recorder's
//! answers. Each returns the effects the event loop carries out.

use crate::lab::interactive::LabCommand;
use crate::lab::socket::Shutdown;
use crate::record::recorder::Destination;

use super::super::action::{Action, Effect};
use super::super::keymap::Mode;
use super::super::lab_controls::PendingCall;
use super::{App, SourceLabel};

impl App {
    /// The lab's keys, and the recorder's answers.
    pub(super) fn lab_update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::StartInput { all } if self.lab.attached => {
                self.lab.input_all = all;
                self.mode = Mode::Input;
            }
            Action::InputChar(c) => self.lab.input.push(c),
            Action::InputBackspace => {
                self.lab.input.pop();
            }
            Action::InputSubmit => {
                let text = std::mem::take(&mut self.lab.input);
                self.mode = Mode::Normal;
                if !text.is_empty() {
                    return self.command(LabCommand::Send {
                        text,
                        all: self.lab.input_all,
                    });
                }
            }
            Action::Recv(side) => {
                return self.command(LabCommand::Recv {
                    side: side.side(),
                    bufsize: self.lab.recv_size(),
                });
            }
            Action::CycleBufsize => {
                self.lab.cycle_bufsize();
                self.message = Some(crate::tr!("ui.lab.bufsize", n = self.lab.recv_size()));
            }
            Action::ToggleAutoEcho => {
                self.lab.auto_echo = !self.lab.auto_echo;
                return self.command(LabCommand::AutoEcho(self.lab.auto_echo));
            }
            Action::ShutdownWrite(side) => {
                return self.command(LabCommand::Shutdown {
                    side: side.side(),
                    how: Shutdown::Write,
                });
            }
            Action::Close(side) => return self.command(LabCommand::Close { side: side.side() }),
            Action::NewConnection => return self.command(LabCommand::NewConnection),
            Action::ToggleRecording => return self.toggle_recording(),
            Action::RecordingStarted(path) => {
                self.message = Some(crate::tr!("ui.lab.recording_to", path = path));
                self.lab.recording = Some(path);
            }
            Action::RecordingStopped(path) => {
                self.message = Some(crate::tr!("ui.lab.recorded", path = path));
                self.lab.recording = None;
            }
            Action::RecordingFailed(why) => {
                self.message = Some(why);
                self.lab.recording = None;
            }
            Action::OpenPicker if self.lab.attached => self.mode = Mode::Picker,
            Action::PickerUp => self.lab.scenario_up(),
            Action::PickerDown => self.lab.scenario_down(),
            Action::PickerChoose => {
                self.mode = Mode::Normal;
                if let Some(s) = crate::lab::scenario::ALL.get(self.lab.scenario) {
                    // A fresh ladder: the new scenario's events start here.
                    self.start = self.len();
                    self.playback.seek(&self.timeline, self.start);
                    self.selected = None;
                    self.panel_page = 0;
                    let effects = self.command(LabCommand::RunScenario(s.name.to_string()));
                    if let SourceLabel::Lab { scenario, .. } = &mut self.source {
                        *scenario = s.name.to_string();
                    }
                    return effects;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn command(&mut self, cmd: LabCommand) -> Vec<Effect> {
        if !self.lab.attached {
            return Vec::new();
        }
        self.message = Some(cmd.describe());
        match PendingCall::of(&cmd) {
            Some(call) => {
                // The lab's worker for that side is still inside a call: this one queues
                // behind it, and the screen says so now rather than firing it later unexplained.
                if let Some(b) = self.lab.blocked(call.side) {
                    self.message = Some(crate::tr!(
                        "ui.lab.blocked",
                        side = crate::ui::widgets::side_name(call.side),
                        call = b.call,
                        secs = format!("{:.1}", b.secs)
                    ));
                }
                if self.has_open_socket(call.side) {
                    self.lab.pending.push(call);
                }
            }
            // A new connection or a scenario closes the sockets whose calls were pending.
            None if matches!(cmd, LabCommand::NewConnection | LabCommand::RunScenario(_)) => {
                self.lab.pending.clear()
            }
            None => {}
        }
        // Driving the lab means watching what it does: follow the new events.
        self.playback.playing = true;
        vec![Effect::Lab(cmd)]
    }

    /// Ctrl-R: start recording (to `--record FILE` the first time, else a timestamped file),
    /// or stop; the recorder answers with [`Action::RecordingStarted`] and the like.
    fn toggle_recording(&mut self) -> Vec<Effect> {
        let SourceLabel::Lab { scenario, capture } = &self.source else {
            return Vec::new();
        };
        if !self.lab.attached {
            return Vec::new();
        }
        if self.lab.recording.is_some() {
            return vec![Effect::StopRecording {
                scenario: scenario.clone(),
                capture: capture.clone(),
            }];
        }
        let to = match self.lab.record_path.take() {
            Some((path, existing)) => Destination::File(path, existing),
            None => crate::ui::live_record::new_recording(),
        };
        vec![Effect::StartRecording(to)]
    }

    /// Whether `side` (client, or the server's connected socket) has a socket not yet closed,
    /// so a call asked of it will be made (and will come back).
    fn has_open_socket(&self, side: crate::timeline::Side) -> bool {
        let is_side = |s: crate::timeline::Side| {
            (s == crate::timeline::Side::Client) == (side == crate::timeline::Side::Client)
                && s != crate::timeline::Side::Listener
        };
        self.index
            .sockets()
            .iter()
            .rev()
            .find(|s| is_side(s.side))
            .is_some_and(|s| s.closed.is_none())
    }
}
