//! The pipeline: catalog, then every policy file through parse, resolve, validate and emit.
//! Each stage returns what it could build plus all its diagnostics; none stops at the first.

use std::collections::HashSet;
use std::sync::Arc;

use crate::artifact::{self, Artifact};
use crate::ast::PolicyFile;
use crate::catalog::{self, Catalog};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lints::LintLevels;
use crate::names::{self, ConfusingKind};
use crate::permset::PermSet;
use crate::resolve::{self, Resolution, ResolveOptions};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::{self, LineIndex};
use crate::validate::{self, ValidateOptions};

/// What a run is told beyond its files.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Author of files without an `author` statement.
    pub default_author: Option<String>,
    /// The ceiling (`--max-author`): a role bounding the authors of files.
    pub ceiling: Option<Ceiling>,
    pub lint_levels: LintLevels,
    /// Report every warning as an error.
    pub deny_warnings: bool,
    /// Build the artifact ([`Compilation::artifact`]) when the compile has no errors.
    pub emit_artifact: bool,
}

/// The ceiling of a run (section 2.2, item 4): every bound file that defines roles must have
/// an author whose permissions the ceiling holds. It is data, resolved before the compile:
/// the sources under check never decide it, since a change could then raise its own ceiling
/// by editing the ceiling role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ceiling {
    /// The ceiling role's name, as given (`--max-author`, `max_author:`).
    pub role: String,
    /// The role's permissions by name, as a trusted side resolved them (`--ceiling-from`);
    /// a name the catalog of this run lacks is not granted. `None`: `role` must be a built-in
    /// role of the catalog, whose permissions are used.
    pub permissions: Option<Vec<String>>,
    /// The files whose authors the ceiling binds, by [`InputFile::path`]; `None`: every file.
    pub bound_files: Option<HashSet<String>>,
}

