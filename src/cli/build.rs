//! `rolec build [PATH...] [-o FILE] [--check]`: compile and write the artifact, to stdout or
//! to FILE (replaced atomically, and only when the compile has no errors); with `--check`,
//! write nothing and compare FILE with what would be built.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::ceiling::{self, RunCeiling};
use super::output::{closed_pipe_is_end, print_stderr};
use super::{
    compile_paths_into, exit_status, print_diagnostics, print_diagnostics_then_stop, usage_error,
    CommonArgs, ExitStatus,
};
use rolec::compile::Compilation;
use rolec::config::Config;
use rolec::diff::Change;
use rolec::discover::describe;

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    output: Option<&str>,
    check: bool,
) -> ExitStatus {
    if check && output.is_none() {
        return usage_error("`--check` compares the artifact with a file: give it with `-o FILE`");
    }
    if let Some(path) = output {
        // Refused before anything is compiled, and left as it is (reading a named pipe with
        // `--check` would wait forever for a writer).
        if let Some(what) = not_a_regular_file(Path::new(path)) {
            return usage_error(&if check {
                format!(
                    "cannot compare the artifact with `{path}`: it is {what}, not a regular file"
                )
            } else {
                format!("cannot write the artifact to `{path}`: it is {what}, and `-o` replaces only a regular file")
            });
        }
    }
    let ceiling = match ceiling::resolve(common, config) {
        Ok(ceiling) => ceiling,
        Err(status) => return status,
    };
    let ceiling = ceiling.as_ref();
    match output {
        Some(path) if check => check_artifact(common, config, paths, ceiling, path),
        None => {
            let mut stdout = BufWriter::new(std::io::stdout().lock());
            let (compilation, written) =
                match compile_paths_into(common, config, paths, ceiling, &mut stdout) {
                    Ok(built) => built,
                    Err(status) => return status,
                };
            // A closed pipe ends the artifact quietly (its reader has all it wanted).
            let written = closed_pipe_is_end(written.and_then(|_| stdout.flush()));
            drop(stdout);
            finish(common, compilation, written, || {
                "cannot write the artifact to standard output".to_string()
            })
        }
        Some(path) => {
            let mut file = AtomicFile::new(Path::new(path));
            let (compilation, written) =
                match compile_paths_into(common, config, paths, ceiling, &mut file) {
                    Ok(built) => built,
                    Err(status) => return status,
                };
            // Only an artifact written whole replaces the file.
            let committed = written.and_then(|whole| if whole { file.commit() } else { Ok(()) });
            let error = committed.as_ref().err().map(describe);
            finish(common, compilation, committed, || {
                unwritable_folder(Path::new(path)).unwrap_or_else(|| {
                    format!("cannot write `{path}`: {}", error.unwrap_or_default())
                })
            })
        }
    }
}

/// Prints the diagnostics of a build and returns its exit status; when writing the artifact
/// failed, the problem `message` names is printed with them and the status is 2.
pub(super) fn finish(
    common: &CommonArgs,
    compilation: Compilation,
    written: std::io::Result<()>,
    message: impl FnOnce() -> String,
) -> ExitStatus {
    let status = match written {
        Ok(()) => {
            print_diagnostics(common, &compilation, false);
            exit_status(&compilation)
        }
        Err(_) => print_diagnostics_then_stop(common, &compilation, false, &message()),
    };
    super::leave_to_exit(compilation);
    status
}

/// `build --check -o FILE`: writes the artifact in memory, as `build` writes it, and compares
/// it with FILE.
fn check_artifact(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    ceiling: Option<&RunCeiling>,
    path: &str,
) -> ExitStatus {
    let mut artifact = Vec::new();
    let (compilation, written) =
        match compile_paths_into(common, config, paths, ceiling, &mut artifact) {
            Ok(built) => built,
            Err(status) => return status,
        };
    let status = exit_status(&compilation);
    // Writing to a Vec cannot fail: `written` says whether there was an artifact to write.
    let verdict = match written {
        Ok(true) if status == ExitStatus::Ok => check_up_to_date(path, paths, &artifact),
        _ => Ok(None),
    };
    match verdict {
        Ok(problem) => {
            print_diagnostics(common, &compilation, false);
            match problem {
                Some(problem) => {
                    print_stderr(&format!("error: {problem}\n"));
                    ExitStatus::Errors
                }
                None => status,
            }
        }
        Err(message) => print_diagnostics_then_stop(common, &compilation, false, &message),
    }
}

