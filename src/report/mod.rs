//! Printing diagnostics: `human` (miette's graphical renderer, on stderr; the `human`
//! feature), `json` (the shape docs/diagnostics.md gives), `sarif` (SARIF 2.1.0, for code
//! scanning) and `github` (workflow commands that annotate a pull request's lines). Locations
//! are computed here, from spans, for the printed problems.

#[cfg(feature = "human")]
mod human;

use serde::Serialize;

#[cfg(feature = "human")]
pub use human::{human, place, MAX_DRAWN_LABELS, MAX_DRAWN_LINE_BYTES, MAX_HUMAN_DIAGNOSTICS};

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceMap;

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

/// The document [`json`] prints; its JSON Schema is `rolec schema diagnostics`
/// (`crate::schema`).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Diagnostic"))]
struct JsonDiagnostic<'a> {
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::severity"))]
    severity: &'static str,
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::code"))]
    code: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    line: Option<usize>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    column: Option<usize>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    end_line: Option<usize>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
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

/// A diagnostic's file and start/end positions, when it has a span.
struct Located<'a> {
    path: &'a str,
    start: crate::source::LineColumn,
    end: crate::source::LineColumn,
}

fn locate<'a>(sources: &'a SourceMap, diagnostic: &Diagnostic) -> Option<Located<'a>> {
    let span = diagnostic.span?;
    let file = sources.get(span.file)?;
    Some(Located {
        path: &file.path,
        start: file.line_column(span.start),
        end: file.line_column(span.end),
    })
}

/// The `--format sarif` document: SARIF 2.1.0, one rule per code (with its documentation
/// from `docs/diagnostics.md` as help and a link to it), one result per diagnostic; columns
/// count Unicode code points.
pub fn sarif(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    use serde_json::json;
    let codes: Vec<&'static str> = crate::diagnostics::all_codes().collect();
    let rules: Vec<serde_json::Value> = crate::diagnostics::registry()
        .map(|entry| {
            let level = match entry.default_level {
                Some(crate::lints::Level::Allow) => "none",
                Some(crate::lints::Level::Warn) => "warning",
                Some(crate::lints::Level::Deny) | None => "error",
            };
            let mut rule = serde_json::Map::new();
            rule.insert("id".into(), json!(entry.name));
            rule.insert("shortDescription".into(), json!({"text": entry.summary}));
            rule.insert("defaultConfiguration".into(), json!({"level": level}));
            if let Some(section) = entry.explanation() {
                rule.insert("help".into(), json!({"text": section, "markdown": section}));
            }
            if let Some(url) = crate::diagnostics::docs_url(entry.name) {
                rule.insert("helpUri".into(), json!(url));
            }
            serde_json::Value::Object(rule)
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let code = diagnostic.code.as_str();
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text = format!("{text}\nhelp: {help}");
            }
            let mut result = serde_json::Map::new();
            result.insert("ruleId".into(), json!(code));
            if let Some(index) = codes.iter().position(|&c| c == code) {
                result.insert("ruleIndex".into(), json!(index));
            }
            result.insert("level".into(), json!(diagnostic.severity.as_str()));
            result.insert("message".into(), json!({"text": text}));
            if let Some(located) = locate(sources, diagnostic) {
                result.insert(
                    "locations".into(),
                    json!([{
                        "physicalLocation": {
                            "artifactLocation": {"uri": sarif_uri(located.path)},
                            "region": {
                                "startLine": located.start.line,
                                "startColumn": located.start.column,
                                "endLine": located.end.line,
                                "endColumn": located.end.column,
                            }
                        }
                    }]),
                );
            }
            serde_json::Value::Object(result)
        })
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rolec",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// A relative path as a URI reference: percent-encodes what a URI cannot hold as is.
fn sarif_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The `--format github` lines: one workflow command per diagnostic
/// (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`).
pub fn github(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(located) = locate(sources, diagnostic) {
            properties.push(format!("file={}", escape_property(located.path)));
            properties.push(format!("line={}", located.start.line));
            properties.push(format!("col={}", located.start.column));
            properties.push(format!("endLine={}", located.end.line));
            properties.push(format!("endColumn={}", located.end.column));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("rolec {}", diagnostic.code.as_str()))
        ));
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message = format!("{message}\nhelp: {help}");
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_commands_escape_their_special_characters() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(
            sarif_uri("policies/sales team.roles"),
            "policies/sales%20team.roles"
        );
        assert_eq!(sarif_uri("żółw.roles"), "%C5%BC%C3%B3%C5%82w.roles");
    }
}
