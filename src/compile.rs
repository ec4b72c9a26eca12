//! The pipeline: catalog, then every policy file through parse, resolve, validate and emit.
//! Each stage returns what it could build plus all its diagnostics; none stops at the first.

use std::collections::HashSet;
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::catalog::{self, Catalog};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::emit;
use crate::lints::LintLevels;
use crate::names;
use crate::resolve::{self, ResolveOptions};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, LineIndex};
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

    let mut texts = Vec::with_capacity(policies.len());
    let mut any_syntax_error = false;
    for policy in policies {
        let before = diagnostics.len();
        let id = add_source(&mut sources, policy, Code::Syntax, &mut diagnostics);
        let utf8_ok = diagnostics.len() == before;
        any_syntax_error |= !utf8_ok;
        let text = sources
            .get(id)
            .map(|file| file.text.clone())
            .unwrap_or_default();
        diagnostics.extend(confusing_characters(id, &text));
        if utf8_ok {
            texts.push((id, text));
        }
    }
    let (files, parse_diagnostics) = parse_in_parallel(&texts);
    let mut files_with_syntax_errors = HashSet::new();
    for (index, file) in files.iter().enumerate() {
        if parse_diagnostics
            .iter()
            .any(|d| d.code == Code::Syntax && d.span.is_some_and(|span| span.file == file.file))
        {
            any_syntax_error = true;
            files_with_syntax_errors.insert(index);
        }
    }
    diagnostics.extend(parse_diagnostics);
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

/// Below this many bytes of policy text, parsing stays on one thread.
const PARALLEL_PARSE_BYTES: usize = 256 * 1024;

/// Parses every file, splitting the text into chunks that start where statements start and
/// parsing them on the machine's cores; the result is the same, in the same order, as
/// parsing each file in turn.
fn parse_in_parallel(texts: &[(FileId, Arc<str>)]) -> (Vec<PolicyFile>, Vec<Diagnostic>) {
    let total: usize = texts.iter().map(|(_, text)| text.len()).sum();
    let threads = if total < PARALLEL_PARSE_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let target = total.div_ceil(threads * 4).max(1);
    let indexes: Vec<LineIndex> = texts.iter().map(|(_, text)| LineIndex::new(text)).collect();
    // Work units: (file position, chunk start, chunk end), in file and text order.
    let units: Vec<(usize, usize, usize)> = texts
        .iter()
        .zip(&indexes)
        .enumerate()
        .flat_map(|(position, ((_, text), lines))| {
            syntax::chunk_ranges(text, lines, target)
                .into_iter()
                .map(move |(start, end)| (position, start, end))
        })
        .collect();
    let parse_unit = |&(position, start, end): &(usize, usize, usize)| {
        let (id, text) = texts
            .get(position)
            .map_or((FileId(0), ""), |(id, text)| (*id, &**text));
        indexes
            .get(position)
            .map(|lines| syntax::parse_chunk(id, text, lines, start, end))
            .unwrap_or_default()
    };
    let per_thread = units.len().div_ceil(threads).max(1);
    let mut results: Vec<syntax::ChunkParse> = if threads == 1 {
        units.iter().map(parse_unit).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = units
                .chunks(per_thread)
                .map(|group| scope.spawn(move || group.iter().map(parse_unit).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                // A panic in a worker is a bug: surface it as the sequential parse would.
                .flat_map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut files = Vec::with_capacity(texts.len());
    let mut diagnostics = Vec::new();
    for (position, ((id, text), lines)) in texts.iter().zip(&indexes).enumerate() {
        let ranges: Vec<(usize, usize)> = units
            .iter()
            .filter(|unit| unit.0 == position)
            .map(|&(_, start, end)| (start, end))
            .collect();
        let chunks: Vec<syntax::ChunkParse> =
            results.drain(..ranges.len().min(results.len())).collect();
        let mut file = PolicyFile {
            file: *id,
            statements: Vec::new(),
        };
        for chunk in syntax::mend_chunks(*id, text, lines, &ranges, chunks) {
            file.statements.extend(chunk.statements);
            diagnostics.extend(chunk.diagnostics);
        }
        files.push(file);
    }
    (files, diagnostics)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Statement;

    fn summary(files: &[PolicyFile], diagnostics: &[Diagnostic]) -> Vec<String> {
        let mut lines: Vec<String> = files
            .iter()
            .flat_map(|file| file.statements.iter())
            .map(|statement| match statement {
                Statement::Role(role) => format!(
                    "role {} {} {}",
                    role.name.value,
                    role.annotations.len(),
                    role.edits.len()
                ),
                Statement::Author(author) => format!("author {}", author.name.value),
                Statement::Assert(assertion) => format!("assert {}", assertion.role.value),
            })
            .collect();
        lines.extend(
            diagnostics
                .iter()
                .map(|d| format!("{} {:?} {}", d.code.as_str(), d.span, d.message)),
        );
        lines
    }

    #[test]
    fn parallel_parsing_gives_what_parsing_in_turn_gives() {
        let mut text = String::from("\u{feff}author Administrator\n");
        for i in 0..12_000 {
            match i % 7 {
                0 => text.push_str(&format!(
                    "@doc(\"r{i}\")\n@owner(\"x\")\nrole R{i} copies User < -webhooks >\n"
                )),
                1 => text.push_str(&format!("role R{i} < +crm\n")),
                2 => text.push_str(&format!("# comment {i}\nassert R{} can crm\n", i - 1)),
                3 => text.push_str(&format!("@doc(\"x\") role R{i} inherits Guest, User\n")),
                4 => text.push_str(&format!("role R{i} copies\n  User < +insight\n  -mail >\n")),
                5 => text.push_str(&format!("role \"R {i}\" copies < >\n")),
                6 if i % 2 == 0 => {
                    text.push_str(&format!("assert Guest\ncannot crm @k(\"v\")\nrole Q{i}\n"))
                }
                _ => text.push_str(&format!("author Owner role R{i}\n")),
            }
        }
        let second = "author Administrator\nrole Z < +crm >\n".repeat(2000);
        let texts = vec![
            (FileId(1), Arc::<str>::from(text.as_str())),
            (FileId(2), Arc::<str>::from(second.as_str())),
        ];
        assert!(text.len() > PARALLEL_PARSE_BYTES);
        let (parallel_files, parallel_diagnostics) = parse_in_parallel(&texts);
        let mut sequential_files = Vec::new();
        let mut sequential_diagnostics = Vec::new();
        for (id, text) in &texts {
            let (file, diagnostics) = syntax::parse_file(*id, text);
            sequential_files.push(file);
            sequential_diagnostics.extend(diagnostics);
        }
        assert!(sequential_diagnostics.len() > 1000);
        assert_eq!(
            summary(&parallel_files, &parallel_diagnostics),
            summary(&sequential_files, &sequential_diagnostics)
        );
    }
}
