//! The analysis of a workspace's current texts: the stages after the parse, run on the
//! project's files as one run (and on each file opened from outside the project alone), the
//! diagnostics of each file, and a table of the roles that the queries read.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::ast::BaseKind;
use crate::catalog::Catalog;
use crate::compile::{self, CompileOptions, ParseFacts};
use crate::diagnostics::Diagnostic;
use crate::permset::PermSet;
use crate::resolve::Resolution;
use crate::source::{FileId, Span};
use crate::validate::Authors;

use super::{settings_problem, Workspace, CATALOG_FILE, CONFIG_FILE};

/// A role as the queries see it.
#[derive(Clone, Debug)]
pub struct RoleInfo {
    pub name: String,
    /// Empty when it has none (reported).
    pub id: String,
    pub builtin: bool,
    /// Where its name is defined: in a policy file, or in the catalog file for a built-in
    /// (`None` for the embedded catalog's).
    pub definition: Option<Span>,
    /// `copies` or `inherits`, and the roles named.
    pub base: Option<(BaseKind, Vec<String>)>,
    /// The author of its file, when known.
    pub author: Option<String>,
    /// The value of its `@doc` annotation.
    pub doc: Option<String>,
    /// `None` when it could not be resolved (reported).
    pub permissions: Option<PermSet>,
}

/// The roles of one run: the project's files, or one file opened from outside it.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// Indexes of the unit's files in the workspace's files.
    pub files: Range<usize>,
    /// The built-ins in catalog order, then the custom roles in definition order.
    pub roles: Vec<RoleInfo>,
    by_name: HashMap<String, usize>,
}

impl Unit {
    /// The role named `name` exactly.
    pub fn role(&self, name: &str) -> Option<&RoleInfo> {
        self.by_name
            .get(name)
            .and_then(|&index| self.roles.get(index))
    }
}

/// The diagnostics and roles of a workspace's current texts.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The diagnostics of each policy file, at the index of the file in the workspace.
    pub by_file: Vec<Vec<Diagnostic>>,
    /// The diagnostics of the catalog file.
    pub catalog: Vec<Diagnostic>,
    /// The diagnostics of `rolec.yaml`.
    pub settings: Vec<Diagnostic>,
    /// The project's run first, then one per file opened from outside it.
    pub units: Vec<Unit>,
}

impl Analysis {
    /// The unit that holds the file at `index`.
    pub fn unit_of(&self, index: usize) -> Option<&Unit> {
        self.units.iter().find(|unit| unit.files.contains(&index))
    }
}

/// Analyses the current texts of `workspace`.
pub fn analyze(workspace: &Workspace) -> Analysis {
    let mut analysis = Analysis {
        by_file: workspace
            .files
            .iter()
            .map(|file| file.parse_diagnostics.clone())
            .collect(),
        catalog: workspace.catalog.diagnostics.clone(),
        settings: workspace.settings.diagnostics.clone(),
        units: Vec::new(),
    };
    let Some(catalog) = &workspace.catalog.catalog else {
        return sorted(analysis);
    };
    let options = CompileOptions {
        default_author: workspace.settings.config.author.clone(),
        ceiling: workspace
            .settings
            .config
            .max_author
            .clone()
            .map(compile::Ceiling::builtin),
        lint_levels: workspace.lint_levels(),
        deny_warnings: false,
        emit_artifact: false,
    };
    let index_of: HashMap<FileId, usize> = workspace
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.id, index))
        .collect();
    let strays = (workspace.member_count..workspace.files.len()).map(|index| index..index + 1);
    let ranges: Vec<Range<usize>> = std::iter::once(0..workspace.member_count)
        .chain(strays)
        .collect();
    let mut ceiling_problem = None;
    for range in ranges {
        let (unit, diagnostics, problem) = analyze_unit(workspace, catalog, &options, range);
        ceiling_problem = ceiling_problem.or(problem);
        for diagnostic in diagnostics {
            let file = diagnostic.span.map(|span| span.file);
            let list = match file {
                Some(CATALOG_FILE) => Some(&mut analysis.catalog),
                Some(CONFIG_FILE) | None => Some(&mut analysis.settings),
                Some(id) => index_of
                    .get(&id)
                    .and_then(|&index| analysis.by_file.get_mut(index)),
            };
            if let Some(list) = list {
                list.push(diagnostic);
            }
        }
        analysis.units.push(unit);
    }
    if let Some(problem) = ceiling_problem {
        analysis.settings.push(settings_problem(problem));
    }
    sorted(analysis)
}

