//! Arbitrary bytes (decoded lossily) into the parser: no panic, and every span of the AST
//! and of the diagnostics is a character range of the text.
//!
//! Also differential: the text cut into chunks of a few bytes (the first byte of the input
//! picks the size) and parsed chunk by chunk, as `compile` does on large inputs on several
//! threads, gives exactly the statements and diagnostics of one parse of the whole text;
//! and parsing the text at once, when that way is taken, gives exactly what parsing it
//! statement by statement gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::ast::{EditTarget, Statement};
use rolec::source::{FileId, Span};
use rolec::syntax::{
    chunk_ranges, parse_chunk_at_once, parse_chunk_by_statement, parse_chunks, FileText,
    LineIndex,
};

fn assert_inside(text: &str, span: Span, what: &str) {
    assert!(
        span.file == FileId(0)
            && span.start <= span.end
            && text.get(span.start..span.end).is_some(),
        "{what}: span {}..{} is not a character range of the {}-byte text",
        span.start,
        span.end,
        text.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, diagnostics) = rolec::syntax::parse_file(FileId(0), &text);
    for diagnostic in &diagnostics {
        if let Some(span) = diagnostic.span {
            assert_inside(&text, span, diagnostic.code.as_str());
        }
        for label in &diagnostic.secondary {
            assert_inside(&text, label.span, "secondary label");
        }
    }
    for statement in &file.statements {
        match statement {
            Statement::Author(author) => {
                assert_inside(&text, author.span, "author");
                assert_inside(&text, author.name.span, "author name");
            }
            Statement::Role(role) => {
                assert_inside(&text, role.keyword, "role keyword");
                assert_inside(&text, role.name.span, "role name");
                for annotation in &role.annotations {
                    assert_inside(&text, annotation.key.span, "annotation key");
                }
                for base in role.base.iter().flat_map(|base| &base.roles) {
                    assert_inside(&text, base.span, "base");
                }
                for edit in &role.edits {
                    assert_inside(&text, edit.span, "edit");
                    assert_inside(&text, edit.target_span, "edit target");
                    let target = match &edit.target {
                        EditTarget::Permission(name) | EditTarget::Group(name) => name,
                    };
                    assert!(!target.is_empty(), "an edit without a target lowered");
                }
            }
            Statement::Assert(assertion) => {
                assert_inside(&text, assertion.span, "assert");
                assert_inside(&text, assertion.role.span, "asserted role");
                for permission in &assertion.permissions {
                    assert_inside(&text, permission.span, "asserted permission");
                }
            }
        }
    }

    let lines = LineIndex::new(&text);
    let target = usize::from(data.first().copied().unwrap_or(0) % 64) + 1;
    let ranges = chunk_ranges(&text, &lines, target);
    let source = FileText {
        file: FileId(0),
        text: &text,
        lines: &lines,
    };
    let chunks = parse_chunks(&source, &ranges);
    let chunked_statements: Vec<_> = chunks.iter().flat_map(|chunk| &chunk.statements).collect();
    let chunked_diagnostics: Vec<_> = chunks.iter().flat_map(|chunk| &chunk.diagnostics).collect();
    let whole_statements: Vec<_> = file.statements.iter().collect();
    let whole_diagnostics: Vec<_> = diagnostics.iter().collect();
    assert_eq!(
        format!("{chunked_statements:?}"),
        format!("{whole_statements:?}"),
        "chunks of {target} bytes ({} ranges) parse to other statements",
        ranges.len()
    );
    assert_eq!(
        format!("{chunked_diagnostics:?}"),
        format!("{whole_diagnostics:?}"),
        "chunks of {target} bytes ({} ranges) give other diagnostics",
        ranges.len()
    );

    if let Some(at_once) = parse_chunk_at_once(&source, 0, text.len()) {
        let by_statement = parse_chunk_by_statement(&source, 0, text.len());
        assert_eq!(
            format!("{at_once:?}"),
            format!("{by_statement:?}"),
            "parsing at once and statement by statement disagree"
        );
    }
});