/// `build --check`: whether the file at `path` holds exactly `artifact`: `None` when it does,
/// else a one-line explanation (exit status 1); an error message when it cannot be read
/// (exit status 2).
fn check_up_to_date(
    path: &str,
    paths: &[String],
    artifact: &[u8],
) -> Result<Option<String>, String> {
    let mut command = String::from("rolec build");
    for given in paths {
        command.push(' ');
        command.push_str(given);
    }
    // A file of another size differs without being read (it may be large).
    let contents = std::fs::metadata(path).and_then(|metadata| {
        if metadata.is_file() && metadata.len() != artifact.len() as u64 {
            Ok(None)
        } else {
            std::fs::read(path).map(Some)
        }
    });
    let (problem, detail) = match contents {
        Ok(Some(bytes)) if bytes == artifact => return Ok(None),
        Ok(_) => ("is out of date", what_differs(path, artifact)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            ("does not exist", String::new())
        }
        Err(error) => return Err(format!("cannot read `{path}`: {}", describe(&error))),
    };
    Ok(Some(format!(
        "`{path}` {problem}: run `{command} -o {path}`{detail}"
    )))
}

/// How many roles `build --check` names before "and N more".
const ROLES_NAMED: usize = 20;

/// What differs between the committed artifact at `path` and the one built, for a reviewer:
/// the roles whose permissions differ (added, removed, renamed, or with gains and losses), or
/// that only other fields do. Empty when the file cannot be read as an artifact.
fn what_differs(path: &str, built: &[u8]) -> String {
    let Ok(old) = super::read_artifact_file(path) else {
        return String::new();
    };
    let Ok(old) = rolec::Artifact::from_slice(&old) else {
        return format!("\n  `{path}` is not a rolec artifact: it is replaced whole");
    };
    let Ok(new) = rolec::Artifact::from_slice(built) else {
        return String::new();
    };
    let diff = rolec::diff::diff(&old, &new);
    let roles: Vec<String> = diff
        .roles
        .iter()
        .filter(|role| {
            !role.gained.is_empty() || !role.lost.is_empty() || role.change != Change::Changed
        })
        .map(|role| {
            let name = rolec::names::visible(&role.name);
            let mut edits: Vec<String> = Vec::new();
            match role.change {
                Change::Added => edits.push("added".into()),
                Change::Removed => edits.push("removed".into()),
                Change::Renamed => edits.push(format!(
                    "renamed from `{}`",
                    rolec::names::visible(role.renamed_from.as_deref().unwrap_or_default())
                )),
                Change::Changed => {}
            }
            if role.change != Change::Added && role.change != Change::Removed {
                edits.extend(role.gained.iter().map(|p| format!("+{}", p.name)));
                edits.extend(role.lost.iter().map(|p| format!("-{}", p.name)));
            }
            format!("`{name}`: {}", edits.join(" "))
        })
        .collect();
    if roles.is_empty() {
        return "\n  no role's permissions differ (the catalog, an author, a base or a source line does)"
            .to_string();
    }
    let mut text = match roles.len() {
        1 => "\n  1 role differs:".to_string(),
        count => format!("\n  {count} roles differ:"),
    };
    for role in roles.iter().take(ROLES_NAMED) {
        text.push_str("\n    ");
        text.push_str(role);
    }
    if roles.len() > ROLES_NAMED {
        text.push_str(&format!("\n    and {} more", roles.len() - ROLES_NAMED));
    }
    text
}

/// Writes `bytes` to `path` atomically (see [`AtomicFile`]).
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = AtomicFile::new(path);
    file.write_all(bytes)?;
    file.commit()
}

