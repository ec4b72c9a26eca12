//! Diagnostics: the stable codes (docs/diagnostics.md), severities, and the
//! [`Diagnostic`] every stage returns instead of stopping at the first problem.

use crate::lints::Lint;
use crate::source::Span;

/// Declares the error codes once: the [`Code`] enum, its names ([`Code::as_str`]) and the
/// [`ERROR_CODES`] table of summaries, in the order of docs/diagnostics.md. The lints are declared
/// in [`crate::lints::LINTS`]; [`registry`] lists both.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal: $summary:literal,)*) => {
        /// A stable code. Its text (see [`Code::as_str`]) never changes: tools match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
            /// A lint (docs/language.md, "Lints").
            Lint(Lint),
        }

        /// Every error code with its one-line summary, in the order of docs/diagnostics.md.
        pub const ERROR_CODES: &[(Code, &str)] = &[$((Code::$variant, $summary),)*];

        impl Code {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                    Code::Lint(lint) => lint.name(),
                }
            }
        }
    };
}

error_codes! {
    // Reading the text.
    Syntax = "syntax": "the text does not follow the grammar",
    InvalidName = "invalid-name": "a role name breaks the naming rules",
    ConfusingCharacter = "confusing-character":
        "a bidirectional control, an invisible character, or a line break other than LF/CRLF",

    // Names that refer to nothing, or collide.
    UnknownPermission = "unknown-permission": "a permission that the catalog does not declare",
    UnknownGroup = "unknown-group": "a group that the catalog does not declare",
    UnknownRole = "unknown-role": "a reference to a role that no file and no built-in defines",
    DuplicateRole = "duplicate-role": "two definitions of colliding names",
    BuiltinRedefined = "builtin-redefined":
        "a file defines a role whose name collides with a built-in",

    // Resolving a role.
    Cycle = "cycle": "`copies` / `inherits` form a cycle",
    RevokesInherited = "revokes-inherited":
        "an edit removes a permission that an `inherits` parent holds",
    DuplicateAnnotation = "duplicate-annotation": "the same annotation key twice on one role",
    DuplicateId = "duplicate-id": "two roles with the same id",
    InvalidId = "invalid-id": "a pinned id that breaks the rule, or a name that yields no id",
    UnknownLint = "unknown-lint": "`@allow` or `lints:` names a lint that does not exist",

    // Who authors a file.
    MissingAuthor = "missing-author": "a file defines roles and no author is known for it",
    MisplacedAuthor = "misplaced-author": "a second `author` statement, or one after a role",
    AuthorCannotManageRoles = "author-cannot-manage-roles":
        "the author lacks the role-management permission",

    // The security rule, and the policy's own tests.
    Escalation = "escalation": "a role holds permissions its author lacks",
    AuthorityCycle = "authority-cycle": "authorship does not reach a built-in without a cycle",
    AuthorAboveCeiling = "author-above-ceiling": "the author holds permissions the ceiling lacks",
    AssertionFailed = "assertion-failed": "an `assert` does not hold",

    // The run's other inputs.
    InvalidCatalog = "invalid-catalog": "the catalog is not valid",
    /// `rolec.yaml` is not valid; the command cannot run (exit 2).
    InvalidConfig = "invalid-config": "`rolec.yaml` is not valid",
    /// The command cannot run (exit 2): a bad flag or value, an unreadable path, an output
    /// that cannot be written. Such a diagnostic has no span.
    InvalidInvocation = "invalid-invocation":
        "the command cannot run: a bad flag or value, an unknown role given to a flag, an unreadable path",
    /// `rolec fmt --check`, in a machine format: a file that would change.
    Unformatted = "unformatted": "`fmt --check`: a file that would change, at its first differing line",
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
    /// Errors fail the run; `--deny-warnings` and lint levels decide for lints.
    pub severity: Severity,
    /// One line: lowercase, no final period, names in backticks.
    pub message: String,
    /// The primary location; `None` for a problem of the run as a whole.
    pub span: Option<Span>,
    /// The short text drawn under the primary span.
    pub label: Option<String>,
    /// Other places that explain the problem (the first definition, the author, ...).
    pub secondary: Vec<Label>,
    /// How to fix it.
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

/// One entry of the registry of codes: an error code or a lint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeEntry {
    pub name: &'static str,
    pub summary: &'static str,
    /// A lint's default level; `None` for an error code, which is always an error.
    pub default_level: Option<crate::lints::Level>,
}

impl CodeEntry {
    /// The section of `docs/diagnostics.md` about this code: what it means, an example, how
    /// to fix it (`rolec explain`, SARIF rules' help).
    pub fn explanation(&self) -> Option<&'static str> {
        explain(self.name)
    }
}

/// Every code a diagnostic can carry, the error codes then the lints: the one list that
/// `rolec explain`, `rolec lints`, the SARIF rules and the tests of `docs/diagnostics.md`
/// read.
pub fn registry() -> impl Iterator<Item = CodeEntry> {
    let errors = ERROR_CODES.iter().map(|&(code, summary)| CodeEntry {
        name: code.as_str(),
        summary,
        default_level: None,
    });
    let lints = crate::lints::LINTS.iter().map(|info| CodeEntry {
        name: info.name,
        summary: info.summary,
        default_level: Some(info.default),
    });
    errors.chain(lints)
}

/// The registry's entry for `code` (an error code or a lint name).
pub fn lookup(code: &str) -> Option<CodeEntry> {
    registry().find(|entry| entry.name == code)
}

/// Every code's name, in the order of [`registry`].
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    registry().map(|entry| entry.name)
}

/// Where a code's documentation is published, when the build was told (the environment
/// variable `ROLEC_DOCS_URL` at compile time, the address of `docs/diagnostics.md`): rolec
/// links only to a page that exists, and the text itself travels with each SARIF rule.
pub fn docs_url(code: &str) -> Option<String> {
    option_env!("ROLEC_DOCS_URL")
        .filter(|base| !base.is_empty())
        .map(|base| format!("{base}#{code}"))
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
            "regenerate the table with `rolec lints --format markdown`"
        );
    }

    #[test]
    fn joins_names_like_a_sentence() {
        assert_eq!(join_names::<&str>(&[]), "");
        assert_eq!(join_names(&["a"]), "`a`");
        assert_eq!(join_names(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
