//! The catalog (section 1.1): permissions, groups, built-in roles and the role-management
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

/// The span of a YAML node in file `file` whose text is `text`.
pub fn yaml_span(file: FileId, text: &str, location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    let start = match span.byte_offset() {
        Some(offset) => usize::try_from(offset).unwrap_or(usize::MAX),
        None => offset_of_line_column(text, location.line(), location.column()),
    };
    let length = span
        .byte_len()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let start = start.min(text.len());
    Span::new(file, start, start.saturating_add(length).min(text.len()))
}

fn offset_of_line_column(text: &str, line: u64, column: u64) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(usize::try_from(line - 2).unwrap_or(usize::MAX))
            .map_or(text.len(), |(index, _)| index + 1)
    };
    let rest = text.get(line_start..).unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    line_start
        + rest
            .char_indices()
            .nth(skip)
            .map_or(rest.len(), |(index, _)| index)
}

/// Deserializes YAML with the crate's bounded budget; an error becomes one diagnostic.
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(
    sources: &SourceMap,
    file: FileId,
    code: Code,
) -> Result<T, Box<Diagnostic>> {
    let text = sources
        .get(file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<T>(&text, options).map_err(|error| {
        let span = error.location().map_or(Span::new(file, 0, 0), |location| {
            yaml_span(file, &text, &location)
        });
        let message = error.without_snippet().to_string();
        if message.starts_with("budget breached") {
            return Box::new(
                Diagnostic::error(
                    code,
                    span,
                    "the YAML document is too large or expands too far through aliases",
                )
                .with_label("reading stopped here")
                .with_help(
                    "rolec reads YAML with a fixed budget of nodes, aliases and nesting, so that a small file cannot expand into a huge one; write the document out without aliases",
                ),
            );
        }
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .trim()
            .to_string();
        Box::new(Diagnostic::error(code, span, message))
    })
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
        if !names::is_valid_group(name) {
            invalid(
                span,
                format!("invalid group name `{name}`"),
                Some("group names are lowercase ASCII: `[a-z][a-z0-9_]*`".into()),
            );
        } else if group_ids.insert(name.clone(), groups.len()).is_some() {
            invalid(span, format!("duplicate group `{name}`"), None);
            continue;
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
        if !names::is_valid_permission(name) {
            invalid(
                span,
                format!("invalid permission name `{name}`"),
                Some("permission names are `[a-z][a-z0-9_]*` segments joined by `/`".into()),
            );
            continue;
        }
        if permission_ids.contains_key(name) {
            invalid(span, format!("duplicate permission `{name}`"), None);
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

    let builtins = resolve_builtins(
        &raw.builtins,
        &span_of,
        &permission_ids,
        &group_ids,
        &groups,
        &suggester,
        &mut invalid,
    );

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

/// Checks the built-ins' names, grants and inheritance, and resolves their permission sets.
fn resolve_builtins(
    raw_builtins: &[RawBuiltin],
    span_of: &dyn Fn(&serde_saphyr::Location) -> Span,
    permission_ids: &NameMap<PermissionId>,
    group_ids: &NameMap<usize>,
    groups: &[Group],
    suggester: &Suggester,
    invalid: &mut dyn FnMut(Span, String, Option<String>),
) -> Option<Vec<Builtin>> {
    let mut ok = true;
    let mut index_by_name: HashMap<&str, usize> = HashMap::new();
    let mut index_by_key: HashMap<String, usize> = HashMap::new();
    for (index, builtin) in raw_builtins.iter().enumerate() {
        let name = builtin.name.value.as_str();
        let span = span_of(&builtin.name.referenced);
        if let Err(problem) = names::check_role_name(name) {
            invalid(
                span,
                format!("invalid built-in role name `{name}`: {}", problem.problem),
                Some(problem.fix.into()),
            );
            ok = false;
            continue;
        }
        if let Some(&other) = index_by_key.get(&names::collision_key(name)) {
            let other = raw_builtins
                .get(other)
                .map_or("", |b| b.name.value.as_str());
            invalid(
                span,
                format!("built-in role `{name}` collides with built-in role `{other}`"),
                None,
            );
            ok = false;
            continue;
        }
        index_by_key.insert(names::collision_key(name), index);
        index_by_name.insert(name, index);
    }

    let mut own = vec![PermSet::new(); raw_builtins.len()];
    let mut graph = DiGraph::<usize, ()>::new();
    let nodes: Vec<NodeIndex> = (0..raw_builtins.len()).map(|i| graph.add_node(i)).collect();
    for ((builtin, own_set), &node) in raw_builtins.iter().zip(own.iter_mut()).zip(&nodes) {
        for grant in &builtin.permissions {
            let span = span_of(&grant.referenced);
            if let Some(group_name) = grant.value.strip_prefix('@') {
                match group_ids.get(group_name).and_then(|&id| groups.get(id)) {
                    Some(group) => own_set.union_with(&group.members),
                    None => {
                        invalid(
                            span,
                            format!("unknown group `@{group_name}`"),
                            suggester
                                .cached(
                                    NameKind::Group,
                                    group_name,
                                    groups.iter().map(|g| g.name.as_str()),
                                )
                                .map(|found| suggest::help(&format!("@{found}"))),
                        );
                        ok = false;
                    }
                }
            } else if let Some(&id) = permission_ids.get(&grant.value) {
                own_set.insert(id);
            } else {
                invalid(
                    span,
                    format!("unknown permission `{}`", grant.value),
                    suggester
                        .cached(
                            NameKind::Permission,
                            &grant.value,
                            permission_ids.keys().map(String::as_str),
                        )
                        .map(|found| suggest::help(&found)),
                );
                ok = false;
            }
        }
        for parent in &builtin.inherits {
            match index_by_name.get(parent.value.as_str()) {
                Some(&parent_index) => {
                    if let Some(&parent_node) = nodes.get(parent_index) {
                        graph.add_edge(parent_node, node, ());
                    }
                }
                None => {
                    invalid(
                        span_of(&parent.referenced),
                        format!(
                            "built-in `{}` inherits unknown role `{}`",
                            builtin.name.value, parent.value
                        ),
                        suggester
                            .cached(NameKind::Role, &parent.value, index_by_name.keys().copied())
                            .map(|found| suggest::help(&found)),
                    );
                    ok = false;
                }
            }
        }
    }

    // kosaraju_scc yields components in reverse topological order: parents come last.
    let components = petgraph::algo::kosaraju_scc(&graph);
    let mut resolved: Vec<Option<PermSet>> = vec![None; raw_builtins.len()];
    for component in components.iter().rev() {
        let is_cycle = component.len() > 1
            || component
                .first()
                .is_some_and(|&node| graph.contains_edge(node, node));
        if is_cycle {
            let mut members: Vec<usize> = component.iter().map(|&node| graph[node]).collect();
            members.sort_unstable();
            let names: Vec<&str> = members
                .iter()
                .filter_map(|&i| raw_builtins.get(i).map(|b| b.name.value.as_str()))
                .collect();
            if let Some(first) = members.first().and_then(|&i| raw_builtins.get(i)) {
                invalid(
                    span_of(&first.name.referenced),
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
        for &node in component {
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
    raw_builtins
        .iter()
        .zip(resolved)
        .map(|(builtin, set)| {
            set.map(|permissions| Builtin {
                name: builtin.name.value.clone(),
                permissions,
            })
        })
        .collect()
}
