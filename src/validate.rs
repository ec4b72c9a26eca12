//! Validation: authors and the security rule (docs/language.md, "Authors and the security
//! rule": role management, no escalation, well-founded authority, the ceiling) and the
//! assertions.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph;

use crate::ast::{
    Assertion, AuthorStatement, BaseKind, Edit, EditTarget, Expectation, PolicyFile, RoleDef,
    Statement,
};
use crate::catalog::Catalog;
use crate::diagnostics::{join_names, Code, Diagnostic};
use crate::permset::{PermSet, PermissionId};
use crate::resolve::{self, origin, unknown_target, Lookup, Origin, Resolution, RoleId};
use crate::source::{FileId, Span, Spanned};

/// Options of the validation stage.
pub struct ValidateOptions<'o> {
    /// The author of files without an `author` statement (`--author`, `author:`).
    pub default_author: Option<&'o str>,
    /// The ceiling (`--max-author`), with its permissions already known.
    pub ceiling: Option<Ceiling<'o>>,
    /// False when a file of the run has syntax errors (see `ResolveOptions`).
    pub report_unknown_roles: bool,
    /// Files with syntax errors: a missing author may stand in the text that did not parse.
    pub files_with_syntax_errors: &'o HashSet<FileId>,
}

/// The ceiling of a run, resolved (see [`crate::compile::Ceiling`]).
pub struct Ceiling<'o> {
    pub name: &'o str,
    pub permissions: PermSet,
    /// The files whose authors it binds; `None`: every file.
    pub bound_files: Option<HashSet<FileId>>,
}

impl Ceiling<'_> {
    fn binds(&self, file: FileId) -> bool {
        self.bound_files
            .as_ref()
            .is_none_or(|files| files.contains(&file))
    }
}

/// Who authors each file, as known after validation.
#[derive(Clone, Debug, Default)]
pub struct Authors {
    /// The author role of each file, when it is known and defined.
    pub by_file: HashMap<FileId, RoleId, foldhash::fast::RandomState>,
}

/// Where a file's author came from, for diagnostics.
#[derive(Clone, Copy)]
enum AuthorSource<'a> {
    Statement(&'a AuthorStatement),
    /// `--author` or `author:`; reported at the file's first role.
    Default {
        name: &'a str,
        first_role: &'a RoleDef,
    },
}

impl AuthorSource<'_> {
    fn span(&self) -> Span {
        match self {
            AuthorSource::Statement(statement) => statement.name.span,
            AuthorSource::Default { first_role, .. } => first_role.keyword,
        }
    }

    fn name(&self) -> &str {
        match self {
            AuthorSource::Statement(statement) => &statement.name.value,
            AuthorSource::Default { name, .. } => name,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            AuthorSource::Statement(_) => "the file's author",
            AuthorSource::Default { .. } => {
                "authored by the role given with `--author` or `author:`"
            }
        }
    }
}

