//! The pipeline: catalog, then every policy file through parse, resolve, validate and emit.
//! Each stage returns what it could build plus all its diagnostics; none stops at the first.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::artifact::{self, Artifact};
use crate::ast::{PolicyFile, Statement};
use crate::catalog::{self, Catalog};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lints::LintLevels;
use crate::names::{self, ConfusingKind};
use crate::parallel;
use crate::permset::PermSet;
use crate::resolve::{self, Resolution, ResolveOptions};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::validate::{self, Authors, ValidateOptions};

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

/// The ceiling of a run (docs/security.md, "The ceiling is the proposer's role"): every bound file that defines roles must have
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

/// One input file: its path as given or found, its bytes, and (when the caller knows the
/// project root) its path relative to the root, which the artifact records.
#[derive(Clone, Debug)]
pub struct InputFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// The path relative to the project root, `/`-separated; `None`: `path`, normalized.
    pub project_path: Option<String>,
}

impl InputFile {
    /// A file known by one path (the artifact records it normalized).
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> InputFile {
        InputFile {
            path: path.into(),
            bytes: bytes.into(),
            project_path: None,
        }
    }
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
    /// The catalog of the run, when it had no errors (its spans are in `sources`).
    pub catalog: Option<Catalog>,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// When a run checks some files of a project, a role defined in another of its files
    /// is `unknown-role` here. `others` are the project's files that were not checked: each
    /// `unknown-role` whose role one of them defines gets a help naming that file (the first
    /// in `others`' order) instead of a *did you mean*. Only the files' definitions are read
    /// (they are parsed, not compiled), and only when there is an `unknown-role` to explain.
    pub fn name_files_that_define_unknown_roles(&mut self, others: Vec<InputFile>) {
        let unknown: HashSet<Span> = self
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::UnknownRole)
            .filter_map(|d| d.span)
            .collect();
        if unknown.is_empty() || others.is_empty() {
            return;
        }
        let mut names_at: HashMap<Span, &str> = HashMap::new();
        let statements = self.files.iter().flat_map(|file| &file.statements);
        for reference in statements.flat_map(Statement::role_references) {
            if unknown.contains(&reference.span) {
                names_at.insert(reference.span, &reference.value);
            }
        }
        let wanted: HashSet<String> = names_at
            .values()
            .map(|name| names::collision_key(name))
            .collect();
        let mut defined_in: HashMap<String, String> = HashMap::new();
        for other in others {
            let Ok(text) = std::str::from_utf8(&other.bytes) else {
                continue;
            };
            let (file, _) = crate::syntax::parse_file(FileId(u32::MAX), text);
            for statement in &file.statements {
                if let Statement::Role(role) = statement {
                    if wanted.contains(&role.key) && !defined_in.contains_key(&role.key) {
                        defined_in.insert(role.key.clone(), other.path.clone());
                    }
                }
            }
        }
        let helps: HashMap<Span, String> = names_at
            .into_iter()
            .filter_map(|(span, name)| {
                let path = defined_in.get(&names::collision_key(name))?;
                Some((
                    span,
                    format!(
                        "`{name}` is defined in `{path}`, which this run did not read: pass that \
                         file too, or give no PATH to compile the whole project"
                    ),
                ))
            })
            .collect();
        for diagnostic in &mut self.diagnostics {
            let help = diagnostic
                .span
                .filter(|_| diagnostic.code == Code::UnknownRole)
                .and_then(|span| helps.get(&span));
            if let Some(help) = help {
                diagnostic.label = Some("no file checked defines this role".to_string());
                diagnostic.help = Some(help.clone());
            }
        }
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
    let Some(catalog) = load_catalog(catalog_file, &mut sources, &mut diagnostics) else {
        return Ok((finish(sources, diagnostics, Vec::new()), Ok(false)));
    };
    let parsed = parallel::parse_policies(policies, &mut sources, &mut diagnostics);
    let files = parsed.files;
    let facts = ParseFacts {
        files_with_syntax_errors: &parsed.files_with_syntax_errors,
        any_syntax_error: parsed.any_syntax_error,
    };
    let (resolution, authors) = check_parsed(
        &catalog,
        &files,
        &facts,
        options,
        |paths| file_ids_of(&files, &sources, paths),
        &mut diagnostics,
    )?;
    if options.deny_warnings {
        deny_warnings(&mut diagnostics);
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
    compilation.catalog = Some(catalog);
    Ok((compilation, written))
}

/// What the parse stage tells the later ones about syntax errors.
pub struct ParseFacts<'p> {
    /// The files with syntax errors: a missing author may stand in the text that did not
    /// parse.
    pub files_with_syntax_errors: &'p HashSet<FileId>,
    /// Whether any file has a syntax error, or is not valid UTF-8: a role that looks unknown
    /// may then be defined in the text that did not parse.
    pub any_syntax_error: bool,
}

