//! `rolec.yaml`: project settings (README.md, "Command line") — `sources`, `catalog`, `author`, `max_author`
//! and `lints`. Unknown keys are errors with a "did you mean"; every error has a line and
//! column. A broken `rolec.yaml` stops the command (exit status 2).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned as YamlSpanned;

use crate::diagnostics::{Code, Diagnostic};
use crate::lints::{Level, Lint};
use crate::source::{FileId, SourceMap, Span};
use crate::suggest::did_you_mean;
use crate::yaml::{parse_yaml, yaml_span};

/// The name of the settings file, looked for in the current directory.
pub const CONFIG_FILE: &str = "rolec.yaml";

/// The `rolec.yaml` of a run started in `start`: the first one in `start` or its parents,
/// stopping at a folder that holds `.git` (the top of a repository).
pub fn find(start: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut folder = Some(start);
    while let Some(current) = folder {
        let candidate = current.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if current.join(".git").exists() {
            return None;
        }
        folder = current.parent();
    }
    None
}

/// The keys `rolec.yaml` accepts.
pub const KEYS: &[&str] = &["sources", "catalog", "author", "max_author", "lints"];

/// Settings read from `rolec.yaml`; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The project root: the folder of this `rolec.yaml` (absolute), set by whoever found
    /// the file; `None`: the current folder. The artifact's paths are relative to it.
    pub root: Option<std::path::PathBuf>,
    pub sources: Option<Vec<String>>,
    pub catalog: Option<String>,
    pub author: Option<String>,
    pub max_author: Option<String>,
    pub lints: Vec<(Lint, Level)>,
}

/// The `lints:` map, read once every value of the file has the right type.
#[derive(Deserialize)]
struct RawLints {
    #[serde(default)]
    lints: Option<HashMap<YamlSpanned<String>, YamlSpanned<String>>>,
}

/// Reads `rolec.yaml` from `text`; on error, the map holding it and the diagnostics.
pub fn parse(path: &str, text: &str) -> Result<Config, (SourceMap, Vec<Diagnostic>)> {
    let mut sources = SourceMap::default();
    let file = sources.add(path.to_string(), Arc::from(text));
    match parse_in(&sources, file, text) {
        Ok(config) => Ok(config),
        Err(diagnostics) => Err((sources, diagnostics)),
    }
}

type Entries = HashMap<YamlSpanned<String>, YamlSpanned<serde_json::Value>>;

/// Every key is checked, and every value against its key's type, before anything stops: a
/// file with several mistakes gets them all in one run, each at its line and column.
fn parse_in(sources: &SourceMap, file: FileId, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let entries: Option<Entries> =
        parse_yaml(sources, file, Code::InvalidConfig).map_err(|d| vec![*d])?;
    let Some(entries) = entries else {
        return Ok(Config::default());
    };
    let mut entries: Vec<_> = entries.into_iter().collect();
    entries.sort_by_key(|(key, _)| (key.referenced.line(), key.referenced.column()));
    let mut diagnostics = Vec::new();
    let mut config = Config::default();
    let mut lints_ok = false;
    for (key, value) in &entries {
        let span = yaml_span(file, text, &value.referenced);
        let mut wrong_with = |expected: &str, label: String, help: String| {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidConfig,
                    span,
                    format!("`{}` must be {expected}", key.value),
                )
                .with_label(label)
                .with_help(help),
            );
        };
        let found = format!("{} here", kind_of(&value.value));
        let mut wrong = |expected: &str, help: String| wrong_with(expected, found.clone(), help);
        match (key.value.as_str(), &value.value) {
            (_, serde_json::Value::Null) if KEYS.contains(&key.value.as_str()) => {}
            ("sources", serde_json::Value::Array(items)) => {
                let paths: Option<Vec<String>> = items
                    .iter()
                    .map(|item| item.as_str().map(str::to_string))
                    .collect();
                let odd = items.iter().find(|item| !item.is_string());
                match (paths, odd) {
                    (Some(paths), _) => config.sources = Some(paths),
                    (None, odd) => wrong_with(
                        "a list of paths",
                        format!(
                            "a list with {} in it",
                            odd.map_or("something else", kind_of)
                        ),
                        "write each path as text: `sources: [policies, shared/roles]`".into(),
                    ),
                }
            }
            ("sources", serde_json::Value::String(one)) => wrong(
                "a list of paths",
                format!(
                    "write a list, even of one path: `sources: [{}]`",
                    crate::names::visible(one)
                ),
            ),
            ("sources", _) => wrong("a list of paths", "write `sources: [policies]`".into()),
            ("catalog" | "author" | "max_author", serde_json::Value::String(text)) => {
                let slot = match key.value.as_str() {
                    "catalog" => &mut config.catalog,
                    "author" => &mut config.author,
                    _ => &mut config.max_author,
                };
                *slot = Some(text.clone());
            }
            ("catalog", _) => wrong("a file name", "write `catalog: catalog.yaml`".into()),
            ("author" | "max_author", _) => wrong(
                "a role name",
                format!("write the name as text: `{}: Administrator`", key.value),
            ),
            ("lints", serde_json::Value::Object(levels)) => {
                if levels.values().all(serde_json::Value::is_string) {
                    lints_ok = true;
                } else {
                    wrong(
                        "a map from lint name to level",
                        "write each level as `allow`, `warn` or `deny`: `lints: {empty-role: deny}`".into(),
                    );
                }
            }
            ("lints", _) => wrong(
                "a map from lint name to level",
                "write `lints:` then one `name: level` per line, indented".into(),
            ),
            (other, _) => {
                let message = format!("unknown key `{other}` in `{CONFIG_FILE}`");
                let span = yaml_span(file, text, &key.referenced);
                diagnostics.push(
                    unknown_name(span, message, other, KEYS, "the keys are")
                        .with_label("not a setting"),
                );
            }
        }
    }
    if lints_ok {
        let raw: RawLints = parse_yaml(sources, file, Code::InvalidConfig).map_err(|d| vec![*d])?;
        let mut entries: Vec<_> = raw.lints.iter().flatten().collect();
        entries.sort_by_key(|(key, _)| (key.referenced.line(), key.referenced.column()));
        for (name, level) in entries {
            let Some(lint) = Lint::from_name(&name.value) else {
                let span = yaml_span(file, text, &name.referenced);
                diagnostics.push(crate::lints::unknown_lint(&name.value, span));
                continue;
            };
            let Some(parsed) = Level::parse(&level.value) else {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidConfig,
                        yaml_span(file, text, &level.referenced),
                        format!("unknown lint level `{}`", level.value),
                    )
                    .with_label("not a level")
                    .with_help("the levels are `allow`, `warn` and `deny`"),
                );
                continue;
            };
            config.lints.push((lint, parsed));
        }
    }
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| d.span.map(|span| span.start));
        return Err(diagnostics);
    }
    Ok(config)
}

