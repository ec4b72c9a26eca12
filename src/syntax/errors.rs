//! Syntax errors in a user's words: what was expected, named as the user calls each token
//! (an exhaustive table over the grammar's rules), what was found, and targeted help for
//! the common mistakes.

use pest::error::ErrorVariant;

use super::lexer::{self, Keyword};
use super::{LineIndex, Rule};
use crate::diagnostics::{Code, Diagnostic};
use crate::names;
use crate::source::{FileId, Span};

/// What a user calls each rule in "expected ..." messages. Exhaustive: a new rule must be
/// named here before the crate compiles.
fn display_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::file | Rule::next_statement => "a statement",
        Rule::author | Rule::kw_author => "`author`",
        Rule::role_def | Rule::kw_role => "`role`",
        Rule::assertion | Rule::kw_assert => "`assert`",
        Rule::annotation | Rule::annotation_key => "an annotation (`@doc(\"...\")`)",
        Rule::copies_base | Rule::kw_copies => "`copies`",
        Rule::inherits_base | Rule::kw_inherits => "`inherits`",
        Rule::edits | Rule::lt => "`<`",
        Rule::gt => "`>`",
        Rule::edit | Rule::sign => "an edit (`+permission`, `-permission`, `+@group`)",
        Rule::group_ref => "`@group`",
        Rule::permission => "a permission",
        Rule::role_name | Rule::bare_name | Rule::quoted_name => "a role name",
        Rule::keyword => "a keyword",
        Rule::string => "a quoted string",
        Rule::kw_can => "`can`",
        Rule::kw_cannot => "`cannot`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::comma => "`,`",
        Rule::statement | Rule::statement_start => "a statement",
        Rule::base => "`copies` or `inherits`",
        Rule::WHITESPACE => "a space or comment",
        Rule::ident_char => "a character",
    }
}

/// Rules that begin a statement; listed together as "a new statement" when they are
/// expected beside other tokens.
fn starts_statement(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_author
            | Rule::kw_role
            | Rule::kw_assert
            | Rule::annotation
            | Rule::annotation_key
            | Rule::EOI
    )
}

pub(super) fn syntax_error(
    file: FileId,
    text: &str,
    lines: &LineIndex,
    offset: usize,
    variant: &ErrorVariant<Rule>,
) -> Diagnostic {
    let expected = match variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found = describe_found(text, offset);
    let end = offset + found.1;
    let message = if expected.is_empty() {
        format!("unexpected {}", found.0)
    } else {
        format!("expected {expected}, found {}", found.0)
    };
    let help = syntax_help(text, lines.line_start(offset), offset);
    let diagnostic = Diagnostic::error(Code::Syntax, Span::new(file, offset, end), message)
        .with_label(format!(
            "expected {}",
            if expected.is_empty() {
                "something else"
            } else {
                &expected
            }
        ))
        .with_help_opt(help);
    // Edits left open: show where the `<` was opened.
    let expects_close = matches!(variant, ErrorVariant::ParsingError { positives, .. } if positives.contains(&Rule::gt));
    match unclosed_lt(text, offset).filter(|_| expects_close) {
        Some(open) => {
            let help = diagnostic
                .help
                .clone()
                .unwrap_or_else(|| "close the edits with `>`".into());
            diagnostic
                .with_secondary(Span::new(file, open, open + 1), "`<` opened here")
                .with_help(help)
        }
        None => diagnostic,
    }
}

/// The `<` before `offset` that no `>` closes, within [`HELP_WINDOW`] bytes, if any.
fn unclosed_lt(text: &str, offset: usize) -> Option<usize> {
    let start = crate::source::floor_char_boundary(text, offset.saturating_sub(HELP_WINDOW));
    let before = text.get(start..offset)?;
    let open = before.rfind('<')?;
    (!before.get(open..)?.contains('>')).then_some(start + open)
}

fn describe_expected(positives: &[Rule]) -> String {
    let has_other = positives.iter().any(|&rule| !starts_statement(rule));
    let mut names: Vec<&str> = Vec::new();
    let mut statement_named = false;
    for &rule in positives {
        let name = if has_other && starts_statement(rule) {
            if statement_named {
                continue;
            }
            statement_named = true;
            "a new statement"
        } else {
            display_name(rule)
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if let Some(index) = names.iter().position(|&name| name == "a new statement") {
        let name = names.remove(index);
        names.push(name);
    }
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// What stands at `offset`, for "found ...": a word, a character, or end of file; and its
/// length in bytes.
fn describe_found(text: &str, offset: usize) -> (String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".into(), 0);
    };
    if first == '\n' || first == '\r' {
        return ("end of line".into(), 0);
    }
    let word: String = if first.is_alphanumeric() || first == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '/')
            .take(40)
            .collect()
    } else {
        first.to_string()
    };
    if first == '"' && !rest_of_line(rest).get(1..).unwrap_or("").contains('"') {
        return ("an unterminated string".into(), first.len_utf8());
    }
    let shown = if word.chars().all(|c| !c.is_control()) {
        format!("`{word}`")
    } else {
        names::describe_char(first)
    };
    (shown, word.len())
}

