//! Files the command line writes (`bundle --out`, `run --users`, `titles --out`, `synth --out`),
//! written so that no input is ever destroyed: an output path that is an input of the same
//! command (after resolving symbolic links and `..`, or a hard link to it) is refused naming
//! both; an existing file is replaced only with `--force` or when it is recognisably an earlier
//! output of the same kind (`Kind::recognises`); and the bytes go to a temporary file in the
//! same directory that is renamed into place once complete, so an interrupted or failed write
//! leaves the old file as it was.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{shorten_to, Error, Result, NAME_MAX};

/// What a command writes; decides which existing files it may replace without `--force`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `bundle --out`: starts with the bundle's magic line (any version).
    Bundle,
    /// `run --users`: the JSON array of user records (`[{"user":…` or `[]`).
    Users,
    /// `titles --out`: `movieId<TAB>title` lines.
    Titles,
    /// `synth --out`: a MovieLens-shaped ratings.csv, which nothing tells apart from a real one:
    /// replaced only with `--force`.
    Synth,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Bundle => "bundle",
            Kind::Users => "users file",
            Kind::Titles => "titles file",
            Kind::Synth => "synthetic ratings file",
        }
    }

    /// Whether `head` (the first bytes of an existing file) is an earlier output of this kind.
    pub fn recognises(self, head: &[u8]) -> bool {
        match self {
            Kind::Bundle => head.starts_with(crate::data::BUNDLE_FAMILY),
            Kind::Users => {
                head == b"[]"
                    || head
                        .strip_prefix(b"[{\"user\":")
                        .is_some_and(|rest| rest.first().is_some_and(u8::is_ascii_digit))
            }
            Kind::Titles => {
                // Every complete line of the head is `digits<TAB>text` with no other tab.
                let complete = match head.iter().rposition(|&b| b == b'\n') {
                    Some(end) => &head[..end],
                    None => return false,
                };
                complete.split(|&b| b == b'\n').all(|line| {
                    let mut parts = line.splitn(2, |&b| b == b'\t');
                    let id = parts.next().unwrap_or_default();
                    let title = parts.next();
                    !id.is_empty()
                        && id.iter().all(u8::is_ascii_digit)
                        && title.is_some_and(|t| !t.contains(&b'\t') && !t.contains(&b'\r'))
                })
            }
            Kind::Synth => false,
        }
    }
}

/// How a path is shown in a message: at most `NAME_MAX` characters, control and bidi characters
/// escaped (the same as an input path).
pub fn shown(path: &Path) -> String {
    shorten_to(&path.display().to_string(), NAME_MAX)
}

/// A write error of `path`, the path shown safely.
pub fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: shown(path),
        source,
    }
}

/// An output path checked against the command's inputs and its existing file.
#[derive(Debug)]
pub struct Output {
    path: PathBuf,
}

/// The path with its directory resolved (links, `..`): the file itself when it exists, else its
/// directory's resolution joined with its name. `None` when the directory does not exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Same file by identity (a hard link has another path but the same device and inode).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

impl Output {
    /// Checks `path` as the `flag` output (`--out`, `--users`) of a command reading `inputs`
    /// (flag, path): refused when it is one of them, or when it exists and is neither replaced
    /// by `force` nor an earlier output of `kind`. Call before the work, so nothing is computed
    /// for an output that would be refused.
    pub fn check(
        flag: &str,
        path: &Path,
        kind: Kind,
        inputs: &[(&str, &Path)],
        force: bool,
    ) -> Result<Output> {
        let out = resolved(path);
        for (in_flag, input) in inputs {
            let same = same_file(path, input)
                || matches!((&out, resolved(input)), (Some(a), Some(b)) if *a == b);
            if same {
                return Err(Error::State(format!(
                    "{flag} {} is the input {in_flag} {}: writing it would destroy the input; choose another path",
                    shorten_to(&path.display().to_string(), 60),
                    shorten_to(&input.display().to_string(), 60)
                )));
            }
        }
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(path, e)),
            Ok(m) if m.is_dir() => {
                return Err(Error::State(format!(
                    "{flag} {} is a directory; give a file path",
                    shorten_to(&path.display().to_string(), 100)
                )))
            }
            Ok(_) if force => {}
            Ok(_) => {
                let mut head = Vec::new();
                std::fs::File::open(path)
                    .and_then(|f| f.take(4096).read_to_end(&mut head))
                    .map_err(|e| io_error(path, e))?;
                if !kind.recognises(&head) {
                    return Err(Error::State(format!(
                        "{flag} {} exists and is not an earlier {}: pass --force to replace it",
                        shorten_to(&path.display().to_string(), 80),
                        kind.noun()
                    )));
                }
            }
        }
        Ok(Output {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file through `write` into a temporary file beside it, then renames it into
    /// place (an error leaves the old file, if any, untouched and no temporary file behind).
    /// Returns what `write` returned. The temporary file is made as `File::create` makes files
    /// (mode 0666 less the umask), so the output gets the permissions a plain write would give.
    pub fn write<T>(&self, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
        let (tmp_path, file) = self.temporary()?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let written = write(&mut w).map_err(|e| match e {
            Error::Io { source, .. } => io_error(&self.path, source),
            other => other,
        });
        let closed = w
            .into_inner()
            .map_err(|e| io_error(&self.path, e.into_error()))
            .and_then(|f| f.sync_all().map_err(|e| io_error(&self.path, e)));
        let done = written.and_then(|v| {
            closed?;
            std::fs::rename(&tmp_path, &self.path).map_err(|e| io_error(&self.path, e))?;
            Ok(v)
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp_path);
        }
        done
    }

    /// A new file `.NAME.PID-N.tmp` in the output's directory.
    fn temporary(&self) -> Result<(PathBuf, std::fs::File)> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = self
            .path
            .file_name()
            .map_or("output".into(), |n| n.to_string_lossy().into_owned());
        loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => return Ok((tmp, f)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error(&self.path, e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_recognise_their_own_outputs_only() {
        assert!(Kind::Bundle.recognises(b"MEMBERLENS-BUNDLE-1\n..."));
        assert!(!Kind::Bundle.recognises(b"userId,movieId,rating,timestamp\n"));
        assert!(Kind::Users.recognises(b"[{\"user\":12,\"member\":true"));
        assert!(Kind::Users.recognises(b"[]"));
        assert!(!Kind::Users.recognises(b"[1,2,3]"));
        assert!(!Kind::Users.recognises(b"{\"user\":1}"));
        assert!(Kind::Titles.recognises(b"1\tToy Story (1995)\n2\tJumanji (1995)\n3\tGrum"));
        assert!(!Kind::Titles.recognises(b"movieId,title,genres\n1,Toy Story,Comedy\n"));
        assert!(!Kind::Titles.recognises(b"196\t242\t3\t881250949\n"));
        assert!(!Kind::Titles.recognises(b"1\tno line end"));
        assert!(!Kind::Synth.recognises(b"userId,movieId,rating,timestamp\n1,2,4.0,9\n"));
    }
}
