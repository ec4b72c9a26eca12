//! The spanned AST of a `.roles` file: what the grammar recognised, with every name, edit
//! and base keeping where it was written.

use crate::source::{FileId, Span, Spanned};
use crate::syntax::lexer::Keyword;

/// One parsed `.roles` file.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    pub file: FileId,
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug)]
pub enum Statement {
    Author(AuthorStatement),
    Role(RoleDef),
    Assert(Assertion),
}

impl Statement {
    /// The roles the statement refers to, in source order: its author, the bases of a role
    /// (not the role's own name), the role of an assertion.
    pub fn role_references(&self) -> impl Iterator<Item = &Spanned<String>> {
        let (one, bases) = match self {
            Statement::Author(author) => (Some(&author.name), None),
            Statement::Role(role) => (None, role.base.as_ref()),
            Statement::Assert(assertion) => (Some(&assertion.role), None),
        };
        one.into_iter()
            .chain(bases.into_iter().flat_map(|base| &base.roles))
    }
}

/// `author NAME`.
#[derive(Clone, Debug)]
pub struct AuthorStatement {
    pub name: Spanned<String>,
    pub span: Span,
}

/// `@key("value") ... role NAME [base] [< edits >]`.
#[derive(Clone, Debug)]
pub struct RoleDef {
    pub annotations: Vec<Annotation>,
    /// The `role` keyword: the definition's `source` in the artifact.
    pub keyword: Span,
    pub name: Spanned<String>,
    /// The name's collision key (`names::collision_key`), computed when the role is parsed,
    /// on the parse threads, rather than by `resolve` on one.
    pub key: String,
    /// Whether the name follows the naming rules (else it was reported, `invalid-name`).
    pub name_is_valid: bool,
    pub base: Option<Base>,
    pub edits: Vec<Edit>,
}

/// `@key("value")`.
#[derive(Clone, Debug)]
pub struct Annotation {
    pub key: Spanned<String>,
    /// The value, unescaped.
    pub value: String,
    /// The quoted string, quotes included.
    pub value_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseKind {
    Copies,
    Inherits,
}

impl BaseKind {
    pub fn keyword(self) -> &'static str {
        match self {
            BaseKind::Copies => Keyword::Copies.as_str(),
            BaseKind::Inherits => Keyword::Inherits.as_str(),
        }
    }
}

/// `copies R` or `inherits A, B, ...`.
#[derive(Clone, Debug)]
pub struct Base {
    pub kind: BaseKind,
    /// The `copies` or `inherits` keyword.
    pub keyword: Span,
    pub roles: Vec<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    Add,
    Remove,
}

impl Sign {
    pub fn as_char(self) -> char {
        match self {
            Sign::Add => '+',
            Sign::Remove => '-',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditTarget {
    Permission(String),
    Group(String),
}

/// `+p`, `-p`, `+@g` or `-@g`.
#[derive(Clone, Debug)]
pub struct Edit {
    pub sign: Sign,
    pub target: EditTarget,
    /// The whole edit, sign included.
    pub span: Span,
    /// The permission or `@group` alone.
    pub target_span: Span,
}

impl Edit {
    /// The edit as written, normalised: `+crm`, `-@owner_only`.
    pub fn text(&self) -> String {
        match &self.target {
            EditTarget::Permission(name) => format!("{}{name}", self.sign.as_char()),
            EditTarget::Group(name) => format!("{}@{name}", self.sign.as_char()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    Can,
    Cannot,
}

/// `assert ROLE can|cannot p1 p2 ...`.
#[derive(Clone, Debug)]
pub struct Assertion {
    pub role: Spanned<String>,
    pub expectation: Expectation,
    pub permissions: Vec<Spanned<String>>,
    /// `assert ROLE can|cannot`: what a failing assertion underlines, apart from its targets.
    pub head: Span,
    pub span: Span,
}
