//! Parsing: the pest grammar of `grammar/roles.pest`, syntax errors in a user's words
//! ([`errors`]), and hand-written lowering, one function per rule, into the spanned AST of
//! [`crate::ast`] ([`lower`]). The tokens and keywords of the language are listed once, in
//! [`lexer`], which the formatter reads files with.
//!
//! Files are parsed one statement at a time: after a syntax error the parser skips to the
//! next line that starts a statement, so one mistake does not hide the rest of the file.

mod errors;
pub mod lexer;
mod lower;

use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser;

use crate::ast::{PolicyFile, Statement};
use crate::diagnostics::Diagnostic;
use crate::source::FileId;

use errors::syntax_error;
use lexer::Keyword;
use lower::Lowering;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/roles.pest"]
struct RolesParser;

/// One file's text, as the chunked parse reads it: its id, its text and its line index.
#[derive(Clone, Copy)]
pub struct FileText<'t> {
    pub file: FileId,
    pub text: &'t str,
    pub lines: &'t LineIndex,
}

/// Parses and lowers one file. Returns every statement that parsed, and the diagnostics.
pub fn parse_file(file: FileId, text: &str) -> (PolicyFile, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let source = FileText {
        file,
        text,
        lines: &lines,
    };
    let parsed = parse_chunk(&source, 0, text.len());
    (
        PolicyFile {
            file,
            statements: parsed.statements,
        },
        parsed.diagnostics,
    )
}

/// Splits `text` into ranges of about `target` bytes that each begin at a line that starts
/// a statement, so that the ranges can be parsed independently (and in parallel) with
/// [`parse_chunk`]; [`mend_chunks`] then redoes the rare range that began inside a
/// statement, so the result is exactly what one [`parse_file`] gives.
pub fn chunk_ranges(text: &str, lines: &LineIndex, target: usize) -> Vec<(usize, usize)> {
    chunk_ranges_in(lines, 0, text.len(), target)
}

/// [`chunk_ranges`] of the part `from..to` of a text, which must begin and end where
/// statements begin (or at the ends of the text): an edit re-parses only such a part
/// ([`crate::ide`]).
pub fn chunk_ranges_in(
    lines: &LineIndex,
    from: usize,
    to: usize,
    target: usize,
) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = from;
    let first = lines
        .statement_starts
        .partition_point(|&(token, _)| token <= from);
    let mut previous_kind = first
        .checked_sub(1)
        .and_then(|index| lines.statement_starts.get(index))
        .map(|&(_, kind)| kind);
    for &(token, kind) in lines.statement_starts.get(first..).unwrap_or_default() {
        if token >= to {
            break;
        }
        // A line after an annotation line may belong to the annotated statement.
        let genuine = previous_kind != Some(LineStart::Annotation);
        previous_kind = Some(kind);
        if genuine && token >= start + target.max(1) {
            ranges.push((start, token));
            start = token;
        }
    }
    ranges.push((start, to));
    ranges
}

/// What [`parse_chunk`] found, and where parsing in turn would go on after it.
#[derive(Debug, Default)]
pub struct ChunkParse {
    pub statements: Vec<Statement>,
    pub diagnostics: Vec<Diagnostic>,
    /// The offset of the next statement a parse of the whole file would try: a chunk that
    /// begins before it was split inside a statement (or inside text skipped after an
    /// error), and must be parsed again from here.
    pub resume: usize,
}

/// Parses the statements that begin in `range_start..range_end` of `text`.
///
/// The whole range is first parsed at once, which is what almost every range of a
/// reviewed policy needs. When that fails, or finds a statement running over a line where
/// the next statement must begin, the range is parsed statement by statement
/// ([`parse_chunk_by_statement`]), which reports every error; both give the same result
/// whenever the first is taken (a unit test, the `parse` fuzz target and the property tests
/// check it).
pub fn parse_chunk(source: &FileText<'_>, range_start: usize, range_end: usize) -> ChunkParse {
    parse_chunk_at_once(source, range_start, range_end)
        .unwrap_or_else(|| parse_chunk_by_statement(source, range_start, range_end))
}

/// Where a range's first statement may begin: after a byte-order mark at the start of the
/// file.
fn chunk_start(text: &str, range_start: usize) -> usize {
    if range_start == 0 && text.starts_with('\u{feff}') {
        3
    } else {
        range_start
    }
}

