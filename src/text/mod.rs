//! Text shown to people: what comes from outside made safe to print.

pub mod visible;

pub use visible::{visible, visible_line};
