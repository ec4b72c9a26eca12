//! `rolec bindings`: code for an application from an artifact — a constant for every
//! permission, group and role id, and the resolved table (role id → permissions), so that a
//! misspelt permission fails the application's own compiler or type checker. One file per
//! language (`rust.rs`, `typescript.rs`, `python.rs`), each using its language's standard
//! library only; identifiers are chosen in `names.rs`. The TypeScript and Python bindings
//! are the same sections in the same order, written here once (`constants_module`), each
//! in its language's syntax (`Declarations`). Pure: an artifact in, the text of a source
//! file out (docs/artifact.md, "Bindings").
//!
//! ```
//! use rolec::bindings::{generate, Language};
//!
//! let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE)?;
//! let code = generate(&artifact, Language::TypeScript)?;
//! assert!(code.contains("export function can(role: RoleId, permission: Permission): boolean"));
//! assert!(code.contains(r#"SALES_LEAD: "sales-lead","#));
//! # Ok::<(), rolec::ArtifactError>(())
//! ```

mod names;
mod python;
mod rust;
mod typescript;

use std::collections::HashMap;
use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::artifact::{Artifact, ArtifactError};
use names::Case;
use python::Python;
use typescript::TypeScript;

/// A language `rolec bindings` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// A Rust module: enums `Permission`, `Group` and `Role`, and `fn can`.
    Rust,
    /// A TypeScript module: string literal union types, constants, and `function can`.
    TypeScript,
    /// A Python module: `Literal` types, `Final` constants, and `def can`.
    Python,
}

impl Language {
    /// The name `--lang` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::TypeScript => "typescript",
            Language::Python => "python",
        }
    }
}

/// The source file of `language` for `artifact`. A malformed artifact (see
/// [`Artifact::check`]) gets no bindings.
pub fn generate(artifact: &Artifact, language: Language) -> Result<String, ArtifactError> {
    artifact.check()?;
    let model = |case| Model::new(artifact, case);
    Ok(match language {
        Language::Rust => rust::generate(&model(Case::UpperCamel)),
        Language::TypeScript => constants_module::<TypeScript>(&model(Case::ScreamingSnake)),
        Language::Python => constants_module::<Python>(&model(Case::ScreamingSnake)),
    })
}

/// The SHA-256 of the artifact's bytes as `rolec build` writes them ([`Artifact::to_json`]),
/// in lowercase hexadecimal: what `sha256sum` prints for the built file.
pub fn digest(artifact: &Artifact) -> String {
    let hash = Sha256::digest(artifact.to_json().as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hash {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// What every language writes: the artifact's names, each with its identifier, and the
/// table by position.
struct Model<'a> {
    schema: &'a str,
    digest: String,
    catalog: &'a str,
    permissions: Vec<PermissionItem<'a>>,
    groups: Vec<GroupItem<'a>>,
    roles: Vec<RoleItem<'a>>,
}

struct PermissionItem<'a> {
    name: &'a str,
    ident: String,
    group: &'a str,
    description: &'a str,
}

struct GroupItem<'a> {
    name: &'a str,
    ident: String,
    title: &'a str,
    sensitive: bool,
    /// Positions in `permissions`.
    members: Vec<usize>,
}

struct RoleItem<'a> {
    id: &'a str,
    name: &'a str,
    ident: String,
    builtin: bool,
    /// Positions in `permissions`, in catalog order.
    permissions: Vec<usize>,
}

