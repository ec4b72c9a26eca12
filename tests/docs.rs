//! The examples of `docs/diagnostics.md`, run through the real binary: the output shown is
//! the output produced.
//!
//! Each section (`## `CODE``) of the page shows files and commands in one shape:
//!
//! ````text
//! `sales.roles`:
//!
//! ```roles
//! (the file)
//! ```
//!
//! `rolec check sales.roles` prints (exit status 1):
//!
//! ```text
//! (exactly what it prints: stdout, then stderr)
//! ```
//! ````
//!
//! Each command runs without a terminal (so without colour), in a temporary folder that holds only the files
//! shown. A section may show several files (they are all written, in one folder) and several
//! commands (each is run in that folder); a paragraph may wrap, as long as it ends with
//! `prints (exit status N):`. In the files and in the output, `<U+XXXX>` stands for that
//! character (the page holds no hidden character itself). A line `...` alone in an output
//! marks the example as abridged there: it stands for any number of lines. Anything in a
//! section that is not of this shape (a code block that is no file and no output, a
//! paragraph that mentions an exit status but cannot be read) fails the test, and so does a
//! section without an example: no example goes unchecked by being skipped.
// A test, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{project, rolec};

const DOC_PATH: &str = "docs/diagnostics.md";

/// One command of a section, with the files written before it is run.
struct Example {
    section: String,
    files: Vec<(String, String)>,
    command: String,
    status: i32,
    output: String,
}

/// A piece of a section: a paragraph (its lines joined by spaces) or a fenced code block
/// (its lines, each with its line end).
enum Piece {
    Paragraph(String),
    Code(String),
}

/// The sections of the page, `(code, text of the section)`, in order; the text before the
/// first section and the lint table after the last one are not part of any.
fn sections(doc: &str) -> Vec<(String, String)> {
    let doc = doc.split("<!-- lints:begin -->").next().unwrap_or(doc);
    let mut found: Vec<(String, String)> = Vec::new();
    for line in doc.split_inclusive('\n') {
        let heading = line
            .strip_prefix("## `")
            .and_then(|rest| rest.trim_end().strip_suffix('`'));
        match (heading, found.last_mut()) {
            (Some(code), _) => found.push((code.to_string(), String::new())),
            (None, Some((_, text))) => text.push_str(line),
            (None, None) => {}
        }
    }
    found
}

/// A section cut into paragraphs and code blocks.
fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut code: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if let Some(block) = code.as_mut() {
            if bare == "```" {
                pieces.push(Piece::Code(std::mem::take(block)));
                code = None;
            } else {
                block.push_str(line);
            }
        } else if bare.starts_with("```") {
            if !paragraph.is_empty() {
                return Err(format!(
                    "no blank line before the code block after: {paragraph:?}"
                ));
            }
            code = Some(String::new());
        } else if bare.trim().is_empty() {
            if !paragraph.is_empty() {
                pieces.push(Piece::Paragraph(paragraph.join(" ")));
                paragraph.clear();
            }
        } else {
            paragraph.push(bare.trim());
        }
    }
    if code.is_some() {
        return Err("a code block is not closed".to_string());
    }
    if !paragraph.is_empty() {
        pieces.push(Piece::Paragraph(paragraph.join(" ")));
    }
    Ok(pieces)
}

/// `text` with every `<U+XXXX>` replaced by that character.
fn with_characters(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<U+") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after.find('>').ok_or("`<U+` without its `>`")?;
        let character = u32::from_str_radix(&after[..end], 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("`<U+{}>` is no character", &after[..end]))?;
        out.push(character);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The examples of one section, or what in it is not of the documented shape.
fn examples(section: &str, text: &str) -> Result<Vec<Example>, String> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut found = Vec::new();
    let mut pieces = pieces(text)?.into_iter();
    while let Some(piece) = pieces.next() {
        let paragraph = match piece {
            Piece::Paragraph(paragraph) => paragraph,
            Piece::Code(code) => {
                return Err(format!(
                    "a code block that is no file and no output of a command:\n{code}"
                ))
            }
        };
        let file = paragraph
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix("`:"))
            .filter(|name| !name.contains('`'));
        let status = paragraph
            .strip_suffix("):")
            .and_then(|rest| rest.rsplit_once(" prints (exit status "))
            .map(|(_, status)| status);
        if file.is_none() && status.is_none() {
            if paragraph.contains("exit status") && paragraph.ends_with(':') {
                return Err(format!("cannot read this as an example: {paragraph}"));
            }
            continue;
        }
        let Some(Piece::Code(code)) = pieces.next() else {
            return Err(format!("no code block after: {paragraph}"));
        };
        let code = with_characters(&code)?;
        if let Some(name) = file {
            files.retain(|(existing, _)| existing != name);
            files.push((name.to_string(), code));
            continue;
        }
        let status = status
            .and_then(|status| status.parse().ok())
            .ok_or_else(|| format!("no exit status in: {paragraph}"))?;
        let command = paragraph
            .split('`')
            .skip(1)
            .step_by(2)
            .find(|span| span.starts_with("rolec "))
            .ok_or_else(|| format!("no `rolec ...` command in: {paragraph}"))?;
        if command.contains(['"', '\'']) {
            return Err(format!("quoting in `{command}` is not supported"));
        }
        found.push(Example {
            section: section.to_string(),
            files: files.clone(),
            command: command.to_string(),
            status,
            output: code,
        });
    }
    if found.is_empty() {
        return Err("the section has no example".to_string());
    }
    Ok(found)
}

