//! Resolution (docs/language.md, "Meaning"): names to roles, the role graph of `copies` / `inherits` edges,
//! cycles, and every role's permission set, computed in topological order with bitsets.
//!
//! The graph walk is iterative ([`crate::graph::components`], in topological order), so a
//! 100,000-deep copy chain costs no stack.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use foldhash::quality::RandomState;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph;
use smallvec::SmallVec;

use crate::ast::{Annotation, BaseKind, Edit, EditTarget, PolicyFile, RoleDef, Sign, Statement};
use crate::catalog::Catalog;
use crate::diagnostics::{join_names, Code, Diagnostic};
use crate::lints::{self, LintLevels, RoleLints};
use crate::names::{self, collision_key, visible, MAX_NAME_CHARS};
use crate::permset::{PermSet, PermissionId};
use crate::source::{FileId, Span, Spanned};
use crate::suggest::{self, max_distance, NameKind, Suggester};

/// The annotation that pins a role's id (`@id("sales-lead")`).
pub const ID_ANNOTATION: &str = "id";

/// The annotation that allows lints for one role (`@allow("empty-role same-as-base")`).
pub const ALLOW_ANNOTATION: &str = "allow";

/// Index of a role: built-ins first (catalog order), then custom roles in definition order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleId(usize);

impl RoleId {
    /// The role's position in [`Resolution::roles`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// A custom role's definition and the file it stands in.
#[derive(Clone, Copy, Debug)]
pub struct Definition<'a> {
    pub file: FileId,
    pub def: &'a RoleDef,
}

/// A role and, when it could be resolved, its permissions.
#[derive(Clone, Debug)]
pub struct Role<'a> {
    pub name: &'a str,
    /// The stable id (`@id`, or derived from the name); empty when it is invalid (reported).
    pub id: String,
    /// `None` for a built-in.
    pub definition: Option<Definition<'a>>,
    /// `None` when the role could not be resolved (a cycle, an unknown base, ...): the
    /// reason has been reported, and checks that need the set are skipped.
    pub permissions: Option<PermSet>,
}

/// What a role name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(RoleId),
    /// The name of a definition dropped because it collides with another: already
    /// reported, so references to it are not reported again.
    Dropped,
    Unknown,
}

/// Every role of a run.
#[derive(Debug)]
pub struct Resolution<'a> {
    pub roles: Vec<Role<'a>>,
    pub builtin_count: usize,
    /// Keyed by names from untrusted files: a hasher seeded at random per run (foldhash's
    /// `quality` variant), so that crafted names cannot make lookups collide; several times
    /// faster than std's SipHash on short names.
    ids: HashMap<&'a str, RoleId, RandomState>,
    dropped: HashSet<&'a str>,
    /// The run's *did you mean* for unknown roles, permissions and groups (bounded work).
    pub suggester: Suggester,
    /// Roles by the length of their names in characters, built at the first unknown role: a
    /// suggestion looks only at names of about the right length.
    ids_by_name_length: std::cell::OnceCell<Vec<Vec<RoleId>>>,
}

impl<'a> Resolution<'a> {
    pub fn lookup(&self, name: &str) -> Lookup {
        match self.ids.get(name) {
            Some(&id) => Lookup::Found(id),
            None if self.dropped.contains(name) => Lookup::Dropped,
            None => Lookup::Unknown,
        }
    }

