//! `rolec explain CODE` and `rolec lints`: the documentation of codes and lints, printed
//! from the same sources as `docs/diagnostics.md` and the lint registry.

use super::output::print_stdout;
use super::{usage_error, ExitStatus};
use rolec::diagnostics::{all_codes, lookup};
use rolec::lints;
use rolec::suggest::did_you_mean;

pub(super) fn run(code: &str) -> ExitStatus {
    match lookup(code).and_then(|entry| entry.explanation()) {
        Some(section) => {
            // A closed pipe ends the text quietly; nothing else can fail that matters here.
            let _ = print_stdout(format!("{section}\n").as_bytes());
            ExitStatus::Ok
        }
        None => {
            let hint = did_you_mean(code, all_codes())
                .map(|help| format!("; {help}"))
                .unwrap_or_default();
            usage_error(&format!("no code or lint named `{code}`{hint}"))
        }
    }
}

/// `--format` of `rolec lints`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum LintsFormat {
    /// A table for a terminal.
    Human,
    /// One JSON document: `{"lints": [{"name", "default", "summary"}]}`.
    Json,
    /// The Markdown table of docs/diagnostics.md.
    Markdown,
}

pub(super) fn lints(format: LintsFormat) -> ExitStatus {
    let table = match format {
        LintsFormat::Human => lints::text_table(),
        LintsFormat::Json => lints::json_table(),
        LintsFormat::Markdown => lints::markdown_table(),
    };
    let _ = print_stdout(table.as_bytes());
    ExitStatus::Ok
}
