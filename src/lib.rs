//! sockviz: make TCP sockets visible.
//!
//! The engine (capture, wire, tcp, inspect) knows nothing of terminals; views read its state.

pub mod capture;
pub mod cli;
pub mod export;
pub mod i18n;
pub mod inspect;
pub mod lab;
pub mod lesson;
pub mod open;
pub mod output_file;
pub mod privilege;
pub mod quiz;
pub mod record;
pub mod shell;
pub mod tcp;
pub mod text;
pub mod timeline;
pub mod trace;
pub mod ui;
pub mod wire;
