//! Diagnostics: the stable codes of the contract (section 3), severities, and the
//! [`Diagnostic`] every stage returns instead of stopping at the first problem.

use crate::lints::Lint;
use crate::source::Span;

/// A stable error code. Its text (see [`Code::as_str`]) is part of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    InvalidName,
    ConfusingCharacter,
    UnknownPermission,
    UnknownGroup,
    UnknownRole,
    DuplicateRole,
    BuiltinRedefined,
    Cycle,
    RevokesInherited,
    DuplicateAnnotation,
    MissingAuthor,
    MisplacedAuthor,
    AuthorCannotManageRoles,
    Escalation,
    AuthorityCycle,
    AuthorAboveCeiling,
    AssertionFailed,
    InvalidCatalog,
    /// `rolec.yaml` is not valid; the command cannot run (exit 2).
    InvalidConfig,
    /// The command cannot run (exit 2): a bad flag or value, an unreadable path, an output
    /// that cannot be written. Such a diagnostic has no span.
    InvalidInvocation,
    /// A lint of section 2.3.
    Lint(Lint),
}

/// Every error code with its one-line summary, in the order of the contract.
pub const ERROR_CODES: &[(Code, &str)] = &[
    (Code::Syntax, "the text does not follow the grammar"),
    (Code::InvalidName, "a role name breaks the naming rules"),
    (
        Code::ConfusingCharacter,
        "a bidirectional control, an invisible character, or a line break other than LF/CRLF",
    ),
    (
        Code::UnknownPermission,
        "a permission that the catalog does not declare",
    ),
    (
        Code::UnknownGroup,
        "a group that the catalog does not declare",
    ),
    (
        Code::UnknownRole,
        "a reference to a role that no file and no built-in defines",
    ),
    (Code::DuplicateRole, "two definitions of colliding names"),
    (
        Code::BuiltinRedefined,
        "a file defines a role whose name collides with a built-in",
    ),
    (Code::Cycle, "`copies` / `inherits` form a cycle"),
    (
        Code::RevokesInherited,
        "an edit removes a permission that an `inherits` parent holds",
    ),
    (
        Code::DuplicateAnnotation,
        "the same annotation key twice on one role",
    ),
    (
        Code::MissingAuthor,
        "a file defines roles and no author is known for it",
    ),
    (
        Code::MisplacedAuthor,
        "a second `author` statement, or one after a role",
    ),
    (
        Code::AuthorCannotManageRoles,
        "the author lacks the role-management permission",
    ),
    (
        Code::Escalation,
        "a role holds permissions its author lacks",
    ),
    (
        Code::AuthorityCycle,
        "authorship does not reach a built-in without a cycle",
    ),
    (
        Code::AuthorAboveCeiling,
        "the author holds permissions the ceiling lacks",
    ),
    (Code::AssertionFailed, "an `assert` does not hold"),
    (Code::InvalidCatalog, "the catalog is not valid"),
    (Code::InvalidConfig, "`rolec.yaml` is not valid"),
    (
        Code::InvalidInvocation,
        "the command cannot run: a bad flag or value, an unknown role given to a flag, an unreadable path",
    ),
];

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::InvalidName => "invalid-name",
            Code::ConfusingCharacter => "confusing-character",
            Code::UnknownPermission => "unknown-permission",
            Code::UnknownGroup => "unknown-group",
            Code::UnknownRole => "unknown-role",
            Code::DuplicateRole => "duplicate-role",
            Code::BuiltinRedefined => "builtin-redefined",
            Code::Cycle => "cycle",
            Code::RevokesInherited => "revokes-inherited",
            Code::DuplicateAnnotation => "duplicate-annotation",
            Code::MissingAuthor => "missing-author",
            Code::MisplacedAuthor => "misplaced-author",
            Code::AuthorCannotManageRoles => "author-cannot-manage-roles",
            Code::Escalation => "escalation",
            Code::AuthorityCycle => "authority-cycle",
            Code::AuthorAboveCeiling => "author-above-ceiling",
            Code::AssertionFailed => "assertion-failed",
            Code::InvalidCatalog => "invalid-catalog",
            Code::InvalidConfig => "invalid-config",
            Code::InvalidInvocation => "invalid-invocation",
            Code::Lint(lint) => lint.name(),
        }
    }
}