/// Checks authors, escalation, authority and assertions of every file.
pub fn validate(
    catalog: &Catalog,
    files: &[PolicyFile],
    resolution: &Resolution<'_>,
    options: &ValidateOptions<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Authors {
    let mut authors = Authors {
        by_file: HashMap::with_capacity_and_hasher(files.len(), Default::default()),
    };
    let mut authority =
        DiGraph::<RoleId, Span>::with_capacity(resolution.roles.len(), resolution.roles.len());
    let nodes: Vec<NodeIndex> = resolution.ids().map(|id| authority.add_node(id)).collect();

    for file in files {
        let Some(source) = file_author(file, options, diagnostics) else {
            continue;
        };
        let author = match resolution.lookup(source.name()) {
            Lookup::Found(id) => id,
            Lookup::Dropped => continue,
            Lookup::Unknown => {
                if options.report_unknown_roles {
                    let reference = Spanned {
                        value: source.name().to_string(),
                        span: source.span(),
                    };
                    let mut diagnostic = resolution.unknown_role(&reference);
                    if let AuthorSource::Default { .. } = source {
                        diagnostic.message = format!(
                            "unknown author role `{}` (given with `--author` or `author:`)",
                            source.name()
                        );
                        diagnostic.label = Some("these roles have no known author".into());
                    }
                    diagnostics.push(diagnostic);
                }
                continue;
            }
        };
        authors.by_file.insert(file.file, author);
        let author_set = resolution.permissions(author);
        // An author only matters for the roles it creates: a file of assertions alone
        // creates nothing, so its author is neither checked nor bounded.
        let defines_roles = file
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Role(_)));
        if let Some(author_set) = author_set.filter(|_| defines_roles) {
            check_manages_roles(catalog, source, author_set, diagnostics);
            if let Some(ceiling) = options
                .ceiling
                .as_ref()
                .filter(|ceiling| ceiling.binds(file.file))
            {
                check_ceiling(catalog, source, author_set, ceiling, diagnostics);
            }
        }
        for statement in &file.statements {
            let Statement::Role(def) = statement else {
                continue;
            };
            let Some(id) = defined_here(resolution, def) else {
                continue;
            };
            if let (Some(&from), Some(&to)) = (nodes.get(id.index()), nodes.get(author.index())) {
                authority.add_edge(from, to, source.span());
            }
            if let (Some(role_set), Some(author_set)) = (resolution.permissions(id), author_set) {
                check_escalation(
                    catalog,
                    resolution,
                    id,
                    def,
                    source,
                    author_set,
                    role_set,
                    diagnostics,
                );
            }
        }
    }

    for component in graph::components(&authority) {
        if component.is_cycle {
            diagnostics.push(authority_cycle(resolution, &authority, &component.nodes));
        }
    }

    for file in files {
        for statement in &file.statements {
            if let Statement::Assert(assertion) = statement {
                check_assertion(catalog, resolution, assertion, options, diagnostics);
            }
        }
    }
    authors
}

/// The id of `def` when it is the registered definition of its name (not a dropped duplicate).
fn defined_here(resolution: &Resolution<'_>, def: &RoleDef) -> Option<RoleId> {
    let id = resolution.lookup(&def.name.value).as_found()?;
    let registered = resolution.role(id)?.definition?;
    std::ptr::eq(registered.def, def).then_some(id)
}

/// Finds a file's author, reporting `misplaced-author` and `missing-author`.
fn file_author<'a>(
    file: &'a PolicyFile,
    options: &ValidateOptions<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AuthorSource<'a>> {
    let mut statement_author: Option<&AuthorStatement> = None;
    let mut first_role: Option<&RoleDef> = None;
    for statement in &file.statements {
        match statement {
            Statement::Author(author) => {
                if let Some(first) = statement_author {
                    diagnostics.push(
                        Diagnostic::error(Code::MisplacedAuthor, author.span, "a file has at most one `author` statement")
                            .with_label("second `author` statement")
                            .with_secondary(first.span, "the file's author is given here")
                            .with_help("remove this statement; to author roles as another role, put them in a file of their own"),
                    );
                } else {
                    if let Some(role) = first_role {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::MisplacedAuthor,
                                author.span,
                                "`author` must come before the file's first role",
                            )
                            .with_label("after a role")
                            .with_secondary(role.keyword, "first role of the file")
                            .with_help("move the `author` statement to the top of the file"),
                        );
                    }
                    statement_author = Some(author);
                }
            }
            Statement::Role(def) => {
                first_role.get_or_insert(def);
            }
            Statement::Assert(_) => {}
        }
    }
    if let Some(author) = statement_author {
        return Some(AuthorSource::Statement(author));
    }
    let first_role = first_role?;
    if let Some(name) = options.default_author {
        return Some(AuthorSource::Default { name, first_role });
    }
    if !options.files_with_syntax_errors.contains(&file.file) {
        diagnostics.push(
            Diagnostic::error(Code::MissingAuthor, first_role.keyword, "this file defines roles but has no author")
                .with_label("no author is known for this role")
                .with_help("start the file with `author ROLE` (the role that creates these roles), or pass `--author ROLE`"),
        );
    }
    None
}

