//! `rolec fmt [--check] [PATH...]`: rewrite `.roles` files in the canonical layout of
//! [`rolec::fmt`]. With `--check`, write nothing and list the files that would change.
//!
//! A file with syntax errors or hidden characters is left as it is and its diagnostics are
//! printed as `check` prints them (exit status 1).

use std::path::Path;

use super::build::write_atomically;
use super::output::{print_stderr, print_stdout};
use super::{print_report, read_input, source_paths, usage_error, CommonArgs, ExitStatus};
use rolec::compile::{self, CompileOptions, InputFile};
use rolec::config::Config;
use rolec::diagnostics::{Code, Diagnostic};
use rolec::discover::{self, describe};
use rolec::source::FileId;

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    check: bool,
) -> ExitStatus {
    let paths = match source_paths(config, paths) {
        Ok(paths) => paths,
        Err(status) => return status,
    };
    let found = match discover::discover(&paths) {
        Ok(found) => found,
        Err(error) => return usage_error(&error.0),
    };
    let mut inputs = Vec::with_capacity(found.len());
    let mut disk_paths = Vec::with_capacity(found.len());
    for file in found {
        let path = file.path.to_string_lossy().into_owned();
        match read_input(&path, file.display) {
            Ok(input) => inputs.push(input),
            Err(status) => return status,
        }
        disk_paths.push(file.path);
    }

    // The compiler's own reading of each file decides which ones can be formatted: those
    // without a syntax error (invalid UTF-8 included) or a hidden character.
    let compilation = match compile::compile(None, inputs.clone(), &CompileOptions::default()) {
        Ok(compilation) => compilation,
        Err(error) => return usage_error(&error.0),
    };
    let blocking: Vec<Diagnostic> = compilation
        .diagnostics
        .into_iter()
        .filter(|d| matches!(d.code, Code::Syntax | Code::ConfusingCharacter))
        .collect();
    // Policy files come after the catalog (`FileId(0)`), in input order.
    let blocked = |index: usize| {
        let id = FileId::from_index(index + 1);
        blocking
            .iter()
            .any(|d| d.span.is_some_and(|span| span.file == id))
    };

    let mut status = ExitStatus::Ok;
    let mut listed = Vec::new();
    for (index, (input, disk_path)) in inputs.iter().zip(&disk_paths).enumerate() {
        if blocked(index) {
            status = ExitStatus::Errors;
            continue;
        }
        match format_one(input, disk_path, check) {
            Ok(false) => {}
            Ok(true) => listed.push(input.path.as_str()),
            Err(message) => {
                print_stderr(&format!("error: {message}\n"));
                status = ExitStatus::Errors;
            }
        }
    }
    if !blocking.is_empty() {
        print_report(common, &compilation.sources, &blocking, false);
    }
    let mut list = String::new();
    for path in &listed {
        list.push_str(path);
        list.push('\n');
    }
    // A closed pipe ends the list quietly; the exit status says whether files changed.
    let _ = print_stdout(list.as_bytes());
    if check && !listed.is_empty() {
        status = ExitStatus::Errors;
    }
    status
}

/// Formats one file; returns whether it changed (or, with `check`, would change).
fn format_one(input: &InputFile, disk_path: &Path, check: bool) -> Result<bool, String> {
    let text = std::str::from_utf8(&input.bytes)
        .map_err(|_| format!("cannot format `{}`: not valid UTF-8", input.path))?;
    let formatted = rolec::fmt::format_source(text).map_err(|error| {
        format!(
            "cannot format `{}` at byte {}: {}",
            input.path, error.offset, error.message
        )
    })?;
    if formatted.as_bytes() == input.bytes.as_slice() {
        return Ok(false);
    }
    if !check {
        // Through a symbolic link, the file it points to is rewritten, not the link.
        let target = std::fs::canonicalize(disk_path).unwrap_or_else(|_| disk_path.to_path_buf());
        write_atomically(&target, formatted.as_bytes())
            .map_err(|error| format!("cannot write `{}`: {}", input.path, describe(&error)))?;
    }
    Ok(true)
}
