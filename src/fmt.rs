//! The formatter behind `rolec fmt`: one canonical layout for `.roles` files, keeping every
//! token and every comment, never changing what a file means.
//!
//! The pest grammar treats comments as trivia, so the formatter reads the text itself, with a
//! lexer that follows the lexical rules of `grammar/roles.pest` exactly (words, quoted
//! strings, `@name`, punctuation, `#` comments) and a parser that follows its statement
//! rules. It only formats a file that the compiler's own parser accepts and that has no
//! hidden character, so the two can never disagree on a file that gets rewritten. The
//! layout is:
//!
//! - one statement per line: `author X`, `role NAME [copies X | inherits A, B] < +a -b >`,
//!   `assert R can a b`, tokens separated by single spaces (`+a`, `@doc("x")` and `A, B` are
//!   written tight);
//! - each annotation on its own line before its `role`;
//! - edits stay on the `role` line unless the user broke them over lines (or put a comment
//!   among them): then `<` ends the `role` line, each line of edits is kept as the user
//!   grouped it, indented by two spaces, and `>` stands alone;
//! - one blank line between statements of different kinds, around each role with
//!   annotations, and wherever the user left one or more (runs of blank lines become one);
//! - own-line comments stay on their own line before the same token; end-of-line comments
//!   stay at the end of the line of the token they follow (a comment inside a statement
//!   breaks it, and the statement goes on on the next line, indented by two spaces);
//! - names and strings are kept as written (bare or quoted, with their escapes, which are
//!   already canonical: `\"` and `\\` are the only ones); comments lose trailing spaces;
//!   LF line ends, a final newline, no leading byte-order mark.

use crate::diagnostics::Code;
use crate::names;
use crate::source::FileId;
use crate::syntax;
use crate::syntax::lexer::{self, is_bare_name, lex, starts_with_keyword, Keyword, Kind, Token};

/// Why a text could not be formatted: the first problem, at a byte offset of the text.
pub type FormatError = lexer::LexError;

/// Formats the text of one `.roles` file. Fails, leaving the text to be reported by the
/// compiler, when it has a syntax error or a hidden character (`confusing-character`).
pub fn format_source(text: &str) -> Result<String, FormatError> {
    if let Some(found) = names::confusing_characters(text).first() {
        return Err(FormatError {
            offset: found.offset,
            message: format!("hidden character {}", names::describe_char(found.character)),
        });
    }
    let (_, diagnostics) = syntax::parse_file(FileId(0), text);
    if let Some(error) = diagnostics.iter().find(|d| d.code == Code::Syntax) {
        return Err(FormatError {
            offset: error.span.map_or(0, |span| span.start),
            message: error.message.clone(),
        });
    }
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or("");
    let shift = |mut error: FormatError| {
        error.offset += bom;
        error
    };
    let tokens = lex(body).map_err(shift)?;
    let statements = Parser {
        tokens: &tokens,
        code: tokens
            .iter()
            .enumerate()
            .filter(|(_, token)| token.kind != Kind::Comment)
            .map(|(index, _)| index)
            .collect(),
        position: 0,
    }
    .statements()
    .map_err(shift)?;
    Ok(render(&tokens, &statements))
}

// ── Parsing ────────────────────────────────────────────────────────────────────────────────

/// How a token is separated from the one before it in the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    /// Written right after it: `+` `crm`, `@doc` `(`.
    Tight,
    Space,
    /// On a new line, indented by this many spaces.
    Line(usize),
}

/// Where one token goes.
#[derive(Clone, Copy, Debug)]
struct Placement {
    /// Index in the tokens.
    token: usize,
    sep: Sep,
    /// Indentation of an own-line comment just before this token.
    comment_indent: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StatementKind {
    Author,
    Role,
    Assert,
}

#[derive(Debug)]
struct Statement {
    kind: StatementKind,
    annotated: bool,
    placements: Vec<Placement>,
}

impl Statement {
    fn first_token(&self) -> usize {
        self.placements.first().map_or(0, |p| p.token)
    }