fn check_manages_roles(
    catalog: &Catalog,
    source: AuthorSource<'_>,
    author_set: &PermSet,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if author_set.contains(catalog.role_management) {
        return;
    }
    let management = catalog.permission_name(catalog.role_management);
    let example = catalog
        .builtins
        .iter()
        .find(|builtin| builtin.permissions.contains(catalog.role_management))
        .map(|builtin| format!(" (such as `{}`)", builtin.name))
        .unwrap_or_default();
    diagnostics.push(
        Diagnostic::error(
            Code::AuthorCannotManageRoles,
            source.span(),
            format!("author `{}` cannot manage roles: it lacks `{management}`", source.name()),
        )
        .with_label(source.label())
        .with_help(format!("only a role that holds `{management}` can create roles; make the author a role that holds it{example}")),
    );
}

fn check_ceiling(
    catalog: &Catalog,
    source: AuthorSource<'_>,
    author_set: &PermSet,
    ceiling: &Ceiling<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let excess = author_set.difference(&ceiling.permissions);
    if excess.is_empty() {
        return;
    }
    diagnostics.push(
        Diagnostic::error(
            Code::AuthorAboveCeiling,
            source.span(),
            format!(
                "author `{}` is above the ceiling `{}`: it holds {}",
                source.name(),
                ceiling.name,
                join_names(&catalog.permission_names(&excess))
            ),
        )
        .with_label(source.label())
        .with_help(format!(
            "the ceiling (`--max-author` or `max_author:`) bounds who a file may claim as its author; claim `{}` or a role below it, or have someone who holds these permissions propose the change",
            ceiling.name
        )),
    );
}

