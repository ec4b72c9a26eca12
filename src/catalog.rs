//! The catalog (README.md, docs/language.md "Permissions" and "Groups"): permissions, groups, built-in roles and the role-management
//! permission, loaded from YAML with `serde-saphyr` and checked like code.
//!
//! The embedded Intum catalog is `catalog/intum.yaml`, compiled in with `include_str!`.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Deserialize;
use serde_saphyr::Spanned as YamlSpanned;

use crate::diagnostics::{join_names, Code, Diagnostic};
use crate::names;
use crate::permset::{PermSet, PermissionId};
use crate::source::{FileId, SourceMap, Span};
use crate::suggest::{self, NameKind, Suggester};
use crate::yaml::{parse_yaml, yaml_span};

/// The text of the embedded Intum catalog.
pub const EMBEDDED_CATALOG: &str = include_str!("../catalog/intum.yaml");

/// The path under which the embedded catalog appears in diagnostics.
pub const EMBEDDED_CATALOG_PATH: &str = "<embedded>/intum.yaml";

/// Adds the embedded catalog's text to `sources`, under [`EMBEDDED_CATALOG_PATH`].
pub fn add_embedded_source(sources: &mut SourceMap) -> FileId {
    sources.add(EMBEDDED_CATALOG_PATH.into(), EMBEDDED_CATALOG.into())
}

/// The embedded catalog, loaded once per process (`None` if it had a problem, which a test
/// rules out): it cannot change, and parsing and checking its YAML costs more than compiling
/// a small policy, which matters to the fuzz targets and benches that compile again and
/// again. A catalog holds no spans, so one copy serves every compile.
pub fn embedded() -> Option<&'static Catalog> {
    static EMBEDDED: std::sync::OnceLock<Option<Catalog>> = std::sync::OnceLock::new();
    EMBEDDED
        .get_or_init(|| {
            let mut sources = SourceMap::default();
            let id = add_embedded_source(&mut sources);
            match load(&sources, id) {
                (Some(catalog), diagnostics) if diagnostics.is_empty() => Some(catalog),
                _ => None,
            }
        })
        .as_ref()
}

/// A group of permissions.
#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub title: String,
    pub sensitive: bool,
    pub members: PermSet,
}

/// A permission, identified by its position in the catalog.
#[derive(Clone, Debug)]
pub struct Permission {
    pub name: String,
    pub group: usize,
    pub description: String,
}

/// A built-in role with its resolved permissions.
#[derive(Clone, Debug)]
pub struct Builtin {
    pub name: String,
    /// Where the built-in's name is written in the catalog file.
    pub span: Span,
    pub permissions: PermSet,
}

/// A checked catalog.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub name: String,
    pub groups: Vec<Group>,
    pub permissions: Vec<Permission>,
    pub builtins: Vec<Builtin>,
    pub role_management: PermissionId,
    /// Looked up once per edit: foldhash (seeded per run) rather than std's SipHash.
    permission_ids: NameMap<PermissionId>,
    group_ids: NameMap<usize>,
}

/// A map from catalog names.
type NameMap<V> = HashMap<String, V, foldhash::quality::RandomState>;

impl Catalog {
    pub fn permission_id(&self, name: &str) -> Option<PermissionId> {
        self.permission_ids.get(name).copied()
    }

    pub fn group_id(&self, name: &str) -> Option<usize> {
        self.group_ids.get(name).copied()
    }

    /// The permissions of the group `name`, when the catalog declares it.
    pub fn group_members(&self, name: &str) -> Option<&PermSet> {
        self.group_id(name)
            .and_then(|group| self.groups.get(group))
            .map(|group| &group.members)
    }

    pub fn permission_name(&self, id: PermissionId) -> &str {
        self.permissions
            .get(id)
            .map_or("?", |permission| permission.name.as_str())
    }

    /// Names of the members of `set`, in catalog order.
    pub fn permission_names(&self, set: &PermSet) -> Vec<&str> {
        set.iter().map(|id| self.permission_name(id)).collect()
    }

    pub fn builtin_id(&self, name: &str) -> Option<usize> {
        self.builtins
            .iter()
            .position(|builtin| builtin.name == name)
    }

