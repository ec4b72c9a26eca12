//! The artifact: the resolved permission table as one deterministic JSON document, and the
//! one set of types that is its format. `rolec build` writes it ([`write_artifact`], or
//! [`Artifact::from_resolution`] then [`Artifact::write_json`]: the same bytes); `rolec diff`,
//! `--ceiling-from` and applications read it back with [`Artifact::from_json`], which refuses
//! a malformed one with an [`ArtifactError`], and ask it questions ([`Artifact::role`],
//! [`Role::can`], [`Artifact::who_can`]; the `index` module below, docs/artifact.md).
//!
//! Built-ins come first in catalog order, then custom roles in byte order of their names;
//! permissions are in catalog order.

mod index;

pub use index::Role;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::names::visible;
use crate::permset::PermSet;
use crate::resolve::{Resolution, RoleId, ALLOW_ANNOTATION, ID_ANNOTATION};
use crate::source::SourceMap;
use crate::validate::Authors;

/// The artifact's schema identifier.
pub const SCHEMA: &str = "rolec.artifact/v1";

/// A small artifact, as `rolec build` writes it: the one the rustdoc examples read.
#[doc(hidden)]
pub const EXAMPLE: &str = r#"{
  "schema": "rolec.artifact/v1",
  "catalog": {
    "name": "example",
    "groups": [
      {"name":"basic","title":"Basic","sensitive":false},
      {"name":"admin","title":"Administration","sensitive":true}
    ],
    "permissions": [
      {"name":"profile","group":"basic","description":"Own profile"},
      {"name":"crm","group":"basic","description":"Clients and deals"},
      {"name":"webhooks","group":"admin","description":"Outgoing webhooks"}
    ]
  },
  "roles": [
    {"id":"owner","name":"Owner","builtin":true,"base":null,"author":null,"source":null,"annotations":{},"permissions":["profile","crm","webhooks"]},
    {"id":"guest","name":"Guest","builtin":true,"base":null,"author":null,"source":null,"annotations":{},"permissions":["profile"]},
    {"id":"sales-lead","name":"Sales Lead","builtin":false,"base":{"kind":"copies","roles":["Guest"]},"author":"Owner","source":{"file":"policies/sales.roles","line":3,"column":1},"annotations":{"doc":"Leads the sales team"},"permissions":["profile","crm"]}
  ]
}
"#;

// ── The format ─────────────────────────────────────────────────────────────────────────────

/// A whole artifact. The type names below appear in the messages of [`ArtifactError::Shape`]
/// (serde's `expected struct ArtifactRole`).
///
/// Read-only outside the crate ([`Artifact::schema`], [`Artifact::catalog`],
/// [`Artifact::roles`]): the lookups of its questions are built from the fields once, and an
/// artifact changed after that would answer from the old ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Artifact {
    #[cfg_attr(feature = "schema", schemars(extend("const" = SCHEMA)))]
    pub(crate) schema: String,
    pub(crate) catalog: ArtifactCatalog,
    pub(crate) roles: Vec<ArtifactRole>,
    /// Roles and permissions by name, each role's permissions as a bitset: built when the
    /// artifact is read, else at its first question. Not part of the format.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) index: index::LazyIndex,
}

/// The catalog the roles were resolved against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactCatalog {
    pub name: String,
    pub groups: Vec<ArtifactGroup>,
    pub permissions: Vec<ArtifactPermission>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactGroup {
    pub name: String,
    pub title: String,
    pub sensitive: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactPermission {
    pub name: String,
    pub group: String,
    pub description: String,
}

/// One role. `permissions` must stay the last field: the writer appends permission names
/// to the serialized object (see `push_role`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactRole {
    /// The role's stable id: pinned with `@id("...")`, or derived from the name. The key an
    /// application stores; unique in an artifact.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub id: String,
    pub name: String,
    pub builtin: bool,
    pub base: Option<ArtifactBase>,
    pub author: Option<String>,
    /// Where the `role` keyword of the definition stands; `None` for a built-in.
    #[serde(default)]
    pub source: Option<ArtifactSource>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub permissions: Vec<String>,
}

/// `copies R` or `inherits A, B`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactBase {
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::base_kind"))]
    pub kind: String,
    pub roles: Vec<String>,
}

/// A position in a policy file: `file` relative to the project root, `/`-separated; `line`
/// and `column` from 1.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArtifactSource {
    pub file: String,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub line: usize,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub column: usize,
}

