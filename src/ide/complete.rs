//! Completion: what may stand at an offset of a policy file, read from the tokens before it
//! (the statement being typed need not parse), and the candidates with their descriptions:
//! role names after `author`, `copies`, `inherits` and `assert`; permissions and `@groups`
//! after a sign inside `< >` and after `can` / `cannot`; keywords where a statement or a
//! base may begin.

use std::ops::Range;
use std::path::Path;

use crate::names;
use crate::syntax::lexer::{self, Keyword, Kind, Token};

use super::Workspace;
use crate::names::written_name;

/// What a completion item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Role,
    Permission,
    Group,
    Keyword,
}

/// One candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// What replaces `replace`: a role name quoted when it must be, a group with its `@`.
    pub insert: String,
    /// The range of the text typed so far (empty at the offset when nothing is typed).
    pub replace: Range<usize>,
    /// One line: a role's kind and base, a permission's group, a group's title.
    pub detail: Option<String>,
    /// Markdown: a permission's description, a group's members, a role's `@doc`.
    pub documentation: Option<String>,
}

/// What may stand at the offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Role,
    /// Permissions and groups; only groups when the typed text begins with `@`.
    Target,
    /// The keywords that begin a statement.
    Statement,
    /// `copies`, `inherits` (after a role's name).
    Base,
    /// `can`, `cannot` (after an assertion's role).
    Expectation,
}

/// How far back the tokens of the statement being typed are looked for.
const WINDOW_BYTES: usize = 16 * 1024;

/// Whether `line` (from its first character) begins a statement: `author`, `role`,
/// `assert` or an annotation.
fn begins_statement(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    if line.starts_with('@') {
        return true;
    }
    let end = line
        .find(|c: char| !lexer::is_ident_char(c))
        .unwrap_or(line.len());
    line.get(..end)
        .and_then(Keyword::from_word)
        .is_some_and(Keyword::starts_statement)
}

/// Where the statement that holds `offset` begins: the start of the nearest line at or
/// before it that begins a statement, looking back at most [`WINDOW_BYTES`].
fn statement_start(text: &str, offset: usize) -> usize {
    let floor = crate::source::floor_char_boundary(text, offset.saturating_sub(WINDOW_BYTES));
    let mut line_end = offset;
    loop {
        let before = text.get(floor..line_end).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(floor, |index| floor + index + 1);
        let line = text.get(line_start..offset).unwrap_or_default();
        if begins_statement(line) || line_start <= floor {
            return line_start;
        }
        line_end = line_start - 1;
    }
}

/// What may stand at `offset` of `text`, and the range of what is typed there already.
fn expected_at(text: &str, offset: usize) -> Option<(Expected, Range<usize>, bool)> {
    let start = statement_start(text, offset);
    let window = text.get(start..offset)?;
    // An open quote: a quoted role name being typed.
    let (tokens, partial) = match lexer::lex(window) {
        Ok(tokens) => (tokens, None),
        Err(error) if error.message == "unterminated string" => {
            let quote = start + error.offset;
            let tokens = lexer::lex(text.get(start..quote)?).ok()?;
            (tokens, Some(quote..offset))
        }
        Err(_) => return None,
    };
    // In a comment: nothing to complete.
    if partial.is_none()
        && tokens.last().is_some_and(|token| {
            token.kind == Kind::Comment
                && start + token.start + token.text.len()
                    >= offset.min(start + window.trim_end().len())
        })
    {
        return None;
    }
    let mut tokens: Vec<Token<'_>> = tokens
        .into_iter()
        .filter(|token| token.kind != Kind::Comment)
        .collect();
    let mut replace = offset..offset;
    let mut quoted = false;
    if let Some(range) = partial {
        replace = range;
        quoted = true;
    } else if let Some(last) = tokens.last() {
        let end = start + last.start + last.text.len();
        if end == offset && matches!(last.kind, Kind::Word | Kind::At | Kind::Str) {
            replace = start + last.start..offset;
            quoted = last.kind == Kind::Str;
            tokens.pop();
        }
    }
    let expected = expected_after(&tokens)?;
    Some((expected, replace, quoted))
}