impl<'a> Model<'a> {
    /// The model of a checked artifact, with identifiers in `case`.
    fn new(artifact: &'a Artifact, case: Case) -> Model<'a> {
        // Rust's only keyword that an identifier in upper camel case can spell.
        let reserved: &[&str] = match case {
            Case::UpperCamel => &["Self"],
            Case::ScreamingSnake => &[],
        };
        let catalog = artifact.catalog();
        let idents = |names: Vec<&str>| names::identifiers(names.into_iter(), case, reserved);
        let permission_idents = idents(artifact.permissions().map(|p| p.name.as_str()).collect());
        let group_idents = idents(artifact.groups().map(|g| g.name.as_str()).collect());
        let role_idents = idents(artifact.roles().map(|role| role.id()).collect());
        let positions: HashMap<&str, usize> = artifact
            .permissions()
            .enumerate()
            .map(|(position, permission)| (permission.name.as_str(), position))
            .collect();
        let permissions = artifact
            .permissions()
            .zip(permission_idents)
            .map(|(permission, ident)| PermissionItem {
                name: &permission.name,
                ident,
                group: &permission.group,
                description: &permission.description,
            })
            .collect();
        let groups = artifact
            .groups()
            .zip(group_idents)
            .map(|(group, ident)| GroupItem {
                name: &group.name,
                ident,
                title: &group.title,
                sensitive: group.sensitive,
                members: artifact
                    .permissions()
                    .enumerate()
                    .filter(|(_, permission)| permission.group == group.name)
                    .map(|(position, _)| position)
                    .collect(),
            })
            .collect();
        let roles = artifact
            .roles()
            .zip(role_idents)
            .map(|(role, ident)| RoleItem {
                id: role.id(),
                name: role.name(),
                ident,
                builtin: role.is_builtin(),
                permissions: role
                    .permissions()
                    .filter_map(|name| positions.get(name).copied())
                    .collect(),
            })
            .collect();
        Model {
            schema: artifact.schema(),
            digest: digest(artifact),
            catalog: &catalog.name,
            permissions,
            groups,
            roles,
        }
    }

    /// The comment lines at the top of every generated file: what made it and from which
    /// artifact.
    fn write_header<S: Spelling>(&self, out: &mut String) {
        let lines = [
            format!(
                "Generated by `rolec bindings --lang {}`. Do not edit: generate it again from the policies.",
                S::LANGUAGE.as_str()
            ),
            format!(
                "Artifact: schema {}, SHA-256 {}.",
                S::quote(self.schema),
                self.digest
            ),
            format!(
                "Catalog {}: {} permissions in {} groups; {} roles.",
                S::quote(self.catalog),
                self.permissions.len(),
                self.groups.len(),
                self.roles.len()
            ),
        ];
        for line in lines {
            let _ = writeln!(out, "{} {line}", S::LINE_COMMENT);
        }
    }

    /// The identifier of the group named `name`.
    fn group_ident(&self, name: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|group| group.name == name)
            .map(|group| group.ident.as_str())
    }

    /// The permission at `position`.
    fn permission(&self, position: usize) -> Option<&PermissionItem<'a>> {
        self.permissions.get(position)
    }
}

impl PermissionItem<'_> {
    /// The comment on the permission's constant or variant.
    fn describe<S: Spelling>(&self) -> String {
        format!(
            "{} (group {}): {}",
            S::code("", self.name),
            S::code("", self.group),
            S::prose(self.description)
        )
    }
}

impl GroupItem<'_> {
    /// The comment on the group's constant or variant.
    fn describe<S: Spelling>(&self) -> String {
        let sensitive = if self.sensitive { ", sensitive" } else { "" };
        format!(
            "{} ({}{sensitive})",
            S::code("@", self.name),
            S::prose(self.title)
        )
    }
}

impl RoleItem<'_> {
    /// The comment on the role's constant or variant.
    fn describe<S: Spelling>(&self) -> String {
        let builtin = if self.builtin { ", built-in" } else { "" };
        format!("{}: {}{builtin}", S::code("", self.id), S::prose(self.name))
    }
}

/// How a language writes strings and comments.
trait Spelling {
    /// The language, for the header.
    const LANGUAGE: Language;
    /// What starts a comment that runs to the end of the line.
    const LINE_COMMENT: &'static str;

    /// `text` as a string literal, in ASCII.
    fn quote(text: &str) -> String;

    /// `sigil` (`@` for a group, else nothing) and `name`, as code in a one-line comment.
    fn code(sigil: &str, name: &str) -> String;

    /// `text` as prose in a one-line comment.
    fn prose(text: &str) -> String;
}

/// A constant of a names section: its identifier, the name it stands for, and its comment.
struct Constant<'m> {
    ident: &'m str,
    value: &'m str,
    comment: String,
}

/// One kind of name (permissions, groups or role ids) as three sections: a type whose values
/// are the names, a constant for each name, and a list of them all.
struct NamesSection<'m> {
    ty: &'static str,
    ty_doc: &'static str,
    constants: &'static str,
    constants_doc: &'static str,
    list: &'static str,
    list_doc: &'static str,
    entries: Vec<Constant<'m>>,
}