/// How far around an error the help looks, in bytes: enough for any real line, and a bound
/// that keeps a multi-megabyte line cheap.
const HELP_WINDOW: usize = 1000;

/// The text from `rest`'s start to the end of its line, at most [`HELP_WINDOW`] bytes.
fn rest_of_line(rest: &str) -> &str {
    let window = rest
        .get(..crate::source::floor_char_boundary(rest, HELP_WINDOW))
        .unwrap_or("");
    window.split('\n').next().unwrap_or("")
}

/// The keyword a word that is not one was probably meant to be: `copy` for `copies`,
/// `inherit` for `inherits`, `has` for `can`.
fn misspelt_keyword(word: &str) -> Option<&'static str> {
    match word {
        "copy" | "copied" | "copys" | "clones" => Some(Keyword::Copies.as_str()),
        "inherit" | "inherited" | "extends" => Some(Keyword::Inherits.as_str()),
        "has" | "may" | "holds" => Some(Keyword::Can.as_str()),
        "cant" | "hasnt" | "lacks" => Some(Keyword::Cannot.as_str()),
        _ => None,
    }
}

/// `role Sales Lead`, `copies Sales Lead`, `assert Sales Lead can`: the error stands at the
/// second word of a name written without quotes. The name: the word before, this one, and
/// the plain words after it on the line.
fn unquoted_name_of_words(line_before: &str, rest: &str, next_word: &str) -> Option<String> {
    let mut before = line_before.split_whitespace().rev();
    let first = before.next()?;
    let keyword = before.next()?;
    let takes_a_name =
        Keyword::from_word(keyword).is_some_and(Keyword::takes_role_name) || keyword.ends_with(',');
    if !takes_a_name || !lexer::is_bare_name(first) || !lexer::is_bare_name(next_word) {
        return None;
    }
    let mut words = vec![first];
    words.extend(
        rest_of_line(rest)
            .split_whitespace()
            .take_while(|word| lexer::is_bare_name(word))
            .take(10),
    );
    Some(words.join(" "))
}

/// Targeted help for common mistakes at `offset`, whose line starts at `line_start`.
fn syntax_help(text: &str, line_start: usize, offset: usize) -> Option<String> {
    let rest = text.get(offset..).unwrap_or("");
    let window_start = line_start.max(offset.saturating_sub(HELP_WINDOW));
    let window_start = (window_start..=offset)
        .find(|&index| text.is_char_boundary(index))
        .unwrap_or(offset);
    let line_before = text.get(window_start..offset).unwrap_or("");
    let next_word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    let word_before = line_before
        .trim_end()
        .rsplit(|c: char| !lexer::is_ident_char(c))
        .next()
        .unwrap_or("");
    if Keyword::from_word(&next_word).is_some()
        && Keyword::from_word(word_before).is_some_and(Keyword::takes_role_name)
    {
        return Some(format!(
            "`{next_word}` is a keyword; quote it to use it as a role name: `\"{next_word}\"`"
        ));
    }
    if rest.starts_with('"') && !rest_of_line(rest).get(1..).unwrap_or("").contains('"') {
        return Some("a quoted name ends on the line it starts: add the closing `\"`".into());
    }
    if rest.starts_with([
        '\u{201C}', '\u{201D}', '\u{201E}', '\u{2018}', '\u{2019}', '\u{00AB}', '\u{00BB}',
    ]) {
        let inner: String = rest_of_line(rest)
            .chars()
            .skip(1)
            .take_while(|c| {
                !matches!(
                    c,
                    '\u{201C}'
                        | '\u{201D}'
                        | '\u{2018}'
                        | '\u{2019}'
                        | '\u{00AB}'
                        | '\u{00BB}'
                        | '"'
                )
            })
            .take(100)
            .collect();
        return Some(format!("use straight quotes `\"`: `\"{inner}\"`"));
    }
    if rest.starts_with("//") {
        return Some("comments start with `#`: `# ...`".into());
    }
    if let Some(keyword) = misspelt_keyword(&next_word) {
        return Some(format!("did you mean `{keyword}`?"));
    }
    // A bare name is ASCII: a letter outside it stops the name where it stands.
    if rest.starts_with(|c: char| c.is_alphabetic() && !c.is_ascii()) {
        let before = line_before
            .rsplit(|c: char| !lexer::is_ident_char(c))
            .next()
            .unwrap_or("");
        let name = format!("{before}{next_word}");
        return Some(format!(
            "a bare name is ASCII letters, digits and `_`; quote it: `\"{name}\"`"
        ));
    }
    if let Some(name) = unquoted_name_of_words(line_before, rest, &next_word) {
        return Some(format!("if `{name}` is one name, quote it: `\"{name}\"`"));
    }
    if line_before.contains('<')
        && !line_before.contains('>')
        && rest.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Some("edits start with `+` (add) or `-` (remove): `+crm -webhooks`".into());
    }
    None
}
