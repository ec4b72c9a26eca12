//! The TypeScript bindings: string literal union types `Permission`, `Group` and `RoleId` (a
//! misspelt string does not type-check), constant objects naming each one, the resolved
//! table, and `function can`. Passes `tsc --strict --noEmit` alone, with the default target
//! and libraries: ES5 only (no `Map`, `Set` or `includes`), and ASCII string literals. The
//! sections and their order are `constants_module`'s (`mod.rs`); this file is their
//! TypeScript syntax.

use std::fmt::Write;

use super::{ascii_literal, comment_text, Constant, Declarations, Language, Model, Spelling};

/// `text` as the key of an object literal: quoted, and computed for `__proto__`, which
/// would set the object's prototype instead of a property.
fn key(text: &str) -> String {
    if text == "__proto__" {
        format!("[{}]", TypeScript::quote(text))
    } else {
        TypeScript::quote(text)
    }
}

/// Text inside a `/** ... */` comment on one line.
fn doc(text: &str) -> String {
    comment_text(text).replace("*/", "*\\/")
}

/// The TypeScript bindings' syntax.
pub(super) struct TypeScript;

impl Spelling for TypeScript {
    const LANGUAGE: Language = Language::TypeScript;
    const LINE_COMMENT: &'static str = "//";

    /// A JavaScript string literal in ASCII: other characters as UTF-16 `\uXXXX` escapes.
    fn quote(text: &str) -> String {
        ascii_literal(text, |out, c| {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        })
    }

    fn code(sigil: &str, name: &str) -> String {
        format!("`{sigil}{}`", doc(name))
    }

    fn prose(text: &str) -> String {
        doc(text)
    }
}

impl Declarations for TypeScript {
    const STRING_TYPE: &'static str = "string";
    const SETS_KEEP_ORDER: bool = true;

    fn list_type(ty: &str) -> String {
        format!("readonly {ty}[]")
    }

    /// A read-only array, as ES5 has no `Set`.
    fn set_type(ty: &str) -> String {
        TypeScript::list_type(ty)
    }

    /// `{ readonly [K in KEY]: VALUE }`, the type variable `K` being the key type's initial.
    fn map_type(key_ty: &str, value_ty: &str) -> String {
        let initial = key_ty.chars().next().unwrap_or('K');
        format!("{{ readonly [{initial} in {key_ty}]: {value_ty} }}")
    }

    fn list_value(items: &[String]) -> String {
        format!("[{}]", items.join(", "))
    }

    fn set_value(items: &[String]) -> String {
        TypeScript::list_value(items)
    }

    fn preamble(out: &mut String, model: &Model<'_>) {
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
            schema = TypeScript::quote(model.schema),
            digest = TypeScript::quote(&model.digest),
            catalog = TypeScript::quote(model.catalog),
        );
    }

    /// `export type NAME = | "a" | "b";`, a value on each line (`never` when there are none).
    fn literal_type(out: &mut String, doc_line: &str, name: &str, values: &[&str]) {
        let _ = write!(out, "\n/** {doc_line} */\nexport type {name} =");
        if values.is_empty() {
            let _ = writeln!(out, " never;");
            return;
        }
        for value in values {
            let _ = write!(out, "\n  | {}", TypeScript::quote(value));
        }
        let _ = writeln!(out, ";");
    }

    /// `export const NAME = { IDENT: "value", ... } as const;` with a doc comment per entry
    /// (the constants' type is their value's).
    fn constants(out: &mut String, doc_line: &str, name: &str, _ty: &str, entries: &[Constant]) {
        let _ = writeln!(out, "\n/** {doc_line} */\nexport const {name} = {{");
        for entry in entries {
            let _ = writeln!(
                out,
                "  /** {} */\n  {}: {},",
                entry.comment,
                entry.ident,
                TypeScript::quote(entry.value)
            );
        }
        let _ = writeln!(out, "}} as const;");
    }

    /// `export const NAME: readonly TYPE[] = [...];`, a value on each line.
    fn list(out: &mut String, doc_line: &str, name: &str, ty: &str, values: &[&str]) {
        let _ = write!(
            out,
            "\n/** {doc_line} */\nexport const {name}: {} = [",
            TypeScript::list_type(ty)
        );
        for value in values {
            let _ = write!(out, "\n  {},", TypeScript::quote(value));
        }
        let _ = writeln!(out, "{}];", if values.is_empty() { "" } else { "\n" });
    }

    /// `export const NAME: TYPE = VALUE;`
    fn constant(out: &mut String, doc_line: &str, name: &str, ty: &str, value: &str) {
        let _ = writeln!(
            out,
            "\n/** {doc_line} */\nexport const {name}: {ty} = {value};"
        );
    }

    /// `export const NAME: TYPE = { "key": value, ... };`
    fn mapping(out: &mut String, doc_line: &str, name: &str, ty: &str, entries: &[(&str, String)]) {
        let _ = writeln!(out, "\n/** {doc_line} */\nexport const {name}: {ty} = {{");
        for (text, value) in entries {
            let _ = writeln!(out, "  {}: {value},", key(text));
        }
        let _ = writeln!(out, "}};");
    }

    fn functions(out: &mut String) {
        let _ = writeln!(
            out,
            r#"
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
    }
}