    pub fn role(&self, id: RoleId) -> Option<&Role<'a>> {
        self.roles.get(id.0)
    }

    /// Every role: the built-ins in catalog order, then the custom roles in definition order.
    pub fn ids(&self) -> impl Iterator<Item = RoleId> {
        (0..self.roles.len()).map(RoleId)
    }

    /// The custom roles, in definition order.
    pub fn custom_ids(&self) -> impl Iterator<Item = RoleId> {
        (self.builtin_count..self.roles.len()).map(RoleId)
    }

    pub fn permissions(&self, id: RoleId) -> Option<&PermSet> {
        self.roles
            .get(id.0)
            .and_then(|role| role.permissions.as_ref())
    }

    pub fn is_builtin(&self, id: RoleId) -> bool {
        id.0 < self.builtin_count
    }

    /// "did you mean" help for an unknown role name, computed once per name, among the role
    /// names whose length is within the distance a suggestion allows.
    pub fn suggest_role(&self, name: &str) -> Option<String> {
        let length = name.chars().take(MAX_NAME_CHARS + 1).count();
        let by_length = self.ids_by_name_length.get_or_init(|| {
            let mut by_length = vec![Vec::new(); MAX_NAME_CHARS + 1];
            for (id, role) in self.roles.iter().enumerate() {
                if let Some(ids) = by_length.get_mut(role.name.chars().count()) {
                    ids.push(RoleId(id));
                }
            }
            by_length
        });
        let limit = max_distance(length);
        let near = by_length
            .get(length.saturating_sub(limit)..=(length + limit).min(MAX_NAME_CHARS))
            .unwrap_or(&[])
            .iter()
            .flatten()
            .filter_map(|&id| self.role(id).map(|role| role.name));
        self.suggester
            .cached(NameKind::Role, name, near)
            .map(|found| suggest::help(&found))
    }

    /// The error for a reference to a role no file and no built-in defines.
    pub fn unknown_role(&self, name: &Spanned<String>) -> Diagnostic {
        Diagnostic::error(
            Code::UnknownRole,
            name.span,
            format!("unknown role `{}`", name.value),
        )
        .with_label("no built-in and no file defines this role")
        .with_help_opt(self.suggest_role(&name.value))
    }
}

/// Where a permission of a role comes from: the last edit that adds it, or a base.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    Edit(&'a Edit),
    Base(&'a Spanned<String>),
}

/// The permissions an edit names, once its names are looked up in the catalog.
#[derive(Clone, Copy, Debug)]
enum Members {
    One(PermissionId),
    Group(usize),
    Unknown,
}

fn members_of(catalog: &Catalog, members: Members) -> PermSet {
    match members {
        Members::One(id) => std::iter::once(id).collect(),
        Members::Group(group) => catalog
            .groups
            .get(group)
            .map(|g| g.members.clone())
            .unwrap_or_default(),
        Members::Unknown => PermSet::new(),
    }
}

/// The error for a permission or group the catalog does not declare, written at `span` after
/// `sign` (`+`, `-`, or none in an assertion). A group's name written without `@`, or a
/// permission's written with it, gets the fix.
pub fn unknown_target(
    catalog: &Catalog,
    suggester: &Suggester,
    target: &EditTarget,
    sign: &str,
    span: Span,
) -> Diagnostic {
    let (code, message, help) = match target {
        EditTarget::Permission(name) => (
            Code::UnknownPermission,
            format!("unknown permission `{}`", visible(name)),
            match catalog.group_id(name) {
                Some(_) => Some(format!("`{name}` is a group: write `{sign}@{name}`")),
                None => catalog.suggest_permission(suggester, name),
            },
        ),
        EditTarget::Group(name) => (
            Code::UnknownGroup,
            format!("unknown group `@{}`", visible(name)),
            match catalog.permission_id(name) {
                Some(_) => Some(format!("`{name}` is a permission: write `{sign}{name}`")),
                None => catalog.suggest_group(suggester, name),
            },
        ),
    };
    Diagnostic::error(code, span, message)
        .with_label("not in the catalog")
        .with_help_opt(help)
}

/// Looks up an edit's permission or group, reporting unknown names.
fn edit_members(
    catalog: &Catalog,
    suggester: &Suggester,
    edit: &Edit,
    diagnostics: &mut Vec<Diagnostic>,
) -> Members {
    let members = match &edit.target {
        EditTarget::Permission(name) => catalog.permission_id(name).map(Members::One),
        EditTarget::Group(name) => catalog.group_id(name).map(Members::Group),
    };
    members.unwrap_or_else(|| {
        let sign = edit.sign.as_char().to_string();
        let target_span = edit.target_span;
        diagnostics.push(unknown_target(
            catalog,
            suggester,
            &edit.target,
            &sign,
            target_span,
        ));
        Members::Unknown
    })
}

/// Options of the resolution stage.
pub struct ResolveOptions<'l> {
    pub lint_levels: &'l LintLevels,
    /// False when a file of the run has syntax errors: a role that looks unknown may be
    /// defined in the text that did not parse.
    pub report_unknown_roles: bool,
}