/// The stages after the parse, the same for `check` and the language server
/// ([`crate::ide`]): resolve `files` against `catalog`, then validate them under the ceiling
/// of `options` (`bound_files` maps the paths a ceiling binds to the files' ids). Diagnostics
/// go to `diagnostics`; `--deny-warnings` is left to the caller, which may have more.
pub fn check_parsed<'a>(
    catalog: &'a Catalog,
    files: &'a [PolicyFile],
    facts: &ParseFacts<'_>,
    options: &CompileOptions,
    bound_files: impl FnOnce(&HashSet<String>) -> HashSet<FileId>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Resolution<'a>, Authors), UsageError> {
    let report_unknown_roles = !facts.any_syntax_error;
    // A ceiling given as data is mapped into this catalog; a built-in one is looked up, and
    // a name that is no built-in is refused once the roles are known (below).
    let ceiling_set = options
        .ceiling
        .as_ref()
        .map(|ceiling| ceiling_permissions(catalog, ceiling));
    let resolution = resolve::resolve(
        catalog,
        files,
        &ResolveOptions {
            lint_levels: &options.lint_levels,
            report_unknown_roles,
        },
        diagnostics,
    );
    // A default author that names no role stops the command, like an unknown ceiling; with a
    // syntax error the role may be in the text that did not parse, and `unknown-role` says so.
    if let Some(author) = &options.default_author {
        if report_unknown_roles && resolution.lookup(author) == resolve::Lookup::Unknown {
            return Err(unknown_author_error(catalog, &resolution, author));
        }
    }
    let ceiling = match (&options.ceiling, ceiling_set) {
        (Some(ceiling), Some(Some(permissions))) => Some(validate::Ceiling {
            name: &ceiling.role,
            permissions,
            bound_files: ceiling.bound_files.as_ref().map(bound_files),
        }),
        (Some(ceiling), _) => return Err(ceiling_error(catalog, &resolution, &ceiling.role)),
        (None, _) => None,
    };
    let authors = validate::validate(
        catalog,
        files,
        &resolution,
        &ValidateOptions {
            default_author: options.default_author.as_deref(),
            ceiling,
            report_unknown_roles,
            files_with_syntax_errors: facts.files_with_syntax_errors,
        },
        diagnostics,
    );
    Ok((resolution, authors))
}

/// The order diagnostics are reported in: by file, position, code, then message.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.span.map(|s| (s.file, s.start, s.end)), d.code.as_str());
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// `--deny-warnings`: every warning becomes an error.
pub fn deny_warnings(diagnostics: &mut [Diagnostic]) {
    for diagnostic in diagnostics {
        diagnostic.severity = Severity::Error;
    }
}

