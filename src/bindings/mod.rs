//! `rolec bindings`: code for an application from an artifact — a constant for every
//! permission, group and role id, and the resolved table (role id → permissions), so that a
//! misspelt permission fails the application's own compiler or type checker. One file per
//! language (`rust.rs`, `typescript.rs`, `python.rs`), each using its language's standard
//! library only; identifiers are chosen in `names.rs`. Pure: an artifact in, the text of a
//! source file out (docs/artifact.md, "Bindings").
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
        Language::TypeScript => typescript::generate(&model(Case::ScreamingSnake)),
        Language::Python => python::generate(&model(Case::ScreamingSnake)),
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

    /// The lines at the top of every generated file, without their comment marker: what
    /// made it and from which artifact.
    fn header(&self, language: Language, quote: fn(&str) -> String) -> [String; 3] {
        [
            format!(
                "Generated by `rolec bindings --lang {}`. Do not edit: generate it again from the policies.",
                language.as_str()
            ),
            format!(
                "Artifact: schema {}, SHA-256 {}.",
                quote(self.schema),
                self.digest
            ),
            format!(
                "Catalog {}: {} permissions in {} groups; {} roles.",
                quote(self.catalog),
                self.permissions.len(),
                self.groups.len(),
                self.roles.len()
            ),
        ]
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
        let code = typescript::generate(&model);
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