/// Registers every role, builds the graph, reports cycles and resolves every role.
pub fn resolve<'a>(
    catalog: &'a Catalog,
    files: &'a [PolicyFile],
    options: &ResolveOptions<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Resolution<'a> {
    let mut resolution = register_roles(catalog, files, diagnostics);
    let builtin_count = resolution.builtin_count;
    // Edges run from a base to the role built on it.
    let mut graph =
        DiGraph::<RoleId, ()>::with_capacity(resolution.roles.len(), resolution.roles.len());
    let nodes: Vec<NodeIndex> = resolution.ids().map(|id| graph.add_node(id)).collect();
    let mut poisoned = vec![false; resolution.roles.len()];
    let mut edit_members_by_role: Vec<Vec<Members>> = vec![Vec::new(); resolution.roles.len()];
    // The roles each role is built on, looked up once here for the graph and for resolving.
    let mut bases_by_role: Vec<SmallVec<[RoleId; 2]>> =
        vec![SmallVec::new(); resolution.roles.len()];
    for id in resolution.custom_ids() {
        let Some(definition) = resolution.role(id).and_then(|role| role.definition) else {
            continue;
        };
        if let Some(base) = &definition.def.base {
            for reference in &base.roles {
                let lookup = resolution.lookup(&reference.value);
                if let Lookup::Found(base_id) = lookup {
                    if let (Some(&from), Some(&to)) = (nodes.get(base_id.0), nodes.get(id.0)) {
                        graph.add_edge(from, to, ());
                    }
                    if let Some(bases) = bases_by_role.get_mut(id.0) {
                        bases.push(base_id);
                    }
                    continue;
                }
                if let Some(poison) = poisoned.get_mut(id.0) {
                    *poison = true;
                }
                if lookup == Lookup::Unknown && options.report_unknown_roles {
                    diagnostics.push(resolution.unknown_role(reference));
                }
            }
        }
        let members = definition
            .def
            .edits
            .iter()
            .map(|edit| edit_members(catalog, &resolution.suggester, edit, diagnostics))
            .collect();
        if let Some(slot) = edit_members_by_role.get_mut(id.0) {
            *slot = members;
        }
    }

    for builtin in 0..builtin_count {
        let set = catalog.builtins.get(builtin).map(|b| b.permissions.clone());
        if let Some(role) = resolution.roles.get_mut(builtin) {
            role.permissions = set;
        }
    }

    let mut lints = RoleLints::new(options.lint_levels);
    for component in graph::components(&graph) {
        if component.is_cycle {
            diagnostics.push(cycle_diagnostic(&resolution, &graph, &component.nodes));
            for &node in &component.nodes {
                if let Some(poison) = graph
                    .node_weight(node)
                    .and_then(|&id| poisoned.get_mut(id.0))
                {
                    *poison = true;
                }
            }
            continue;
        }
        let Some(&node) = component.nodes.first() else {
            continue;
        };
        let id = graph[node];
        if resolution.is_builtin(id) || poisoned.get(id.0).copied().unwrap_or(true) {
            continue;
        }
        let Some(definition) = resolution.role(id).and_then(|role| role.definition) else {
            continue;
        };
        let bases = bases_by_role
            .get(id.0)
            .map_or(&[][..], |bases| bases.as_slice());
        if bases
            .iter()
            .any(|&base| resolution.permissions(base).is_none())
        {
            // A base could not be resolved: already reported where it failed.
            continue;
        }
        let members = edit_members_by_role
            .get(id.0)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let set = resolve_role(
            catalog,
            &resolution,
            bases,
            definition,
            members,
            &mut lints,
            diagnostics,
        );
        if let Some(role) = resolution.roles.get_mut(id.0) {
            role.permissions = Some(set);
        }
    }
    resolution
}

