//! Creating the files sockviz writes: exports (`--out`), recordings (`--record`, Ctrl-R).
//!
//! Three rules, one place:
//! - A symbolic link at the final component is never followed nor replaced (`O_NOFOLLOW`): a
//!   link planted where sockviz writes (a shared directory, a predictable name) cannot redirect
//!   the bytes into another file.
//! - An existing file is replaced only when the user asked for it ([`Existing::Replace`],
//!   `--force`); a name sockviz chooses itself ([`create_unique`]) is always new (`O_EXCL`).
//! - Where the format is written in one go (svg, txt, cast), the bytes go to a temporary file in
//!   the same directory, renamed over the name when complete ([`AtomicFile`]): a failed export
//!   leaves no file, an interrupted one never a half-written one. Recordings are streamed while
//!   the lab runs (a killed lab keeps what it recorded), so they are created in place.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What to do when the file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// Stop with an error that names `--force`.
    #[default]
    Refuse,
    /// Replace it (`--force`); a symbolic link is still refused.
    Replace,
}

impl Existing {
    pub fn from_force(force: bool) -> Self {
        if force {
            Existing::Replace
        } else {
            Existing::Refuse
        }
    }
}

/// Why an output file could not be created. Each says which file and what to do; the OS error
/// appears once (no `source` chain that would print it again).
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{}", crate::tr!("err.file.exists", path = .path.display()))]
    Exists { path: PathBuf },
    #[error("{}", crate::tr!("err.file.symlink", path = .path.display()))]
    Symlink { path: PathBuf },
    #[error("{}", crate::tr!("err.file.not_regular", path = .path.display()))]
    NotRegular { path: PathBuf },
    #[error("{}", crate::tr!("err.file.create", path = .path.display(), error = .error))]
    Io { path: PathBuf, error: io::Error },
}

impl CreateError {
    fn io(path: &Path, error: io::Error) -> Self {
        CreateError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Check `path` before doing work that would be wasted if it cannot be written: a symbolic
/// link, or an existing file without `--force`. (The creation checks again, atomically.)
pub fn check(path: &Path, existing: Existing) -> Result<(), CreateError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CreateError::io(path, e)),
        Ok(meta) if meta.file_type().is_symlink() => Err(CreateError::Symlink {
            path: path.to_path_buf(),
        }),
        Ok(_) if existing == Existing::Refuse => Err(CreateError::Exists {
            path: path.to_path_buf(),
        }),
        Ok(meta) if meta.is_file() => Ok(()),
        // A device or a pipe is written to, not replaced: only streamed files may be one.
        Ok(meta) if meta.file_type().is_char_device() || meta.file_type().is_fifo() => Ok(()),
        Ok(_) => Err(CreateError::NotRegular {
            path: path.to_path_buf(),
        }),
    }
}

fn open_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    o
}

/// Sort out what an `open` error means for the user.
fn open_error(path: &Path, e: io::Error) -> CreateError {
    match e.raw_os_error() {
        // O_NOFOLLOW on a link.
        Some(libc::ELOOP) => CreateError::Symlink {
            path: path.to_path_buf(),
        },
        // O_EXCL: a link counts as existing, whatever it points to.
        Some(libc::EEXIST) => match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => CreateError::Symlink {
                path: path.to_path_buf(),
            },
            _ => CreateError::Exists {
                path: path.to_path_buf(),
            },
        },
        _ => CreateError::io(path, e),
    }
}

/// Open `path` for a file written as it goes (a recording): never through a symbolic link;
/// an existing file only with [`Existing::Replace`], and then truncated.
pub fn create_streamed(path: &Path, existing: Existing) -> Result<File, CreateError> {
    let mut o = open_options();
    match existing {
        Existing::Refuse => o.create_new(true),
        Existing::Replace => o.create(true).truncate(true),
    };
    o.open(path).map_err(|e| open_error(path, e))
}