impl Ceiling {
    /// The built-in role `role` of the catalog as the ceiling of every file.
    pub fn builtin(role: impl Into<String>) -> Ceiling {
        Ceiling {
            role: role.into(),
            permissions: None,
            bound_files: None,
        }
    }
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
    pub artifact: Option<Artifact>,
    /// The parsed policy files (the statements that parsed), in input order.
    pub files: Vec<PolicyFile>,
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

/// Compiles `policies` against `catalog_file` (the embedded catalog when `None`), building
/// the artifact when `options.emit_artifact` asks for it.
pub fn compile(
    catalog_file: Option<InputFile>,
    policies: Vec<InputFile>,
    options: &CompileOptions,
) -> Result<Compilation, UsageError> {
    let target = if options.emit_artifact {
        ArtifactTarget::Value
    } else {
        ArtifactTarget::None
    };
    compile_to(catalog_file, policies, options, target).map(|(compilation, _)| compilation)
}

/// Compiles like [`compile`], but writes the artifact to `artifact_out` as it is rendered,
/// when the compile has no errors, instead of holding it in memory (`options.emit_artifact`
/// is not read, and `Compilation::artifact` stays `None`). Also returns whether the artifact
/// was written, or the error that stopped writing it.
pub fn compile_into(
    catalog_file: Option<InputFile>,
    policies: Vec<InputFile>,
    options: &CompileOptions,
    artifact_out: Option<&mut dyn std::io::Write>,
) -> Result<(Compilation, std::io::Result<bool>), UsageError> {
    let target = match artifact_out {
        Some(out) => ArtifactTarget::Stream(out),
        None => ArtifactTarget::None,
    };
    compile_to(catalog_file, policies, options, target)
}

/// Where the artifact of a compile without errors goes.
enum ArtifactTarget<'o> {
    None,
    /// Into [`Compilation::artifact`].
    Value,
    /// Written as it is rendered.
    Stream(&'o mut dyn std::io::Write),
}

/// [`compile`] and [`compile_into`]: the stages, then the artifact to `artifact_target`.
fn compile_to(
    catalog_file: Option<InputFile>,
    policies: Vec<InputFile>,
    options: &CompileOptions,
    artifact_target: ArtifactTarget<'_>,
) -> Result<(Compilation, std::io::Result<bool>), UsageError> {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    // The embedded catalog is loaded once per process; a given one is loaded here.
    let (catalog_id, cached) = match catalog_file {
        Some(file) => {
            let (source, not_utf8) = decode(
                FileId::from_index(sources.len()),
                file,
                Code::InvalidCatalog,
            );
            diagnostics.extend(not_utf8);
            (sources.push(source), None)
        }
        None => (
            catalog::add_embedded_source(&mut sources),
            catalog::embedded().cloned(),
        ),
    };
    let catalog = if cached.is_some() {
        cached
    } else if diagnostics.is_empty() {
        let (catalog, catalog_diagnostics) = catalog::load(&sources, catalog_id);
        diagnostics.extend(catalog_diagnostics);
        catalog
    } else {
        None
    };
    let Some(catalog) = catalog else {
        return Ok((finish(sources, diagnostics, Vec::new()), Ok(false)));
    };
    // A ceiling given as data is mapped into this catalog now; a built-in one is looked up
    // now, and a name that is no built-in is refused once the roles are known (below).
    let ceiling_set = options
        .ceiling
        .as_ref()
        .map(|ceiling| match &ceiling.permissions {
            Some(names) => Some(
                names
                    .iter()
                    .filter_map(|name| catalog.permission_id(name))
                    .collect::<PermSet>(),
            ),
            None => catalog
                .builtin_id(&ceiling.role)
                .and_then(|id| catalog.builtins.get(id))
                .map(|builtin| builtin.permissions.clone()),
        });

    let total: usize = policies.iter().map(|policy| policy.bytes.len()).sum();
    let threads = if total < PARALLEL_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let first_id = sources.len();
    let numbered: Vec<(FileId, InputFile)> = policies
        .into_iter()
        .enumerate()
        .map(|(index, policy)| (FileId::from_index(first_id + index), policy))
        .collect();
    let prepared = parallel_map(numbered, threads, |(id, policy)| prepare(id, policy));
    let mut texts = Vec::with_capacity(prepared.len());
    let mut any_syntax_error = false;
    for file in prepared {
        any_syntax_error |= file.not_utf8.is_some();
        diagnostics.extend(file.not_utf8);
        diagnostics.extend(file.confusing);
        let text = file.source.text.clone();
        let id = sources.push(file.source);
        if let Some(lines) = file.lines {
            texts.push((id, text, lines));
        }
    }
    let (files, parse_diagnostics) = parse_in_parallel(&texts, threads);
    // One pass over the diagnostics, not one per file: a run may have many files.
    let ids_with_syntax_errors: HashSet<FileId> = parse_diagnostics
        .iter()
        .filter(|d| d.code == Code::Syntax)
        .filter_map(|d| d.span.map(|span| span.file))
        .collect();
    let files_with_syntax_errors: HashSet<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| ids_with_syntax_errors.contains(&file.file))
        .map(|(index, _)| index)
        .collect();
    any_syntax_error |= !files_with_syntax_errors.is_empty();
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
    let ceiling = match (&options.ceiling, ceiling_set) {
        (Some(ceiling), Some(Some(permissions))) => Some(validate::Ceiling {
            name: &ceiling.role,
            permissions,
            bound_files: ceiling.bound_files.as_ref().map(|paths| {
                files
                    .iter()
                    .enumerate()
                    .filter(|(_, file)| {
                        sources
                            .get(file.file)
                            .is_some_and(|source| paths.contains(&source.path))
                    })
                    .map(|(index, _)| index)
                    .collect()
            }),
        }),
        (Some(ceiling), _) => return Err(ceiling_error(&catalog, &resolution, &ceiling.role)),
        (None, _) => None,
    };
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
    let mut artifact = None;
    let written = match artifact_target {
        ArtifactTarget::Stream(out) if !has_errors => {
            artifact::write_artifact(out, &catalog, &resolution, &authors, &sources).map(|()| true)
        }
        ArtifactTarget::Value if !has_errors => {
            artifact = Some(Artifact::from_resolution(
                &catalog,
                &resolution,
                &authors,
                &sources,
            ));
            Ok(true)
        }
        _ => Ok(false),
    };
    drop(resolution);
    let mut compilation = finish(sources, diagnostics, files);
    compilation.artifact = artifact;
    Ok((compilation, written))
}

/// Below this many bytes of policy text, a run stays on one thread.
const PARALLEL_BYTES: usize = 256 * 1024;

/// Chunks of a parse are at most this long: pest's token queue for a chunk (about ten times
/// its text) lives until the chunk is lowered, so the queues stay small and in cache.
const MAX_CHUNK_BYTES: usize = 128 * 1024;