/// Registers built-ins and custom roles by name, reporting collisions (`builtin-redefined`,
/// `duplicate-role`) and repeated annotation keys.
fn register_roles<'a>(
    catalog: &'a Catalog,
    files: &'a [PolicyFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Resolution<'a> {
    let capacity = catalog.builtins.len()
        + files
            .iter()
            .flat_map(|file| &file.statements)
            .filter(|statement| matches!(statement, Statement::Role(_)))
            .count();
    let mut resolution = Resolution {
        roles: Vec::with_capacity(capacity),
        builtin_count: catalog.builtins.len(),
        ids: HashMap::with_capacity_and_hasher(capacity, RandomState::default()),
        dropped: HashSet::new(),
        suggester: Suggester::default(),
        ids_by_name_length: std::cell::OnceCell::new(),
    };
    let builtin_keys: Vec<String> = catalog
        .builtins
        .iter()
        .map(|builtin| collision_key(&builtin.name))
        .collect();
    let mut by_key: HashMap<&str, RoleId, RandomState> =
        HashMap::with_capacity_and_hasher(capacity, RandomState::default());
    for (builtin, key) in catalog.builtins.iter().zip(&builtin_keys) {
        let id = RoleId(resolution.roles.len());
        resolution.ids.insert(&builtin.name, id);
        by_key.insert(key, id);
        resolution.roles.push(Role {
            name: &builtin.name,
            id: String::new(),
            definition: None,
            permissions: None,
        });
    }
    for file in files {
        for statement in &file.statements {
            let Statement::Role(def) = statement else {
                continue;
            };
            check_annotations(def, diagnostics);
            let name = def.name.value.as_str();
            let key = def.key.as_str();
            let existing = match by_key.entry(key) {
                Entry::Occupied(entry) => Some(*entry.get()),
                Entry::Vacant(entry) => {
                    entry.insert(RoleId(resolution.roles.len()));
                    None
                }
            };
            match existing {
                Some(existing) => {
                    diagnostics.push(collision(&resolution, existing, def));
                    resolution.dropped.insert(name);
                }
                None => {
                    resolution.ids.insert(name, RoleId(resolution.roles.len()));
                    resolution.roles.push(Role {
                        name,
                        id: String::new(),
                        definition: Some(Definition {
                            file: file.file,
                            def,
                        }),
                        permissions: None,
                    });
                }
            }
        }
    }
    // A dropped name that is also a kept one (the exact same name twice) stays resolvable.
    let ids = &resolution.ids;
    resolution.dropped.retain(|name| !ids.contains_key(name));
    assign_ids(&mut resolution, diagnostics);
    resolution
}

/// Gives every role its stable id: `@id("...")` when pinned, else derived from the name
/// (built-ins too), reporting `invalid-id` and `duplicate-id` (the first role, in built-in
/// then definition order, keeps an id given twice).
fn assign_ids(resolution: &mut Resolution<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // Each role's id, with where it is given; `None` when it has none (reported).
    let given: Vec<Option<(String, Option<Span>)>> = resolution
        .roles
        .iter()
        .map(|role| {
            let def = role.definition.map(|definition| definition.def);
            let pinned = def.and_then(|def| {
                def.annotations
                    .iter()
                    .find(|annotation| annotation.key.value == ID_ANNOTATION)
            });
            if let Some(annotation) = pinned {
                if !names::is_valid_pinned_id(&annotation.value) {
                    diagnostics.push(invalid_pinned_id(annotation));
                    return None;
                }
                return Some((annotation.value.clone(), Some(annotation.value_span)));
            }
            match def {
                // A name that breaks the naming rules is reported as such; it has no id.
                Some(def) if !def.name_is_valid => None,
                Some(def) => {
                    let id = names::derive_id(role.name);
                    if id.is_empty() {
                        diagnostics.push(no_derived_id(def));
                        return None;
                    }
                    Some((id, Some(def.name.span)))
                }
                None => Some((names::derive_id(role.name), None)),
            }
        })
        .collect();
    // The first role with an id keeps it; the others are reported.
    let mut owners: HashMap<&str, usize, RandomState> =
        HashMap::with_capacity_and_hasher(given.len(), RandomState::default());
    for (index, (id, span)) in given
        .iter()
        .enumerate()
        .filter_map(|(index, id)| Some((index, id.as_ref()?)))
    {
        match owners.entry(id.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
            Entry::Occupied(first) => {
                let name = |index: usize| resolution.roles.get(index).map_or("", |role| role.name);
                let first_span = given.get(*first.get()).and_then(|id| id.as_ref()?.1);
                if let Some(span) = *span {
                    let first_name = name(*first.get());
                    diagnostics.push(duplicate_id(id, name(index), span, first_name, first_span));
                }
            }
        }
    }
    let mut kept = vec![false; given.len()];
    for index in owners.into_values() {
        if let Some(slot) = kept.get_mut(index) {
            *slot = true;
        }
    }
    for ((role, id), kept) in resolution.roles.iter_mut().zip(given).zip(kept) {
        if let (true, Some((id, _))) = (kept, id) {
            role.id = id;
        }
    }
}

/// `invalid-id`: a pinned id that breaks the rule.
fn invalid_pinned_id(annotation: &Annotation) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidId,
        annotation.value_span,
        format!("invalid role id `{}`", visible(&annotation.value)),
    )
    .with_label("not a valid id")
    .with_help(format!(
        "write lowercase ASCII letters and digits, words joined by `-`, at most {} characters: `sales-lead`",
        names::MAX_ID_CHARS
    ))
}

