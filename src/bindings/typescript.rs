//! The TypeScript bindings: string literal union types `Permission`, `Group` and `RoleId` (a
//! misspelt string does not type-check), constant objects naming each one, the resolved
//! table, and `function can`. Passes `tsc --strict --noEmit` alone, with the default target
//! and libraries: ES5 only (no `Map`, `Set` or `includes`), and ASCII string literals.

use std::fmt::Write;

use super::{ascii_literal, comment_text, Language, Model};

/// A JavaScript string literal in ASCII: other characters as UTF-16 `\uXXXX` escapes.
fn quote(text: &str) -> String {
    ascii_literal(text, |out, c| {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    })
}

/// `text` as the key of an object literal: quoted, and computed for `__proto__`, which
/// would set the object's prototype instead of a property.
fn key(text: &str) -> String {
    if text == "__proto__" {
        format!("[{}]", quote(text))
    } else {
        quote(text)
    }
}

/// Text inside a `/** ... */` comment on one line.
fn doc(text: &str) -> String {
    comment_text(text).replace("*/", "*\\/")
}

pub(super) fn generate(model: &Model<'_>) -> String {
    let mut out = String::new();
    for line in model.header(Language::TypeScript, quote) {
        let _ = writeln!(out, "// {line}");
    }
    let _ = writeln!(
        out,
        r#"
/** The schema of the artifact these bindings were generated from. */
export const ARTIFACT_SCHEMA = {schema};
/**
 * The SHA-256 of that artifact's bytes (the file `rolec build` writes), in lowercase
 * hexadecimal: compare it with the artifact the application loads.
 */
export const ARTIFACT_SHA256 = {digest};
/** The name of the artifact's catalog. */
export const CATALOG = {catalog};"#,
        schema = quote(model.schema),
        digest = quote(&model.digest),
        catalog = quote(model.catalog),
    );

    let permission_names: Vec<&str> = model.permissions.iter().map(|p| p.name).collect();
    union(
        &mut out,
        "A permission of the catalog.",
        "Permission",
        &permission_names,
    );
    constants(
        &mut out,
        "Every permission, by constant name.",
        "Permissions",
        model.permissions.iter().map(|p| {
            let text = format!(
                "`{}` (group `{}`): {}",
                doc(p.name),
                doc(p.group),
                doc(p.description)
            );
            (p.ident.as_str(), p.name, text)
        }),
    );
    list(
        &mut out,
        "Every permission, in catalog order.",
        "PERMISSIONS",
        "Permission",
        &permission_names,
    );

    let group_names: Vec<&str> = model.groups.iter().map(|g| g.name).collect();
    union(
        &mut out,
        "A group of permissions of the catalog (its name, without `@`).",
        "Group",
        &group_names,
    );
    constants(
        &mut out,
        "Every group, by constant name.",
        "Groups",
        model.groups.iter().map(|g| {
            let sensitive = if g.sensitive { ", sensitive" } else { "" };
            let text = format!("`@{}` ({}{sensitive})", doc(g.name), doc(g.title));
            (g.ident.as_str(), g.name, text)
        }),
    );
    list(
        &mut out,
        "Every group, in catalog order.",
        "GROUPS",
        "Group",
        &group_names,
    );

    let role_ids: Vec<&str> = model.roles.iter().map(|r| r.id).collect();
    union(
        &mut out,
        "A role, by its stable id: the key to store.",
        "RoleId",
        &role_ids,
    );
    constants(
        &mut out,
        "Every role id, by constant name.",
        "Roles",
        model.roles.iter().map(|r| {
            let builtin = if r.builtin { ", built-in" } else { "" };
            let text = format!("`{}`: {}{builtin}", doc(r.id), doc(r.name));
            (r.ident.as_str(), r.id, text)
        }),
    );
    list(
        &mut out,
        "Every role id, in the artifact's order.",
        "ROLE_IDS",
        "RoleId",
        &role_ids,
    );

    let _ = writeln!(
        out,
        "\n/** The permissions of each group, in catalog order. */\nexport const GROUP_PERMISSIONS: {{ readonly [G in Group]: readonly Permission[] }} = {{"
    );
    for group in &model.groups {
        let _ = writeln!(
            out,
            "  {}: {},",
            key(group.name),
            permission_list(model, &group.members)
        );
    }
    let _ = writeln!(
        out,
        "}};\n\n/** The display name of each role. */\nexport const ROLE_NAMES: {{ readonly [R in RoleId]: string }} = {{"
    );
    for role in &model.roles {
        let _ = writeln!(out, "  {}: {},", key(role.id), quote(role.name));
    }
    let _ = writeln!(
        out,
        "}};\n\n/** The built-in roles of the catalog. */\nexport const BUILTIN_ROLES: readonly RoleId[] = [{}];",
        model
            .roles
            .iter()
            .filter(|r| r.builtin)
            .map(|r| quote(r.id))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "\n/** The resolved table: the permissions of each role, in catalog order. */\nexport const ROLE_PERMISSIONS: {{ readonly [R in RoleId]: readonly Permission[] }} = {{"
    );
    for role in &model.roles {
        let _ = writeln!(
            out,
            "  {}: {},",
            key(role.id),
            permission_list(model, &role.permissions)
        );
    }
    let _ = writeln!(
        out,
        r#"}};

/** Whether the role holds the permission, from the resolved table. */
export function can(role: RoleId, permission: Permission): boolean {{
  const held: readonly Permission[] = ROLE_PERMISSIONS[role];
  return held.indexOf(permission) !== -1;
}}

/** Whether `text` is a role id of the table (for ids read from a database or a request). */
export function isRoleId(text: string): text is RoleId {{
  return Object.prototype.hasOwnProperty.call(ROLE_PERMISSIONS, text);
}}

/** Whether `text` is a permission of the catalog. */
export function isPermission(text: string): text is Permission {{
  return (PERMISSIONS as readonly string[]).indexOf(text) !== -1;
}}"#
    );
    out
}

