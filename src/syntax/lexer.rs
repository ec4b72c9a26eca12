//! The tokens of the policy language, listed once: the keywords ([`KEYWORDS`]) and a lexer
//! that follows the lexical rules of `grammar/roles.pest` exactly (words, quoted strings,
//! `@name`, punctuation, `#` comments). The pest grammar spells the keywords again, since pest
//! cannot read this table; a test keeps the two equal. The parser's recovery and messages
//! (`syntax`) and the formatter (`fmt`, which needs the comments pest skips) read the
//! language's words from here.

/// A keyword of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Author,
    Role,
    Copies,
    Inherits,
    Assert,
    Can,
    Cannot,
}

/// Every keyword and its spelling, in the order of docs/language.md. A bare role name is never
/// one of them.
pub const KEYWORDS: &[(Keyword, &str)] = &[
    (Keyword::Author, "author"),
    (Keyword::Role, "role"),
    (Keyword::Copies, "copies"),
    (Keyword::Inherits, "inherits"),
    (Keyword::Assert, "assert"),
    (Keyword::Can, "can"),
    (Keyword::Cannot, "cannot"),
];

impl Keyword {
    pub fn as_str(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|(keyword, _)| *keyword == self)
            .map_or("", |(_, text)| text)
    }

    /// The keyword spelled `word` exactly (keywords are case-sensitive).
    pub fn from_word(word: &str) -> Option<Keyword> {
        KEYWORDS
            .iter()
            .find(|(_, text)| *text == word)
            .map(|(keyword, _)| *keyword)
    }

    /// Whether a statement begins with this keyword (`author`, `role`, `assert`).
    pub fn starts_statement(self) -> bool {
        matches!(self, Keyword::Author | Keyword::Role | Keyword::Assert)
    }

    /// Whether a role name follows this keyword.
    pub fn takes_role_name(self) -> bool {
        !matches!(self, Keyword::Can | Keyword::Cannot)
    }
}

/// Why a text could not be read as tokens: the first problem, at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

/// What kind of token a [`Token`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A run of `[A-Za-z0-9_/]`: a keyword, a bare name or a permission.
    Word,
    /// A double-quoted string, escapes included.
    Str,
    /// `@` and the `[A-Za-z0-9_]` run after it: an annotation key or a group.
    At,
    Plus,
    Minus,
    Lt,
    Gt,
    LParen,
    RParen,
    Comma,
    /// `#` to the end of the line, without the line end and trailing spaces.
    Comment,
}

/// One token of a `.roles` file, comments included.
#[derive(Clone, Copy, Debug)]
pub struct Token<'t> {
    pub kind: Kind,
    pub text: &'t str,
    /// Byte offset in the text after any byte-order mark.
    pub start: usize,
    /// Line breaks between the previous token (or the start of the file) and this one.
    pub newlines_before: usize,
}

/// `[A-Za-z0-9_]`: the characters of a bare name, a keyword or an `@key`.
pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `word` may stand as a bare role name: `[A-Za-z_][A-Za-z0-9_]*`, and no keyword.
pub fn is_bare_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(is_ident_char)
        && Keyword::from_word(word).is_none()
}