/// What may follow `tokens`, the tokens of a statement before the offset.
fn expected_after(tokens: &[Token<'_>]) -> Option<Expected> {
    let keyword = |token: &Token<'_>| {
        (token.kind == Kind::Word)
            .then(|| Keyword::from_word(token.text))
            .flatten()
    };
    let Some(last) = tokens.last() else {
        return Some(Expected::Statement);
    };
    match (last.kind, keyword(last)) {
        (
            Kind::Word,
            Some(Keyword::Author | Keyword::Copies | Keyword::Inherits | Keyword::Assert),
        ) => return Some(Expected::Role),
        (Kind::Word, Some(Keyword::Can | Keyword::Cannot)) => return Some(Expected::Target),
        (Kind::Word, Some(Keyword::Role)) => return None,
        (Kind::Plus | Kind::Minus, _) => return Some(Expected::Target),
        (Kind::Gt, _) => return Some(Expected::Statement),
        _ => {}
    }
    let first = tokens
        .iter()
        .find(|token| {
            token.kind != Kind::At
                && token.kind != Kind::LParen
                && token.kind != Kind::RParen
                && token.kind != Kind::Str
        })
        .and_then(keyword);
    let open_edits = tokens
        .iter()
        .rev()
        .find(|t| matches!(t.kind, Kind::Lt | Kind::Gt));
    if open_edits.is_some_and(|t| t.kind == Kind::Lt) {
        return None;
    }
    match first {
        Some(Keyword::Assert) => {
            let has_expectation = tokens
                .iter()
                .any(|t| matches!(keyword(t), Some(Keyword::Can | Keyword::Cannot)));
            if has_expectation {
                return Some(Expected::Target);
            }
            // `assert ROLE` then `can` or `cannot`.
            (tokens.len() == 2).then_some(Expected::Expectation)
        }
        Some(Keyword::Role) => {
            if last.kind == Kind::Comma {
                return Some(Expected::Role);
            }
            let role_at = tokens
                .iter()
                .position(|t| keyword(t) == Some(Keyword::Role))?;
            // `role NAME` then a base, edits, or the next statement.
            (tokens.len() == role_at + 2).then_some(Expected::Base)
        }
        Some(Keyword::Author) => (tokens.len() == 2).then_some(Expected::Statement),
        _ => None,
    }
}

fn keyword_items(keywords: &[Keyword], replace: &Range<usize>) -> Vec<CompletionItem> {
    keywords
        .iter()
        .map(|keyword| CompletionItem {
            label: keyword.as_str().to_string(),
            kind: CompletionKind::Keyword,
            insert: keyword.as_str().to_string(),
            replace: replace.clone(),
            detail: Some("keyword".into()),
            documentation: None,
        })
        .collect()
}