// ── Building it from a resolution ──────────────────────────────────────────────────────────

impl ArtifactCatalog {
    fn from_catalog(catalog: &Catalog) -> ArtifactCatalog {
        ArtifactCatalog {
            name: catalog.name.clone(),
            groups: catalog
                .groups
                .iter()
                .map(|group| ArtifactGroup {
                    name: group.name.clone(),
                    title: group.title.clone(),
                    sensitive: group.sensitive,
                })
                .collect(),
            permissions: catalog
                .permissions
                .iter()
                .map(|permission| ArtifactPermission {
                    name: permission.name.clone(),
                    group: catalog
                        .groups
                        .get(permission.group)
                        .map_or_else(String::new, |group| group.name.clone()),
                    description: permission.description.clone(),
                })
                .collect(),
        }
    }
}

impl Artifact {
    /// The artifact of a compile without errors, in memory: what [`write_artifact`] writes.
    pub fn from_resolution(
        catalog: &Catalog,
        resolution: &Resolution<'_>,
        authors: &Authors,
        sources: &SourceMap,
    ) -> Artifact {
        let mut roles = Vec::with_capacity(resolution.roles.len());
        for id in role_order(resolution) {
            let mut role = ArtifactRole::default();
            let Some(permissions) = fill_role(&mut role, resolution, authors, sources, id) else {
                continue;
            };
            role.permissions = permissions
                .into_iter()
                .flat_map(PermSet::iter)
                .filter_map(|id| catalog.permissions.get(id))
                .map(|permission| permission.name.clone())
                .collect();
            roles.push(role);
        }
        Artifact {
            schema: SCHEMA.to_string(),
            catalog: ArtifactCatalog::from_catalog(catalog),
            roles,
            index: index::LazyIndex::default(),
        }
    }
}

/// The ids of the roles in the artifact's order: the built-ins in catalog order, then the
/// custom roles in byte order of their names.
fn role_order<'r>(resolution: &'r Resolution<'_>) -> impl Iterator<Item = RoleId> + 'r {
    let mut custom: Vec<RoleId> = resolution.custom_ids().collect();
    custom.sort_by(|&a, &b| {
        let name = |id: RoleId| resolution.role(id).map_or("", |role| role.name);
        name(a).as_bytes().cmp(name(b).as_bytes())
    });
    resolution
        .ids()
        .take_while(|&id| resolution.is_builtin(id))
        .chain(custom)
}

/// Sets every field of `role` but `permissions` to the role `id`'s, reusing the strings `role` already holds, and returns the role's permissions
/// (`None` inside when it could not be resolved); `None` when there is no such role.
fn fill_role<'r>(
    role: &mut ArtifactRole,
    resolution: &'r Resolution<'_>,
    authors: &Authors,
    sources: &SourceMap,
    id: RoleId,
) -> Option<Option<&'r PermSet>> {
    let resolved = resolution.role(id)?;
    set_text(&mut role.id, &resolved.id);
    set_text(&mut role.name, resolved.name);
    role.builtin = resolved.definition.is_none();
    role.annotations.clear();
    let Some(definition) = &resolved.definition else {
        role.base = None;
        role.author = None;
        role.source = None;
        return Some(resolved.permissions.as_ref());
    };
    let def = definition.def;
    match &def.base {
        Some(base) => {
            let slot = role.base.get_or_insert_with(ArtifactBase::default);
            set_text(&mut slot.kind, base.kind.keyword());
            set_texts(
                &mut slot.roles,
                base.roles.iter().map(|name| name.value.as_str()),
            );
        }
        None => role.base = None,
    }
    let author = authors
        .by_file
        .get(&definition.file)
        .and_then(|&author| resolution.role(author))
        .map(|author| author.name);
    match author {
        Some(author) => set_text(role.author.get_or_insert_with(String::new), author),
        None => role.author = None,
    }
    match sources.get(definition.file) {
        Some(file) => {
            let position = file.line_column(def.keyword.start);
            let slot = role.source.get_or_insert_with(ArtifactSource::default);
            set_text(&mut slot.file, &file.project_path);
            slot.line = position.line;
            slot.column = position.column;
        }
        None => role.source = None,
    }
    // `@id` and `@allow` configure the compiler; they are not the role's annotations.
    for annotation in &def.annotations {
        let key = annotation.key.value.as_str();
        if key != ID_ANNOTATION && key != ALLOW_ANNOTATION {
            role.annotations
                .insert(annotation.key.value.clone(), annotation.value.clone());
        }
    }
    Some(resolved.permissions.as_ref())
}