/// A file replaced atomically: what is written goes to a temporary file beside `path`,
/// created at the first write; [`AtomicFile::commit`] flushes it to disk and renames it over
/// `path`, so readers see the old file or the new one, never half of one. A file being
/// replaced keeps its permissions. Dropped without a commit, the temporary file is removed
/// and `path` is left as it was.
///
/// The temporary file is created exclusively (`O_EXCL`), under a random name (the `tempfile`
/// crate): whatever is already at a name it tries (a file, a symbolic or hard link planted
/// there) is never opened, let alone written through, and another name is tried instead.
pub(super) struct AtomicFile {
    path: PathBuf,
    file: Option<BufWriter<NamedTempFile>>,
}

impl AtomicFile {
    pub(super) fn new(path: &Path) -> AtomicFile {
        AtomicFile {
            path: path.to_path_buf(),
            file: None,
        }
    }

    fn writer(&mut self) -> std::io::Result<&mut BufWriter<NamedTempFile>> {
        match &mut self.file {
            Some(file) => Ok(file),
            file => Ok(file.insert(BufWriter::new(create_temporary(&self.path)?))),
        }
    }

    /// Puts what was written in place of the file, unless something other than a regular
    /// file has appeared there meanwhile (that is left as it is).
    pub(super) fn commit(mut self) -> std::io::Result<()> {
        self.writer()?;
        let Some(writer) = self.file.take() else {
            return Err(std::io::Error::other("the temporary file is gone"));
        };
        let temporary = writer.into_inner().map_err(|error| error.into_error())?;
        if let Some(what) = not_a_regular_file(&self.path) {
            return Err(std::io::Error::other(format!(
                "it is {what}, and only a regular file is replaced"
            )));
        }
        if let Ok(existing) = std::fs::metadata(&self.path) {
            temporary
                .as_file()
                .set_permissions(existing.permissions())?;
        }
        temporary.as_file().sync_all()?;
        // On failure the temporary file is dropped, which removes it.
        temporary
            .persist(&self.path)
            .map(drop)
            .map_err(|error| error.error)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.writer()?.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer()?.write_all(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

/// Creates the temporary file for replacing `path`: in the same folder (so that the rename is
/// atomic), named `.NAME.` + random characters + `.rolec.tmp`, exclusively. On Unix it is
/// created with the mode a new file gets (`0o666` less the umask), like the file it becomes.
fn create_temporary(path: &Path) -> std::io::Result<NamedTempFile> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".rolec.tmp").rand_bytes(12);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(folder)
}

/// Why `-o path` could not be written, when it is its folder: the folder it would go in does
/// not exist, or is not a folder. (What is at `path` itself is
/// [`not_a_regular_file`]'s question.)
pub(super) fn unwritable_folder(path: &Path) -> Option<String> {
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())?;
    match std::fs::metadata(folder) {
        Ok(metadata) if metadata.is_dir() => None,
        Ok(_) => Some(format!(
            "cannot write `{}`: `{}` is not a folder",
            path.display(),
            folder.display()
        )),
        Err(_) => Some(format!(
            "cannot write `{}`: the folder `{}` does not exist; create it first (`mkdir -p {}`)",
            path.display(),
            folder.display(),
            folder.display()
        )),
    }
}

/// What is at `path`, in words, when it is something other than a regular file: a folder, a
/// symbolic link (whatever it points to), a named pipe, a device or a socket. `None` when it
/// is a regular file or nothing is there (or it cannot be looked at: writing will say why).
pub(super) fn not_a_regular_file(path: &Path) -> Option<String> {
    let kind = std::fs::symlink_metadata(path).ok()?.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder".to_string());
    }
    if kind.is_symlink() {
        return Some(match std::fs::read_link(path) {
            Ok(target) => format!("a symbolic link (to `{}`)", target.display()),
            Err(_) => "a symbolic link".to_string(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (fifo)".to_string());
        }
        if kind.is_char_device() {
            return Some("a character device".to_string());
        }
        if kind.is_block_device() {
            return Some("a block device".to_string());
        }
        if kind.is_socket() {
            return Some("a socket".to_string());
        }
    }
    Some("something other than a regular file".to_string())
}