/// How serious a diagnostic is. Errors fail the run; warnings do not (unless denied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with an optional short text shown under it.
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// One problem: a code, a severity, a one-line message, where it is and how to fix it.
///
/// `span` is the primary location; a diagnostic without one (rare: a problem of the run as
/// a whole) has no file, line or column.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = Some(text.into());
        self
    }

    pub fn with_help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    pub fn with_help_opt(mut self, text: Option<String>) -> Diagnostic {
        self.help = text;
        self
    }

    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `a`, `a` and `b`, `a`, `b` and `c`: names in backticks joined as in a sentence.
pub fn join_names<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|name| format!("`{}`", name.as_ref()))
        .collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `docs/diagnostics.md`, embedded so that `rolec explain CODE` prints the same text.
pub const DIAGNOSTICS_DOC: &str = include_str!("../docs/diagnostics.md");

/// The section of `docs/diagnostics.md` about `code` (an error code or a lint name).
pub fn explain(code: &str) -> Option<&'static str> {
    let heading = format!("## `{code}`");
    let start = DIAGNOSTICS_DOC
        .match_indices(&heading)
        .map(|(index, _)| index)
        .find(|&index| {
            DIAGNOSTICS_DOC
                .get(index + heading.len()..)
                .is_some_and(|rest| rest.starts_with('\n'))
        })?;
    let rest = DIAGNOSTICS_DOC.get(start..)?;
    let end = rest
        .get(heading.len()..)
        .and_then(|body| body.find("\n## ").or_else(|| body.find("\n<!--")))
        .map_or(rest.len(), |index| index + heading.len() + 1);
    rest.get(..end).map(str::trim_end)
}

/// The one-line summary of an error code or lint.
pub fn summary(code: &str) -> Option<&'static str> {
    ERROR_CODES
        .iter()
        .find(|(c, _)| c.as_str() == code)
        .map(|(_, summary)| *summary)
        .or_else(|| crate::lints::Lint::from_name(code).map(|lint| lint.info().summary))
}

/// Where a code's documentation is published: the section of `docs/diagnostics.md` in the
/// source repository (Cargo.toml's `repository`), at the tag of this version, so a link
/// always describes the rules of the binary that printed it.
pub fn docs_url(code: &str) -> String {
    format!(
        "{}/blob/v{}/docs/diagnostics.md#{code}",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION")
    )
}

/// Every code a diagnostic can carry: the error codes, then the lint names.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    ERROR_CODES
        .iter()
        .map(|(code, _)| code.as_str())
        .chain(crate::lints::LINTS.iter().map(|info| info.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_in_the_docs() {
        for code in all_codes() {
            let section = explain(code).unwrap_or_default();
            assert!(
                section.lines().count() > 3 && !section.contains("TODO"),
                "docs/diagnostics.md needs a section for `{code}`"
            );
        }
    }

    #[test]
    fn the_lint_table_in_the_docs_matches_the_registry() {
        let table = crate::lints::markdown_table();
        let begin = "<!-- lints:begin -->\n";
        let documented = DIAGNOSTICS_DOC
            .split_once(begin)
            .and_then(|(_, rest)| rest.split_once("<!-- lints:end -->"))
            .map(|(inside, _)| inside);
        assert_eq!(
            documented,
            Some(table.as_str()),
            "regenerate the table with `rolec lints --markdown`"
        );
    }

    #[test]
    fn joins_names_like_a_sentence() {
        assert_eq!(join_names::<&str>(&[]), "");
        assert_eq!(join_names(&["a"]), "`a`");
        assert_eq!(join_names(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