/// Whether `actual` is `expected`, where a line `...` of `expected` stands for any number of
/// lines.
fn matches(expected: &str, actual: &str) -> bool {
    let Some((before, after)) = expected.split_once("\n...\n") else {
        return expected == actual;
    };
    let before = format!("{before}\n");
    let Some(rest) = actual.strip_prefix(&before) else {
        return false;
    };
    (0..=rest.len())
        .filter(|&index| rest.is_char_boundary(index))
        .filter(|&index| index == 0 || rest[..index].ends_with('\n'))
        .any(|index| matches(after, &rest[index..]))
}

/// Every example of the page runs, and prints what the page shows with the exit status it
/// shows.
#[test]
fn every_example_prints_what_the_page_shows() {
    let doc = std::fs::read_to_string(DOC_PATH).expect("read docs/diagnostics.md");
    let sections = sections(&doc);
    assert!(sections.len() >= 25, "only {} sections", sections.len());
    let mut all = Vec::new();
    for (code, text) in &sections {
        match examples(code, text) {
            Ok(found) => all.extend(found),
            Err(problem) => panic!("{DOC_PATH}, section `{code}`: {problem}"),
        }
    }
    // Each `prints (exit status N):` of the page is one example: none was passed over.
    let announced = doc
        .split("\n\n")
        .filter(|paragraph| paragraph.trim_end().ends_with("):"))
        .filter(|paragraph| paragraph.contains(" prints (exit"))
        .count();
    assert_eq!(all.len(), announced, "examples read vs. announced");

    let mut failures = Vec::new();
    let mut abridged = 0;
    for example in &all {
        let files: Vec<(&str, &str)> = example
            .files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect();
        let dir = project(&files);
        // Not a terminal, so never coloured (`--color` is not taken by every command).
        let args: Vec<&str> = example.command.split_whitespace().skip(1).collect();
        let run = rolec(dir.path(), &args);
        let printed = format!("{}{}", run.stdout_text(), run.stderr);
        if example.output.contains("\n...\n") {
            abridged += 1;
        }
        if run.status != Some(example.status) || !matches(&example.output, &printed) {
            failures.push(format!(
                "## `{}`: `{}` (exit status {} in the doc, {:?} now)\n--- the doc\n{}--- printed\n{}",
                example.section,
                example.command,
                example.status,
                run.status,
                example.output,
                printed
            ));
        }
    }
    eprintln!(
        "{} examples in {} sections of {DOC_PATH} ({abridged} abridged)",
        all.len(),
        sections.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `rolec explain CODE` prints the section of the page, as it stands.
#[test]
fn explain_prints_each_section_of_the_page() {
    let doc = std::fs::read_to_string(DOC_PATH).expect("read docs/diagnostics.md");
    let dir = project::<&str>(&[]);
    for (code, text) in sections(&doc) {
        let run = rolec(dir.path(), &["explain", &code]);
        assert_eq!(run.status, Some(0), "{code}: {}", run.describe());
        assert_eq!(
            run.stdout_text(),
            format!("## `{code}`\n{}\n", text.trim_end()),
            "rolec explain {code}"
        );
    }
}

/// The reader of the page is strict: a code block outside an example, an example paragraph
/// it cannot read, a section without an example are errors, not examples skipped.
#[test]
fn the_page_reader_refuses_what_it_cannot_read() {
    let refused = [
        "Text.\n\n```text\nsome output\n```\n",
        "`rolec check a.roles` prints, with exit status 1:\n\n```text\nx\n```\n",
        "`rolec check a.roles` prints (exit status 1):\n\nno code block\n",
        "`rolec check \"a b.roles\"` prints (exit status 1):\n\n```text\nx\n```\n",
        "`a.roles`:\n\n```roles\nrole <U+D800>\n```\n",
        "Only text.\n",
    ];
    for text in refused {
        assert!(
            examples("test", text).is_err(),
            "read without complaint:\n{text}"
        );
    }
    let good = "`a.roles`:\n\n```roles\nrole <U+200B>A\n```\n\n`rolec check a.roles` prints \
                (exit\nstatus 1):\n\n```text\nerror\n...\ndone\n```\n";
    let found = examples("test", good).expect("a good example");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].files,
        [("a.roles".into(), "role \u{200b}A\n".into())]
    );
    assert_eq!(found[0].command, "rolec check a.roles");
    assert_eq!(found[0].status, 1);
    assert!(matches(&found[0].output, "error\n1\n2\ndone\n"));
    assert!(matches(&found[0].output, "error\ndone\n"));
    assert!(!matches(&found[0].output, "error\n1\n"));
}