impl Workspace {
    /// The candidates at `offset` of `path`.
    pub fn completion(&mut self, path: &Path, offset: usize) -> Vec<CompletionItem> {
        let Some(text) = self.text(path) else {
            return Vec::new();
        };
        let offset = crate::source::floor_char_boundary(&text, offset);
        let Some((expected, replace, quoted)) = expected_at(&text, offset) else {
            return Vec::new();
        };
        match expected {
            Expected::Statement => {
                return keyword_items(&[Keyword::Author, Keyword::Role, Keyword::Assert], &replace)
            }
            Expected::Base => {
                return keyword_items(&[Keyword::Copies, Keyword::Inherits], &replace)
            }
            Expected::Expectation => {
                return keyword_items(&[Keyword::Can, Keyword::Cannot], &replace)
            }
            Expected::Role | Expected::Target => {}
        }
        self.analysis();
        let Some((_, unit, catalog)) = self.context(path) else {
            return Vec::new();
        };
        if expected == Expected::Role {
            return unit
                .roles
                .iter()
                .map(|role| {
                    let mut insert = written_name(&role.name);
                    if quoted && !insert.starts_with('"') {
                        // A quote is typed already: the name stays quoted.
                        insert = format!("\"{insert}\"");
                    }
                    let kind = if role.builtin {
                        "built-in role"
                    } else {
                        "custom role"
                    };
                    let detail = match &role.base {
                        Some((base, names)) => {
                            format!("{kind}, {} {}", base.keyword(), names.join(", "))
                        }
                        None => kind.to_string(),
                    };
                    CompletionItem {
                        label: role.name.clone(),
                        kind: CompletionKind::Role,
                        insert,
                        replace: replace.clone(),
                        detail: Some(names::visible(&detail)),
                        documentation: role.doc.as_deref().map(names::visible),
                    }
                })
                .collect();
        }
        let typed = text.get(replace.clone()).unwrap_or_default();
        let mut items = Vec::new();
        if !typed.starts_with('@') {
            items.extend(catalog.permissions.iter().map(|permission| {
                let group = catalog.groups.get(permission.group);
                CompletionItem {
                    label: permission.name.clone(),
                    kind: CompletionKind::Permission,
                    insert: permission.name.clone(),
                    replace: replace.clone(),
                    detail: group.map(|group| {
                        let sensitive = if group.sensitive { ", sensitive" } else { "" };
                        format!("{} (@{}{sensitive})", group.title, group.name)
                    }),
                    documentation: Some(permission.description.clone()),
                }
            }));
        }
        items.extend(catalog.groups.iter().map(|group| {
            let members: Vec<String> = group
                .members
                .iter()
                .map(|id| format!("`{}`", catalog.permission_name(id)))
                .collect();
            let sensitive = if group.sensitive { ", sensitive" } else { "" };
            CompletionItem {
                label: format!("@{}", group.name),
                kind: CompletionKind::Group,
                insert: format!("@{}", group.name),
                replace: replace.clone(),
                detail: Some(format!("group: {}{sensitive}", group.title)),
                documentation: Some(format!("{} members: {}", members.len(), members.join(", "))),
            }
        }));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(text_with_cursor: &str) -> Option<(Expected, String)> {
        let offset = text_with_cursor.find('|').unwrap_or(0);
        let text = text_with_cursor.replacen('|', "", 1);
        expected_at(&text, offset)
            .map(|(expected, range, _)| (expected, text.get(range).unwrap_or_default().to_string()))
    }

    #[test]
    fn contexts_are_read_from_the_tokens_before_the_cursor() {
        use Expected::*;
        let cases: &[(&str, Option<(Expected, &str)>)] = &[
            ("|", Some((Statement, ""))),
            ("author |", Some((Role, ""))),
            ("author Adm|", Some((Role, "Adm"))),
            ("role A copies |", Some((Role, ""))),
            ("role A copies \"Sales L|", Some((Role, "\"Sales L"))),
            ("role A inherits B, |", Some((Role, ""))),
            ("role A inherits B,\n  C|", Some((Role, "C"))),
            ("assert |", Some((Role, ""))),
            ("assert A can |", Some((Target, ""))),
            ("assert A cannot crm we|", Some((Target, "we"))),
            ("assert A |", Some((Expectation, ""))),
            ("role A < +|", Some((Target, ""))),
            ("role A < +cr|", Some((Target, "cr"))),
            ("role A < +crm -@in|", Some((Target, "@in"))),
            ("role A <\n  +crm\n  -|", Some((Target, ""))),
            ("role A |", Some((Base, ""))),
            ("role A co|", Some((Base, "co"))),
            ("role |", None),
            ("role A < |", None),
            ("role A < +crm > |", Some((Statement, ""))),
            ("author A\n|", Some((Statement, ""))),
            ("author A\nro|", Some((Statement, "ro"))),
            ("# comment\nrole A copies |", Some((Role, ""))),
            ("@doc(\"x\")\nrole A copies |", Some((Role, ""))),
            ("role A copies B # note |", None),
        ];
        for (text, want) in cases {
            let want = want.map(|(expected, typed)| (expected, typed.to_string()));
            assert_eq!(expected(text), want, "{text:?}");
        }
    }
}
