//! `rolec build [PATH...] [-o FILE]`: compile and write the artifact, to stdout or to FILE
//! (replaced atomically, and only when the compile has no errors).

use std::io::Write;
use std::path::Path;

use super::{compile_paths, exit_status, print_diagnostics, usage_error, CommonArgs, EXIT_OK};
use crate::config::Config;
use crate::discover::describe;

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    output: Option<&str>,
) -> u8 {
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

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it
/// over `path`: readers see the old artifact or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