/// Create a new file named `{stem}-{pid}.{ext}` in `dir` (then `-2`, `-3`… if taken), for
/// names sockviz picks itself (Ctrl-R): always a new file (`O_EXCL`), so a file or link planted
/// under the expected name is skipped, never written through.
pub fn create_unique(dir: &Path, stem: &str, ext: &str) -> Result<(File, PathBuf), CreateError> {
    let pid = std::process::id();
    let mut last = None;
    for n in 1..=100u32 {
        let name = if n == 1 {
            format!("{stem}-{pid}.{ext}")
        } else {
            format!("{stem}-{pid}-{n}.{ext}")
        };
        let path = dir.join(name);
        match open_options().create_new(true).open(&path) {
            Ok(f) => return Ok((f, path)),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EEXIST | libc::ELOOP)) => {
                last = Some(open_error(&path, e));
            }
            Err(e) => return Err(CreateError::io(&path, e)),
        }
    }
    Err(last.unwrap_or_else(|| CreateError::Exists {
        path: dir.join(format!("{stem}-{pid}.{ext}")),
    }))
}

/// A file written whole and then put in place: a temporary file in the same directory, renamed
/// to the name by [`AtomicFile::commit`]; dropped without a commit, it is removed.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<io::BufWriter<File>>,
    existing: Existing,
}

