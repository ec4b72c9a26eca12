//! The pipeline: catalog, then every policy file through parse, resolve, validate and emit.
//! Each stage returns what it could build plus all its diagnostics; none stops at the first.

use std::collections::HashSet;
use std::sync::Arc;

use crate::catalog::{self, Catalog};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::emit;
use crate::lints::LintLevels;
use crate::names;
use crate::resolve::{self, ResolveOptions};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax;
use crate::validate::{self, ValidateOptions};

/// What a run is told beyond its files.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Author of files without an `author` statement.
    pub default_author: Option<String>,
    /// The ceiling: a built-in role bounding every file's author.
    pub max_author: Option<String>,
    pub lint_levels: LintLevels,
    /// Report every warning as an error.
    pub deny_warnings: bool,
    /// Render the artifact when the compile has no errors.
    pub emit_artifact: bool,
}

/// One input file: its path as given or found, and its bytes.
#[derive(Clone, Debug)]
pub struct InputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    /// Sorted by file (in input order), position and code.
    pub diagnostics: Vec<Diagnostic>,
    /// The artifact, when asked for and the compile has no errors.
    pub artifact: Option<Vec<u8>>,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// A problem with how the compiler was invoked, not with the policy (exit status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Compiles `policies` against `catalog_file` (the embedded catalog when `None`).
pub fn compile(
    catalog_file: Option<InputFile>,
    policies: Vec<InputFile>,
    options: &CompileOptions,
) -> Result<Compilation, UsageError> {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let catalog_id = match catalog_file {
        Some(file) => add_source(&mut sources, file, Code::InvalidCatalog, &mut diagnostics),
        None => sources.add(
            catalog::EMBEDDED_CATALOG_PATH.into(),
            Arc::from(catalog::EMBEDDED_CATALOG),
        ),
    };
    let catalog = if diagnostics.is_empty() {
        let (catalog, catalog_diagnostics) = catalog::load(&sources, catalog_id);
        diagnostics.extend(catalog_diagnostics);
        catalog
    } else {
        None
    };
    let Some(catalog) = catalog else {
        return Ok(finish(sources, diagnostics, None));
    };
    let ceiling = match &options.max_author {
        None => None,
        Some(name) => Some(
            catalog
                .builtin_id(name)
                .ok_or_else(|| ceiling_error(&catalog, name))?,
        ),
    };

    let mut files = Vec::with_capacity(policies.len());
    let mut files_with_syntax_errors = HashSet::new();
    let mut any_syntax_error = false;
    for policy in policies {
        let before = diagnostics.len();
        let id = add_source(&mut sources, policy, Code::Syntax, &mut diagnostics);
        let utf8_ok = diagnostics.len() == before;
        let text = sources
            .get(id)
            .map(|file| file.text.clone())
            .unwrap_or_default();
        diagnostics.extend(confusing_characters(id, &text));
        if utf8_ok {
            let (file, file_diagnostics) = syntax::parse_file(id, &text);
            diagnostics.extend(file_diagnostics);
            files.push(file);
        }
        if diagnostics
            .get(before..)
            .unwrap_or(&[])
            .iter()
            .any(|d| d.code == Code::Syntax)
        {
            any_syntax_error = true;
            if utf8_ok {
                files_with_syntax_errors.insert(files.len() - 1);
            }
        }
    }
    let report_unknown_roles = !any_syntax_error;

    let resolution = resolve::resolve(
        &catalog,
        &files,
        &ResolveOptions {
            lint_levels: &options.lint_levels,
            report_unknown_roles,
        },
        &mut diagnostics,
    );
    let authors = validate::validate(
        &catalog,
        &files,
        &resolution,
        &ValidateOptions {
            default_author: options.default_author.as_deref(),
            ceiling,
            report_unknown_roles,
            files_with_syntax_errors: &files_with_syntax_errors,
        },
        &mut diagnostics,
    );
    if options.deny_warnings {
        for diagnostic in &mut diagnostics {
            diagnostic.severity = Severity::Error;
        }
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let artifact = (options.emit_artifact && !has_errors).then(|| {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = emit::write_artifact(&mut bytes, &catalog, &resolution, &authors, &sources);
        bytes
    });
    drop(resolution);
    Ok(finish(sources, diagnostics, artifact))
}

fn finish(
    sources: SourceMap,
    mut diagnostics: Vec<Diagnostic>,
    artifact: Option<Vec<u8>>,
) -> Compilation {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.span.map(|s| (s.file, s.start, s.end)), d.code.as_str());
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
    Compilation {
        sources,
        diagnostics,
        artifact,
    }
}

fn ceiling_error(catalog: &Catalog, name: &str) -> UsageError {
    let builtins: Vec<&str> = catalog.builtins.iter().map(|b| b.name.as_str()).collect();
    let hint = crate::diagnostics::did_you_mean(name, builtins.iter().copied())
        .map(|help| format!("; {help}"))
        .unwrap_or_default();
    UsageError(format!(
        "the ceiling `{name}` (`--max-author` or `max_author:`) must be a built-in role of the catalog ({}){hint}",
        crate::diagnostics::join_names(&builtins)
    ))
}

/// Adds a file to the map; bytes that are not UTF-8 are one diagnostic with `code`.
fn add_source(
    sources: &mut SourceMap,
    file: InputFile,
    code: Code,
    diagnostics: &mut Vec<Diagnostic>,
) -> FileId {
    match String::from_utf8(file.bytes) {
        Ok(text) => sources.add(file.path, Arc::from(text)),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let bad_byte = error.as_bytes().get(valid_up_to).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let id = sources.add(file.path, Arc::from(text));
            let replacement = '\u{FFFD}'.len_utf8();
            diagnostics.push(
                Diagnostic::error(
                    code,
                    Span::new(id, valid_up_to, valid_up_to + replacement),
                    "file is not valid UTF-8",
                )
                .with_label(format!("invalid byte 0x{bad_byte:02X}"))
                .with_help("save the file as UTF-8"),
            );
            id
        }
    }
}

/// `confusing-character` for every character a reviewer could not see.
fn confusing_characters(file: FileId, text: &str) -> Vec<Diagnostic> {
    names::confusing_characters(text)
        .into_iter()
        .map(|found| {
            let span = Span::new(file, found.offset, found.offset + found.character.len_utf8());
            let (message, help) = if found.character == '\r' {
                (
                    "carriage return not followed by a line feed".to_string(),
                    "end lines with LF or CRLF; a lone carriage return can hide text in a diff",
                )
            } else if names::is_bidi_control(found.character) {
                (
                    format!("bidirectional control character {}", names::describe_char(found.character)),
                    "it can reorder how text is displayed, so a reviewer would not see what the compiler sees (CVE-2021-42574); delete it",
                )
            } else {
                (
                    format!("invisible character {}", names::describe_char(found.character)),
                    "a reviewer cannot see it in a diff; delete it",
                )
            };
            Diagnostic::error(Code::ConfusingCharacter, span, message)
                .with_label("hidden character here")
                .with_help(help)
        })
        .collect()
}