    fn last_token(&self) -> usize {
        self.placements.last().map_or(0, |p| p.token)
    }
}

/// Indentation of a statement's continuation lines and of its lines of edits.
const INDENT: usize = 2;

/// A parser over the tokens that are not comments, following the statement rules of the
/// grammar.
struct Parser<'p, 't> {
    tokens: &'p [Token<'t>],
    /// Indices of the tokens that are not comments.
    code: Vec<usize>,
    /// Position in `code`.
    position: usize,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<(usize, Token<'_>)> {
        let index = *self.code.get(self.position)?;
        self.tokens.get(index).map(|&token| (index, token))
    }

    /// Whether the next tokens are `@key` `(`: an annotation.
    fn next_is_annotation(&self) -> bool {
        let kind_at = |offset: usize| {
            self.code
                .get(self.position + offset)
                .and_then(|&index| self.tokens.get(index))
                .map(|token| token.kind)
        };
        kind_at(0) == Some(Kind::At) && kind_at(1) == Some(Kind::LParen)
    }

    fn error(&self, expected: &str) -> FormatError {
        match self.peek() {
            Some((_, token)) => FormatError {
                offset: token.start,
                message: format!("expected {expected}, found `{}`", token.text),
            },
            None => FormatError {
                offset: self.tokens.last().map_or(0, |t| t.start + t.text.len()),
                message: format!("expected {expected}, found end of file"),
            },
        }
    }