/// `slot` set to `text`, in the allocation it has.
fn set_text(slot: &mut String, text: &str) {
    slot.clear();
    slot.push_str(text);
}

/// `slot` set to `texts`, reusing the strings it has.
fn set_texts<'t>(slot: &mut Vec<String>, texts: impl Iterator<Item = &'t str>) {
    let mut count = 0;
    for text in texts {
        match slot.get_mut(count) {
            Some(existing) => set_text(existing, text),
            None => slot.push(text.to_string()),
        }
        count += 1;
    }
    slot.truncate(count);
}

// ── Writing it ─────────────────────────────────────────────────────────────────────────────
//
// The layout is fixed so that the bytes are stable and a change to one role is a change to
// one line: the document is indented, and each group, permission and role is one compact
// JSON object on a line of its own.

impl Artifact {
    /// Writes the artifact in its fixed layout: the bytes [`write_artifact`] writes for the
    /// compile this artifact came from.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_head(out, &self.schema, &self.catalog)?;
        let mut line = Vec::new();
        for (index, role) in self.roles.iter().enumerate() {
            line.clear();
            push_role(&mut line, index == 0, role, std::iter::empty())?;
            out.write_all(&line)?;
        }
        write_tail(out)
    }

    /// [`Artifact::write_json`] into a string.
    pub fn to_json(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail, nor can serializing these types.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }
}

/// Writes the artifact of a compile without errors as it is rendered, role by role, without
/// holding it in memory (a build of 100,000 roles): the bytes of
/// [`Artifact::from_resolution`] then [`Artifact::write_json`].
pub fn write_artifact(
    out: &mut dyn Write,
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    authors: &Authors,
    sources: &SourceMap,
) -> std::io::Result<()> {
    write_head(out, SCHEMA, &ArtifactCatalog::from_catalog(catalog))?;
    // Every permission name as a JSON string, escaped once rather than once per role.
    let permission_json: Vec<String> = catalog
        .permissions
        .iter()
        .map(|permission| json(&permission.name))
        .collect::<std::io::Result<_>>()?;
    // One role value and one line, reused from role to role; the role's `permissions` stay
    // empty, and its names are appended from `permission_json`.
    let mut role = ArtifactRole::default();
    let mut line = Vec::new();
    let mut first = true;
    for id in role_order(resolution) {
        let Some(permissions) = fill_role(&mut role, resolution, authors, sources, id) else {
            continue;
        };
        line.clear();
        let names = permissions
            .into_iter()
            .flat_map(PermSet::iter)
            .filter_map(|id| permission_json.get(id))
            .map(String::as_str);
        push_role(&mut line, first, &role, names)?;
        out.write_all(&line)?;
        first = false;
    }
    write_tail(out)
}

/// Everything before the first role: the schema, then the catalog, a group or permission on
/// each line.
fn write_head(out: &mut dyn Write, schema: &str, catalog: &ArtifactCatalog) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"schema\": {},", json(schema)?)?;
    writeln!(out, "  \"catalog\": {{")?;
    writeln!(out, "    \"name\": {},", json(&catalog.name)?)?;
    write_lines(out, "    \"groups\": [", &catalog.groups, "    ],")?;
    write_lines(out, "    \"permissions\": [", &catalog.permissions, "    ]")?;
    writeln!(out, "  }},")?;
    write!(out, "  \"roles\": [")
}

/// Everything after the last role.
fn write_tail(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "\n  ]")?;
    writeln!(out, "}}")
}

/// Appends `role` to `line` as compact JSON on a line of its own in `roles` (`first`: with
/// no comma before it). `more` are further permissions, each already a JSON string, appended
/// after `role.permissions`: the writer's names, escaped once for the whole artifact.
fn push_role<'m>(
    line: &mut Vec<u8>,
    first: bool,
    role: &ArtifactRole,
    more: impl Iterator<Item = &'m str>,
) -> std::io::Result<()> {
    line.extend_from_slice(if first { b"\n    " } else { b",\n    " });
    serde_json::to_writer(&mut *line, role)?;
    let mut more = more.peekable();
    if more.peek().is_none() {
        return Ok(());
    }
    // `permissions` is the last field: reopen its list.
    if !line.ends_with(b"]}") {
        return Err(std::io::Error::other(
            "a role's permissions are not the last field of its object",
        ));
    }
    line.truncate(line.len() - 2);
    let mut comma = !role.permissions.is_empty();
    for permission in more {
        if comma {
            line.push(b',');
        }
        line.extend_from_slice(permission.as_bytes());
        comma = true;
    }
    line.extend_from_slice(b"]}");
    Ok(())
}

