//! Shell completions and manual pages made from the clap definitions in [`crate::cli`], so
//! they cannot drift from `--help` (`sockviz completions SHELL`, `sockviz man [SUBCOMMAND]`;
//! `bash scripts/dev completions` installs them).

use std::io::Write;

use clap_complete::Shell;

use crate::cli;

/// Why a page or a script cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error("{}", crate::tr!("err.shell.unknown_shell", shell = format!("{:?}", .0)))]
    UnknownShell(String),
    #[error("{}", crate::tr!("err.shell.unknown_subcommand", name = format!("{:?}", .0)))]
    UnknownSubcommand(String),
    #[error("{}", crate::tr!("err.shell.write", error = .0))]
    Write(#[from] std::io::Error),
}

/// The completion script for `shell` (`bash`, `zsh`, `fish`).
pub fn completions(shell: &str, out: &mut dyn Write) -> Result<(), ShellError> {
    let shell = match shell {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        other => return Err(ShellError::UnknownShell(other.to_string())),
    };
    let mut cmd = cli::command();
    // Made in memory first: the generator panics on a write error (`| head`), and a closed
    // pipe must end the program quietly.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sockviz", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// The manual page of `sockviz` (`None`) or of one subcommand (`sockviz-lab(1)`).
pub fn man(subcommand: Option<&str>, out: &mut dyn Write) -> Result<(), ShellError> {
    let top = cli::command();
    let cmd = match subcommand {
        None => top,
        Some(name) => {
            let sub = top
                .find_subcommand(name)
                .cloned()
                .ok_or_else(|| ShellError::UnknownSubcommand(name.to_string()))?;
            // `sockviz-lab`, as man(1) names a subcommand's page.
            let full = format!("sockviz-{}", sub.get_name());
            sub.name(full).version(env!("CARGO_PKG_VERSION"))
        }
    };
    clap_mangen::Man::new(cmd).render(out)?;
    Ok(())
}

/// Every subcommand's name (what the installer makes pages for).
pub fn subcommands() -> Vec<String> {
    // The definitions as written (built, clap adds its own `help`).
    <cli::Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> Result<(), ShellError>) -> String {
        let mut out = Vec::new();
        f(&mut out).expect("made");
        String::from_utf8(out).expect("UTF-8")
    }

    /// Every completion script and the manual page name every subcommand.
    #[test]
    fn completions_and_the_man_page_name_every_subcommand() {
        let subs = subcommands();
        for want in [
            "lab",
            "server",
            "client",
            "replay",
            "export",
            "inspect",
            "completions",
            "man",
        ] {
            assert!(subs.iter().any(|s| s == want), "{want} in {subs:?}");
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = text(|o| completions(shell, o));
            for sub in &subs {
                assert!(script.contains(sub.as_str()), "{shell} completes {sub}");
            }
        }
        let page = text(|o| man(None, o));
        assert!(page.contains(".TH sockviz"), "{page}");
        for sub in &subs {
            assert!(
                page.contains(&format!("sockviz\\-{sub}")) || page.contains(sub.as_str()),
                "{sub}"
            );
        }
        let lab = text(|o| man(Some("lab"), o));
        assert!(lab.contains("sockviz\\-lab"), "{lab}");
        assert!(lab.contains("scenario"), "{lab}");
        assert!(matches!(
            man(Some("nope"), &mut Vec::new()),
            Err(ShellError::UnknownSubcommand(_))
        ));
    }
}