#[allow(clippy::too_many_arguments)]
fn check_escalation(
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    id: RoleId,
    def: &RoleDef,
    source: AuthorSource<'_>,
    author_set: &PermSet,
    role_set: &PermSet,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let excess = role_set.difference(author_set);
    if excess.is_empty() {
        return;
    }
    // Group the excess permissions by where they come from, in source order.
    let mut by_origin: BTreeMap<Span, (Option<Origin<'_>>, Vec<PermissionId>)> = BTreeMap::new();
    for permission in excess.iter() {
        let found = origin(catalog, resolution, id, permission);
        let span = match found {
            Some(Origin::Edit(edit)) => edit.span,
            Some(Origin::Base(reference)) => reference.span,
            None => def.name.span,
        };
        by_origin
            .entry(span)
            .or_insert((found, Vec::new()))
            .1
            .push(permission);
    }
    let standing = resolve::standing_additions(catalog, def);
    let inherits = def
        .base
        .as_ref()
        .is_some_and(|base| base.kind == BaseKind::Inherits);
    let role = &def.name.value;
    let author = source.name();
    for (span, (found, permissions)) in by_origin {
        let names: Vec<&str> = permissions
            .iter()
            .map(|&permission| catalog.permission_name(permission))
            .collect();
        let listed = join_names(&names);
        let removal: Vec<String> = names.iter().map(|name| format!("-{name}")).collect();
        // The other edits that add some of these permissions: each must go too.
        let mut others: BTreeMap<Span, (&Edit, Vec<&str>)> = BTreeMap::new();
        for &permission in &permissions {
            for &edit in standing.get(&permission).into_iter().flatten() {
                if edit.span != span {
                    others
                        .entry(edit.span)
                        .or_insert((edit, Vec::new()))
                        .1
                        .push(catalog.permission_name(permission));
                }
            }
        }
        // Blamed on an edit, a permission that a base holds as well stays when the edit goes.
        let mut bases_too: Vec<(&Spanned<String>, Vec<&str>)> = Vec::new();
        if let Some(Origin::Edit(_)) = found {
            for reference in def.base.iter().flat_map(|base| &base.roles) {
                let held = resolution
                    .lookup(&reference.value)
                    .as_found()
                    .and_then(|base| resolution.permissions(base));
                let also: Vec<&str> = permissions
                    .iter()
                    .filter(|&&permission| held.is_some_and(|set| set.contains(permission)))
                    .map(|&permission| catalog.permission_name(permission))
                    .collect();
                if !also.is_empty() {
                    bases_too.push((reference, also));
                }
            }
        }
        let (label, help) = match found {
            Some(Origin::Edit(edit)) => {
                let edits: Vec<String> = std::iter::once(edit)
                    .chain(others.values().map(|(other, _)| *other))
                    .map(Edit::text)
                    .collect();
                let and_the_base = match (bases_too.is_empty(), inherits) {
                    (true, _) => String::new(),
                    (false, false) => {
                        let held: BTreeSet<&str> = bases_too
                            .iter()
                            .flat_map(|(_, names)| names.iter().copied())
                            .collect();
                        let revokes: Vec<String> =
                            held.iter().map(|name| format!("-{name}")).collect();
                        format!(
                            " and revoke what the copy holds too (`{}`)",
                            revokes.join(" ")
                        )
                    }
                    (false, true) => {
                        format!(" and inherit only from roles within `{author}`'s permissions")
                    }
                };
                (
                    format!("`{}` adds {listed}", edit.text()),
                    format!(
                        "remove {}{and_the_base}, or have the file authored by a role that holds {listed}",
                        join_names(&edits)
                    ),
                )
            }
            Some(Origin::Base(reference)) => {
                if !inherits {
                    (
                        format!("copied from `{}`", reference.value),
                        // With edits already, the revokes join them inside the same `< >`.
                        if def.edits.is_empty() {
                            format!("remove them with `< {} >`, or copy a role within `{author}`'s permissions", removal.join(" "))
                        } else {
                            format!("remove them with `{}` among the role's edits, or copy a role within `{author}`'s permissions", removal.join(" "))
                        },
                    )
                } else {
                    (
                        format!("inherited from `{}`", reference.value),
                        format!("inherit only from roles within `{author}`'s permissions, or have the file authored by a role that holds {listed}"),
                    )
                }
            }
            None => (
                "holds them".to_string(),
                format!("have the file authored by a role that holds {listed}"),
            ),
        };
        let mut diagnostic = Diagnostic::error(
            Code::Escalation,
            span,
            format!("role `{role}` holds {listed}, which its author `{author}` lacks"),
        )
        .with_label(label);
        for (other_span, (other, names)) in others {
            diagnostic = diagnostic.with_secondary(
                other_span,
                format!("`{}` adds {} too", other.text(), join_names(&names)),
            );
        }
        for (reference, names) in bases_too {
            diagnostic = diagnostic.with_secondary(
                reference.span,
                format!("`{}` holds {} too", reference.value, join_names(&names)),
            );
        }
        diagnostics.push(
            diagnostic
                .with_secondary(source.span(), format!("author `{author}`"))
                .with_help(format!(
                    "an author can only create roles with permissions it holds itself; {help}"
                )),
        );
    }
}

fn authority_cycle(
    resolution: &Resolution<'_>,
    graph: &DiGraph<RoleId, Span>,
    component: &[NodeIndex],
) -> Diagnostic {
    let mut members: Vec<(RoleId, NodeIndex)> =
        component.iter().map(|&node| (graph[node], node)).collect();
    members.sort_unstable();
    let in_cycle: HashSet<NodeIndex> = component.iter().copied().collect();
    let name = |id: RoleId| resolution.role(id).map_or("", |role| role.name);
    let Some(&(first, first_node)) = members.first() else {
        return Diagnostic::error(
            Code::AuthorityCycle,
            Span::new(crate::source::FileId(0), 0, 0),
            "authority cycle",
        );
    };
    let span = resolution
        .role(first)
        .and_then(|role| role.definition)
        .map_or(Span::new(crate::source::FileId(0), 0, 0), |d| {
            d.def.name.span
        });
    let message = if members.len() == 1 {
        format!(
            "role `{}` is authored by itself: its file's author is the role it defines",
            name(first)
        )
    } else {
        // Follow "is authored by" from the first role around the cycle (nodes are numbered
        // like roles, so the smallest node is the smallest role).
        let walked = graph::walk(first_node, &in_cycle, |current| graph.neighbors(current));
        let mut ring: Vec<String> = walked
            .iter()
            .map(|&node| format!("`{}`", name(graph[node])))
            .collect();
        let all: Vec<&str> = members.iter().map(|&(id, _)| name(id)).collect();
        if walked.len() == members.len() {
            ring.push(format!("`{}`", name(first)));
            format!(
                "authority cycle: {} (each is authored by the next)",
                ring.join(" → ")
            )
        } else {
            format!("authority cycle between roles {}", join_names(&all))
        }
    };
    let mut diagnostic = Diagnostic::error(Code::AuthorityCycle, span, message)
        .with_label("authority does not reach a built-in role");
    let mut labelled = HashSet::new();
    for &(_, node) in &members {
        for edge in graph.edges(node) {
            use petgraph::visit::EdgeRef;
            if in_cycle.contains(&edge.target()) && labelled.insert(*edge.weight()) {
                diagnostic = diagnostic.with_secondary(
                    *edge.weight(),
                    format!(
                        "`{}` authors `{}`",
                        name(graph[edge.target()]),
                        name(graph[node])
                    ),
                );
            }
        }
    }
    diagnostic.with_help("following each role's author must end at a built-in role; have one of these files authored by a built-in role")
}

fn check_assertion(
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    assertion: &Assertion,
    options: &ValidateOptions<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // What each target names: a permission, or every permission of an `@group`.
    let named = |target: &str| -> Option<PermSet> {
        match target.strip_prefix('@') {
            Some(group) => catalog.group_members(group).cloned(),
            None => catalog
                .permission_id(target)
                .map(|id| std::iter::once(id).collect()),
        }
    };
    let mut listed = PermSet::new();
    for target in &assertion.permissions {
        match (named(&target.value), target.value.strip_prefix('@')) {
            (Some(set), _) => listed.union_with(&set),
            (None, written) => {
                let unknown = match written {
                    Some(group) => EditTarget::Group(group.to_string()),
                    None => EditTarget::Permission(target.value.clone()),
                };
                let suggester = &resolution.suggester;
                diagnostics.push(unknown_target(
                    catalog,
                    suggester,
                    &unknown,
                    "",
                    target.span,
                ));
            }
        }
    }
    let role = match resolution.lookup(&assertion.role.value) {
        Lookup::Found(id) => id,
        Lookup::Dropped => return,
        Lookup::Unknown => {
            if options.report_unknown_roles {
                diagnostics.push(resolution.unknown_role(&assertion.role));
            }
            return;
        }
    };
    let Some(set) = resolution.permissions(role) else {
        return;
    };
    let failing = match assertion.expectation {
        Expectation::Can => listed.difference(set),
        Expectation::Cannot => listed.intersection(set),
    };
    if failing.is_empty() {
        return;
    }
    let name = &assertion.role.value;
    let names = join_names(&catalog.permission_names(&failing));
    let (message, label) = match assertion.expectation {
        Expectation::Can => (
            format!("assertion failed: `{name}` lacks {names}"),
            "not held",
        ),
        Expectation::Cannot => (format!("assertion failed: `{name}` holds {names}"), "held"),
    };
    let mut diagnostic = Diagnostic::error(Code::AssertionFailed, assertion.head, message)
        .with_label("this assertion does not hold");
    for target in &assertion.permissions {
        if named(&target.value).is_some_and(|set| !set.intersection(&failing).is_empty()) {
            diagnostic = diagnostic.with_secondary(target.span, label);
        }
    }
    let edits = |sign: char| {
        catalog
            .permission_names(&failing)
            .iter()
            .map(|permission| format!("{sign}{permission}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let help = match assertion.expectation {
        Expectation::Can => format!(
            "`{name}` does not resolve to these permissions: add them with `{}`, or fix the assertion",
            edits('+')
        ),
        Expectation::Cannot => format!(
            "`{name}` resolves to these permissions: remove them with `{}`, or fix the assertion",
            edits('-')
        ),
    };
    diagnostics.push(diagnostic.with_help(help));
}