/// `f` applied to every item, on `threads` threads, results in the order of the items. Each
/// thread takes the next item as soon as it is free, so one slow item does not leave the
/// other threads idle.
fn parallel_map<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let count = items.len();
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    // A poisoned lock means another worker panicked: that panic is surfaced below.
    let next = || queue.lock().ok().and_then(|mut items| items.next());
    let (f, next) = (&f, &next);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(count))
            .map(|_| {
                scope.spawn(move || {
                    std::iter::from_fn(next)
                        .map(|(index, item)| (index, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // A panic in a worker is a bug: surface it as the sequential run would.
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_unstable_by_key(|&(index, _)| index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// A policy file made ready to parse: decoded, scanned for hidden characters, and (when it
/// is valid UTF-8) with the index of its lines.
struct Prepared {
    source: SourceFile,
    not_utf8: Option<Diagnostic>,
    confusing: Vec<Diagnostic>,
    lines: Option<LineIndex>,
}

fn prepare(id: FileId, policy: InputFile) -> Prepared {
    let (source, not_utf8) = decode(id, policy, Code::Syntax);
    let confusing = confusing_characters(id, &source.text);
    let lines = not_utf8.is_none().then(|| LineIndex::new(&source.text));
    Prepared {
        source,
        not_utf8,
        confusing,
        lines,
    }
}

/// Parses every file, splitting the text into chunks that start where statements start and
/// parsing them on `threads` threads; the result is the same, in the same order, as
/// parsing each file in turn.
fn parse_in_parallel(
    texts: &[(FileId, Arc<str>, LineIndex)],
    threads: usize,
) -> (Vec<PolicyFile>, Vec<Diagnostic>) {
    let total: usize = texts.iter().map(|(_, text, _)| text.len()).sum();
    let target = total.div_ceil(threads * 4).clamp(1, MAX_CHUNK_BYTES);
    // Work units: (file position, chunk start, chunk end), in file and text order.
    let units: Vec<(usize, usize, usize)> = texts
        .iter()
        .enumerate()
        .flat_map(|(position, (_, text, lines))| {
            syntax::chunk_ranges(text, lines, target)
                .into_iter()
                .map(move |(start, end)| (position, start, end))
        })
        .collect();
    let results = parallel_map(units.clone(), threads, |(position, start, end)| {
        texts
            .get(position)
            .map(|(id, text, lines)| syntax::parse_chunk(*id, text, lines, start, end))
            .unwrap_or_default()
    });
    // Units and their results are in file order: each file takes the run of them that is
    // its own, in one pass over all of them (a run may have many files).
    let mut parsed = units.iter().zip(results).peekable();
    let mut files = Vec::with_capacity(texts.len());
    let mut diagnostics = Vec::new();
    for (position, (id, text, lines)) in texts.iter().enumerate() {
        let mut ranges = Vec::new();
        let mut chunks = Vec::new();
        while let Some((&(_, start, end), chunk)) =
            parsed.next_if(|((unit_position, _, _), _)| *unit_position == position)
        {
            ranges.push((start, end));
            chunks.push(chunk);
        }
        let chunks = syntax::mend_chunks(*id, text, lines, &ranges, chunks);
        // Sized once: a statement is a large value, and growing the vector would copy them.
        let mut file = PolicyFile {
            file: *id,
            statements: Vec::with_capacity(chunks.iter().map(|c| c.statements.len()).sum()),
        };
        for chunk in chunks {
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
    files: Vec<PolicyFile>,
) -> Compilation {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.span.map(|s| (s.file, s.start, s.end)), d.code.as_str());
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
    Compilation {
        sources,
        diagnostics,
        artifact: None,
        files,
    }
}

/// The error for a ceiling that is no built-in role and was not resolved from a trusted
/// side: a custom role of the sources needs `--ceiling-from`, any other name is unknown.
fn ceiling_error(catalog: &Catalog, resolution: &Resolution<'_>, name: &str) -> UsageError {
    let builtins: Vec<&str> = catalog.builtins.iter().map(|b| b.name.as_str()).collect();
    if resolution.lookup(name).as_found().is_some() {
        return UsageError(format!(
            "the ceiling `{name}` (`--max-author` or `max_author:`) is a custom role: add `--ceiling-from REV|ARTIFACT` (the change's base revision, or an artifact built from it) to resolve it from a side the change cannot edit, or use a built-in role ({})",
            crate::diagnostics::join_names(&builtins)
        ));
    }
    let hint = resolution
        .suggest_role(name)
        .map(|help| format!("; {help}"))
        .unwrap_or_default();
    UsageError(format!(
        "the ceiling `{name}` (`--max-author` or `max_author:`) is not a role: neither a built-in role of the catalog ({}) nor a role of the sources{hint}",
        crate::diagnostics::join_names(&builtins)
    ))
}

/// The source file `id` from `file`'s bytes; invalid UTF-8 is replaced and reported with
/// `code` at the first bad byte.
fn decode(id: FileId, file: InputFile, code: Code) -> (SourceFile, Option<Diagnostic>) {
    match String::from_utf8(file.bytes) {
        Ok(text) => (SourceFile::new(file.path, Arc::from(text)), None),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let bad_byte = error.as_bytes().get(valid_up_to).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let replacement = '\u{FFFD}'.len_utf8();
            let diagnostic = Diagnostic::error(
                code,
                Span::new(id, valid_up_to, valid_up_to + replacement),
                "file is not valid UTF-8",
            )
            .with_label(format!("invalid byte 0x{bad_byte:02X}"))
            .with_help("save the file as UTF-8");
            (
                SourceFile::new(file.path, Arc::from(text)),
                Some(diagnostic),
            )
        }
    }
}

/// `confusing-character` for every character a reviewer could not see.
fn confusing_characters(file: FileId, text: &str) -> Vec<Diagnostic> {
    names::confusing_characters(text)
        .into_iter()
        .map(|found| {
            let span = Span::new(file, found.offset, found.offset + found.character.len_utf8());
            let described = names::describe_char(found.character);
            let (message, help) = match found.kind {
                ConfusingKind::LineBreak if found.character == '\r' => (
                    "carriage return not followed by a line feed".to_string(),
                    "end lines with LF or CRLF; a lone carriage return can hide text in a diff",
                ),
                ConfusingKind::LineBreak => (
                    format!("line break {described}: only LF and CRLF end a line"),
                    "editors start a new line here and rolec does not, so what follows looks like code but belongs to this line (a comment would hide it); use a line feed",
                ),
                ConfusingKind::Bidirectional => (
                    format!("bidirectional control character {described}"),
                    "it can reorder how text is displayed, so a reviewer would not see what the compiler sees (CVE-2021-42574); delete it",
                ),
                ConfusingKind::Invisible => (
                    format!("invisible character {described}"),
                    "a reviewer cannot see it in a diff; delete it",
                ),
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

    /// Writing the artifact as it is rendered gives the bytes `compile` holds in memory, and
    /// writes nothing when the compile has errors.
    #[test]
    fn compile_into_writes_what_compile_holds() {
        let policy = |text: &str| InputFile {
            path: "a.roles".into(),
            bytes: text.as_bytes().to_vec(),
        };
        let text = "author Administrator\nrole \"Sales Lead\" copies User < +crm -webhooks >\n";
        let options = CompileOptions {
            emit_artifact: true,
            ..CompileOptions::default()
        };
        let in_memory = compile(None, vec![policy(text)], &options)
            .map(|c| c.artifact.map(|artifact| artifact.to_json().into_bytes()));
        let mut streamed = Vec::new();
        let written = compile_into(None, vec![policy(text)], &options, Some(&mut streamed))
            .map(|(compilation, written)| (compilation.artifact.is_none(), written.ok()));
        assert_eq!(written, Ok((true, Some(true))));
        assert_eq!(in_memory, Ok(Some(streamed)));

        let mut nothing = Vec::new();
        let failed = compile_into(
            None,
            vec![policy("role X < +nope >\n")],
            &options,
            Some(&mut nothing),
        )
        .map(|(compilation, written)| (compilation.error_count() > 0, written.ok()));
        assert_eq!(failed, Ok((true, Some(false))));
        assert!(nothing.is_empty());
    }

    /// The catalog loaded once per process is the embedded catalog as a fresh load reads it.
    #[test]
    fn the_cached_embedded_catalog_is_a_fresh_load() {
        let mut sources = SourceMap::default();
        let id = catalog::add_embedded_source(&mut sources);
        let (fresh, diagnostics) = catalog::load(&sources, id);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let (Some(cached), Some(fresh)) = (catalog::embedded(), fresh) else {
            panic!("the embedded catalog does not load");
        };
        // Field by field: the name maps are hash maps, whose Debug order differs per map.
        let fields = |c: &Catalog| {
            format!(
                "{} {:?} {:?} {:?} {:?}",
                c.name, c.groups, c.permissions, c.builtins, c.role_management
            )
        };
        assert_eq!(fields(cached), fields(&fresh));
        for (index, permission) in fresh.permissions.iter().enumerate() {
            assert_eq!(cached.permission_id(&permission.name), Some(index));
        }
        for (index, group) in fresh.groups.iter().enumerate() {
            assert_eq!(cached.group_id(&group.name), Some(index));
        }
    }

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<usize> = (0..1001).collect();
        for threads in [1, 2, 3, 8] {
            let doubled = parallel_map(items.clone(), threads, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(parallel_map(Vec::<u8>::new(), 4, |n| n).is_empty());
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
            (
                FileId(1),
                Arc::<str>::from(text.as_str()),
                LineIndex::new(&text),
            ),
            (
                FileId(2),
                Arc::<str>::from(second.as_str()),
                LineIndex::new(&second),
            ),
        ];
        assert!(text.len() > PARALLEL_BYTES);
        let (parallel_files, parallel_diagnostics) = parse_in_parallel(&texts, 3);
        let mut sequential_files = Vec::new();
        let mut sequential_diagnostics = Vec::new();
        for (id, text, _) in &texts {
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