/// The range parsed in one call of pest, or `None` when it has a syntax error or a
/// statement that [`parse_chunk_by_statement`] would bound differently.
pub fn parse_chunk_at_once(
    source: &FileText<'_>,
    range_start: usize,
    range_end: usize,
) -> Option<ChunkParse> {
    let FileText { file, text, lines } = *source;
    let start = skip_trivia(text, chunk_start(text, range_start));
    if start >= range_end.min(text.len()) {
        return None;
    }
    let slice = text.get(start..range_end)?;
    let pairs = RolesParser::parse(Rule::file, slice).ok()?;
    let statement_pairs: Vec<Pair<'_, Rule>> = pairs
        .flat_map(Pair::into_inner)
        .filter(|pair| pair.as_rule() != Rule::EOI)
        .collect();
    let mut last_end = start;
    for pair in &statement_pairs {
        let span = pair.as_span();
        let (statement_start, statement_end) = (start + span.start(), start + span.end());
        if lines.statement_bound(text, statement_start) < statement_end {
            return None;
        }
        last_end = statement_end;
    }
    let mut diagnostics = Vec::new();
    let statements = statement_pairs
        .into_iter()
        .map(|pair| {
            Lowering {
                file,
                base: start,
                diagnostics: &mut diagnostics,
            }
            .statement(pair)
        })
        .collect();
    Some(ChunkParse {
        statements,
        diagnostics,
        resume: skip_trivia(text, last_end),
    })
}

