//! `rolec build [PATH...] [-o FILE] [--check]`: compile and write the artifact, to stdout or
//! to FILE (replaced atomically, and only when the compile has no errors); with `--check`,
//! write nothing and compare FILE with what would be built.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ceiling::{self, RunCeiling};
use super::{
    compile_paths, compile_paths_into, exit_status, print_diagnostics, usage_error, CommonArgs,
    EXIT_ERRORS, EXIT_OK,
};
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
    let ceiling = match ceiling::resolve(common, config) {
        Ok(ceiling) => ceiling,
        Err(status) => return status,
    };
    let ceiling = ceiling.as_ref();
    match output {
        Some(path) if check => check_artifact(common, config, paths, ceiling, path),
        None => {
            let mut stdout = BufWriter::new(std::io::stdout().lock());
            let (status, written) = match build_into(common, config, paths, ceiling, &mut stdout) {
                Ok(built) => built,
                Err(status) => return status,
            };
            match written.and_then(|_| stdout.flush()) {
                Ok(()) => status,
                Err(_) => usage_error("cannot write the artifact to standard output"),
            }
        }
        Some(path) => {
            let mut file = AtomicFile::new(Path::new(path));
            let (status, written) = match build_into(common, config, paths, ceiling, &mut file) {
                Ok(built) => built,
                Err(status) => return status,
            };
            // Only an artifact written whole replaces the file.
            match written.and_then(|whole| if whole { file.commit() } else { Ok(()) }) {
                Ok(()) => status,
                Err(error) => usage_error(&format!("cannot write `{path}`: {}", describe(&error))),
            }
        }
    }
}

/// Compiles, writing the artifact to `out` as it is rendered (only when there is no error),
/// and prints the diagnostics: the exit status, and whether the artifact was written.
fn build_into(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    ceiling: Option<&RunCeiling>,
    out: &mut dyn Write,
) -> Result<(u8, std::io::Result<bool>), u8> {
    let (compilation, written) = compile_paths_into(common, config, paths, ceiling, out)?;
    print_diagnostics(common, &compilation, false);
    let status = exit_status(&compilation);
    super::leave_to_exit(compilation);
    Ok((status, written))
}

/// `build --check -o FILE`: compiles in memory and compares with FILE.
fn check_artifact(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    ceiling: Option<&RunCeiling>,
    path: &str,
) -> u8 {
    let compilation = match compile_paths(common, config, paths, true, ceiling) {
        Ok(compilation) => compilation,
        Err(status) => return status,
    };
    print_diagnostics(common, &compilation, false);
    let status = exit_status(&compilation);
    match compilation.artifact.as_deref() {
        Some(artifact) if status == EXIT_OK => check_up_to_date(path, paths, artifact),
        _ => status,
    }
}

/// `build --check`: exit status 0 when the file at `path` holds exactly `artifact`, 1 when
/// it differs or does not exist (with a one-line explanation), 2 when it cannot be read.
fn check_up_to_date(path: &str, paths: &[String], artifact: &[u8]) -> u8 {
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
        Ok(Some(bytes)) if bytes == artifact => return EXIT_OK,
        Ok(_) => "is out of date",
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "does not exist",
        Err(error) => {
            return usage_error(&format!("cannot read `{path}`: {}", describe(&error)));
        }
    };
    eprintln!("error: `{path}` {problem}: run `{command} -o {path}`");
    EXIT_ERRORS
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
