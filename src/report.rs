//! Printing diagnostics: `human` (miette's graphical renderer, on stderr) and `json`
//! (section 4's shape). Locations are computed here, from spans, for the printed problems.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};

/// At most this many diagnostics are drawn in `human` output; `json` keeps them all.
pub const MAX_HUMAN_DIAGNOSTICS: usize = 200;

/// Lines longer than this (in bytes) are not drawn: the location is printed instead.
pub const MAX_DRAWN_LINE_BYTES: usize = 1000;

/// A diagnostic with its source, in the form miette renders.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<Arc<str>>>,
    message: String,
    help: Option<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = self.diagnostic.span?;
        let primary = LabeledSpan::new_primary_with_span(
            self.diagnostic.label.clone(),
            SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start)),
        );
        let secondary = self
            .diagnostic
            .secondary
            .iter()
            .filter(move |label| label.span.file == span.file)
            .map(|label| {
                LabeledSpan::new_with_span(
                    label.text.clone(),
                    SourceSpan::new(
                        label.span.start.into(),
                        label.span.end.saturating_sub(label.span.start),
                    ),
                )
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn is_drawable(file: &SourceFile, diagnostic: &Diagnostic) -> bool {
    diagnostic.span.is_some_and(|span| {
        let all = std::iter::once(span).chain(diagnostic.secondary.iter().map(|label| label.span));
        all.filter(|s| s.file == span.file).all(|s| {
            file.line_bytes(s.start) <= MAX_DRAWN_LINE_BYTES
                && file.line_bytes(s.end) <= MAX_DRAWN_LINE_BYTES
        })
    })
}

/// Renders diagnostics for a terminal, then the count of errors and warnings.
pub fn human(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(MAX_HUMAN_DIAGNOSTICS) {
        let file = diagnostic.span.and_then(|span| sources.get(span.file));
        let mut message = diagnostic.message.clone();
        let source = match file {
            Some(file) if is_drawable(file, diagnostic) => {
                Some(NamedSource::new(file.path.clone(), file.text.clone()))
            }
            Some(file) => {
                let position = file.line_column(diagnostic.span.map_or(0, |span| span.start));
                message = format!(
                    "{message}\n    at {}:{}:{} (line too long to show)",
                    file.path, position.line, position.column
                );
                None
            }
            None => None,
        };
        let help = help_with_elsewhere(sources, diagnostic);
        let rendered = Rendered {
            diagnostic,
            source,
            message,
            help,
        };
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&diagnostic.message);
            out.push('\n');
        }
    }
    if diagnostics.len() > MAX_HUMAN_DIAGNOSTICS {
        out.push_str(&format!(
            "... and {} more not shown (`--format json` lists them all)\n\n",
            diagnostics.len() - MAX_HUMAN_DIAGNOSTICS
        ));
    }
    out.push_str(&summary(diagnostics));
    out
}

/// The help text, followed by the labels that stand in other files than the primary span
/// (miette draws one file per diagnostic), each with its location.
fn help_with_elsewhere(sources: &SourceMap, diagnostic: &Diagnostic) -> Option<String> {
    let primary_file = diagnostic.span.map(|span| span.file);
    let elsewhere: Vec<String> = diagnostic
        .secondary
        .iter()
        .filter(|label| Some(label.span.file) != primary_file)
        .filter_map(|label| {
            let file = sources.get(label.span.file)?;
            let position = file.line_column(label.span.start);
            Some(format!(
                "{}: {}:{}:{}",
                label.text.as_deref().unwrap_or("see"),
                file.path,
                position.line,
                position.column
            ))
        })
        .collect();
    match (&diagnostic.help, elsewhere.is_empty()) {
        (help, true) => help.clone(),
        (None, false) => Some(elsewhere.join("\n")),
        (Some(help), false) => Some(format!("{help}\n{}", elsewhere.join("\n"))),
    }
}

/// `2 errors, 1 warning`: the closing line of `human` output.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems found\n".to_string(),
        (0, _) => format!("warning: {} found\n", plural(warnings, "warning")),
        (_, 0) => format!("error: {} found\n", plural(errors, "error")),
        _ => format!(
            "error: {} and {} found\n",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
}

/// The `--format json` document, with a final newline.
pub fn json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let report = JsonReport {
        diagnostics: diagnostics
            .iter()
            .map(|diagnostic| {
                let located = diagnostic
                    .span
                    .and_then(|span| sources.get(span.file).map(|file| (file, span)));
                let start = located.map(|(file, span)| file.line_column(span.start));
                let end = located.map(|(file, span)| file.line_column(span.end));
                JsonDiagnostic {
                    severity: diagnostic.severity.as_str(),
                    code: diagnostic.code.as_str(),
                    message: &diagnostic.message,
                    file: located.map(|(file, _)| file.path.as_str()),
                    line: start.map(|p| p.line),
                    column: start.map(|p| p.column),
                    end_line: end.map(|p| p.line),
                    end_column: end.map(|p| p.column),
                    help: diagnostic.help.as_deref(),
                }
            })
            .collect(),
        errors,
        warnings: diagnostics.len() - errors,
    };
    let mut text = serde_json::to_string(&report).unwrap_or_default();
    text.push('\n');
    text
}