    /// Takes the next token when `accept` says so, placing it.
    fn take(
        &mut self,
        placements: &mut Vec<Placement>,
        sep: Sep,
        comment_indent: usize,
        accept: impl Fn(&Token<'_>) -> bool,
    ) -> bool {
        match self.peek() {
            Some((index, token)) if accept(&token) => {
                placements.push(Placement {
                    token: index,
                    sep,
                    comment_indent,
                });
                self.position += 1;
                true
            }
            _ => false,
        }
    }

    fn expect(
        &mut self,
        placements: &mut Vec<Placement>,
        sep: Sep,
        expected: &str,
        accept: impl Fn(&Token<'_>) -> bool,
    ) -> Result<(), FormatError> {
        if self.take(placements, sep, INDENT, accept) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn statements(mut self) -> Result<Vec<Statement>, FormatError> {
        let mut statements = Vec::new();
        while let Some((_, token)) = self.peek() {
            let keyword = Keyword::from_word(token.text).filter(|_| token.kind == Kind::Word);
            let statement = match (token.kind, keyword) {
                (_, Some(Keyword::Author)) => self.author()?,
                (_, Some(Keyword::Assert)) => self.assertion()?,
                (_, Some(Keyword::Role)) | (Kind::At, _) => self.role_def()?,
                _ => return Err(self.error("a statement")),
            };
            statements.push(statement);
        }
        Ok(statements)
    }

    fn role_name(&mut self, placements: &mut Vec<Placement>, sep: Sep) -> Result<(), FormatError> {
        self.expect(placements, sep, "a role name", |token| match token.kind {
            Kind::Str => true,
            Kind::Word => is_bare_name(token.text),
            _ => false,
        })
    }

    fn keyword(
        &mut self,
        placements: &mut Vec<Placement>,
        sep: Sep,
        comment_indent: usize,
        keyword: Keyword,
    ) -> bool {
        self.take(placements, sep, comment_indent, |token| {
            token.kind == Kind::Word && token.text == keyword.as_str()
        })
    }

    /// The start of a statement: `keyword` on a line of its own, then a role name.
    fn keyword_and_name(&mut self, keyword: Keyword) -> Result<Vec<Placement>, FormatError> {
        let mut placements = Vec::new();
        self.keyword(&mut placements, Sep::Line(0), 0, keyword);
        self.role_name(&mut placements, Sep::Space)?;
        Ok(placements)
    }

    /// `author NAME`.
    fn author(&mut self) -> Result<Statement, FormatError> {
        let placements = self.keyword_and_name(Keyword::Author)?;
        Ok(Statement {
            kind: StatementKind::Author,
            annotated: false,
            placements,
        })
    }

    /// `assert NAME can|cannot p...`.
    fn assertion(&mut self) -> Result<Statement, FormatError> {
        let mut placements = self.keyword_and_name(Keyword::Assert)?;
        if !self.keyword(&mut placements, Sep::Space, INDENT, Keyword::Cannot)
            && !self.keyword(&mut placements, Sep::Space, INDENT, Keyword::Can)
        {
            return Err(self.error("`can` or `cannot`"));
        }
        // A target: a permission, or `@group` that is not the annotation of the next role.
        let group = !self.next_is_annotation();
        let permission = move |token: &Token<'_>| {
            (token.kind == Kind::Word && !starts_with_keyword(token.text))
                || (token.kind == Kind::At && group)
        };
        self.expect(&mut placements, Sep::Space, "a permission", permission)?;
        loop {
            let group = !self.next_is_annotation();
            let target = move |token: &Token<'_>| {
                (token.kind == Kind::Word && !starts_with_keyword(token.text))
                    || (token.kind == Kind::At && group)
            };
            if !self.take(&mut placements, Sep::Space, INDENT, target) {
                break;
            }
        }
        Ok(Statement {
            kind: StatementKind::Assert,
            annotated: false,
            placements,
        })
    }

    /// `@key("value")... role NAME [copies R | inherits A, B...] [< edits >]`.
    fn role_def(&mut self) -> Result<Statement, FormatError> {
        let mut placements = Vec::new();
        let mut annotated = false;
        while self.take(&mut placements, Sep::Line(0), 0, |token| {
            token.kind == Kind::At
                && token.text.get(1..).is_some_and(|key| {
                    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                })
        }) {
            annotated = true;
            self.expect(&mut placements, Sep::Tight, "`(`", |t| {
                t.kind == Kind::LParen
            })?;
            self.expect(&mut placements, Sep::Tight, "a quoted string", |t| {
                t.kind == Kind::Str
            })?;
            self.expect(&mut placements, Sep::Tight, "`)`", |t| {
                t.kind == Kind::RParen
            })?;
        }
        if !self.keyword(&mut placements, Sep::Line(0), 0, Keyword::Role) {
            return Err(self.error("`role`"));
        }
        self.role_name(&mut placements, Sep::Space)?;
        if self.keyword(&mut placements, Sep::Space, INDENT, Keyword::Copies) {
            self.role_name(&mut placements, Sep::Space)?;
        } else if self.keyword(&mut placements, Sep::Space, INDENT, Keyword::Inherits) {
            self.role_name(&mut placements, Sep::Space)?;
            while self.take(&mut placements, Sep::Tight, INDENT, |t| {
                t.kind == Kind::Comma
            }) {
                self.role_name(&mut placements, Sep::Space)?;
            }
        }
        if self.take(&mut placements, Sep::Space, INDENT, |t| t.kind == Kind::Lt) {
            self.edits(&mut placements)?;
        }
        Ok(Statement {
            kind: StatementKind::Role,
            annotated,
            placements,
        })
    }

    /// The edits after `<`, and `>`. They stay on one line unless the user broke them over
    /// lines or commented among them; then each line of edits keeps the edits the user put on
    /// it.
    fn edits(&mut self, placements: &mut Vec<Placement>) -> Result<(), FormatError> {
        let opening = placements.last().map_or(0, |p| p.token);
        let first = placements.len();
        let mut edit_count = 0;
        loop {
            let sign = |t: &Token<'_>| matches!(t.kind, Kind::Plus | Kind::Minus);
            if self.take(placements, Sep::Space, INDENT, sign) {
                edit_count += 1;
                self.expect(placements, Sep::Tight, "a permission or `@group`", |t| {
                    t.kind == Kind::Word || (t.kind == Kind::At && t.text.len() > 1)
                })?;
            } else if self.take(placements, Sep::Space, INDENT, |t| t.kind == Kind::Gt) {
                break;
            } else {
                return Err(self.error("an edit or `>`"));
            }
        }
        let closing = placements.last().map_or(opening, |p| p.token);
        let inside = self.tokens.get(opening + 1..=closing).unwrap_or(&[]);
        let has_comment = inside.iter().any(|t| t.kind == Kind::Comment);
        let has_newline = inside.iter().any(|t| t.newlines_before > 0);
        if !(has_comment || (edit_count > 0 && has_newline)) {
            return Ok(());
        }
        let mut first_sign = true;
        for placement in placements.get_mut(first..).unwrap_or(&mut []) {
            let Some(token) = self.tokens.get(placement.token) else {
                continue;
            };
            match token.kind {
                Kind::Plus | Kind::Minus if first_sign || token.newlines_before > 0 => {
                    placement.sep = Sep::Line(INDENT);
                    first_sign = false;
                }
                Kind::Gt => placement.sep = Sep::Line(0),
                _ => {}
            }
        }
        Ok(())
    }
}

// ── Rendering ──────────────────────────────────────────────────────────────────────────────

/// The output, written line by line.
struct Writer {
    out: String,
    at_line_start: bool,
}

impl Writer {
    fn indent(&mut self, width: usize) {
        self.out.extend(std::iter::repeat_n(' ', width));
    }

