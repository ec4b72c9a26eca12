//! Parsing a buffer again after an edit, without parsing all of it: a file is parsed in
//! chunks that begin where statements begin (the chunks of the parallel parse,
//! [`crate::syntax::chunk_ranges`]), and an edit parses again only the chunks it touches;
//! the others keep their statements and diagnostics, moved by the length the edit added or
//! removed. [`crate::syntax::mend_chunks`] then makes the chunks agree with one parse of the
//! whole text, as it does for the parallel parse: the result is what a parse of the whole new
//! text gives (a unit test and the `lsp` fuzz target compare them).

use std::sync::Arc;

use crate::ast::{PolicyFile, Statement};
use crate::compile::confusing_characters;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::{self, ChunkParse, FileText, LineIndex};

/// Chunks of about this many bytes: an edit parses one again, a few hundred roles at most.
const CHUNK_BYTES: usize = 16 * 1024;

/// One chunk of a parse: its range of the text, how many statements and which diagnostics
/// it holds, and where a parse of the whole text would go on after it.
#[derive(Debug)]
struct Chunk {
    start: usize,
    end: usize,
    statements: usize,
    diagnostics: Vec<Diagnostic>,
    resume: usize,
}

/// A parsed text.
#[derive(Debug)]
pub struct ParsedText {
    pub file: PolicyFile,
    /// Hidden characters, then the syntax errors in text order.
    pub diagnostics: Vec<Diagnostic>,
    pub has_syntax_error: bool,
    /// What an edit needs to parse it again in part.
    pub state: ParseState,
}

/// The chunks of a parse and the line index of its text.
#[derive(Debug, Default)]
pub struct ParseState {
    chunks: Vec<Chunk>,
    lines: Option<LineIndex>,
}

/// Parses `text`, the file `id`, in chunks.
pub fn parse(id: FileId, text: &Arc<str>) -> ParsedText {
    let lines = LineIndex::new(text);
    let source = FileText {
        file: id,
        text,
        lines: &lines,
    };
    let ranges = syntax::chunk_ranges(text, &lines, CHUNK_BYTES);
    let parsed = crate::parallel::parallel_map(
        ranges.clone(),
        crate::parallel::threads_for(text.len()),
        |(start, end)| syntax::parse_chunk(&source, start, end),
    );
    let parsed = syntax::mend_chunks(&source, &ranges, parsed);
    assemble(id, text, lines, &ranges, parsed)
}