/// `invalid-id`: a name from which no id can be derived.
fn no_derived_id(def: &RoleDef) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidId,
        def.name.span,
        format!("role `{}` has no id: its name has no letter or digit", def.name.value),
    )
    .with_label("no id can be derived from this name")
    .with_help("pin one with `@id(\"...\")` on the line before `role`, or give the role a name with a letter or digit")
}

/// `duplicate-id`: `name` (at `span`) has the id `id`, which `first_name` has already.
fn duplicate_id(
    id: &str,
    name: &str,
    span: Span,
    first_name: &str,
    first_span: Option<Span>,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Code::DuplicateId,
        span,
        format!("role `{name}` has the id `{id}`, which role `{first_name}` has too"),
    )
    .with_label("same id as another role")
    .with_help(
        "an id is the key applications store; give one of the roles its own id with `@id(\"...\")`",
    );
    if let Some(first_span) = first_span {
        diagnostic = diagnostic.with_secondary(first_span, format!("`{first_name}` has it"));
    }
    diagnostic
}

/// `builtin-redefined` or `duplicate-role`: `def`'s name collides with the role `existing`.
fn collision(resolution: &Resolution<'_>, existing: RoleId, def: &RoleDef) -> Diagnostic {
    let name = def.name.value.as_str();
    let Some(role) = resolution.role(existing) else {
        return Diagnostic::error(
            Code::DuplicateRole,
            def.name.span,
            format!("role `{name}` is defined more than once"),
        );
    };
    let same = role.name == name;
    let Some(first) = role.definition else {
        let builtin = role.name;
        let message = if same {
            format!("built-in role `{name}` cannot be redefined")
        } else {
            format!("role `{name}` collides with built-in role `{builtin}`")
        };
        return Diagnostic::error(Code::BuiltinRedefined, def.name.span, message)
            .with_label("collides with a built-in role")
            .with_help(format!(
                "built-in roles cannot be redefined; give the role its own name and start from the built-in: `role {} copies {} < ... >`",
                names::written_name(&format!("My {builtin}")),
                names::written_name(builtin)
            ));
    };
    let message = if same {
        format!("role `{name}` is defined more than once")
    } else {
        format!("role `{name}` collides with role `{}`", role.name)
    };
    Diagnostic::error(Code::DuplicateRole, def.name.span, message)
        .with_label("defined again here")
        .with_secondary(first.def.name.span, "first defined here")
        .with_help(
            "role names collide when they are equal after Unicode normalization, case folding, whitespace collapsing and confusable mapping; rename or remove one",
        )
}

/// `duplicate-annotation` for a key given twice, and `unknown-lint` for a name in `@allow`
/// that is no lint.
fn check_annotations(def: &RoleDef, diagnostics: &mut Vec<Diagnostic>) {
    if def.annotations.is_empty() {
        return;
    }
    for (word, span, lint) in lints::allowed_by(def) {
        if lint.is_none() {
            diagnostics.push(lints::unknown_lint(word, span));
        }
    }
    if def.annotations.len() < 2 {
        return;
    }
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for annotation in &def.annotations {
        if let Some(&first) = seen.get(annotation.key.value.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateAnnotation,
                    annotation.key.span,
                    format!(
                        "annotation `@{}` is given twice on role `{}`",
                        annotation.key.value, def.name.value
                    ),
                )
                .with_label("given again here")
                .with_secondary(first, "first given here")
                .with_help("keep one of them"),
            );
        } else {
            seen.insert(&annotation.key.value, annotation.key.span);
        }
    }
}