    /// "did you mean" help for an unknown permission name (once per name, see
    /// [`Suggester::cached`]).
    pub fn suggest_permission(&self, suggester: &Suggester, name: &str) -> Option<String> {
        let names = self.permissions.iter().map(|p| p.name.as_str());
        suggester
            .cached(NameKind::Permission, name, names)
            .map(|found| suggest::help(&found))
    }

    /// "did you mean" help for an unknown group name (`@` not included).
    pub fn suggest_group(&self, suggester: &Suggester, name: &str) -> Option<String> {
        let names = self.groups.iter().map(|g| g.name.as_str());
        suggester
            .cached(NameKind::Group, name, names)
            .map(|found| suggest::help(&format!("@{found}")))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    name: YamlSpanned<String>,
    role_management: YamlSpanned<String>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    permissions: Vec<RawPermission>,
    #[serde(default)]
    builtins: Vec<RawBuiltin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: YamlSpanned<String>,
    title: String,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPermission {
    name: YamlSpanned<String>,
    group: YamlSpanned<String>,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuiltin {
    name: YamlSpanned<String>,
    #[serde(default)]
    inherits: Vec<YamlSpanned<String>>,
    #[serde(default)]
    permissions: Vec<YamlSpanned<String>>,
}

/// Loads and checks the catalog in `file`. Returns the catalog when it has no errors.
pub fn load(sources: &SourceMap, file: FileId) -> (Option<Catalog>, Vec<Diagnostic>) {
    let raw: RawCatalog = match parse_yaml(sources, file, Code::InvalidCatalog) {
        Ok(raw) => raw,
        Err(diagnostic) => return (None, vec![*diagnostic]),
    };
    let text = sources
        .get(file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let span_of = |location: &serde_saphyr::Location| yaml_span(file, &text, location);
    let mut diagnostics = Vec::new();
    let suggester = Suggester::default();
    let mut invalid = |span: Span, message: String, help: Option<String>| {
        diagnostics
            .push(Diagnostic::error(Code::InvalidCatalog, span, message).with_help_opt(help));
    };

    let mut groups = Vec::new();
    let mut group_ids = NameMap::default();
    for raw_group in &raw.groups {
        let name = &raw_group.name.value;
        let span = span_of(&raw_group.name.referenced);
        // A group with an invalid name is still counted, so that its permissions are not
        // reported again as in an unknown group.
        match check_name(NameOf::Group, name, span, &group_ids, &mut invalid) {
            NameCheck::New => {
                group_ids.insert(name.clone(), groups.len());
            }
            NameCheck::Invalid => {}
            NameCheck::Duplicate => continue,
        }
        groups.push(Group {
            name: name.clone(),
            title: raw_group.title.clone(),
            sensitive: raw_group.sensitive,
            members: PermSet::new(),
        });
    }

    let mut permissions = Vec::new();
    let mut permission_ids = NameMap::default();
    for raw_permission in &raw.permissions {
        let name = &raw_permission.name.value;
        let span = span_of(&raw_permission.name.referenced);
        if check_name(
            NameOf::Permission,
            name,
            span,
            &permission_ids,
            &mut invalid,
        ) != NameCheck::New
        {
            continue;
        }
        let group_name = &raw_permission.group.value;
        let Some(&group) = group_ids.get(group_name) else {
            invalid(
                span_of(&raw_permission.group.referenced),
                format!("unknown group `{group_name}` for permission `{name}`"),
                suggester
                    .closest(group_name, groups.iter().map(|g: &Group| g.name.as_str()))
                    .map(suggest::help),
            );
            continue;
        };
        let id = permissions.len();
        if let Some(group) = groups.get_mut(group) {
            group.members.insert(id);
        }
        permission_ids.insert(name.clone(), id);
        permissions.push(Permission {
            name: name.clone(),
            group,
            description: raw_permission.description.clone(),
        });
    }

    let role_management = permission_ids.get(&raw.role_management.value).copied();
    if role_management.is_none() {
        invalid(
            span_of(&raw.role_management.referenced),
            format!(
                "role-management permission `{}` is not declared",
                raw.role_management.value
            ),
            suggester
                .closest(
                    &raw.role_management.value,
                    permissions.iter().map(|p| p.name.as_str()),
                )
                .map(suggest::help),
        );
    }

    let context = BuiltinContext {
        span_of: &span_of,
        permission_ids: &permission_ids,
        group_ids: &group_ids,
        groups: &groups,
        suggester: &suggester,
    };
    let builtins = resolve_builtins(&raw.builtins, &context, &mut invalid);

    if !diagnostics.is_empty() {
        return (None, diagnostics);
    }
    let catalog = builtins
        .zip(role_management)
        .map(|(builtins, role_management)| Catalog {
            name: raw.name.value,
            groups,
            permissions,
            builtins,
            role_management,
            permission_ids,
            group_ids,
        });
    (catalog, diagnostics)
}

/// The two kinds of names a catalog declares.
#[derive(Clone, Copy)]
enum NameOf {
    Group,
    Permission,
}

/// What [`check_name`] found about a name (and reported, when it is a problem).
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameCheck {
    New,
    Invalid,
    Duplicate,
}

/// Checks a group or permission name written at `span`: valid, and not declared before;
/// a problem is reported through `invalid`.
fn check_name<V>(
    of: NameOf,
    name: &str,
    span: Span,
    declared: &NameMap<V>,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> NameCheck {
    let (kind, valid, rule) = match of {
        NameOf::Group => (
            "group",
            names::is_valid_group(name),
            "group names are lowercase ASCII: `[a-z][a-z0-9_]*`",
        ),
        NameOf::Permission => (
            "permission",
            names::is_valid_permission(name),
            "permission names are `[a-z][a-z0-9_]*` segments joined by `/`",
        ),
    };
    if !valid {
        invalid(
            span,
            format!("invalid {kind} name `{name}`"),
            Some(rule.into()),
        );
        NameCheck::Invalid
    } else if declared.contains_key(name) {
        invalid(span, format!("duplicate {kind} `{name}`"), None);
        NameCheck::Duplicate
    } else {
        NameCheck::New
    }
}

/// What the built-ins are checked against: the catalog's permissions and groups so far,
/// the spans of the YAML, where problems go, and the suggestions for unknown names.
struct BuiltinContext<'c> {
    span_of: &'c dyn Fn(&serde_saphyr::Location) -> Span,
    permission_ids: &'c NameMap<PermissionId>,
    group_ids: &'c NameMap<usize>,
    groups: &'c [Group],
    suggester: &'c Suggester,
}

/// Checks the built-ins' names, grants and inheritance, and resolves their permission sets:
/// `None` when any of it has a problem (each reported through `invalid`).
fn resolve_builtins(
    raw_builtins: &[RawBuiltin],
    context: &BuiltinContext<'_>,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> Option<Vec<Builtin>> {
    let index_by_name = index_builtins(raw_builtins, context, invalid);
    let mut ok = index_by_name.len() == raw_builtins.len();
    let mut own = vec![PermSet::new(); raw_builtins.len()];
    let mut graph = DiGraph::<usize, ()>::new();
    let nodes: Vec<NodeIndex> = (0..raw_builtins.len()).map(|i| graph.add_node(i)).collect();
    for ((builtin, own_set), &node) in raw_builtins.iter().zip(own.iter_mut()).zip(&nodes) {
        ok &= grant_builtin(builtin, own_set, context, invalid);
        for parent in &builtin.inherits {
            match index_by_name.get(parent.value.as_str()) {
                Some(&parent_index) => {
                    if let Some(&parent_node) = nodes.get(parent_index) {
                        graph.add_edge(parent_node, node, ());
                    }
                }
                None => {
                    invalid(
                        (context.span_of)(&parent.referenced),
                        format!(
                            "built-in `{}` inherits unknown role `{}`",
                            builtin.name.value, parent.value
                        ),
                        context
                            .suggester
                            .cached(NameKind::Role, &parent.value, index_by_name.keys().copied())
                            .map(|found| suggest::help(&found)),
                    );
                    ok = false;
                }
            }
        }
    }
    let resolved = resolve_in_order(raw_builtins, &graph, &own, context, invalid)?;
    if !ok {
        return None;
    }
    Some(
        raw_builtins
            .iter()
            .zip(resolved)
            .map(|(builtin, permissions)| Builtin {
                name: builtin.name.value.clone(),
                span: (context.span_of)(&builtin.name.referenced),
                permissions,
            })
            .collect(),
    )
}

/// The built-ins by name, after checking each name and that no two collide; a built-in with
/// a problem is left out (and reported).
fn index_builtins<'r>(
    raw_builtins: &'r [RawBuiltin],
    context: &BuiltinContext<'_>,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> HashMap<&'r str, usize> {
    let mut index_by_name: HashMap<&str, usize> = HashMap::new();
    let mut index_by_key: HashMap<String, usize> = HashMap::new();
    for (index, builtin) in raw_builtins.iter().enumerate() {
        let name = builtin.name.value.as_str();
        let span = (context.span_of)(&builtin.name.referenced);
        if let Err(problem) = names::check_role_name(name) {
            invalid(
                span,
                format!("invalid built-in role name `{name}`: {}", problem.problem),
                Some(problem.fix.into()),
            );
            continue;
        }
        let key = names::collision_key(name);
        if let Some(&other) = index_by_key.get(&key) {
            let other = raw_builtins
                .get(other)
                .map_or("", |b| b.name.value.as_str());
            invalid(
                span,
                format!("built-in role `{name}` collides with built-in role `{other}`"),
                None,
            );
            continue;
        }
        index_by_key.insert(key, index);
        index_by_name.insert(name, index);
    }
    index_by_name
}

/// Adds the permissions and groups a built-in lists to `own_set`; false when one is unknown
/// (and reported).
fn grant_builtin(
    builtin: &RawBuiltin,
    own_set: &mut PermSet,
    context: &BuiltinContext<'_>,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> bool {
    let mut ok = true;
    for grant in &builtin.permissions {
        let span = (context.span_of)(&grant.referenced);
        if let Some(group_name) = grant.value.strip_prefix('@') {
            match context
                .group_ids
                .get(group_name)
                .and_then(|&id| context.groups.get(id))
            {
                Some(group) => own_set.union_with(&group.members),
                None => {
                    let names = context.groups.iter().map(|g| g.name.as_str());
                    invalid(
                        span,
                        format!("unknown group `@{group_name}`"),
                        context
                            .suggester
                            .cached(NameKind::Group, group_name, names)
                            .map(|found| suggest::help(&format!("@{found}"))),
                    );
                    ok = false;
                }
            }
        } else if let Some(&id) = context.permission_ids.get(&grant.value) {
            own_set.insert(id);
        } else {
            let names = context.permission_ids.keys().map(String::as_str);
            invalid(
                span,
                format!("unknown permission `{}`", grant.value),
                context
                    .suggester
                    .cached(NameKind::Permission, &grant.value, names)
                    .map(|found| suggest::help(&found)),
            );
            ok = false;
        }
    }
    ok
}

/// Every built-in's set: its own permissions and its parents' sets, parents first; `None`
/// when the built-ins inherit each other in a cycle (reported).
fn resolve_in_order(
    raw_builtins: &[RawBuiltin],
    graph: &DiGraph<usize, ()>,
    own: &[PermSet],
    context: &BuiltinContext<'_>,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> Option<Vec<PermSet>> {
    let mut resolved: Vec<Option<PermSet>> = vec![None; raw_builtins.len()];
    let mut ok = true;
    for component in crate::graph::components(graph) {
        if component.is_cycle {
            let mut members: Vec<usize> = component.nodes.iter().map(|&node| graph[node]).collect();
            members.sort_unstable();
            let names: Vec<&str> = members
                .iter()
                .filter_map(|&i| raw_builtins.get(i).map(|b| b.name.value.as_str()))
                .collect();
            if let Some(first) = members.first().and_then(|&i| raw_builtins.get(i)) {
                invalid(
                    (context.span_of)(&first.name.referenced),
                    format!(
                        "built-in roles {} inherit each other in a cycle",
                        join_names(&names)
                    ),
                    None,
                );
            }
            ok = false;
            continue;
        }
        for &node in &component.nodes {
            let index = graph[node];
            let mut set = own.get(index).cloned().unwrap_or_default();
            for parent in graph.neighbors_directed(node, petgraph::Direction::Incoming) {
                if let Some(Some(parent_set)) = resolved.get(graph[parent]) {
                    set.union_with(parent_set);
                }
            }
            if let Some(slot) = resolved.get_mut(index) {
                *slot = Some(set);
            }
        }
    }
    if !ok {
        return None;
    }
    resolved.into_iter().collect()
}
