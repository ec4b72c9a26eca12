//! Diagnostics drawn for a terminal with miette's graphical renderer: source lines, labels,
//! help, in color or not; bounded, so that a flood of problems or a huge line cannot flood
//! a terminal or a CI log.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::summary;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};

/// At most this many diagnostics are drawn in `human` output; `json` keeps them all.
pub const MAX_HUMAN_DIAGNOSTICS: usize = 200;

/// At most this many secondary labels are drawn per diagnostic: miette scans the file once
/// per label, and a 50,000-role cycle would otherwise take minutes to draw.
pub const MAX_DRAWN_LABELS: usize = 8;

/// Lines longer than this (in bytes) are not drawn: the location is printed instead.
pub const MAX_DRAWN_LINE_BYTES: usize = 1000;

/// A diagnostic with its source, in the form miette renders.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    /// The code shown in the header; `None` for a place that is not a problem (see
    /// [`place`]).
    code: Option<&'static str>,
    severity: miette::Severity,
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
        self.code
            .map(|code| Box::new(code) as Box<dyn fmt::Display + 'b>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
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
            .take(MAX_DRAWN_LABELS)
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

/// The text as drawn for a terminal: each hidden character of docs/language.md (bidirectional
/// control, invisible, a line break other than LF and CRLF) replaced by a visible one of the same length in
/// bytes, so spans still line up and the terminal shows what is there instead of obeying it.
fn visible_text(text: &Arc<str>) -> Arc<str> {
    let found = crate::names::confusing_characters(text);
    if found.is_empty() {
        return text.clone();
    }
    let mut visible = String::with_capacity(text.len());
    let mut copied = 0;
    for hidden in found {
        visible.push_str(text.get(copied..hidden.offset).unwrap_or(""));
        let width = hidden.character.len_utf8();
        // A visible stand-in of the same length in bytes: a space for the ASCII line breaks,
        // `¤` (two bytes), U+FFFD (three) or `𝕏` (four), each one column wide.
        visible.push_str(match width {
            1 => " ",
            2 => "\u{A4}",
            3 => "\u{FFFD}",
            _ => "\u{1D54F}",
        });
        copied = hidden.offset + width;
    }
    visible.push_str(text.get(copied..).unwrap_or(""));
    Arc::from(visible)
}

/// The renderer, with or without color.
fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_links(false)
}

/// A place in a file drawn for a terminal like a diagnostic's: `title`, then the source
/// around `span` with `label` under it; no code, not a problem (`rolec why` shows the step
/// that decides with it). A line too long to draw gives its location instead.
pub fn place(sources: &SourceMap, span: Span, title: &str, label: &str, color: bool) -> String {
    let note = Diagnostic::error(crate::diagnostics::Code::Syntax, span, title).with_label(label);
    let Some(file) = sources
        .get(span.file)
        .filter(|file| is_drawable(file, &note))
    else {
        let position = sources.get(span.file).map(|file| {
            let at = file.line_column(span.start);
            format!("\n    at {}:{}:{}", file.path, at.line, at.column)
        });
        return format!("{title}{}\n", position.unwrap_or_default());
    };
    let rendered = Rendered {
        diagnostic: &note,
        code: None,
        severity: miette::Severity::Advice,
        source: Some(NamedSource::new(
            file.path.clone(),
            visible_text(&file.text),
        )),
        message: title.to_string(),
        help: None,
    };
    let mut out = String::new();
    if handler(color).render_report(&mut out, &rendered).is_err() {
        out = format!("{title}\n");
    }
    out
}

/// Renders diagnostics for a terminal, then the count of errors and warnings.
pub fn human(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    let mut displayed: std::collections::HashMap<String, Arc<str>> = Default::default();
    for diagnostic in diagnostics.iter().take(MAX_HUMAN_DIAGNOSTICS) {
        let file = diagnostic.span.and_then(|span| sources.get(span.file));
        let mut message = diagnostic.message.clone();
        let source = match file {
            Some(file) if is_drawable(file, diagnostic) => {
                let text = displayed
                    .entry(file.path.clone())
                    .or_insert_with(|| visible_text(&file.text))
                    .clone();
                Some(NamedSource::new(file.path.clone(), text))
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
            code: Some(diagnostic.code.as_str()),
            severity: match diagnostic.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_drawn_visibly_at_the_same_offsets() {
        let text: Arc<str> = Arc::from("a\u{202E}b\u{200B}c\rd\r\n\u{85}\u{E0041}\u{0B}");
        let visible = visible_text(&text);
        assert_eq!(&*visible, "a\u{FFFD}b\u{FFFD}c d\r\n\u{A4}\u{1D54F} ");
        assert_eq!(visible.len(), text.len());
    }
}