fn json<T: Serialize + ?Sized>(value: &T) -> std::io::Result<String> {
    serde_json::to_string(value).map_err(std::io::Error::other)
}

/// `open`, then each item as compact JSON on its own line, indented two more spaces than
/// `open`, then `close`.
fn write_lines<T: Serialize>(
    out: &mut dyn Write,
    open: &str,
    items: &[T],
    close: &str,
) -> std::io::Result<()> {
    write!(out, "{open}")?;
    let indent = " ".repeat(open.len() - open.trim_start().len() + 2);
    for (index, item) in items.iter().enumerate() {
        let comma = if index == 0 { "" } else { "," };
        write!(out, "{comma}\n{indent}{}", json(item)?)?;
    }
    if items.is_empty() {
        writeln!(out, "{}", close.trim_start())
    } else {
        writeln!(out, "\n{close}")
    }
}

// ── Reading it ─────────────────────────────────────────────────────────────────────────────

/// Why a text is not an artifact rolec can read; its `Display` is in a user's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactError {
    /// Not JSON (serde's message).
    NotJson(String),
    /// No `"schema"` string.
    NoSchema,
    /// Another schema than [`SCHEMA`].
    OtherSchema(String),
    /// JSON with the schema, but not the artifact's shape (serde's message).
    Shape(String),
    /// The catalog declares a group twice.
    RepeatedGroup(String),
    /// The catalog declares a permission twice.
    RepeatedPermission(String),
    /// The catalog puts a permission in a group it does not declare.
    UndeclaredGroup { permission: String, group: String },
    /// Two roles have the same name.
    RepeatedRole(String),
    /// Two roles have the same id.
    RepeatedId {
        first: String,
        second: String,
        id: String,
    },
    /// A role lists a permission twice.
    RepeatedRolePermission { role: String, permission: String },
    /// A role holds a permission its catalog does not declare.
    UndeclaredPermission { role: String, permission: String },
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactError::NotJson(error) => write!(f, "not JSON ({error})"),
            ArtifactError::NoSchema => write!(f, "it has no `\"schema\": \"{SCHEMA}\"`"),
            ArtifactError::OtherSchema(other) => {
                write!(f, "its schema is `{other}`, not `{SCHEMA}`")
            }
            ArtifactError::Shape(error) => write!(f, "not a valid artifact ({error})"),
            ArtifactError::RepeatedGroup(group) => {
                write!(
                    f,
                    "its catalog declares the group `{}` twice",
                    visible(group)
                )
            }
            ArtifactError::RepeatedPermission(permission) => write!(
                f,
                "its catalog declares the permission `{}` twice",
                visible(permission)
            ),
            ArtifactError::UndeclaredGroup { permission, group } => write!(
                f,
                "its catalog puts the permission `{}` in the group `{}`, which it does not declare",
                visible(permission),
                visible(group)
            ),
            ArtifactError::RepeatedRole(role) => {
                write!(f, "the role `{}` is listed twice", visible(role))
            }
            ArtifactError::RepeatedId { first, second, id } => write!(
                f,
                "the roles `{}` and `{}` have the same id `{}`",
                visible(first),
                visible(second),
                visible(id)
            ),
            ArtifactError::RepeatedRolePermission { role, permission } => write!(
                f,
                "the role `{}` lists the permission `{}` twice",
                visible(role),
                visible(permission)
            ),
            ArtifactError::UndeclaredPermission { role, permission } => write!(
                f,
                "the role `{}` holds `{}`, which its catalog does not declare",
                visible(role),
                visible(permission)
            ),
        }
    }
}

impl std::error::Error for ArtifactError {}