/// One diagnostic for a cycle, naming every role on it.
fn cycle_diagnostic(
    resolution: &Resolution<'_>,
    graph: &DiGraph<RoleId, ()>,
    component: &[NodeIndex],
) -> Diagnostic {
    let mut members: Vec<RoleId> = component.iter().map(|&node| graph[node]).collect();
    members.sort_unstable();
    let in_cycle: HashSet<RoleId> = members.iter().copied().collect();
    let start = members.first().copied().unwrap_or(RoleId(0));
    // Walk "is based on" from the first role to show one concrete loop; the message lists
    // every member in that order when it can.
    let path = graph::walk(start, &in_cycle, |current| bases_of(resolution, current));
    let names = |ids: &[RoleId]| -> Vec<&str> {
        ids.iter()
            .filter_map(|&id| resolution.role(id).map(|r| r.name))
            .collect()
    };
    let start_role = resolution.role(start);
    let span = start_role
        .and_then(|role| role.definition)
        .map_or(Span::new(FileId(0), 0, 0), |d| d.def.name.span);
    let mut diagnostic = if members.len() == 1 {
        let name = start_role.map_or("", |role| role.name);
        let kind = start_role
            .and_then(|role| role.definition)
            .and_then(|d| d.def.base.as_ref())
            .map_or("copies", |base| base.kind.keyword());
        Diagnostic::error(Code::Cycle, span, format!("role `{name}` {kind} itself"))
            .with_label("defined in terms of itself")
    } else {
        let mut ring = names(&path);
        ring.push(start_role.map_or("", |role| role.name));
        let ring: Vec<String> = ring.iter().map(|name| format!("`{name}`")).collect();
        let message = if path.len() == members.len() {
            format!(
                "roles form a cycle through `copies` / `inherits`: {}",
                ring.join(" → ")
            )
        } else {
            format!(
                "roles {} form a cycle through `copies` / `inherits`",
                join_names(&names(&members))
            )
        };
        Diagnostic::error(Code::Cycle, span, message).with_label("this role depends on itself")
    };
    for &id in &members {
        let Some(def) = resolution.role(id).and_then(|role| role.definition) else {
            continue;
        };
        let Some(base) = &def.def.base else { continue };
        for reference in &base.roles {
            if let Lookup::Found(base_id) = resolution.lookup(&reference.value) {
                if in_cycle.contains(&base_id) && base_id != start {
                    diagnostic = diagnostic.with_secondary(
                        reference.span,
                        format!(
                            "`{}` {} `{}`",
                            def.def.name.value,
                            base.kind.keyword(),
                            reference.value
                        ),
                    );
                } else if base_id == start && id != start {
                    diagnostic = diagnostic.with_secondary(
                        reference.span,
                        format!("which {} `{}` again", base.kind.keyword(), reference.value),
                    );
                }
            }
        }
    }
    diagnostic.with_help(
        "a role cannot be built on itself: remove one `copies` or `inherits` link of the cycle",
    )
}

/// The roles `id` is built on.
fn bases_of<'r>(resolution: &'r Resolution<'_>, id: RoleId) -> impl Iterator<Item = RoleId> + 'r {
    resolution
        .role(id)
        .and_then(|role| role.definition)
        .and_then(|d| d.def.base.as_ref())
        .into_iter()
        .flat_map(|base| base.roles.iter())
        .filter_map(|reference| match resolution.lookup(&reference.value) {
            Lookup::Found(base_id) => Some(base_id),
            _ => None,
        })
}