/// How a language writes the declarations of the bindings made of string constants
/// (TypeScript and Python); [`constants_module`] puts them in order. Each writes a blank line
/// before itself and a line break after. Rust's bindings are enums with methods and a bit
/// table, a shape of their own (`rust.rs`).
trait Declarations: Spelling {
    /// The type of text.
    const STRING_TYPE: &'static str;
    /// Whether [`Declarations::set_value`] keeps its items' order, so that the docs may say so.
    const SETS_KEEP_ORDER: bool;

    /// The type of a list of `ty`.
    fn list_type(ty: &str) -> String;

    /// The type of a set of `ty`.
    fn set_type(ty: &str) -> String;

    /// The type of a map from `key_ty` to `value_ty`.
    fn map_type(key_ty: &str, value_ty: &str) -> String;

    /// A list of `items`, written as literals already, on one line.
    fn list_value(items: &[String]) -> String;

    /// A set of `items`, written as literals already, on one line.
    fn set_value(items: &[String]) -> String;

    /// What comes between the header and the first names section: the module's own
    /// documentation and imports, and constants naming the artifact.
    fn preamble(out: &mut String, model: &Model<'_>);

    /// The type `name` whose values are `values`.
    fn literal_type(out: &mut String, doc_line: &str, name: &str, values: &[&str]);

    /// The constants `name.IDENT`, each of type `ty` and with its comment.
    fn constants(out: &mut String, doc_line: &str, name: &str, ty: &str, entries: &[Constant]);

    /// The constant `name`: all of `values`, as a list of `ty`.
    fn list(out: &mut String, doc_line: &str, name: &str, ty: &str, values: &[&str]);

    /// The constant `name` of type `ty`.
    fn constant(out: &mut String, doc_line: &str, name: &str, ty: &str, value: &str);

    /// The constant `name`, a map of type `ty`: an entry (a key, a value written as a
    /// literal already) on each line.
    fn mapping(out: &mut String, doc_line: &str, name: &str, ty: &str, entries: &[(&str, String)]);

    /// The functions at the end: `can`, and the checks whether a text is a role id or a
    /// permission.
    fn functions(out: &mut String);
}

/// The TypeScript or Python bindings: the header, the preamble, the names sections of
/// permissions, groups and role ids, the tables, and the functions, in `S`'s syntax.
fn constants_module<S: Declarations>(model: &Model<'_>) -> String {
    let mut out = String::new();
    model.write_header::<S>(&mut out);
    S::preamble(&mut out, model);

    let sections = [
        NamesSection {
            ty: "Permission",
            ty_doc: "A permission of the catalog.",
            constants: "Permissions",
            constants_doc: "Every permission, by constant name.",
            list: "PERMISSIONS",
            list_doc: "Every permission, in catalog order.",
            entries: model
                .permissions
                .iter()
                .map(|p| Constant {
                    ident: &p.ident,
                    value: p.name,
                    comment: p.describe::<S>(),
                })
                .collect(),
        },
        NamesSection {
            ty: "Group",
            ty_doc: "A group of permissions of the catalog (its name, without `@`).",
            constants: "Groups",
            constants_doc: "Every group, by constant name.",
            list: "GROUPS",
            list_doc: "Every group, in catalog order.",
            entries: model
                .groups
                .iter()
                .map(|g| Constant {
                    ident: &g.ident,
                    value: g.name,
                    comment: g.describe::<S>(),
                })
                .collect(),
        },
        NamesSection {
            ty: "RoleId",
            ty_doc: "A role, by its stable id: the key to store.",
            constants: "Roles",
            constants_doc: "Every role id, by constant name.",
            list: "ROLE_IDS",
            list_doc: "Every role id, in the artifact's order.",
            entries: model
                .roles
                .iter()
                .map(|r| Constant {
                    ident: &r.ident,
                    value: r.id,
                    comment: r.describe::<S>(),
                })
                .collect(),
        },
    ];
    for section in &sections {
        let values: Vec<&str> = section.entries.iter().map(|entry| entry.value).collect();
        S::literal_type(&mut out, section.ty_doc, section.ty, &values);
        S::constants(
            &mut out,
            section.constants_doc,
            section.constants,
            section.ty,
            &section.entries,
        );
        S::list(
            &mut out,
            section.list_doc,
            section.list,
            section.ty,
            &values,
        );
    }

    // The permissions at positions in the catalog, as literals.
    let permission_names = |positions: &[usize]| -> Vec<String> {
        positions
            .iter()
            .filter_map(|&position| model.permission(position))
            .map(|permission| S::quote(permission.name))
            .collect()
    };
    let group_permissions: Vec<(&str, String)> = model
        .groups
        .iter()
        .map(|g| (g.name, S::list_value(&permission_names(&g.members))))
        .collect();
    S::mapping(
        &mut out,
        "The permissions of each group, in catalog order.",
        "GROUP_PERMISSIONS",
        &S::map_type("Group", &S::list_type("Permission")),
        &group_permissions,
    );
    let role_names: Vec<(&str, String)> = model
        .roles
        .iter()
        .map(|r| (r.id, S::quote(r.name)))
        .collect();
    S::mapping(
        &mut out,
        "The display name of each role.",
        "ROLE_NAMES",
        &S::map_type("RoleId", S::STRING_TYPE),
        &role_names,
    );
    let builtins: Vec<String> = model
        .roles
        .iter()
        .filter(|r| r.builtin)
        .map(|r| S::quote(r.id))
        .collect();
    S::constant(
        &mut out,
        "The built-in roles of the catalog.",
        "BUILTIN_ROLES",
        &S::set_type("RoleId"),
        &S::set_value(&builtins),
    );
    let role_permissions: Vec<(&str, String)> = model
        .roles
        .iter()
        .map(|r| (r.id, S::set_value(&permission_names(&r.permissions))))
        .collect();
    S::mapping(
        &mut out,
        if S::SETS_KEEP_ORDER {
            "The resolved table: the permissions of each role, in catalog order."
        } else {
            "The resolved table: the permissions of each role."
        },
        "ROLE_PERMISSIONS",
        &S::map_type("RoleId", &S::set_type("Permission")),
        &role_permissions,
    );
    S::functions(&mut out);
    out
}

/// `text` for a one-line comment: runs of white space (line breaks too) as one space, and
/// control, bidirectional and invisible characters made visible (U+FFFD).
fn comment_text(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    crate::names::visible(&spaced)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as a double-quoted literal in ASCII: printable ASCII as it is but `"` and `\`;
/// everything else as `escape` writes it.
fn ascii_literal(text: &str, escape: impl Fn(&mut String, char)) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            _ => escape(&mut out, c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::EXAMPLE;

    #[test]
    fn literals_are_ascii_and_read_back() {
        let text = "a\"b\\c\nd\u{e9}\u{202e}\u{1F600}";
        let rust = rust::generate(&Model::new(&Artifact::default(), Case::UpperCamel));
        assert!(rust.is_ascii());
        let quoted = ascii_literal(text, |out, c| {
            let _ = write!(out, "<{:x}>", u32::from(c));
        });
        assert_eq!(quoted, r#""a\"b\\c\nd<e9><202e><1f600>""#);
        // JSON reads the TypeScript form (UTF-16 escapes) back as the text.
        let artifact = Artifact::from_json(EXAMPLE).unwrap();
        let mut model = Model::new(&artifact, Case::ScreamingSnake);
        model.catalog = text;
        let code = constants_module::<TypeScript>(&model);
        assert!(code.is_ascii());
        let line = code
            .lines()
            .find(|line| line.starts_with("export const CATALOG = "))
            .unwrap();
        let literal = line
            .trim_start_matches("export const CATALOG = ")
            .trim_end_matches(';');
        assert_eq!(serde_json::from_str::<String>(literal).unwrap(), text);
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(
            comment_text("a\n b\u{202e}\r\u{2028}c\td"),
            "a b\u{fffd} c d"
        );
    }

    #[test]
    fn the_digest_is_that_of_the_bytes_build_writes() {
        let artifact = Artifact::from_json(EXAMPLE).unwrap();
        let expected = Sha256::digest(artifact.to_json().as_bytes());
        let hex = digest(&artifact);
        assert_eq!(hex.len(), 64);
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.as_slice(), expected.as_slice());
        for language in [Language::Rust, Language::TypeScript, Language::Python] {
            let code = generate(&artifact, language).unwrap();
            assert!(code.lines().nth(1).unwrap().contains(&hex), "{code}");
        }
    }

    #[test]
    fn a_malformed_artifact_gets_no_bindings() {
        let mut value: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        value["roles"][1]["id"] = "owner".into();
        let artifact: Artifact = serde_json::from_value(value).unwrap();
        assert!(matches!(
            generate(&artifact, Language::Rust),
            Err(ArtifactError::RepeatedId { .. })
        ));
    }
}