/// Parses the statements that begin in `range_start..range_end` of `text` one by one.
///
/// Each statement is parsed on a slice that ends where the next statement must begin (see
/// [`LineIndex::statement_bound`]), so the work per statement — and per syntax error, whose
/// report pest builds by scanning its input — does not grow with the size of the file, and
/// parsing goes on after an error at the next line that starts a statement.
pub fn parse_chunk_by_statement(
    source: &FileText<'_>,
    range_start: usize,
    range_end: usize,
) -> ChunkParse {
    let FileText { file, text, lines } = *source;
    let mut diagnostics = Vec::new();
    let mut statements = Vec::new();
    let mut resume = text.len();
    let mut offset = chunk_start(text, range_start);
    loop {
        let start = skip_trivia(text, offset);
        if start >= range_end.min(text.len()) {
            resume = start;
            break;
        }
        let bound = lines.statement_bound(text, start);
        let Some(slice) = text.get(start..bound) else {
            break;
        };
        match RolesParser::parse(Rule::next_statement, slice) {
            Ok(mut pairs) => {
                let Some(statement) = pairs.next().and_then(|pair| pair.into_inner().next()) else {
                    break;
                };
                let end = start + statement.as_span().end();
                let lowering = Lowering {
                    file,
                    base: start,
                    diagnostics: &mut diagnostics,
                };
                statements.push(lowering.statement(statement));
                if end <= start {
                    break;
                }
                offset = end;
            }
            Err(error) => {
                let position = match error.location {
                    InputLocation::Pos(position) => position,
                    InputLocation::Span((span_start, _)) => span_start,
                };
                let error_offset = start + position;
                diagnostics.push(syntax_error(
                    file,
                    text,
                    lines,
                    error_offset,
                    &error.variant,
                ));
                match lines.resync(start, error_offset) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    ChunkParse {
        statements,
        diagnostics,
        resume,
    }
}

/// Parses `ranges` of one file in turn (see [`chunk_ranges`]).
pub fn parse_chunks(source: &FileText<'_>, ranges: &[(usize, usize)]) -> Vec<ChunkParse> {
    let chunks = ranges
        .iter()
        .map(|&(start, end)| parse_chunk(source, start, end))
        .collect();
    mend_chunks(source, ranges, chunks)
}

/// Makes chunks parsed independently agree with one parse of the whole file: a chunk whose
/// range begins before the point where the previous chunk's parse would go on (an
/// annotation at the end of a line belongs to the `role` of the next line; an error's
/// recovery may skip past a range's start) is parsed again from that point.
pub fn mend_chunks(
    source: &FileText<'_>,
    ranges: &[(usize, usize)],
    chunks: Vec<ChunkParse>,
) -> Vec<ChunkParse> {
    let mut mended = Vec::with_capacity(chunks.len());
    let mut resume = 0;
    for (&(start, end), chunk) in ranges.iter().zip(chunks) {
        let chunk = if skip_trivia(source.text, start) < resume {
            parse_chunk(source, resume, end)
        } else {
            chunk
        };
        resume = resume.max(chunk.resume);
        mended.push(chunk);
    }
    mended
}

/// The offset of the first token at or after `offset`: spaces, line ends and comments skipped.
fn skip_trivia(text: &str, mut offset: usize) -> usize {
    while let Some(rest) = text.get(offset..) {
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        offset += rest.len() - trimmed.len();
        if !trimmed.starts_with('#') {
            break;
        }
        offset += trimmed.find('\n').unwrap_or(trimmed.len());
    }
    offset
}

/// How a line's first token can begin a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStart {
    Annotation,
    Role,
    /// `author` or `assert`.
    Other,
}

/// Whether `token` (text from a line's first token on) begins a statement, and how. An
/// annotation counts only with its `(` on the same line: `@crm_and_sales` alone on a line
/// is a group of the edit or assertion before it (`+` and `@group` may stand on two lines).
fn line_start_kind(token: &str) -> Option<LineStart> {
    if let Some(key) = token.strip_prefix('@') {
        let after_key = key.trim_start_matches(lexer::is_ident_char);
        return after_key
            .trim_start_matches([' ', '\t'])
            .starts_with('(')
            .then_some(LineStart::Annotation);
    }
    let word_end = token
        .find(|c: char| !lexer::is_ident_char(c))
        .unwrap_or(token.len());
    match token.get(..word_end).and_then(Keyword::from_word) {
        Some(Keyword::Role) => Some(LineStart::Role),
        Some(keyword) if keyword.starts_statement() => Some(LineStart::Other),
        _ => None,
    }
}

/// Where the file's lines start, and which lines begin with a token that starts a
/// statement: computed once per file, so that bounding a statement or resuming after an
/// error costs a binary search, not a scan (a 5 MB single-line file stays linear).
#[derive(Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Offsets of line-first tokens that start a statement, ascending, with their kind.
    statement_starts: Vec<(usize, LineStart)>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        let statement_starts = line_starts
            .iter()
            .filter_map(|&start| {
                let line = text.get(start..)?;
                let token = start + line.len() - line.trim_start_matches([' ', '\t']).len();
                line_start_kind(text.get(token..)?).map(|kind| (token, kind))
            })
            .collect();
        LineIndex {
            line_starts,
            statement_starts,
        }
    }

    /// How the token at `offset` begins a statement, when it is the first token of a line
    /// that does, and whether the line before such a line also begins one with an
    /// annotation (then `offset` is no place where a chunk may begin).
    pub fn statement_start_at(&self, offset: usize) -> Option<(LineStart, bool)> {
        let index = self
            .statement_starts
            .partition_point(|&(token, _)| token < offset);
        let &(token, kind) = self.statement_starts.get(index)?;
        let after_annotation = index
            .checked_sub(1)
            .and_then(|previous| self.statement_starts.get(previous))
            .is_some_and(|&(_, kind)| kind == LineStart::Annotation);
        (token == offset).then_some((kind, after_annotation))
    }

    /// The start of the line holding `offset`.
    fn line_start(&self, offset: usize) -> usize {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        self.line_starts
            .get(index.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }

    /// Where the statement starting at `start` must end at the latest: the first following
    /// line that begins a statement. No statement can contain such a line after its first
    /// keyword — keywords are not bare names and edits start with a sign — except the `role`
    /// line that follows a statement's own leading annotations.
    fn statement_bound(&self, text: &str, start: usize) -> usize {
        let mut in_annotations = text.get(start..).is_some_and(|rest| rest.starts_with('@'));
        let first = self
            .statement_starts
            .partition_point(|&(token, _)| token <= start);
        for &(token, kind) in self.statement_starts.get(first..).unwrap_or(&[]) {
            match kind {
                LineStart::Annotation if in_annotations => {}
                LineStart::Role if in_annotations => in_annotations = false,
                _ => return token,
            }
        }
        text.len()
    }

    /// Where to resume after a syntax error: the first line, after the failed statement's
    /// start and at or after the error's line, whose first token starts a statement.
    fn resync(&self, statement_start: usize, error_offset: usize) -> Option<usize> {
        let from = self.line_start(error_offset).max(statement_start + 1);
        let index = self
            .statement_starts
            .partition_point(|&(token, _)| token < from);
        self.statement_starts.get(index).map(|&(token, _)| token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        parse_file(FileId(0), text)
            .1
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn parses_the_contract_example() {
        let text = "author Administrator\n\n@doc(\"x\")\nrole \"Sales Lead\" copies User < +crm +payments -webhooks >\nrole \"Regional\" inherits \"Sales Lead\", User < +insight +@crm_and_sales >\nassert \"Sales Lead\" can payments crm\nassert X cannot webhooks billing\n";
        let (file, diagnostics) = parse_file(FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(file.statements.len(), 5);
    }

    #[test]
    fn syntax_errors_name_tokens_not_rules() {
        assert_eq!(
            messages("role A foo"),
            ["expected `copies`, `inherits`, `<` or a new statement, found `foo`"]
        );
        assert_eq!(
            messages("role A copies"),
            ["expected a role name, found end of file"]
        );
        assert_eq!(
            messages("role A < crm >"),
            ["expected an edit (`+permission`, `-permission`, `+@group`) or `>`, found `crm`"]
        );
    }

    #[test]
    fn recovers_at_the_next_statement() {
        let (file, diagnostics) = parse_file(
            FileId(0),
            "role A < +x\nrole B < +y >\nrole C copies\nrole D\n",
        );
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        let names: Vec<_> = file
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Role(role) => Some(role.name.value.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["B", "D"]);
    }

    #[test]
    fn chunks_of_any_size_parse_like_the_whole_file() {
        let text = "\u{feff}author A\n@doc(\"x\")\n@owner(\"y\")\nrole B < +crm\nrole C copies\n  D < -x >\n# c\nassert C can crm\n@doc(\"z\") role E\nrole F foo\nauthor G assert H\ncannot crm @k(\"v # x\")\nrole I\n@a(\"1\")\n@b(\"2\") role J\n";
        let whole = parse_file(FileId(0), text);
        let lines = LineIndex::new(text);
        for target in [1, 2, 10, 40, 1000] {
            let mut statements = 0;
            let mut diagnostics = Vec::new();
            let ranges = chunk_ranges(text, &lines, target);
            let source = FileText {
                file: FileId(0),
                text,
                lines: &lines,
            };
            for chunk in parse_chunks(&source, &ranges) {
                statements += chunk.statements.len();
                diagnostics.extend(chunk.diagnostics.into_iter().map(|d| (d.span, d.message)));
            }
            let expected: Vec<_> = whole
                .1
                .iter()
                .map(|d| (d.span, d.message.clone()))
                .collect();
            assert_eq!(
                statements,
                whole.0.statements.len(),
                "chunks of {target} bytes"
            );
            assert_eq!(diagnostics, expected, "chunks of {target} bytes");
        }
    }

    /// Parsing a range at once, when it is taken, gives what parsing it statement by
    /// statement gives; a statement that runs over a line where a statement must begin
    /// (`+` then `role` on the next line) makes it step aside.
    #[test]
    fn parsing_at_once_agrees_with_parsing_by_statement() {
        // (text, whether parsing at once is taken)
        let texts = [
            ("author A\n@doc(\"x\")\n@owner(\"y\")\nrole B < +crm >\nrole C copies\n  D < -x >\n", true),
            ("\u{feff}# c\nassert C can crm\n@doc(\"z\") role E\nauthor G assert H\ncannot crm\n", true),
            ("role \"a \\\" b\" inherits X, \"Y\" < +@g -p/q >  # trailing\n\n\n", true),
            ("role A copies B\n@k(\"v\")\nrole C\n", true),
            ("role A < +\nrole >\n", false),
            ("role A < -\nauthor >\nrole B\n", false),
            ("role A < +x\nrole B\n", false),
            ("", false),
            ("   # only a comment", false),
        ];
        for (text, taken) in texts {
            let lines = LineIndex::new(text);
            let source = FileText {
                file: FileId(0),
                text,
                lines: &lines,
            };
            let by_statement = parse_chunk_by_statement(&source, 0, text.len());
            let at_once = parse_chunk_at_once(&source, 0, text.len());
            assert_eq!(at_once.is_some(), taken, "{text:?}");
            if let Some(at_once) = at_once {
                assert_eq!(
                    format!("{at_once:?}"),
                    format!("{by_statement:?}"),
                    "{text:?}"
                );
            }
        }
        let overrun = "role A < +\nrole >\n";
        let lines = LineIndex::new(overrun);
        let source = FileText {
            file: FileId(0),
            text: overrun,
            lines: &lines,
        };
        assert!(parse_chunk_at_once(&source, 0, overrun.len()).is_none());
        assert_eq!(messages(overrun).len(), 2, "{:?}", messages(overrun));
    }

    #[test]
    fn names_are_unescaped_and_checked() {
        let (file, diagnostics) = parse_file(FileId(0), r#"role "a \"b\" \\ c""#);
        assert!(diagnostics.is_empty());
        let Some(Statement::Role(role)) = file.statements.first() else {
            panic!("no role");
        };
        assert_eq!(role.name.value, r#"a "b" \ c"#);
        assert_eq!(messages(r#"role " x""#).len(), 1);
        assert_eq!(messages(r#"role "a\n""#), ["unknown escape `\\n`"]);
    }
}