/// `export type NAME = | "a" | "b";`, a value on each line (`never` when there are none).
fn union(out: &mut String, doc_line: &str, name: &str, values: &[&str]) {
    let _ = write!(out, "\n/** {doc_line} */\nexport type {name} =");
    if values.is_empty() {
        let _ = writeln!(out, " never;");
        return;
    }
    for value in values {
        let _ = write!(out, "\n  | {}", quote(value));
    }
    let _ = writeln!(out, ";");
}

/// `export const NAME = { IDENT: "value", ... } as const;` with a doc comment per entry.
fn constants<'i>(
    out: &mut String,
    doc_line: &str,
    name: &str,
    entries: impl Iterator<Item = (&'i str, &'i str, String)>,
) {
    let _ = writeln!(out, "\n/** {doc_line} */\nexport const {name} = {{");
    for (ident, value, text) in entries {
        let _ = writeln!(out, "  /** {text} */\n  {ident}: {},", quote(value));
    }
    let _ = writeln!(out, "}} as const;");
}

/// `export const NAME: readonly TYPE[] = [...];`, a value on each line.
fn list(out: &mut String, doc_line: &str, name: &str, ty: &str, values: &[&str]) {
    let _ = write!(
        out,
        "\n/** {doc_line} */\nexport const {name}: readonly {ty}[] = ["
    );
    for value in values {
        let _ = write!(out, "\n  {},", quote(value));
    }
    let _ = writeln!(out, "{}];", if values.is_empty() { "" } else { "\n" });
}

/// `["a", "b"]` for positions in the catalog.
fn permission_list(model: &Model<'_>, positions: &[usize]) -> String {
    let items: Vec<String> = positions
        .iter()
        .filter_map(|&position| model.permission(position))
        .map(|permission| quote(permission.name))
        .collect();
    format!("[{}]", items.join(", "))
}