fn sorted(mut analysis: Analysis) -> Analysis {
    for list in &mut analysis.by_file {
        compile::sort_diagnostics(list);
    }
    compile::sort_diagnostics(&mut analysis.catalog);
    compile::sort_diagnostics(&mut analysis.settings);
    analysis
}

/// The run of the files at `range`: its roles, its diagnostics, and the problem with the
/// ceiling of `rolec.yaml` (`max_author:` that is no built-in), when there is one (the run
/// then goes on without a ceiling).
fn analyze_unit(
    workspace: &Workspace,
    catalog: &Catalog,
    options: &CompileOptions,
    range: Range<usize>,
) -> (Unit, Vec<Diagnostic>, Option<String>) {
    let files = workspace.parsed.get(range.clone()).unwrap_or_default();
    let file_states = workspace.files.get(range.clone()).unwrap_or_default();
    let with_syntax_errors: HashSet<FileId> = file_states
        .iter()
        .filter(|file| file.has_syntax_error)
        .map(|file| file.id)
        .collect();
    let facts = ParseFacts {
        files_with_syntax_errors: &with_syntax_errors,
        any_syntax_error: !with_syntax_errors.is_empty(),
    };
    let mut diagnostics = Vec::new();
    let no_bound = |_: &HashSet<String>| HashSet::new();
    let (checked, problem) =
        match compile::check_parsed(catalog, files, &facts, options, no_bound, &mut diagnostics) {
            Ok(checked) => (checked, None),
            Err(compile::UsageError(problem)) => {
                diagnostics.clear();
                // The settings name a role that is no role (the ceiling, or `author:`): the
                // problem is shown, and the files are checked without them.
                let without_ceiling = CompileOptions {
                    ceiling: None,
                    default_author: None,
                    ..options.clone()
                };
                let checked = compile::check_parsed(
                    catalog,
                    files,
                    &facts,
                    &without_ceiling,
                    no_bound,
                    &mut diagnostics,
                );
                match checked {
                    Ok(checked) => (checked, Some(problem)),
                    Err(_) => return (Unit::default(), diagnostics, Some(problem)),
                }
            }
        };
    let (resolution, authors) = checked;
    let builtin_spans: Vec<Span> = if workspace.catalog.path.is_some() {
        catalog
            .builtins
            .iter()
            .map(|builtin| builtin.span)
            .collect()
    } else {
        Vec::new()
    };
    let unit = role_table(&resolution, &authors, &builtin_spans, range);
    (unit, diagnostics, problem)
}

/// The roles of a run as the queries read them.
fn role_table(
    resolution: &Resolution<'_>,
    authors: &Authors,
    builtin_spans: &[Span],
    files: Range<usize>,
) -> Unit {
    let mut roles = Vec::with_capacity(resolution.roles.len());
    let mut by_name = HashMap::with_capacity(resolution.roles.len());
    for id in resolution.ids() {
        let Some(role) = resolution.role(id) else {
            continue;
        };
        let def = role.definition.map(|definition| definition.def);
        let author = role.definition.and_then(|definition| {
            let author = authors.by_file.get(&definition.file)?;
            resolution
                .role(*author)
                .map(|author| author.name.to_string())
        });
        let definition = match def {
            Some(def) => Some(def.name.span),
            None => builtin_spans.get(id.index()).copied(),
        };
        by_name.insert(role.name.to_string(), roles.len());
        roles.push(RoleInfo {
            name: role.name.to_string(),
            id: role.id.clone(),
            builtin: resolution.is_builtin(id),
            definition,
            base: def.and_then(|def| {
                let base = def.base.as_ref()?;
                Some((
                    base.kind,
                    base.roles.iter().map(|name| name.value.clone()).collect(),
                ))
            }),
            author,
            doc: def.and_then(|def| {
                def.annotations
                    .iter()
                    .find(|annotation| annotation.key.value == "doc")
                    .map(|annotation| annotation.value.clone())
            }),
            permissions: role.permissions.clone(),
        });
    }
    Unit {
        files,
        roles,
        by_name,
    }
}
