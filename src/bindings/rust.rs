//! The Rust bindings: enums `Permission`, `Group` and `Role` (a misspelt variant does not
//! compile), their names and ids, and `fn can` over a bit table. Compiles alone with `rustc
//! --edition 2021 --crate-type lib`, without warnings, and as a module of a crate.

use std::fmt::Write;

use super::{ascii_literal, comment_text, Language, Model, Spelling};

/// The Rust bindings' strings and comments.
pub(super) struct Rust;

impl Spelling for Rust {
    const LANGUAGE: Language = Language::Rust;
    const LINE_COMMENT: &'static str = "//";

    /// A Rust string literal in ASCII.
    fn quote(text: &str) -> String {
        ascii_literal(text, |out, c| {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        })
    }

    /// Inline code on a `///` line (in which nothing is escaped, and a backtick would end
    /// it), the sigil inside it.
    fn code(sigil: &str, name: &str) -> String {
        format!(
            "`{}`",
            comment_text(&format!("{sigil}{name}")).replace('`', "'")
        )
    }

    fn prose(text: &str) -> String {
        doc(text)
    }
}

/// Text for a `///` line: made visible, with the characters that would make a link, an HTML
/// tag or code in rustdoc's Markdown escaped.
fn doc(text: &str) -> String {
    let mut out = String::new();
    for c in comment_text(text).chars() {
        if matches!(c, '\\' | '`' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn generate(model: &Model<'_>) -> String {
    let mut out = String::new();
    model.write_header::<Rust>(&mut out);
    let _ = writeln!(
        out,
        r#"
/// The schema of the artifact these bindings were generated from.
pub const ARTIFACT_SCHEMA: &str = {schema};
/// The SHA-256 of that artifact's bytes (the file `rolec build` writes), in lowercase
/// hexadecimal: compare it with the artifact the application loads.
pub const ARTIFACT_SHA256: &str = {digest};
/// The name of the artifact's catalog.
pub const CATALOG: &str = {catalog};"#,
        schema = Rust::quote(model.schema),
        digest = Rust::quote(&model.digest),
        catalog = Rust::quote(model.catalog),
    );
    permissions(&mut out, model);
    groups(&mut out, model);
    roles(&mut out, model);
    out
}

/// `pub enum NAME { ... }` with a variant per item, each with its doc line.
fn enumeration<'i>(
    out: &mut String,
    doc_line: &str,
    name: &str,
    variants: impl Iterator<Item = (&'i str, String)>,
) {
    let _ = writeln!(
        out,
        "\n/// {doc_line}\n#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]\npub enum {name} {{"
    );
    for (ident, doc_text) in variants {
        let _ = writeln!(out, "    /// {doc_text}\n    {ident},");
    }
    let _ = writeln!(out, "}}");
}

/// A blank line before an item of an `impl`, unless it is the first.
fn blank_line_between_items(out: &mut String) {
    if !out.ends_with("{\n") {
        out.push('\n');
    }
}

/// `pub const fn NAME(self) -> TYPE { match self { ... } }`, arm by arm.
fn match_fn(
    out: &mut String,
    doc_line: &str,
    signature: &str,
    arms: impl Iterator<Item = (String, String)>,
) {
    blank_line_between_items(out);
    let _ = writeln!(
        out,
        "    /// {doc_line}\n    {signature} {{\n        match self {{"
    );
    for (pattern, value) in arms {
        let _ = writeln!(out, "            {pattern} => {value},");
    }
    let _ = writeln!(out, "        }}\n    }}");
}

/// `pub fn NAME(text: &str) -> Option<TYPE>`, the inverse of a `&'static str` getter.
fn parse_fn<'i>(
    out: &mut String,
    doc_line: &str,
    name: &str,
    ty: &str,
    arms: impl Iterator<Item = (&'i str, &'i str)>,
) {
    blank_line_between_items(out);
    let _ = writeln!(
        out,
        "    /// {doc_line}\n    pub fn {name}(text: &str) -> Option<{ty}> {{\n        match text {{"
    );
    for (text, ident) in arms {
        let _ = writeln!(
            out,
            "            {} => Some({ty}::{ident}),",
            Rust::quote(text)
        );
    }
    let _ = writeln!(out, "            _ => None,\n        }}\n    }}");
}

/// `pub const NAME: [TYPE; N] = [...];`, a value on each line.
fn const_array<'i>(
    out: &mut String,
    doc_line: &str,
    name: &str,
    ty: &str,
    idents: impl ExactSizeIterator<Item = &'i str>,
) {
    let _ = write!(
        out,
        "\n/// {doc_line}\npub const {name}: [{ty}; {}] = [",
        idents.len()
    );
    let empty = idents.len() == 0;
    for ident in idents {
        let _ = write!(out, "\n    {ty}::{ident},");
    }
    let _ = writeln!(out, "{}];", if empty { "" } else { "\n" });
}

/// `[Permission::A, Permission::B]` for positions in the catalog.
fn permission_list(model: &Model<'_>, positions: &[usize]) -> String {
    let items: Vec<String> = positions
        .iter()
        .filter_map(|&position| model.permission(position))
        .map(|permission| format!("Permission::{}", permission.ident))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn permissions(out: &mut String, model: &Model<'_>) {
    enumeration(
        out,
        "A permission of the catalog.",
        "Permission",
        model
            .permissions
            .iter()
            .map(|p| (p.ident.as_str(), p.describe::<Rust>())),
    );
    const_array(
        out,
        "Every permission, in catalog order.",
        "PERMISSIONS",
        "Permission",
        model.permissions.iter().map(|item| item.ident.as_str()),
    );
    let _ = writeln!(out, "\nimpl Permission {{");
    match_fn(
        out,
        "The permission's name in the catalog.",
        "pub const fn name(self) -> &'static str",
        model
            .permissions
            .iter()
            .map(|p| (format!("Permission::{}", p.ident), Rust::quote(p.name))),
    );
    match_fn(
        out,
        "The permission's group.",
        "pub const fn group(self) -> Group",
        model.permissions.iter().filter_map(|p| {
            let group = model.group_ident(p.group)?;
            Some((
                format!("Permission::{}", p.ident),
                format!("Group::{group}"),
            ))
        }),
    );
    match_fn(
        out,
        "The permission's position in the catalog.",
        "const fn position(self) -> usize",
        model
            .permissions
            .iter()
            .enumerate()
            .map(|(position, p)| (format!("Permission::{}", p.ident), position.to_string())),
    );
    parse_fn(
        out,
        "The permission named `text` in the catalog.",
        "from_name",
        "Permission",
        model.permissions.iter().map(|p| (p.name, p.ident.as_str())),
    );
    let _ = writeln!(out, "}}");
}

fn groups(out: &mut String, model: &Model<'_>) {
    enumeration(
        out,
        "A group of permissions of the catalog.",
        "Group",
        model
            .groups
            .iter()
            .map(|g| (g.ident.as_str(), g.describe::<Rust>())),
    );
    const_array(
        out,
        "Every group, in catalog order.",
        "GROUPS",
        "Group",
        model.groups.iter().map(|item| item.ident.as_str()),
    );
    let _ = writeln!(out, "\nimpl Group {{");
    match_fn(
        out,
        "The group's name in the catalog (without `@`).",
        "pub const fn name(self) -> &'static str",
        model
            .groups
            .iter()
            .map(|g| (format!("Group::{}", g.ident), Rust::quote(g.name))),
    );
    match_fn(
        out,
        "Whether the catalog marks the group sensitive.",
        "pub const fn is_sensitive(self) -> bool",
        model
            .groups
            .iter()
            .map(|g| (format!("Group::{}", g.ident), g.sensitive.to_string())),
    );
    match_fn(
        out,
        "The group's permissions, in catalog order.",
        "pub const fn permissions(self) -> &'static [Permission]",
        model.groups.iter().map(|g| {
            (
                format!("Group::{}", g.ident),
                permission_list(model, &g.members),
            )
        }),
    );
    parse_fn(
        out,
        "The group named `text` in the catalog (without `@`).",
        "from_name",
        "Group",
        model.groups.iter().map(|g| (g.name, g.ident.as_str())),
    );
    let _ = writeln!(out, "}}");
}

fn roles(out: &mut String, model: &Model<'_>) {
    enumeration(
        out,
        "A role, by its stable id: the key to store.",
        "Role",
        model
            .roles
            .iter()
            .map(|r| (r.ident.as_str(), r.describe::<Rust>())),
    );
    const_array(
        out,
        "Every role, in the artifact's order.",
        "ROLES",
        "Role",
        model.roles.iter().map(|item| item.ident.as_str()),
    );
    let _ = writeln!(out, "\nimpl Role {{");
    match_fn(
        out,
        "The role's stable id.",
        "pub const fn id(self) -> &'static str",
        model
            .roles
            .iter()
            .map(|r| (format!("Role::{}", r.ident), Rust::quote(r.id))),
    );
    match_fn(
        out,
        "The role's display name.",
        "pub const fn name(self) -> &'static str",
        model
            .roles
            .iter()
            .map(|r| (format!("Role::{}", r.ident), Rust::quote(r.name))),
    );
    match_fn(
        out,
        "Whether the role is a built-in of the catalog.",
        "pub const fn is_builtin(self) -> bool",
        model
            .roles
            .iter()
            .map(|r| (format!("Role::{}", r.ident), r.builtin.to_string())),
    );
    match_fn(
        out,
        "The role's permissions, in catalog order.",
        "pub const fn permissions(self) -> &'static [Permission]",
        model.roles.iter().map(|r| {
            (
                format!("Role::{}", r.ident),
                permission_list(model, &r.permissions),
            )
        }),
    );
    match_fn(
        out,
        "The role's position in the artifact.",
        "const fn position(self) -> usize",
        model
            .roles
            .iter()
            .enumerate()
            .map(|(position, r)| (format!("Role::{}", r.ident), position.to_string())),
    );
    parse_fn(
        out,
        "The role whose id is `text`.",
        "from_id",
        "Role",
        model.roles.iter().map(|r| (r.id, r.ident.as_str())),
    );
    let _ = writeln!(
        out,
        "\n    /// Whether the role holds `permission`.\n    pub fn can(self, permission: Permission) -> bool {{\n        can(self, permission)\n    }}\n}}"
    );
    // The table: a row of bits per role, bit `i` for the `i`-th permission.
    let words = model.permissions.len().div_ceil(64).max(1);
    let _ = writeln!(
        out,
        "\n/// Bit `i % 64` of word `i / 64` of a role's row: whether it holds the permission at\n/// position `i`.\nconst TABLE: [[u64; {words}]; {}] = [",
        model.roles.len()
    );
    for role in &model.roles {
        let mut row = vec![0u64; words];
        for &position in &role.permissions {
            if let Some(word) = row.get_mut(position / 64) {
                *word |= 1 << (position % 64);
            }
        }
        let row: Vec<String> = row.iter().map(|word| format!("{word:#018x}")).collect();
        let _ = writeln!(out, "    [{}],", row.join(", "));
    }
    let _ = writeln!(
        out,
        r#"];

/// Whether `role` holds `permission`, from the resolved table.
pub fn can(role: Role, permission: Permission) -> bool {{
    let bit = permission.position();
    TABLE
        .get(role.position())
        .and_then(|row| row.get(bit / 64))
        .is_some_and(|word| word & (1 << (bit % 64)) != 0)
}}"#
    );
}
