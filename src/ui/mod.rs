//! The terminal UI: what a person sees after typing `sockviz`.
//!
//! State → frame (pure render functions in [`widgets`] over [`app::App`]) and key → action →
//! state and effects ([`keymap`], [`app::App::update`] → [`action::Effect`], carried out by
//! [`event_loop`]). The live lab and a replayed file feed the same screens; files are opened
//! by [`crate::open`]; nothing here decodes packets or touches sockets.

pub mod action;
pub mod app;
pub mod event_loop;
pub mod keymap;
pub mod lab_controls;
pub mod launch;
pub mod layout;
pub mod live_record;
pub mod picker;
pub mod picker_rows;
pub mod picker_screen;
pub mod playback;
pub mod replay;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use action::Action;
pub use app::App;
pub use theme::{Theme, ThemeName};
