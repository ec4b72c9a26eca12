//! `rolec fmt [--check [--diff]] [PATH...]`: rewrite `.roles` files in the canonical layout of
//! [`rolec::fmt`]. With `--check`, write nothing and list the files that would change (with
//! `--diff`, show how, as a unified diff); in a machine format each of them is also an
//! `unformatted` problem at its first line that would change.
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
use rolec::source::{FileId, Span};

use super::Format;

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    check: bool,
    diff: bool,
) -> ExitStatus {
    if paths.iter().any(|path| path == super::STDIN_PATH) {
        if paths.len() > 1 {
            return usage_error(
                "`rolec fmt -` formats standard input alone: give `-` or files, not both",
            );
        }
        return run_stdin(common, check, diff);
    }
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
    let mut blocking: Vec<Diagnostic> = compilation
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
    let mut unformatted = Vec::new();
    let mut diffs = String::new();
    for (index, (input, disk_path)) in inputs.iter().zip(&disk_paths).enumerate() {
        if blocked(index) {
            status = ExitStatus::Errors;
            continue;
        }
        match format_one(input, disk_path, check) {
            Ok(None) => {}
            Ok(Some(change)) => {
                listed.push(input.path.as_str());
                let file = FileId::from_index(index + 1);
                unformatted.push(unformatted_at(file, input, &change));
                if diff {
                    diffs.push_str(&unified_diff(&input.path, &change));
                }
            }
            Err(message) => {
                print_stderr(&format!("error: {message}\n"));
                status = ExitStatus::Errors;
            }
        }
    }
    // In a machine format, a file that `--check` finds unformatted is a problem like the
    // others, so that a CI annotation points at it.
    if check && common.format != Format::Human {
        blocking.append(&mut unformatted);
        blocking.sort_by_key(|d| d.span.map(|span| (span.file, span.start)));
    }
    if !blocking.is_empty() {
        print_report(common, &compilation.sources, &blocking, false);
    }
    let mut out = String::new();
    if diff {
        out = diffs;
    } else {
        for path in &listed {
            out.push_str(path);
            out.push('\n');
        }
    }
    // A closed pipe ends the output quietly; the exit status says whether files changed.
    let _ = print_stdout(out.as_bytes());
    if check && !listed.is_empty() {
        status = ExitStatus::Errors;
    }
    status
}

/// `rolec fmt -`: standard input formatted on stdout; with `--check`, nothing written and
/// `<stdin>` listed when it would change (with `--diff`, the change).
fn run_stdin(common: &CommonArgs, check: bool, diff: bool) -> ExitStatus {
    let input = match super::read_stdin() {
        Ok(input) => input,
        Err(status) => return status,
    };
    let compilation = match compile::compile(None, vec![input.clone()], &CompileOptions::default())
    {
        Ok(compilation) => compilation,
        Err(error) => return usage_error(&error.0),
    };
    let blocking: Vec<Diagnostic> = compilation
        .diagnostics
        .into_iter()
        .filter(|d| matches!(d.code, Code::Syntax | Code::ConfusingCharacter))
        .collect();
    if !blocking.is_empty() {
        print_report(common, &compilation.sources, &blocking, false);
        return ExitStatus::Errors;
    }
    let text = String::from_utf8_lossy(&input.bytes);
    let formatted = match rolec::fmt::format_source(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            print_stderr(&format!(
                "error: cannot format standard input at byte {}: {}\n",
                error.offset, error.message
            ));
            return ExitStatus::Errors;
        }
    };
    if !check {
        let _ = print_stdout(formatted.as_bytes());
        return ExitStatus::Ok;
    }
    if formatted == text {
        return ExitStatus::Ok;
    }
    let change = Change {
        before: text.into_owned(),
        after: formatted,
    };
    if common.format != Format::Human {
        let unformatted = unformatted_at(FileId::from_index(1), &input, &change);
        print_report(common, &compilation.sources, &[unformatted], false);
    }
    let out = match diff {
        true => unified_diff(&input.path, &change),
        false => format!("{}\n", input.path),
    };
    let _ = print_stdout(out.as_bytes());
    ExitStatus::Errors
}

/// A file that changed (or, with `--check`, would change): its text, and its text formatted.
struct Change {
    before: String,
    after: String,
}

/// Formats one file; returns the change, when there is one.
fn format_one(input: &InputFile, disk_path: &Path, check: bool) -> Result<Option<Change>, String> {
    let text = std::str::from_utf8(&input.bytes)
        .map_err(|_| format!("cannot format `{}`: not valid UTF-8", input.path))?;
    let formatted = rolec::fmt::format_source(text).map_err(|error| {
        format!(
            "cannot format `{}` at byte {}: {}",
            input.path, error.offset, error.message
        )
    })?;
    if formatted.as_bytes() == input.bytes.as_slice() {
        return Ok(None);
    }
    if !check {
        // Through a symbolic link, the file it points to is rewritten, not the link.
        let target = std::fs::canonicalize(disk_path).unwrap_or_else(|_| disk_path.to_path_buf());
        write_atomically(&target, formatted.as_bytes())
            .map_err(|error| format!("cannot write `{}`: {}", input.path, describe(&error)))?;
    }
    Ok(Some(Change {
        before: text.to_string(),
        after: formatted,
    }))
}

/// `unformatted`, at the first line of the file that formatting changes (the end of the
/// file when it only adds lines there).
fn unformatted_at(file: FileId, input: &InputFile, change: &Change) -> Diagnostic {
    let mut start = 0;
    let mut span = Span::new(file, change.before.len(), change.before.len());
    let mut after = change.after.split_inclusive('\n');
    for line in change.before.split_inclusive('\n') {
        if after.next() != Some(line) {
            let content = line.trim_end_matches(['\n', '\r']);
            span = Span::new(file, start, start + content.len());
            break;
        }
        start += line.len();
    }
    Diagnostic::error(
        Code::Unformatted,
        span,
        format!("`{}` is not in the canonical layout", input.path),
    )
    .with_label("formatting changes this line")
    .with_help(match input.path == super::STDIN_NAME {
        true => "format it with `rolec fmt -`; `rolec fmt --diff -` shows the change".to_string(),
        false => format!(
            "run `rolec fmt {}`; `rolec fmt --check --diff` shows the change",
            input.path
        ),
    })
}

/// The change as a unified diff, with 3 lines of context, as `diff -u` and `git diff` show
/// it. The diff is computed with a deadline, so that a file rewritten from end to end costs
/// seconds at most; past it, the hunks are larger than the smallest possible, never wrong.
fn unified_diff(path: &str, change: &Change) -> String {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(&change.before, &change.after);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .missing_newline_hint(true)
        .to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
