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

#[derive(Deserialize)]
struct RawConfig {
    sources: Option<Vec<String>>,
    catalog: Option<String>,
    author: Option<String>,
    max_author: Option<String>,
    #[serde(default)]
    lints: HashMap<YamlSpanned<String>, YamlSpanned<String>>,
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

fn parse_in(sources: &SourceMap, file: FileId, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let keys: Option<HashMap<YamlSpanned<String>, serde::de::IgnoredAny>> =
        parse_yaml(sources, file, Code::InvalidConfig).map_err(|d| vec![*d])?;
    let Some(keys) = keys else {
        return Ok(Config::default());
    };
    let mut diagnostics = Vec::new();
    let mut unknown: Vec<_> = keys
        .keys()
        .filter(|key| !KEYS.contains(&key.value.as_str()))
        .collect();
    unknown.sort_by_key(|key| (key.referenced.line(), key.referenced.column()));
    for key in unknown {
        let message = format!("unknown key `{}` in `{CONFIG_FILE}`", key.value);
        let span = yaml_span(file, text, &key.referenced);
        diagnostics.push(
            unknown_name(span, message, &key.value, KEYS, "the keys are")
                .with_label("not a setting"),
        );
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let raw: RawConfig = parse_yaml(sources, file, Code::InvalidConfig).map_err(|d| vec![*d])?;
    let mut lints = Vec::new();
    let mut entries: Vec<_> = raw.lints.iter().collect();
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
        lints.push((lint, parsed));
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(Config {
        root: None,
        sources: raw.sources,
        catalog: raw.catalog,
        author: raw.author,
        max_author: raw.max_author,
        lints,
    })
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
}