/// Parses `text` again after an edit of `old_text`, whose parse was `old`: only the chunks
/// that the edit touches (found by comparing the two texts from both ends).
pub fn reparse(
    old_file: PolicyFile,
    old: ParseState,
    old_text: &str,
    id: FileId,
    text: &Arc<str>,
) -> ParsedText {
    let Some(old_lines) = old.lines.as_ref().filter(|_| !old.chunks.is_empty()) else {
        return parse(id, text);
    };
    if old_file.file != id {
        return parse(id, text);
    }
    let (old_bytes, new_bytes) = (old_text.as_bytes(), text.as_bytes());
    let prefix = old_bytes
        .iter()
        .zip(new_bytes)
        .take_while(|(a, b)| a == b)
        .count();
    let room = old_bytes.len().min(new_bytes.len()) - prefix;
    let suffix = old_bytes
        .iter()
        .rev()
        .zip(new_bytes.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    // The edit replaced `prefix..old_end` of the old text with `prefix..new_end` of the new.
    let old_end = old_bytes.len() - suffix;
    let new_end = new_bytes.len() - suffix;
    let lines = LineIndex::new(text);
    let moved = |offset: usize| offset + new_end - old_end;
    // Whether a chunk boundary means the same in both texts.
    let same_boundary = |old_offset: usize, new_offset: usize, is_end: bool| {
        if is_end && old_offset == old_bytes.len() {
            return new_offset == new_bytes.len();
        }
        if !is_end && old_offset == 0 {
            return new_offset == 0;
        }
        old_lines.statement_start_at(old_offset) == lines.statement_start_at(new_offset)
    };
    // A syntax error's message reads the line it stands on, up to this far: a chunk is kept
    // only when the edit is farther from its boundaries.
    const SEEN: usize = 1100;
    let line_end = |offset: usize| {
        let rest = old_text.get(offset..).unwrap_or_default();
        offset + rest.find('\n').unwrap_or(rest.len()).min(SEEN)
    };
    let line_start = |offset: usize| {
        let head = old_text.get(..offset).unwrap_or_default();
        head.rfind('\n').map_or(0, |index| index + 1)
    };
    // Chunks wholly before the edit, or wholly after it, whose boundaries mean the same: the
    // first `before` and the last `after` are kept.
    let count = old.chunks.len();
    let before = old
        .chunks
        .iter()
        .take_while(|chunk| {
            line_end(chunk.end) < prefix && same_boundary(chunk.end, chunk.end, true)
        })
        .count();
    let after = old
        .chunks
        .iter()
        .rev()
        .take(count - before)
        .take_while(|chunk| {
            old_end < line_start(chunk.start)
                && same_boundary(chunk.start, moved(chunk.start), false)
                && same_boundary(chunk.end, moved(chunk.end), true)
        })
        .count();
    if before + after >= count {
        return parse(id, text);
    }
    let dirty_start = old.chunks.get(before).map_or(0, |chunk| chunk.start);
    let dirty_end = old
        .chunks
        .get(count - after - 1)
        .map_or(old_bytes.len(), |chunk| chunk.end);
    let source = FileText {
        file: id,
        text,
        lines: &lines,
    };
    let middle = syntax::chunk_ranges_in(&lines, dirty_start, moved(dirty_end), CHUNK_BYTES);
    let shift = new_end as isize - old_end as isize;
    // The old chunks' statements, taken apart chunk by chunk.
    let mut statements = old_file.statements.into_iter();
    let mut ranges = Vec::with_capacity(before + middle.len() + after);
    let mut parsed = Vec::with_capacity(ranges.capacity());
    for (index, chunk) in old.chunks.into_iter().enumerate() {
        let taken: Vec<Statement> = statements.by_ref().take(chunk.statements).collect();
        if index < before {
            ranges.push((chunk.start, chunk.end));
            parsed.push(ChunkParse {
                statements: taken,
                diagnostics: chunk.diagnostics,
                resume: chunk.resume,
            });
        } else if index < count - after {
            if index == before {
                for &(start, end) in &middle {
                    ranges.push((start, end));
                    parsed.push(syntax::parse_chunk(&source, start, end));
                }
            }
        } else {
            ranges.push((moved(chunk.start), moved(chunk.end)));
            parsed.push(ChunkParse {
                statements: taken
                    .into_iter()
                    .map(|statement| shifted(statement, shift))
                    .collect(),
                diagnostics: chunk
                    .diagnostics
                    .into_iter()
                    .map(|diagnostic| shifted_diagnostic(diagnostic, shift))
                    .collect(),
                resume: moved(chunk.resume),
            });
        }
    }
    let parsed = syntax::mend_chunks(&source, &ranges, parsed);
    assemble(id, text, lines, &ranges, parsed)
}

/// The parsed text of `chunks`, with the hidden characters of the whole text.
fn assemble(
    id: FileId,
    text: &str,
    lines: LineIndex,
    ranges: &[(usize, usize)],
    chunks: Vec<ChunkParse>,
) -> ParsedText {
    let mut diagnostics = confusing_characters(id, text);
    let mut file = PolicyFile {
        file: id,
        statements: Vec::with_capacity(chunks.iter().map(|c| c.statements.len()).sum()),
    };
    let mut kept = Vec::with_capacity(chunks.len());
    for (&(start, end), chunk) in ranges.iter().zip(chunks) {
        diagnostics.extend(chunk.diagnostics.iter().cloned());
        kept.push(Chunk {
            start,
            end,
            statements: chunk.statements.len(),
            diagnostics: chunk.diagnostics,
            resume: chunk.resume,
        });
        file.statements.extend(chunk.statements);
    }
    let has_syntax_error = diagnostics.iter().any(|d| d.code == Code::Syntax);
    ParsedText {
        file,
        diagnostics,
        has_syntax_error,
        state: ParseState {
            chunks: kept,
            lines: Some(lines),
        },
    }
}

fn shift_span(span: &mut Span, shift: isize) {
    span.start = span.start.saturating_add_signed(shift);
    span.end = span.end.saturating_add_signed(shift);
}

fn shifted_diagnostic(mut diagnostic: Diagnostic, shift: isize) -> Diagnostic {
    if let Some(span) = &mut diagnostic.span {
        shift_span(span, shift);
    }
    for label in &mut diagnostic.secondary {
        shift_span(&mut label.span, shift);
    }
    diagnostic
}

/// `statement` with every span moved by `shift` bytes.
fn shifted(mut statement: Statement, shift: isize) -> Statement {
    let moved = |span: &mut Span| shift_span(span, shift);
    match &mut statement {
        Statement::Author(author) => {
            moved(&mut author.span);
            moved(&mut author.name.span);
        }
        Statement::Role(role) => {
            for annotation in &mut role.annotations {
                moved(&mut annotation.key.span);
                moved(&mut annotation.value_span);
            }
            moved(&mut role.keyword);
            moved(&mut role.name.span);
            if let Some(base) = &mut role.base {
                moved(&mut base.keyword);
                for reference in &mut base.roles {
                    moved(&mut reference.span);
                }
            }
            for edit in &mut role.edits {
                moved(&mut edit.span);
                moved(&mut edit.target_span);
            }
        }
        Statement::Assert(assertion) => {
            moved(&mut assertion.span);
            moved(&mut assertion.head);
            moved(&mut assertion.role.span);
            for permission in &mut assertion.permissions {
                moved(&mut permission.span);
            }
        }
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse of a text, without its bookkeeping, for comparisons.
    fn shape(parsed: &ParsedText) -> String {
        format!("{:?}\n{:?}", parsed.file.statements, parsed.diagnostics)
    }

    #[test]
    fn an_edit_parses_again_to_what_a_whole_parse_gives() {
        let mut text = String::from("\u{feff}author Administrator\n");
        for i in 0..3000 {
            text.push_str(&match i % 5 {
                0 => format!("@doc(\"r{i}\")\nrole R{i} copies User < -webhooks >\n"),
                1 => format!("role R{i} inherits R{}, User < +crm >\n", i - 1),
                2 => format!("assert R{} can crm\n", i - 1),
                3 => format!("role \"R {i}\" < +@crm_and_sales\n  -mail >\n"),
                _ => format!("# comment {i}\nrole R{i}\n"),
            });
        }
        let id = FileId(3);
        let edits: &[(&str, &str)] = &[
            ("role R1500 ", "role R1500x "),
            ("role R1501 inherits", "rol R1501 inherits"),
            ("rol R1501 inherits", "role R1501 inherits"),
            ("@doc(\"r2000\")\n", ""),
            (
                "assert R1501 can crm\n",
                "assert R1501 can crm\nrole New < +x\n",
            ),
            ("< +x\n", "< +x >\n"),
            ("author Administrator\n", "author Owner\n@k(\"v\")"),
            ("# comment 2999\n", "role Z <\n"),
            ("-mail >\n", "-mail\n"),
            ("\u{feff}", ""),
        ];
        let mut text: Arc<str> = Arc::from(text);
        let mut parsed = parse(id, &text);
        assert_eq!(shape(&parsed), shape(&parse(id, &text)));
        for (from, to) in edits {
            let edited: Arc<str> = Arc::from(text.replacen(from, to, 1));
            assert!(edited != text, "no {from:?} in the text");
            parsed = reparse(parsed.file, parsed.state, &text, id, &edited);
            text = edited;
            let whole = parse(id, &text);
            assert!(shape(&parsed) == shape(&whole), "after {from:?} -> {to:?}");
        }
        assert!(parsed.state.chunks.len() > 4);
    }
}