impl Artifact {
    /// Reads an artifact and checks it: its schema (another document, or another version of
    /// the format, gets a plain answer), its shape, then what the format promises beyond its
    /// shape (see [`Artifact::check`]). Never panics: whatever is wrong is an
    /// [`ArtifactError`]. The artifact it returns is indexed for its questions
    /// ([`Artifact::role`], [`Role::can`], [`Artifact::who_can`]).
    ///
    /// ```
    /// use rolec::artifact::{Artifact, ArtifactError};
    ///
    /// let json = rolec::artifact::EXAMPLE; // std::fs::read_to_string("roles.json")?
    /// let artifact = Artifact::from_json(json)?;
    /// assert!(artifact.role("Sales Lead").is_some_and(|role| role.can("crm")));
    ///
    /// let v2 = json.replace("rolec.artifact/v1", "rolec.artifact/v2");
    /// assert_eq!(
    ///     Artifact::from_json(&v2),
    ///     Err(ArtifactError::OtherSchema("rolec.artifact/v2".into()))
    /// );
    /// assert!(matches!(Artifact::from_json("{"), Err(ArtifactError::NotJson(_))));
    /// # Ok::<(), ArtifactError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Artifact, ArtifactError> {
        // One pass over a well-formed artifact; the document is read a second time only to
        // say why it is not one. From a `str`, serde_json need not check the UTF-8 of every
        // string again.
        match serde_json::from_str(json) {
            Ok(artifact) => Artifact::checked(artifact),
            Err(error) => Err(not_an_artifact(json.as_bytes(), error)),
        }
    }

    /// [`Artifact::from_json`] on bytes as read from a file (not necessarily UTF-8).
    pub fn from_slice(bytes: &[u8]) -> Result<Artifact, ArtifactError> {
        if let Ok(json) = std::str::from_utf8(bytes) {
            return Artifact::from_json(json);
        }
        // serde_json says where the UTF-8 breaks, or what else is wrong before that.
        match serde_json::from_slice(bytes) {
            Ok(artifact) => Artifact::checked(artifact),
            Err(error) => Err(not_an_artifact(bytes, error)),
        }
    }

    /// `artifact`, deserialized, when it is of this schema and passes [`Artifact::check`];
    /// with its index, built by the checks.
    fn checked(mut artifact: Artifact) -> Result<Artifact, ArtifactError> {
        if artifact.schema != SCHEMA {
            return Err(ArtifactError::OtherSchema(artifact.schema));
        }
        let (index, problem) = index::Index::build(&artifact);
        if let Some(problem) = problem {
            return Err(problem);
        }
        artifact.index = index::LazyIndex::from(index);
        Ok(artifact)
    }

    /// What the format promises beyond its shape: each group, permission and role once,
    /// each role's id once, each role's permissions once and all of them declared by the
    /// artifact's own catalog, every permission in a declared group. A malformed artifact is
    /// refused rather than read: two roles of one name would be diffed against whichever
    /// came last, and a permission listed twice or missing from the catalog would be counted
    /// or judged wrongly. The first problem found is returned, in that order.
    pub fn check(&self) -> Result<(), ArtifactError> {
        match index::Index::build(self).1 {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }
}

