//! The artifact (section 5): the resolved permission table as one deterministic JSON
//! document. Built-ins first in catalog order, then custom roles in byte order of their
//! names; permissions in catalog order.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::permset::PermSet;
use crate::resolve::{Resolution, RoleId};
use crate::source::SourceMap;
use crate::validate::Authors;

/// The artifact's schema identifier.
pub const SCHEMA: &str = "rolec.artifact/v1";

#[derive(Serialize)]
struct GroupOut<'a> {
    name: &'a str,
    title: &'a str,
    sensitive: bool,
}

#[derive(Serialize)]
struct PermissionOut<'a> {
    name: &'a str,
    group: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    name: &'a str,
    builtin: bool,
    base: Option<BaseOut<'a>>,
    author: Option<&'a str>,
    source: Option<SourceOut<'a>>,
    annotations: BTreeMap<&'a str, &'a str>,
    /// Written by [`write_role`] from pre-escaped names, not by serde.
    #[serde(skip)]
    permissions: Option<&'a PermSet>,
}

#[derive(Serialize)]
struct BaseOut<'a> {
    kind: &'static str,
    roles: Vec<&'a str>,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

/// Writes the artifact of a compile without errors.
///
/// The layout is fixed so that the bytes are stable and a change to one role is a change to
/// one line: the document is indented, and each group, permission and role is one compact
/// JSON object on a line of its own.
pub fn write_artifact(
    out: &mut dyn Write,
    catalog: &Catalog,
    resolution: &Resolution<'_>,
    authors: &Authors,
    sources: &SourceMap,
) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"schema\": {},", json(&SCHEMA)?)?;
    writeln!(out, "  \"catalog\": {{")?;
    writeln!(out, "    \"name\": {},", json(&catalog.name)?)?;
    let groups = catalog.groups.iter().map(|group| GroupOut {
        name: &group.name,
        title: &group.title,
        sensitive: group.sensitive,
    });
    write_lines(out, "    \"groups\": [", groups, "    ],")?;
    let permissions = catalog.permissions.iter().map(|permission| PermissionOut {
        name: &permission.name,
        group: catalog
            .groups
            .get(permission.group)
            .map_or("", |group| group.name.as_str()),
        description: &permission.description,
    });
    write_lines(out, "    \"permissions\": [", permissions, "    ]")?;
    writeln!(out, "  }},")?;
    let mut custom: Vec<RoleId> = (resolution.builtin_count..resolution.roles.len()).collect();
    custom.sort_by(|&a, &b| {
        let name = |id: RoleId| resolution.role(id).map_or("", |role| role.name);
        name(a).as_bytes().cmp(name(b).as_bytes())
    });
    // Every permission name as a JSON string, escaped once rather than once per role.
    let permission_json: Vec<String> = catalog
        .permissions
        .iter()
        .map(|permission| json(&permission.name))
        .collect::<std::io::Result<_>>()?;
    write!(out, "  \"roles\": [")?;
    let mut line = String::new();
    let roles = (0..resolution.builtin_count)
        .chain(custom)
        .filter_map(|id| role_out(resolution, authors, sources, id));
    for (index, role) in roles.enumerate() {
        line.clear();
        line.push_str(if index == 0 { "\n    " } else { ",\n    " });
        write_role(&mut line, &role, &permission_json)?;
        out.write_all(line.as_bytes())?;
    }
    writeln!(out, "\n  ]")?;
    writeln!(out, "}}")
}

/// Appends a role as compact JSON: serde writes every field but `permissions`, which is
/// appended from the pre-escaped names in catalog order.
fn write_role(
    line: &mut String,
    role: &RoleOut<'_>,
    permission_json: &[String],
) -> std::io::Result<()> {
    let head = json(role)?;
    line.push_str(head.strip_suffix('}').unwrap_or(&head));
    line.push_str(",\"permissions\":[");
    for (index, id) in role
        .permissions
        .into_iter()
        .flat_map(PermSet::iter)
        .enumerate()
    {
        if index > 0 {
            line.push(',');
        }
        line.push_str(permission_json.get(id).map_or("null", String::as_str));
    }
    line.push_str("]}");
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
    items: impl Iterator<Item = T>,
    close: &str,
) -> std::io::Result<()> {
    write!(out, "{open}")?;
    let indent = " ".repeat(open.len() - open.trim_start().len() + 2);
    let mut first = true;
    for item in items {
        write!(
            out,
            "{}\n{indent}{}",
            if first { "" } else { "," },
            json(&item)?
        )?;
        first = false;
    }
    if first {
        writeln!(out, "{}", close.trim_start())
    } else {
        writeln!(out, "\n{close}")
    }
}

fn role_out<'a>(
    resolution: &'a Resolution<'a>,
    authors: &Authors,
    sources: &'a SourceMap,
    id: RoleId,
) -> Option<RoleOut<'a>> {
    let role = resolution.role(id)?;
    let permissions = role.permissions.as_ref();
    let Some(definition) = role.definition else {
        return Some(RoleOut {
            name: role.name,
            builtin: true,
            base: None,
            author: None,
            source: None,
            annotations: BTreeMap::new(),
            permissions,
        });
    };
    let def = definition.def;
    let file = sources.get(definition.file);
    let position = file.map(|file| file.line_column(def.keyword.start));
    Some(RoleOut {
        name: role.name,
        builtin: false,
        base: def.base.as_ref().map(|base| BaseOut {
            kind: base.kind.keyword(),
            roles: base.roles.iter().map(|r| r.value.as_str()).collect(),
        }),
        author: authors
            .by_file
            .get(definition.file_index)
            .copied()
            .flatten()
            .and_then(|author| resolution.role(author))
            .map(|author| author.name),
        source: file.zip(position).map(|(file, position)| SourceOut {
            file: &file.path,
            line: position.line,
            column: position.column,
        }),
        annotations: def
            .annotations
            .iter()
            .map(|a| (a.key.value.as_str(), a.value.as_str()))
            .collect(),
        permissions,
    })
}
