//! `rolec build [PATH...] [-o FILE] [--check]`: compile and write the artifact, to stdout or
//! to FILE (replaced atomically, and only when the compile has no errors); with `--check`,
//! write nothing and compare FILE with what would be built.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::output::{closed_pipe_is_end, print_stderr};
use super::{
    compile_paths, compile_paths_into, exit_status, print_diagnostics, print_diagnostics_then_stop,
    usage_error, CommonArgs, EXIT_ERRORS, EXIT_OK,
};
use crate::compile::Compilation;
use crate::config::Config;
use crate::discover::describe;

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    output: Option<&str>,
    check: bool,
) -> u8 {
    if check && output.is_none() {
        return usage_error("`--check` compares the artifact with a file: give it with `-o FILE`");
    }
    match output {
        Some(path) if check => check_artifact(common, config, paths, path),
        None => {
            let mut stdout = BufWriter::new(std::io::stdout().lock());
            let (compilation, written) =
                match compile_paths_into(common, config, paths, &mut stdout) {
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
            let (compilation, written) = match compile_paths_into(common, config, paths, &mut file)
            {
                Ok(built) => built,
                Err(status) => return status,
            };
            // Only an artifact written whole replaces the file.
            let committed = written.and_then(|whole| if whole { file.commit() } else { Ok(()) });
            let error = committed.as_ref().err().map(describe);
            finish(common, compilation, committed, || {
                format!("cannot write `{path}`: {}", error.unwrap_or_default())
            })
        }
    }
}

/// Prints the diagnostics of a build and returns its exit status; when writing the artifact
/// failed, the problem `message` names is printed with them and the status is 2.
fn finish(
    common: &CommonArgs,
    compilation: Compilation,
    written: std::io::Result<()>,
    message: impl FnOnce() -> String,
) -> u8 {
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

/// `build --check -o FILE`: compiles in memory and compares with FILE.
fn check_artifact(common: &CommonArgs, config: &Config, paths: &[String], path: &str) -> u8 {
    let compilation = match compile_paths(common, config, paths, true) {
        Ok(compilation) => compilation,
        Err(status) => return status,
    };
    let status = exit_status(&compilation);
    let verdict = match compilation.artifact.as_deref() {
        Some(artifact) if status == EXIT_OK => check_up_to_date(path, paths, artifact),
        _ => Ok(None),
    };
    match verdict {
        Ok(problem) => {
            print_diagnostics(common, &compilation, false);
            match problem {
                Some(problem) => {
                    print_stderr(&format!("error: {problem}\n"));
                    EXIT_ERRORS
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
    let problem = match contents {
        Ok(Some(bytes)) if bytes == artifact => return Ok(None),
        Ok(_) => "is out of date",
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "does not exist",
        Err(error) => return Err(format!("cannot read `{path}`: {}", describe(&error))),
    };
    Ok(Some(format!(
        "`{path}` {problem}: run `{command} -o {path}`"
    )))
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
pub(super) struct AtomicFile {
    path: PathBuf,
    temporary: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub(super) fn new(path: &Path) -> AtomicFile {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        AtomicFile {
            path: path.to_path_buf(),
            temporary: parent.join(format!(".{name}.rolec-{}.tmp", std::process::id())),
            file: None,
        }
    }

    fn writer(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        match &mut self.file {
            Some(file) => Ok(file),
            file => Ok(file.insert(BufWriter::new(File::create(&self.temporary)?))),
        }
    }

    /// Puts what was written in place of the file.
    pub(super) fn commit(mut self) -> std::io::Result<()> {
        let existing = std::fs::metadata(&self.path).ok();
        let file = self.writer()?;
        file.flush()?;
        let file = file.get_ref();
        if let Some(existing) = existing {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()?;
        self.file = None;
        std::fs::rename(&self.temporary, &self.path)
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

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // After a commit the temporary file has become `path` (or the rename failed and it
        // must go too); without one, nothing of it may stay.
        if self.file.take().is_some() || self.temporary.exists() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}