impl AtomicFile {
    pub fn create(target: &Path, existing: Existing) -> Result<Self, CreateError> {
        check(target, existing)?;
        if existing == Existing::Replace
            && std::fs::symlink_metadata(target).is_ok_and(|m| !m.is_file())
        {
            return Err(CreateError::NotRegular {
                path: target.to_path_buf(),
            });
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().ok_or_else(|| CreateError::NotRegular {
            path: target.to_path_buf(),
        })?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut last = None;
        for n in 0..100u32 {
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".{}-{stamp:x}-{n}.tmp", std::process::id()));
            let temp = dir.join(temp_name);
            match open_options().create_new(true).open(&temp) {
                Ok(f) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp,
                        file: Some(io::BufWriter::with_capacity(1 << 16, f)),
                        existing,
                    });
                }
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => last = Some(e),
                // The directory's problem (missing, read-only, full) is reported on the name
                // the user gave.
                Err(e) => return Err(CreateError::io(target, e)),
            }
        }
        Err(CreateError::io(
            target,
            last.unwrap_or_else(|| io::Error::from_raw_os_error(libc::EEXIST)),
        ))
    }

    /// Flush, sync and put the file in place. Without `--force` the rename fails if the name
    /// was taken meanwhile (`RENAME_NOREPLACE`), so nothing is replaced that was not asked for.
    pub fn commit(mut self) -> Result<(), CreateError> {
        let file = self.file.take().expect("an AtomicFile is committed once");
        let file = file
            .into_inner()
            .map_err(|e| CreateError::io(&self.target, e.into_error()))?;
        file.sync_all()
            .map_err(|e| CreateError::io(&self.target, e))?;
        drop(file);
        let placed = match self.existing {
            Existing::Replace => std::fs::rename(&self.temp, &self.target),
            Existing::Refuse => rename_noreplace(&self.temp, &self.target),
        };
        match placed {
            Ok(()) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Err(CreateError::Exists {
                path: self.target.clone(),
            }),
            Err(e) => Err(CreateError::io(&self.target, e)),
        }
        // Drop removes the temporary file if it is still there.
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.file.as_mut() {
            Some(f) => f.write(buf),
            None => Err(io::Error::from_raw_os_error(libc::EBADF)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // After a commit the name is gone (renamed); otherwise this removes the partial file.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// `renameat2(RENAME_NOREPLACE)`, or `link` + `unlink` where the file system lacks it: either
/// way an existing `to` (a link included) is never replaced.
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (cfrom, cto) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that outlive the call; no other pointers.
    let ret = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            cfrom.as_ptr(),
            libc::AT_FDCWD,
            cto.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if ret == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
        return Err(err);
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sockviz-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_atomic_file_appears_whole_on_commit_and_not_at_all_otherwise() {
        let dir = scratch("atomic");
        let target = dir.join("out.svg");
        let mut f = AtomicFile::create(&target, Existing::Refuse).expect("create");
        f.write_all(b"<svg/>").expect("write");
        assert!(!target.exists(), "not before the commit");
        f.commit().expect("commit");
        assert_eq!(std::fs::read(&target).expect("read"), b"<svg/>");
        assert_eq!(entries(&dir), ["out.svg"], "no temporary file left");

        let other = dir.join("failed.svg");
        let mut f = AtomicFile::create(&other, Existing::Refuse).expect("create");
        f.write_all(b"half").expect("write");
        drop(f);
        assert_eq!(
            entries(&dir),
            ["out.svg"],
            "an abandoned export leaves nothing"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_asked() {
        let dir = scratch("exists");
        let target = dir.join("out.txt");
        std::fs::write(&target, "keep").expect("seed");
        let err = AtomicFile::create(&target, Existing::Refuse)
            .err()
            .expect("refused");
        assert!(matches!(err, CreateError::Exists { .. }), "{err}");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
        let mut f = AtomicFile::create(&target, Existing::Replace).expect("--force");
        f.write_all(b"new").expect("write");
        f.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");

        let streamed = create_streamed(&target, Existing::Refuse).expect_err("refused");
        assert!(matches!(streamed, CreateError::Exists { .. }), "{streamed}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_name_taken_between_check_and_commit_is_not_replaced() {
        let dir = scratch("race");
        let target = dir.join("out.cast");
        let mut f = AtomicFile::create(&target, Existing::Refuse).expect("create");
        f.write_all(b"mine").expect("write");
        std::fs::write(&target, "theirs").expect("someone else");
        let err = f.commit().expect_err("refused");
        assert!(matches!(err, CreateError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "theirs");
        assert_eq!(entries(&dir), ["out.cast"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_symbolic_link_is_never_written_through_even_with_force() {
        let dir = scratch("symlink");
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").expect("seed");
        let link = dir.join("out.pcapng");
        std::os::unix::fs::symlink(&victim, &link).expect("link");
        for existing in [Existing::Refuse, Existing::Replace] {
            let e = AtomicFile::create(&link, existing).err().expect("refused");
            assert!(matches!(e, CreateError::Symlink { .. }), "{e}");
            let e = create_streamed(&link, existing).expect_err("refused");
            assert!(matches!(e, CreateError::Symlink { .. }), "{e}");
        }
        // A dangling link, where O_CREAT alone would create the file it names.
        let dangling = dir.join("dangling.pcapng");
        std::os::unix::fs::symlink(dir.join("created-through-link"), &dangling).expect("link");
        let e = create_streamed(&dangling, Existing::Refuse).expect_err("refused");
        assert!(matches!(e, CreateError::Symlink { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        assert!(!dir.join("created-through-link").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_chosen_name_skips_whatever_was_planted_there() {
        let dir = scratch("unique");
        let pid = std::process::id();
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").expect("seed");
        std::os::unix::fs::symlink(&victim, dir.join(format!("rec-{pid}.pcapng"))).expect("link");
        std::fs::write(dir.join(format!("rec-{pid}-2.pcapng")), "other").expect("seed");
        let (mut f, path) = create_unique(&dir, "rec", "pcapng").expect("created");
        assert_eq!(path, dir.join(format!("rec-{pid}-3.pcapng")));
        f.write_all(b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn errors_name_the_file_and_the_os_error_once() {
        let dir = scratch("missing");
        let target = dir.join("no-such-dir").join("out.svg");
        let e = AtomicFile::create(&target, Existing::Refuse)
            .err()
            .expect("no directory");
        let text = e.to_string();
        assert!(text.contains("no-such-dir/out.svg"), "{text}");
        assert_eq!(
            text.matches("No such file or directory").count(),
            1,
            "{text}"
        );
        assert!(
            std::error::Error::source(&e).is_none(),
            "no chain to repeat it"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
