//! Lowering from pest's pairs to the spanned AST of [`crate::ast`]: one method per rule of the
//! grammar. Names are unescaped and checked here (`invalid-name`).

use pest::iterators::Pair;

use super::Rule;
use crate::ast::{
    Annotation, Assertion, AuthorStatement, Base, BaseKind, Edit, EditTarget, Expectation, RoleDef,
    Sign, Statement,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::names;
use crate::source::{FileId, Span, Spanned};

/// The rules of a role name (`role_name` itself is silent: its two forms are the tokens).
fn is_role_name(rule: Rule) -> bool {
    matches!(rule, Rule::quoted_name | Rule::bare_name)
}

/// Lowering from pest pairs to the AST: one method per rule.
pub(super) struct Lowering<'d> {
    pub(super) file: FileId,
    /// Byte offset of the parsed slice in the whole file.
    pub(super) base: usize,
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
}

impl Lowering<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(self.file, self.base + span.start(), self.base + span.end())
    }

    pub(super) fn statement(mut self, pair: Pair<'_, Rule>) -> Statement {
        match pair.as_rule() {
            Rule::author => Statement::Author(self.author(pair)),
            Rule::assertion => Statement::Assert(self.assertion(pair)),
            _ => Statement::Role(self.role_def(pair)),
        }
    }

    fn author(&mut self, pair: Pair<'_, Rule>) -> AuthorStatement {
        let span = self.span(&pair);
        let name = pair
            .into_inner()
            .find(|p| is_role_name(p.as_rule()))
            .map(|p| self.role_name(p))
            .unwrap_or_else(|| Spanned {
                value: String::new(),
                span,
            });
        AuthorStatement { name, span }
    }

    fn role_def(&mut self, pair: Pair<'_, Rule>) -> RoleDef {
        let span = self.span(&pair);
        let mut role = RoleDef {
            annotations: Vec::new(),
            keyword: span,
            name: Spanned {
                value: String::new(),
                span,
            },
            key: String::new(),
            name_is_valid: true,
            base: None,
            edits: Vec::new(),
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::annotation => role.annotations.push(self.annotation(inner)),
                Rule::kw_role => role.keyword = self.span(&inner),
                Rule::quoted_name | Rule::bare_name => {
                    let reported = self.diagnostics.len();
                    role.name = self.role_name(inner);
                    role.name_is_valid = !self
                        .diagnostics
                        .get(reported..)
                        .unwrap_or_default()
                        .iter()
                        .any(|d| d.code == Code::InvalidName);
                }
                Rule::copies_base | Rule::inherits_base => role.base = Some(self.base(inner)),
                Rule::edits => role.edits = self.edits(inner),
                _ => {}
            }
        }
        role.key = names::collision_key(&role.name.value);
        role
    }

    fn annotation(&mut self, pair: Pair<'_, Rule>) -> Annotation {
        let mut key = Spanned {
            value: String::new(),
            span: self.span(&pair),
        };
        let mut value = String::new();
        let mut value_span = key.span;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::annotation_key => {
                    key = Spanned {
                        value: inner.as_str().trim_start_matches('@').to_string(),
                        span: self.span(&inner),
                    };
                }
                Rule::string => {
                    value = self.string(&inner);
                    value_span = self.span(&inner);
                }
                _ => {}
            }
        }
        Annotation {
            key,
            value,
            value_span,
        }
    }

    fn base(&mut self, pair: Pair<'_, Rule>) -> Base {
        let kind = if pair.as_rule() == Rule::copies_base {
            BaseKind::Copies
        } else {
            BaseKind::Inherits
        };
        let mut keyword = self.span(&pair);
        let mut roles = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::kw_copies | Rule::kw_inherits => keyword = self.span(&inner),
                rule if is_role_name(rule) => roles.push(self.role_name(inner)),
                _ => {}
            }
        }
        Base {
            kind,
            keyword,
            roles,
        }
    }

    fn edits(&mut self, pair: Pair<'_, Rule>) -> Vec<Edit> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::edit)
            .map(|p| self.edit(p))
            .collect()
    }

    fn edit(&mut self, pair: Pair<'_, Rule>) -> Edit {
        let span = self.span(&pair);
        let mut edit = Edit {
            sign: if pair.as_str().starts_with('-') {
                Sign::Remove
            } else {
                Sign::Add
            },
            target: EditTarget::Permission(String::new()),
            span,
            target_span: span,
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::group_ref => {
                    edit.target =
                        EditTarget::Group(inner.as_str().trim_start_matches('@').to_string());
                    edit.target_span = self.span(&inner);
                }
                Rule::permission => {
                    edit.target = EditTarget::Permission(inner.as_str().to_string());
                    edit.target_span = self.span(&inner);
                }
                _ => {}
            }
        }
        edit
    }

    fn assertion(&mut self, pair: Pair<'_, Rule>) -> Assertion {
        let span = self.span(&pair);
        let mut assertion = Assertion {
            role: Spanned {
                value: String::new(),
                span,
            },
            expectation: Expectation::Can,
            permissions: Vec::new(),
            head: span,
            span,
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::quoted_name | Rule::bare_name => assertion.role = self.role_name(inner),
                Rule::kw_cannot | Rule::kw_can => {
                    if inner.as_rule() == Rule::kw_cannot {
                        assertion.expectation = Expectation::Cannot;
                    }
                    assertion.head.end = self.span(&inner).end;
                }
                // A group stays `@name`: the assertion lists every permission of it.
                Rule::permission | Rule::group_ref => assertion.permissions.push(Spanned {
                    value: inner.as_str().to_string(),
                    span: self.span(&inner),
                }),
                _ => {}
            }
        }
        // pest's repetition of targets takes the whitespace after the last one into the
        // pair: the assertion ends where its last target does, inside its line.
        if let Some(last) = assertion.permissions.last() {
            assertion.span.end = last.span.end;
        }
        assertion
    }

    /// A bare or quoted role name, unescaped; a name that breaks the rules of names (a
    /// bare one can only be too long) is reported (`invalid-name`) and kept, so that later
    /// stages do not report it again.
    fn role_name(&mut self, inner: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&inner);
        let bare = inner.as_rule() == Rule::bare_name;
        let value = if bare {
            inner.as_str().to_string()
        } else {
            self.string(&inner)
        };
        // A bare name can only break the length rule (the grammar decides the rest).
        let checked = if bare && value.len() <= names::MAX_NAME_CHARS {
            Ok(())
        } else {
            names::check_role_name(&value)
        };
        if let Err(problem) = checked {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::InvalidName,
                    span,
                    format!("invalid role name: {}", problem.problem),
                )
                .with_label("invalid name")
                .with_help(problem.fix),
            );
        }
        Spanned { value, span }
    }

    /// The text of a quoted string; escapes other than `\"` and `\\` are `invalid-name`
    /// errors (the two places strings appear are names and annotation values).
    fn string(&mut self, pair: &Pair<'_, Rule>) -> String {
        let raw = pair.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        if !inner.contains('\\') {
            return inner.to_string();
        }
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.char_indices();
        while let Some((index, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                Some((_, other)) => {
                    let start = self.span(pair).start + 1 + index;
                    let end = start + 1 + other.len_utf8();
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidName,
                            Span::new(self.file, start, end),
                            format!("unknown escape `\\{other}`"),
                        )
                        .with_label("not `\\\"` or `\\\\`")
                        .with_help("the only escapes are `\\\"` and `\\\\`"),
                    );
                    value.push(other);
                }
                None => value.push('\\'),
            }
        }
        value
    }
}
