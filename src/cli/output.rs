//! Where the command line's text goes. Every print of the CLI passes through here, so that a
//! reader that has gone away (a closed pipe: `rolec lints | head -1`) ends the output quietly
//! instead of panicking, and a problem that stops a command (exit status 2) is printed in the
//! `--format` of the run, never as plain text in the middle of a machine-readable stream.

use std::io::{self, Write};
use std::sync::OnceLock;

use super::{ExitStatus, Format};
use rolec::diagnostics::{Code, Diagnostic, Severity};
use rolec::report;
use rolec::source::SourceMap;

/// Writes `text` to stdout. A closed pipe is not an error: the reader has read all it wanted,
/// and the run ends with the status it would have had (see [`closed_pipe_is_end`]).
pub(super) fn print_stdout(text: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    closed_pipe_is_end(stdout.write_all(text).and_then(|()| stdout.flush()))
}

/// Writes `text` to stderr. When that fails (a closed pipe, a full disk) there is nowhere left
/// to say so, and the run goes on to its exit status.
pub(super) fn print_stderr(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// The result of a write to stdout, with a closed pipe (`BrokenPipe`) counted as success:
/// output cut short by its reader ends quietly (docs/decisions.md, 39), and every other failure stays one.
pub(super) fn closed_pipe_is_end(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints diagnostics in `format`; the machine formats go to stdout when `to_stdout`, else to
/// stderr, and `human` always to stderr.
pub(super) fn print_in_format(
    format: Format,
    color: bool,
    to_stdout: bool,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) {
    let text = match format {
        Format::Human => {
            print_stderr(&report::human(sources, diagnostics, color));
            return;
        }
        Format::Json => report::json(sources, diagnostics),
        Format::Sarif => report::sarif(sources, diagnostics),
        Format::Github => report::github(sources, diagnostics),
    };
    if to_stdout {
        // Nothing is left to report a failure to; the exit status stands.
        let _ = print_stdout(text.as_bytes());
    } else {
        print_stderr(&text);
    }
}

/// How a problem that stops the command is printed: the run's `--format`, and whether its
/// machine formats go to stdout (`check`, `catalog`) or stderr (`build`, `fmt`, `diff`).
#[derive(Clone, Copy, Debug)]
pub(super) struct ProblemOutput {
    pub(super) format: Format,
    pub(super) to_stdout: bool,
}

/// Set once per process, before anything can stop the command (see [`set_problem_output`]).
static PROBLEM_OUTPUT: OnceLock<ProblemOutput> = OnceLock::new();

/// Chooses how [`usage_error`] prints for the rest of the process. Only the first call counts
/// (the process runs one command); without one, problems are printed as plain text.
pub(super) fn set_problem_output(output: ProblemOutput) {
    let _ = PROBLEM_OUTPUT.set(output);
}

/// A problem that stops the command, as a diagnostic: `invalid-invocation`, an error with no
/// place in a file (so `file`, `line` and `column` are null in JSON).
pub(super) fn invocation_diagnostic(message: &str, help: Option<String>) -> Diagnostic {
    Diagnostic {
        code: Code::InvalidInvocation,
        severity: Severity::Error,
        message: message.to_string(),
        span: None,
        label: None,
        secondary: Vec::new(),
        help,
    }
}

/// Prints a problem that stops the command and returns exit status 2: `error: MESSAGE` on
/// stderr, or with `--format json`, `sarif` or `github` an `invalid-invocation` diagnostic in
/// that format, where the run prints its diagnostics.
pub(super) fn usage_error(message: &str) -> ExitStatus {
    print_problem(message, None);
    ExitStatus::Usage
}

/// Prints a problem that stops the command (see [`usage_error`]), with a help line.
pub(super) fn print_problem(message: &str, help: Option<String>) {
    match PROBLEM_OUTPUT.get() {
        Some(output) if output.format != Format::Human => {
            let diagnostic = invocation_diagnostic(message, help);
            print_in_format(
                output.format,
                false,
                output.to_stdout,
                &SourceMap::default(),
                &[diagnostic],
            );
        }
        _ => {
            let mut text = format!("error: {message}\n");
            if let Some(help) = help {
                text.push_str(&format!("help: {help}\n"));
            }
            print_stderr(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_the_end_of_output_and_other_failures_stay() {
        let closed = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(closed_pipe_is_end(Err(closed)).is_ok());
        let full = io::Error::other("no space left on device");
        assert!(closed_pipe_is_end(Err(full)).is_err());
    }

    #[test]
    fn an_invocation_problem_has_no_place_in_json() {
        let diagnostic = invocation_diagnostic("cannot read `x`: no such file or folder", None);
        let text = report::json(&SourceMap::default(), &[diagnostic]);
        let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let first = &report["diagnostics"][0];
        assert_eq!(first["code"], "invalid-invocation");
        assert_eq!(first["severity"], "error");
        assert!(first["file"].is_null() && first["line"].is_null() && first["column"].is_null());
        assert_eq!(report["errors"], 1);
    }
}
