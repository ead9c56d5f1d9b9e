//! Issue 9's shape rules, kept: no source file over 500 lines, and nothing outside the screens
//! (but the cast export, which films them) imports `crate::ui`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a source file is UTF-8");
            let rel = p.strip_prefix(&src).expect("under src").to_path_buf();
            (rel, text)
        })
        .collect()
}

#[test]
fn no_source_file_is_over_500_lines() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| text.lines().count() > 500)
        .map(|(p, text)| format!("{} ({} lines)", p.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn only_the_screens_and_the_cast_export_import_the_ui() {
    let files = sources();
    assert!(files.len() > 100, "{} files", files.len());
    let importers: Vec<String> = files
        .iter()
        .filter(|(p, _)| !p.starts_with("ui") && p != Path::new("export/cast.rs"))
        .filter(|(p, _)| !matches!(p.to_str(), Some("main.rs" | "lib.rs")))
        .filter(|(_, text)| text.contains("crate::ui"))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(importers.is_empty(), "{importers:?}");
}
