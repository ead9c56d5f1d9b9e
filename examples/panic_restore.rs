//! Takes the terminal the way `sockviz` does, draws, then panics: `tests/tui_tmux.rs` runs it in
//! tmux to check the panic hook gives the shell back a cooked terminal and a readable message.

use ratatui::widgets::Paragraph;
use sockviz::ui::terminal::TerminalGuard;

fn main() -> std::io::Result<()> {
    let mut guard = TerminalGuard::take()?;
    guard
        .terminal
        .draw(|f| f.render_widget(Paragraph::new("about to panic"), f.area()))?;
    std::thread::sleep(std::time::Duration::from_millis(300));
    panic!("a deliberate panic with the terminal taken");
}