/// The tokens of `text` (after any byte-order mark), comments included.
pub fn lex(text: &str) -> Result<Vec<Token<'_>>, LexError> {
    let mut tokens = Vec::new();
    let mut newlines = 0;
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        let single = |kind| Some((kind, start + c.len_utf8()));
        let token = match c {
            ' ' | '\t' | '\r' | '\n' => {
                newlines += usize::from(c == '\n');
                chars.next();
                continue;
            }
            '#' => {
                let end = text
                    .get(start..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(text.len(), |index| start + index);
                Some((Kind::Comment, end))
            }
            '"' => Some((Kind::Str, string_end(text, start)?)),
            '@' => {
                let rest = text.get(start + 1..).unwrap_or("");
                let length = rest.find(|c| !is_ident_char(c)).unwrap_or(rest.len());
                Some((Kind::At, start + 1 + length))
            }
            '+' => single(Kind::Plus),
            '-' => single(Kind::Minus),
            '<' => single(Kind::Lt),
            '>' => single(Kind::Gt),
            '(' => single(Kind::LParen),
            ')' => single(Kind::RParen),
            ',' => single(Kind::Comma),
            c if is_ident_char(c) || c == '/' => {
                let rest = text.get(start..).unwrap_or("");
                let length = rest
                    .find(|c| !is_ident_char(c) && c != '/')
                    .unwrap_or(rest.len());
                Some((Kind::Word, start + length))
            }
            _ => None,
        };
        let Some((kind, end)) = token else {
            return Err(LexError {
                offset: start,
                message: format!("unexpected character `{c}`"),
            });
        };
        let mut token_text = text.get(start..end).unwrap_or("");
        if kind == Kind::Comment {
            token_text = token_text.trim_end_matches([' ', '\t', '\r']);
        }
        tokens.push(Token {
            kind,
            text: token_text,
            start,
            newlines_before: newlines,
        });
        newlines = 0;
        while chars.next_if(|&(index, _)| index < end).is_some() {}
    }
    Ok(tokens)
}

/// Where the quoted string starting at `start` ends (after its closing quote): the grammar's
/// `"\"" ~ ("\\" ~ !"\n" ~ ANY | !("\"" | "\\" | "\n") ~ ANY)* ~ "\""`.
fn string_end(text: &str, start: usize) -> Result<usize, LexError> {
    let rest = text.get(start + 1..).unwrap_or("");
    let mut chars = rest.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Ok(start + 1 + index + 1),
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, '\n')) | None => break,
                Some(_) => {}
            },
            _ => {}
        }
    }
    Err(LexError {
        offset: start,
        message: "unterminated string".into(),
    })
}

/// The grammar's `keyword`: a keyword followed by a character that is not `[A-Za-z0-9_]`.
pub fn starts_with_keyword(word: &str) -> bool {
    let end = word.find(|c| !is_ident_char(c)).unwrap_or(word.len());
    word.get(..end).and_then(Keyword::from_word).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar's `keyword` rule lists exactly the keywords of [`KEYWORDS`] (in the order
    /// PEG needs: `cannot` before `can`), and each has its `kw_` rule.
    #[test]
    fn the_grammar_spells_the_same_keywords() {
        let grammar = include_str!("../../grammar/roles.pest");
        let rule = grammar
            .lines()
            .find(|line| line.trim_start().starts_with("keyword "))
            .unwrap_or_default();
        let mut spelled: Vec<&str> = rule.split('"').skip(1).step_by(2).collect();
        let mut listed: Vec<&str> = KEYWORDS.iter().map(|(_, text)| *text).collect();
        spelled.sort_unstable();
        listed.sort_unstable();
        assert_eq!(spelled, listed);
        for (keyword, text) in KEYWORDS {
            assert_eq!(keyword.as_str(), *text);
            assert_eq!(Keyword::from_word(text), Some(*keyword));
            let rule_name = format!("kw_{text} ");
            assert!(
                grammar.contains(&rule_name),
                "no `kw_{text}` rule in the grammar"
            );
        }
    }

    #[test]
    fn lexes_words_strings_groups_and_comments() {
        let tokens = lex("role \"A \\\" B\" < +@g -x/y > # c\n").unwrap_or_default();
        let kinds: Vec<Kind> = tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Word,
                Kind::Str,
                Kind::Lt,
                Kind::Plus,
                Kind::At,
                Kind::Minus,
                Kind::Word,
                Kind::Gt,
                Kind::Comment
            ]
        );
        assert!(lex("role \"open").is_err());
        assert!(starts_with_keyword("copies"));
        assert!(!starts_with_keyword("copiesX"));
    }
}