/// Why `bytes`, which do not deserialize as an artifact (`error`), are not one: not JSON, no
/// schema, another schema, or (with the artifact's schema) not its shape.
fn not_an_artifact(bytes: &[u8], error: serde_json::Error) -> ArtifactError {
    /// The schema alone. Its name is in serde's message for a document that is not an
    /// object.
    #[derive(Deserialize)]
    struct SchemaOnly {
        schema: Option<serde_json::Value>,
    }
    let head: SchemaOnly = match serde_json::from_slice(bytes) {
        Ok(head) => head,
        Err(error) => return ArtifactError::NotJson(error.to_string()),
    };
    match head.schema.as_ref().map(|schema| schema.as_str()) {
        Some(Some(SCHEMA)) => ArtifactError::Shape(error.to_string()),
        Some(Some(other)) => ArtifactError::OtherSchema(other.to_string()),
        _ => ArtifactError::NoSchema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, compile_into, CompileOptions, InputFile};

    /// Roles with every kind of field: both bases, annotations (one with escapes), an
    /// author from the file, a name that needs escaping, and one without permissions.
    const POLICY: &str = r#"author Administrator
@doc("Leads \"sales\"; a \\ backslash")
@owner("sales-ops@example.com")
role "Sales Lead" copies User < +crm -webhooks >
role "Regional \"Lead\"" inherits "Sales Lead", Guest < +insight >
role "Zespół" < +reports >
role Nobody < >
"#;

    /// The artifact of `POLICY`: as `rolec build` writes it, streamed from the resolution,
    /// and as the value a compile holds.
    fn built() -> (String, Artifact) {
        let options = CompileOptions {
            emit_artifact: true,
            ..CompileOptions::default()
        };
        let file = || InputFile {
            path: "a.roles".into(),
            bytes: POLICY.as_bytes().to_vec(),
            project_path: None,
        };
        let mut streamed = Vec::new();
        let (compilation, written) =
            compile_into(None, vec![file()], &options, Some(&mut streamed)).unwrap();
        assert_eq!(
            compilation.error_count(),
            0,
            "{:?}",
            compilation.diagnostics
        );
        assert!(written.unwrap());
        let value = compile(None, vec![file()], &options)
            .unwrap()
            .artifact
            .unwrap();
        (String::from_utf8(streamed).unwrap(), value)
    }

    #[test]
    fn the_value_writes_the_streamed_bytes_and_reads_back_equal() {
        let (text, value) = built();
        assert_eq!(value.to_json(), text);
        let artifact = Artifact::from_json(&text).unwrap();
        assert_eq!(artifact, value);
        assert_eq!(artifact.to_json(), text);
        let lead = artifact
            .roles
            .iter()
            .find(|r| r.name == "Regional \"Lead\"");
        assert_eq!(
            lead,
            Some(&ArtifactRole {
                id: "regional-lead".into(),
                name: "Regional \"Lead\"".into(),
                builtin: false,
                base: Some(ArtifactBase {
                    kind: "inherits".into(),
                    roles: vec!["Sales Lead".into(), "Guest".into()],
                }),
                author: Some("Administrator".into()),
                source: Some(ArtifactSource {
                    file: "a.roles".into(),
                    line: 5,
                    column: 1,
                }),
                annotations: BTreeMap::new(),
                permissions: lead.map(|r| r.permissions.clone()).unwrap_or_default(),
            })
        );
        let sales = artifact
            .roles
            .iter()
            .find(|r| r.name == "Sales Lead")
            .unwrap();
        assert_eq!(sales.annotations["doc"], "Leads \"sales\"; a \\ backslash");
        assert!(sales.permissions.iter().any(|p| p == "crm"));
        assert!(!sales.permissions.iter().any(|p| p == "webhooks"));
        let nobody = artifact.roles.iter().find(|r| r.name == "Nobody").unwrap();
        assert!(nobody.permissions.is_empty() && nobody.base.is_none());
        let builtin = artifact.roles.first().unwrap();
        assert!(builtin.builtin && builtin.author.is_none() && builtin.source.is_none());
    }

    #[test]
    fn the_writer_appends_permissions_to_those_of_the_role() {
        let mut role = ArtifactRole {
            name: "R".into(),
            ..ArtifactRole::default()
        };
        let line = |role: &ArtifactRole, first, more: &[&str]| {
            let mut line = Vec::new();
            push_role(&mut line, first, role, more.iter().copied()).unwrap();
            String::from_utf8(line).unwrap()
        };
        let head = r#"{"id":"","name":"R","builtin":false,"base":null,"author":null,"source":null,"annotations":{},"permissions":"#;
        assert_eq!(line(&role, true, &[]), format!("\n    {head}[]}}"));
        assert_eq!(
            line(&role, false, &["\"a\"", "\"b\""]),
            format!(",\n    {head}[\"a\",\"b\"]}}")
        );
        role.permissions.push("x".into());
        assert_eq!(
            line(&role, true, &["\"a\""]),
            format!("\n    {head}[\"x\",\"a\"]}}")
        );
    }

    /// An artifact in JSON, with `edit` applied to its JSON value.
    fn artifact_json(edit: impl Fn(&mut serde_json::Value)) -> String {
        let mut value = serde_json::json!({
            "schema": SCHEMA,
            "catalog": {
                "name": "test",
                "groups": [
                    {"name": "basic", "title": "Basic", "sensitive": false},
                    {"name": "admin", "title": "Admin", "sensitive": true}
                ],
                "permissions": [
                    {"name": "a", "group": "basic", "description": "A"},
                    {"name": "s", "group": "admin", "description": "S"}
                ]
            },
            "roles": [
                {"id": "x", "name": "X", "builtin": false, "base": null, "author": "Boss",
                 "annotations": {}, "permissions": ["a", "s"]},
                {"id": "y", "name": "Y", "builtin": false, "base": null, "author": "Boss",
                 "annotations": {}, "permissions": ["a"]}
            ]
        });
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn a_well_formed_artifact_is_read() {
        let artifact = Artifact::from_json(&artifact_json(|_| {})).unwrap();
        assert_eq!(artifact.roles.len(), 2);
        assert_eq!(artifact.roles[0].id, "x");
        // Every role has an id: one without is not a v1 artifact of this version.
        let no_ids = artifact_json(|v| {
            for role in v["roles"].as_array_mut().unwrap() {
                role.as_object_mut().unwrap().remove("id");
            }
        });
        assert!(Artifact::from_json(&no_ids).is_err());
    }

    #[test]
    fn a_malformed_artifact_is_refused() {
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let text = |s: &str| s.to_string();
        let cases: [(ArtifactError, &str, Edit); 7] = [
            (
                ArtifactError::RepeatedRole(text("X")),
                "the role `X` is listed twice",
                Box::new(|v| v["roles"][1]["name"] = "X".into()),
            ),
            (
                ArtifactError::RepeatedRolePermission {
                    role: text("X"),
                    permission: text("a"),
                },
                "the role `X` lists the permission `a` twice",
                Box::new(|v| v["roles"][0]["permissions"] = serde_json::json!(["a", "s", "a"])),
            ),
            (
                ArtifactError::UndeclaredPermission {
                    role: text("Y"),
                    permission: text("nope"),
                },
                "the role `Y` holds `nope`, which its catalog does not declare",
                Box::new(|v| v["roles"][1]["permissions"] = serde_json::json!(["a", "nope"])),
            ),
            (
                ArtifactError::RepeatedGroup(text("basic")),
                "its catalog declares the group `basic` twice",
                Box::new(|v| v["catalog"]["groups"][1]["name"] = "basic".into()),
            ),
            (
                ArtifactError::RepeatedPermission(text("a")),
                "its catalog declares the permission `a` twice",
                Box::new(|v| v["catalog"]["permissions"][1]["name"] = "a".into()),
            ),
            (
                ArtifactError::UndeclaredGroup {
                    permission: text("s"),
                    group: text("gone"),
                },
                "its catalog puts the permission `s` in the group `gone`, which it does not declare",
                Box::new(|v| v["catalog"]["permissions"][1]["group"] = "gone".into()),
            ),
            (
                ArtifactError::RepeatedId {
                    first: text("X"),
                    second: text("Y"),
                    id: text("x"),
                },
                "the roles `X` and `Y` have the same id `x`",
                Box::new(|v| v["roles"][1]["id"] = "x".into()),
            ),
        ];
        for (expected, message, edit) in cases {
            let error = Artifact::from_json(&artifact_json(edit)).unwrap_err();
            assert_eq!(error.to_string(), message);
            assert_eq!(error, expected);
        }
    }

    #[test]
    fn names_in_messages_are_made_visible() {
        let error = Artifact::from_json(&artifact_json(|v| {
            v["roles"][0]["name"] = "X\u{202E}\u{1b}".into();
            v["roles"][1]["name"] = "X\u{202E}\u{1b}".into();
        }))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the role `X\u{FFFD}\u{FFFD}` is listed twice"
        );
    }

    #[test]
    fn artifacts_are_recognised_by_their_schema() {
        let read = Artifact::from_json;
        assert!(matches!(read("{"), Err(ArtifactError::NotJson(_))));
        assert_eq!(
            read(r#"{"schema": "other"}"#),
            Err(ArtifactError::OtherSchema("other".into()))
        );
        assert_eq!(read("{}"), Err(ArtifactError::NoSchema));
        assert_eq!(read(r#"{"schema": 1}"#), Err(ArtifactError::NoSchema));
        let shape = read(r#"{"schema": "rolec.artifact/v1", "roles": 1}"#);
        assert!(matches!(shape, Err(ArtifactError::Shape(_))), "{shape:?}");
        assert_eq!(
            read(r#"{"schema": "other"}"#).unwrap_err().to_string(),
            "its schema is `other`, not `rolec.artifact/v1`"
        );
        assert_eq!(
            read("{}").unwrap_err().to_string(),
            "it has no `\"schema\": \"rolec.artifact/v1\"`"
        );
    }
}
