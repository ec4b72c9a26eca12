//! `rolec build [PATH...] [-o FILE] [--check]`: compile and write the artifact, to stdout or
//! to FILE (replaced atomically, and only when the compile has no errors); with `--check`,
//! write nothing and compare FILE with what would be built.

use std::io::Write;
use std::path::Path;

use super::{
    compile_paths, exit_status, print_diagnostics, usage_error, CommonArgs, EXIT_ERRORS, EXIT_OK,
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
    let compilation = match compile_paths(common, config, paths, true) {
        Ok(compilation) => compilation,
        Err(status) => return status,
    };
    print_diagnostics(common, &compilation, false);
    let status = exit_status(&compilation);
    let Some(artifact) = compilation
        .artifact
        .as_deref()
        .filter(|_| status == EXIT_OK)
    else {
        return status;
    };
    match output {
        Some(path) if check => check_up_to_date(path, paths, artifact),
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(artifact)
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return usage_error("cannot write the artifact to standard output");
            }
            status
        }
        Some(path) => match write_atomically(Path::new(path), artifact) {
            Ok(()) => status,
            Err(error) => usage_error(&format!("cannot write `{path}`: {}", describe(&error))),
        },
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

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it
/// over `path`: readers see the old artifact or the new one, never half of one. A file
/// being replaced keeps its permissions.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = parent.join(format!(".{name}.rolec-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        if let Ok(existing) = std::fs::metadata(path) {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