/// The catalog of a run: `catalog_file`, loaded and checked, or the embedded one (loaded once
/// per process). `None` when it has errors (reported in `diagnostics`).
pub(crate) fn load_catalog(
    catalog_file: Option<InputFile>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Catalog> {
    let Some(file) = catalog_file else {
        catalog::add_embedded_source(sources);
        return catalog::embedded().cloned();
    };
    let (source, not_utf8) = decode(
        FileId::from_index(sources.len()),
        file,
        Code::InvalidCatalog,
    );
    let catalog_id = sources.push(source);
    if let Some(not_utf8) = not_utf8 {
        diagnostics.push(not_utf8);
        return None;
    }
    let (catalog, catalog_diagnostics) = catalog::load(sources, catalog_id);
    diagnostics.extend(catalog_diagnostics);
    catalog
}

/// The ceiling's permissions in `catalog`: the names given (from a trusted side) that the
/// catalog has, or the built-in's set; `None` when it names no built-in (a custom role of
/// the sources, refused once the roles are known).
fn ceiling_permissions(catalog: &Catalog, ceiling: &Ceiling) -> Option<PermSet> {
    match &ceiling.permissions {
        Some(names) => Some(
            names
                .iter()
                .filter_map(|name| catalog.permission_id(name))
                .collect(),
        ),
        None => catalog
            .builtin_id(&ceiling.role)
            .and_then(|id| catalog.builtins.get(id))
            .map(|builtin| builtin.permissions.clone()),
    }
}

/// The files among `files` whose paths are in `paths`.
fn file_ids_of(
    files: &[PolicyFile],
    sources: &SourceMap,
    paths: &HashSet<String>,
) -> HashSet<FileId> {
    files
        .iter()
        .map(|file| file.file)
        .filter(|&id| {
            sources
                .get(id)
                .is_some_and(|source| paths.contains(&source.path))
        })
        .collect()
}

fn finish(
    sources: SourceMap,
    mut diagnostics: Vec<Diagnostic>,
    files: Vec<PolicyFile>,
) -> Compilation {
    sort_diagnostics(&mut diagnostics);
    Compilation {
        sources,
        diagnostics,
        artifact: None,
        files,
        catalog: None,
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

/// The error for a default author (`--author`, `author:`) that no built-in and no source
/// defines.
fn unknown_author_error(catalog: &Catalog, resolution: &Resolution<'_>, name: &str) -> UsageError {
    let builtins: Vec<&str> = catalog.builtins.iter().map(|b| b.name.as_str()).collect();
    let hint = resolution
        .suggest_role(name)
        .map(|help| format!("; {help}"))
        .unwrap_or_default();
    UsageError(format!(
        "the author `{}` (`--author` or `author:`) is not a role: neither a built-in role of the catalog ({}) nor a role of the sources{hint}",
        crate::names::visible(name),
        crate::diagnostics::join_names(&builtins)
    ))
}

/// The source file `id` from `file`'s bytes; invalid UTF-8 is replaced and reported with
/// `code` at the first bad byte.
pub(crate) fn decode(id: FileId, file: InputFile, code: Code) -> (SourceFile, Option<Diagnostic>) {
    match String::from_utf8(file.bytes) {
        Ok(text) => {
            let mut source = SourceFile::new(file.path, Arc::from(text));
            if let Some(project_path) = file.project_path {
                source.project_path = project_path;
            }
            (source, None)
        }
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
            let mut source = SourceFile::new(file.path, Arc::from(text));
            if let Some(project_path) = file.project_path {
                source.project_path = project_path;
            }
            (source, Some(diagnostic))
        }
    }
}

/// `confusing-character` for every character a reviewer could not see.
pub(crate) fn confusing_characters(file: FileId, text: &str) -> Vec<Diagnostic> {
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

    /// Writing the artifact as it is rendered gives the bytes `compile` holds in memory, and
    /// writes nothing when the compile has errors.
    #[test]
    fn compile_into_writes_what_compile_holds() {
        let policy = |text: &str| InputFile {
            path: "a.roles".into(),
            bytes: text.as_bytes().to_vec(),
            project_path: None,
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
}
