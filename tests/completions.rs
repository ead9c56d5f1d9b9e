//! `bash scripts/dev completions` installs shell completions and manual pages made from the
//! clap definitions: every file names every subcommand, bash loads its script, and the
//! installer makes one page per subcommand (run here with the test's binary, into a scratch
//! home, so nothing is built or installed for the user).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

#[test]
fn the_installer_writes_completions_and_pages_naming_every_subcommand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("completions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (data, conf) = (tmp.join("data"), tmp.join("config"));
    let out = Command::new("bash")
        .arg(root.join("scripts/dev"))
        .arg("completions")
        .env("SOCKVIZ_BIN", BIN)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &conf)
        .output()
        .expect("run scripts/dev");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let subs = sockviz::shell::subcommands();
    assert!(subs.len() >= 8, "{subs:?}");
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let files = [
        data.join("bash-completion/completions/sockviz"),
        data.join("zsh/site-functions/_sockviz"),
        conf.join("fish/completions/sockviz.fish"),
        data.join("man/man1/sockviz.1"),
    ];
    for f in &files {
        let text = read(f);
        for sub in &subs {
            assert!(text.contains(sub.as_str()), "{} names {sub}", f.display());
        }
    }
    for sub in &subs {
        let page = read(&data.join(format!("man/man1/sockviz-{sub}.1")));
        assert!(
            page.contains(&format!(".TH sockviz-{sub} 1")),
            "{sub}: {page}"
        );
    }
    // bash loads the script and then completes `sockviz`.
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p sockviz",
            files[0].display()
        ))
        .output()
        .expect("bash");
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("sockviz"));
    let _ = std::fs::remove_dir_all(&tmp);
}