/// What a YAML value is, for a message about a value of the wrong type.
fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a true/false value",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a map",
    }
}

/// `invalid-config` for `name`, which is none of `known`: *did you mean*, else the list of
/// them after `listed` ("the keys are").
fn unknown_name(
    span: Span,
    message: String,
    name: &str,
    known: &[&str],
    listed: &str,
) -> Diagnostic {
    let help = did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("{listed} {}", crate::diagnostics::join_names(known)));
    Diagnostic::error(Code::InvalidConfig, span, message).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let text = "sources: [a, b]\ncatalog: c.yaml\nauthor: Administrator\nmax_author: Owner\nlints:\n  empty-role: deny\n";
        let config = parse("rolec.yaml", text).map_err(|(_, d)| d);
        let config = config.unwrap_or_default();
        assert_eq!(config.sources, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(config.catalog.as_deref(), Some("c.yaml"));
        assert_eq!(config.max_author.as_deref(), Some("Owner"));
        assert_eq!(config.lints, vec![(Lint::EmptyRole, Level::Deny)]);
    }

    #[test]
    fn empty_file_is_default() {
        assert_eq!(
            parse("rolec.yaml", "# nothing\n").ok(),
            Some(Config::default())
        );
    }

    fn first_error(text: &str) -> (String, Option<String>) {
        match parse("rolec.yaml", text) {
            Ok(_) => (String::new(), None),
            Err((_, diagnostics)) => diagnostics
                .into_iter()
                .next()
                .map(|d| (d.message, d.help))
                .unwrap_or_default(),
        }
    }

    #[test]
    fn unknown_keys_lints_and_levels_are_errors() {
        assert_eq!(
            first_error("soruces: [a]\n"),
            (
                "unknown key `soruces` in `rolec.yaml`".into(),
                Some("did you mean `sources`?".into())
            )
        );
        assert_eq!(
            first_error("lints:\n  empty-rol: deny\n").0,
            "unknown lint `empty-rol`"
        );
        assert_eq!(
            first_error("lints:\n  empty-role: forbid\n").0,
            "unknown lint level `forbid`"
        );
        assert!(!first_error("sources: 3\n").0.is_empty());
    }

    #[test]
    fn every_error_of_the_file_at_once() {
        let text = "sources: policies\nauthor: 3\nsoruces: [a]\nlints:\n  empty-rol: deny\n  empty-role: forbid\n";
        let Err((_, diagnostics)) = parse("rolec.yaml", text) else {
            panic!("a broken file was read");
        };
        let found: Vec<(&str, usize)> = diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.span.map_or(0, |span| span.start)))
            .collect();
        assert_eq!(
            found,
            [
                ("invalid-config", 9),
                ("invalid-config", 26),
                ("invalid-config", 28),
                ("unknown-lint", 50),
                ("invalid-config", 80)
            ]
        );
    }

    #[test]
    fn a_single_source_gets_a_hint() {
        assert_eq!(
            first_error("sources: policies\n"),
            (
                "`sources` must be a list of paths".into(),
                Some("write a list, even of one path: `sources: [policies]`".into())
            )
        );
    }
}