    /// A token, separated from what precedes it by `sep`; at the start of a line, indented
    /// by `sep`'s indentation or, for a statement going on after a comment, by [`INDENT`].
    fn token(&mut self, text: &str, sep: Sep) {
        if self.at_line_start {
            self.indent(match sep {
                Sep::Line(width) => width,
                Sep::Tight | Sep::Space => INDENT,
            });
        } else {
            match sep {
                Sep::Tight => {}
                Sep::Space => self.out.push(' '),
                Sep::Line(width) => {
                    self.out.push('\n');
                    self.indent(width);
                }
            }
        }
        self.out.push_str(text);
        self.at_line_start = false;
    }

    /// A comment: on a line of its own, or at the end of the current line.
    fn comment(&mut self, text: &str, own_line: bool, indent: usize) {
        if own_line {
            self.end_line();
        }
        if self.at_line_start {
            self.indent(indent);
        } else {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
        self.at_line_start = true;
    }

    fn end_line(&mut self) {
        if !self.at_line_start {
            self.out.push('\n');
            self.at_line_start = true;
        }
    }

    fn blank_line(&mut self) {
        self.end_line();
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }
}

fn render(tokens: &[Token<'_>], statements: &[Statement]) -> String {
    let mut writer = Writer {
        out: String::new(),
        at_line_start: true,
    };
    let mut next = 0;
    let mut previous: Option<&Statement> = None;
    for statement in statements {
        let between = tokens.get(next..statement.first_token()).unwrap_or(&[]);
        let forced_blank = previous.is_some_and(|previous| {
            previous.kind != statement.kind || previous.annotated || statement.annotated
        });
        write_between(
            &mut writer,
            between,
            previous.is_some(),
            forced_blank,
            tokens.get(statement.first_token()),
        );
        next = statement.first_token();
        for placement in &statement.placements {
            let Some(token) = tokens.get(placement.token) else {
                continue;
            };
            for comment in tokens.get(next..placement.token).unwrap_or(&[]) {
                writer.comment(
                    comment.text,
                    comment.newlines_before > 0,
                    placement.comment_indent,
                );
            }
            writer.token(token.text, placement.sep);
            next = placement.token + 1;
        }
        next = statement.last_token() + 1;
        previous = Some(statement);
    }
    write_between(
        &mut writer,
        tokens.get(next..).unwrap_or(&[]),
        previous.is_some(),
        false,
        None,
    );
    writer.end_line();
    writer.out
}

/// The comments between two statements (or before the first, or after the last), up to the
/// first token of the statement that follows, if any. A comment on the previous statement's
/// line stays there; the others keep their own lines. A blank line goes before the first of
/// them (or before the statement) when `forced_blank`, and before any of them where the user
/// left one.
fn write_between(
    writer: &mut Writer,
    comments: &[Token<'_>],
    after_statement: bool,
    forced_blank: bool,
    statement_first: Option<&Token<'_>>,
) {
    let mut rest = comments;
    if after_statement {
        if let Some((first, others)) = comments.split_first() {
            if first.newlines_before == 0 {
                writer.comment(first.text, false, 0);
                rest = others;
            }
        }
    }
    writer.end_line();
    let mut first_item = true;
    let mut separate = |writer: &mut Writer, token: &Token<'_>| {
        let blank = (first_item && forced_blank) || token.newlines_before > 1;
        if blank && !writer.out.is_empty() {
            writer.blank_line();
        }
        first_item = false;
    };
    for comment in rest {
        separate(writer, comment);
        writer.comment(comment.text, true, 0);
    }
    if let Some(token) = statement_first {
        separate(writer, token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> String {
        format_source(text).unwrap_or_else(|error| format!("error: {error:?}"))
    }

    #[test]
    fn one_statement_per_line_with_single_spaces() {
        assert_eq!(
            format("author   Administrator role A<+crm-mail>role \"B\"  inherits A ,User<>\n"),
            "author Administrator\n\nrole A < +crm -mail >\nrole \"B\" inherits A, User < >\n"
        );
        assert_eq!(
            format("assert A\ncan\tcrm   mail"),
            "assert A can crm mail\n"
        );
    }

    #[test]
    fn annotations_go_on_their_own_lines_set_apart_by_blank_lines() {
        assert_eq!(
            format("author X\n@doc ( \"a # b \\\" c\" ) @k(\"v\") role A\nrole B\n"),
            "author X\n\n@doc(\"a # b \\\" c\")\n@k(\"v\")\nrole A\n\nrole B\n"
        );
    }

    #[test]
    fn edits_keep_the_users_lines() {
        let text = "role A copies B <\n+a +b\n     -c\n>\nrole C < +a\n+b >\nrole D <\n>\n";
        assert_eq!(
            format(text),
            "role A copies B <\n  +a +b\n  -c\n>\nrole C <\n  +a\n  +b\n>\nrole D < >\n"
        );
    }

    #[test]
    fn comments_stay_where_they_were() {
        let text = "# head\n\n\n# more\nauthor X # who\n# before\nrole A < # open\n  +a # a\n  # own\n  +b\n> # end\n# tail\n";
        assert_eq!(
            format(text),
            "# head\n\n# more\nauthor X # who\n\n# before\nrole A < # open\n  +a # a\n  # own\n  +b\n> # end\n# tail\n"
        );
        assert_eq!(format("role A # c\ncopies B\n"), "role A # c\n  copies B\n");
    }

    #[test]
    fn line_ends_and_byte_order_mark_are_normalised() {
        assert_eq!(
            format("\u{feff}author X\r\n# c \r\nrole A\r\n\r\n\r\n"),
            "author X\n\n# c\nrole A\n"
        );
        assert_eq!(format(""), "");
        assert_eq!(format("  \n\n"), "");
        assert_eq!(format("# only\n\n\n"), "# only\n");
    }

    #[test]
    fn is_idempotent_on_its_examples() {
        for text in [
            "role A # c\ncopies B\n",
            "@doc(\n# c\n\"x\")\nrole A < +\n# c\ncrm >\n",
            "author X role A assert A can x\n",
        ] {
            let once = format(text);
            assert_eq!(format(&once), once, "{text:?}");
        }
    }

    #[test]
    fn refuses_syntax_errors_and_hidden_characters() {
        for text in [
            "role A copies",
            "role A < crm >",
            "role A\u{200B}",
            "role A\rrole B",
        ] {
            assert!(format_source(text).is_err(), "{text:?}");
        }
    }
}