/// Applies a role's base and edits, reporting `revokes-inherited`; the lints of its edits
/// and of its set are reported by `lints` as it goes.
fn resolve_role(
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    base_ids: &[RoleId],
    definition: Definition<'_>,
    members: &[Members],
    lints: &mut RoleLints<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> PermSet {
    let def = definition.def;
    let mut set = PermSet::new();
    for &base in base_ids {
        if let Some(base_set) = resolution.permissions(base) {
            set.union_with(base_set);
        }
    }
    let inherits = def
        .base
        .as_ref()
        .is_some_and(|base| base.kind == BaseKind::Inherits);
    let inherited = if inherits {
        set.clone()
    } else {
        PermSet::new()
    };
    // A role with an unknown name among its edits is reported there; lints about its
    // edits and resulting set would only repeat that.
    let has_unknown = members.iter().any(|m| matches!(m, Members::Unknown));
    lints.start_role(def, has_unknown);
    for (index, (edit, &edit_members)) in def.edits.iter().zip(members).enumerate() {
        if matches!(edit_members, Members::Unknown) {
            continue;
        }
        let targets = members_of(catalog, edit_members);
        let had_effect = match edit.sign {
            Sign::Add => {
                let had_effect = !targets.is_subset(&set);
                set.union_with(&targets);
                had_effect
            }
            Sign::Remove => {
                let protected = if inherits {
                    targets.intersection(&inherited)
                } else {
                    PermSet::new()
                };
                if !protected.is_empty() {
                    diagnostics.push(revokes_inherited(
                        catalog, resolution, base_ids, def, edit, &protected,
                    ));
                }
                let removable = targets.difference(&protected);
                let had_effect = !protected.is_empty() || !removable.intersection(&set).is_empty();
                set = set.difference(&removable);
                had_effect
            }
        };
        let role = &def.name.value;
        lints.applied(
            catalog,
            role,
            index,
            edit,
            &targets,
            had_effect,
            diagnostics,
        );
    }
    let copied = match (&def.base, base_ids.first()) {
        (Some(base), Some(&base_id)) if !inherits => {
            base.roles.first().zip(resolution.permissions(base_id))
        }
        _ => None,
    };
    lints.finish_role(def, &set, copied, diagnostics);
    set
}

/// `revokes-inherited`: `edit` removes `protected`, which a parent of `def` holds.
fn revokes_inherited(
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    parent_ids: &[RoleId],
    def: &RoleDef,
    edit: &Edit,
    protected: &PermSet,
) -> Diagnostic {
    let name = &def.name.value;
    let names = catalog.permission_names(protected);
    let parents: Vec<&str> = parent_ids
        .iter()
        .filter(|&&parent| {
            resolution
                .permissions(parent)
                .is_some_and(|p| !p.intersection(protected).is_empty())
        })
        .filter_map(|&parent| resolution.role(parent).map(|role| role.name))
        .collect();
    Diagnostic::error(
        Code::RevokesInherited,
        edit.span,
        format!(
            "`{}` removes {} from `{name}`, but {} {} through `inherits`",
            edit.text(),
            join_names(&names),
            join_names(&parents),
            if names.len() == 1 { "grants it" } else { "grants them" }
        ),
    )
    .with_label(if names.len() == 1 {
        "removes an inherited permission"
    } else {
        "removes inherited permissions"
    })
    .with_help(format!(
        "a role that inherits stays a superset of each parent; to start from a copy you can trim, write `copies {}` instead",
        parents.first().map_or_else(|| "...".to_string(), |parent| names::written_name(parent))
    ))
}

impl Lookup {
    pub fn as_found(self) -> Option<RoleId> {
        match self {
            Lookup::Found(id) => Some(id),
            _ => None,
        }
    }
}

/// Where `permission` of role `id` comes from: the last edit that adds it, else the first
/// base that holds it. `None` when the role has neither (a built-in, or no such permission).
pub fn origin<'a>(
    catalog: &Catalog,
    resolution: &Resolution<'a>,
    id: RoleId,
    permission: PermissionId,
) -> Option<Origin<'a>> {
    let def = resolution.role(id)?.definition?.def;
    let adding_edit = def
        .edits
        .iter()
        .rev()
        .find(|edit| edit.sign == Sign::Add && edit_names(catalog, edit, permission));
    if let Some(edit) = adding_edit {
        return Some(Origin::Edit(edit));
    }
    def.base
        .as_ref()?
        .roles
        .iter()
        .find(|reference| {
            resolution
                .lookup(&reference.value)
                .as_found()
                .and_then(|base| resolution.permissions(base))
                .is_some_and(|set| set.contains(permission))
        })
        .map(Origin::Base)
}

/// Whether `edit` names `permission`, itself or as a member of its group.
pub fn edit_names(catalog: &Catalog, edit: &Edit, permission: PermissionId) -> bool {
    match &edit.target {
        EditTarget::Permission(name) => catalog.permission_id(name) == Some(permission),
        EditTarget::Group(group) => catalog
            .group_members(group)
            .is_some_and(|members| members.contains(permission)),
    }
}

/// For each permission, the `+` edits of `def` that add it and that no later `-` takes back:
/// every one of them must go for the role to lose the permission.
pub fn standing_additions<'d>(
    catalog: &Catalog,
    def: &'d RoleDef,
) -> HashMap<PermissionId, Vec<&'d Edit>> {
    let mut standing: HashMap<PermissionId, Vec<&'d Edit>> = HashMap::new();
    for edit in &def.edits {
        let members: Vec<PermissionId> = match &edit.target {
            EditTarget::Permission(name) => catalog.permission_id(name).into_iter().collect(),
            EditTarget::Group(group) => catalog
                .group_members(group)
                .map(|members| members.iter().collect())
                .unwrap_or_default(),
        };
        for permission in members {
            let edits = standing.entry(permission).or_default();
            match edit.sign {
                Sign::Add => edits.push(edit),
                Sign::Remove => edits.clear(),
            }
        }
    }
    standing
}
