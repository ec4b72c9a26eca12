//! The formatter (`rolec::fmt::format_source`) never changes what a policy means, is
//! idempotent, and keeps every comment in place:
//!
//! - a property test on random policies, written with random spacing, line breaks, comments
//!   (on their own lines and at the ends of lines), quoted or bare names, CRLF and a
//!   byte-order mark: the artifact of the formatted files equals the artifact of the originals
//!   except for `source` lines and columns, the diagnostic codes are the same, formatting
//!   twice changes nothing, and the comments come out in the same order with the same text;
//! - every case file of `tests/cases/` and every example policy of `policies/`: formatted
//!   exactly when the compiler finds no syntax error or hidden character in it, idempotent,
//!   with the same diagnostic codes and the same artifact;
//! - a file with comments everywhere, formatted to a layout written out here.
//!
//! Every artifact compiled here is also checked against its schema (`schemas/`).
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The schemas of `common`; its harness for the binary is not used here.
#[allow(dead_code)]
mod common;

use common::SchemaChecks;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rolec::compile::{compile, CompileOptions, InputFile};
use rolec::diagnostics::Code;
use rolec::fmt::format_source;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Helpers

/// The diagnostic codes of a compile, sorted, and its artifact without source positions.
fn outcome(catalog: Option<InputFile>, files: Vec<InputFile>) -> (Vec<String>, Option<Value>) {
    let options = CompileOptions {
        default_author: Some("Administrator".into()),
        emit_artifact: true,
        ..CompileOptions::default()
    };
    let compilation = match compile(catalog, files, &options) {
        Ok(compilation) => compilation,
        Err(error) => return (vec![format!("usage: {}", error.0)], None),
    };
    let mut codes: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.severity.as_str(), d.code.as_str()))
        .collect();
    codes.sort();
    let artifact = compilation.artifact.map(|artifact| {
        let text = artifact.to_json();
        common::Document::Artifact.assert_valid(&text, "a compile of `tests/fmt.rs`");
        let mut artifact: Value = serde_json::from_str(&text).expect("the artifact is JSON");
        for role in artifact["roles"].as_array_mut().into_iter().flatten() {
            if let Some(source) = role["source"].as_object_mut() {
                source.remove("line");
                source.remove("column");
            }
        }
        artifact
    });
    (codes, artifact)
}

/// The text of every comment of a formatted or original file, in order: what follows `#`
/// outside quoted strings, without trailing spaces or line ends.
fn comments(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.split('\n') {
        let mut in_string = false;
        let mut escaped = false;
        for (index, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    let comment = line.get(index..).unwrap_or("");
                    found.push(comment.trim_end_matches([' ', '\t', '\r']).to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    found
}

fn formatted(text: &str) -> String {
    format_source(text).unwrap_or_else(|error| panic!("cannot format ({error:?}):\n{text}"))
}

// ---------------------------------------------------------------------------------------
// Random policies

const BUILTINS: [&str; 4] = ["Guest", "User", "Administrator", "Owner"];

const EDIT_TARGETS: [&str; 8] = [
    "crm",
    "mail",
    "webhooks",
    "billing",
    "mail_private_all",
    "@crm_and_sales",
    "@communication",
    "@owner_only",
];

const PERMISSIONS: [&str; 5] = ["crm", "mail", "webhooks", "billing", "profile"];

#[derive(Clone, Debug)]
enum GenBase {
    None,
    Copies(usize),
    Inherits(Vec<usize>),
}

#[derive(Clone, Debug)]
enum GenStatement {
    Author(usize),
    Role {
        annotations: usize,
        base: GenBase,
        edits: Option<Vec<(bool, usize)>>,
    },
    Assert {
        role: usize,
        can: bool,
        permissions: Vec<usize>,
    },
}

#[derive(Clone, Debug)]
struct GenFile {
    statements: Vec<GenStatement>,
    /// Indexes into `SEPARATORS`, used in turn between tokens.
    separators: Vec<usize>,
    /// Whether each role name, in turn, is written quoted.
    quoted: Vec<bool>,
    crlf: bool,
    bom: bool,
    /// Spaces inside edits and annotations: `+ crm`, `@k ( "v" )`.
    loose: bool,
}

/// What may stand between two tokens. The first is the default; "" is used only where the
/// two tokens cannot run together.
const SEPARATORS: [&str; 12] = [
    " ",
    "",
    "\n",
    "\n\n\n",
    "\t ",
    " # note one \n",
    "# tight \"q\" #\n",
    "\n# own line @doc(\"x\") role X\n",
    "\n\n  # after a blank\n\n",
    "   # trailing\n# and another\n",
    "\n    ",
    " \n# a\n\n# b\n ",
];

fn statement(role_count: usize) -> impl Strategy<Value = GenStatement> {
    let total = BUILTINS.len() + role_count;
    let base = prop_oneof![
        Just(GenBase::None),
        (0..total).prop_map(GenBase::Copies),
        proptest::collection::vec(0..total, 1..3).prop_map(GenBase::Inherits),
    ];
    let edits = proptest::option::of(proptest::collection::vec(
        (any::<bool>(), 0..EDIT_TARGETS.len()),
        0..5,
    ));
    prop_oneof![
        1 => prop_oneof![2usize..4, 0..total].prop_map(GenStatement::Author),
        4 => (0usize..3, base, edits).prop_map(|(annotations, base, edits)| GenStatement::Role {
            annotations,
            base,
            edits,
        }),
        2 => (
            0..total,
            any::<bool>(),
            proptest::collection::vec(0..PERMISSIONS.len(), 1..4)
        )
            .prop_map(|(role, can, permissions)| GenStatement::Assert {
                role,
                can,
                permissions
            }),
    ]
}

fn policy() -> impl Strategy<Value = Vec<GenFile>> {
    (1usize..4, 1usize..7).prop_flat_map(|(file_count, role_count)| {
        let file = (
            proptest::collection::vec(statement(role_count), 1..7),
            proptest::collection::vec(0..SEPARATORS.len(), 0..80),
            proptest::collection::vec(any::<bool>(), 0..20),
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.2),
        )
            .prop_map(
                |(statements, separators, quoted, crlf, bom, loose)| GenFile {
                    statements,
                    separators,
                    quoted,
                    crlf,
                    bom,
                    loose,
                },
            );
        proptest::collection::vec(file, file_count)
    })
}

fn role_name(index: usize) -> String {
    match BUILTINS.get(index) {
        Some(name) => (*name).to_string(),
        None => format!("R{}", index - BUILTINS.len()),
    }
}

/// Renders the files; custom roles are numbered across files in order of definition.
fn render(files: &[GenFile]) -> Vec<String> {
    let mut next_role = BUILTINS.len();
    files
        .iter()
        .map(|file| {
            let mut quoted = file.quoted.iter().cycle();
            let mut name = |index: usize| {
                let name = role_name(index);
                if quoted.next().copied().unwrap_or(false) {
                    format!("\"{name}\"")
                } else {
                    name
                }
            };
            let mut tokens: Vec<String> = Vec::new();
            for statement in &file.statements {
                match statement {
                    GenStatement::Author(author) => {
                        tokens.push("author".into());
                        tokens.push(name(*author));
                    }
                    GenStatement::Role {
                        annotations,
                        base,
                        edits,
                    } => {
                        for key in 0..*annotations {
                            let space = if file.loose { " " } else { "" };
                            tokens.push(format!(
                                "@k{key}{space}({space}\"v{key} # not a comment \\\"\\\\\"{space})"
                            ));
                        }
                        tokens.push("role".into());
                        tokens.push(name(next_role));
                        next_role += 1;
                        match base {
                            GenBase::None => {}
                            GenBase::Copies(base) => {
                                tokens.push("copies".into());
                                tokens.push(name(*base));
                            }
                            GenBase::Inherits(parents) => {
                                tokens.push("inherits".into());
                                for (position, parent) in parents.iter().enumerate() {
                                    if position > 0 {
                                        tokens.push(",".into());
                                    }
                                    tokens.push(name(*parent));
                                }
                            }
                        }
                        if let Some(edits) = edits {
                            tokens.push("<".into());
                            for &(add, target) in edits {
                                let sign = if add { '+' } else { '-' };
                                let space = if file.loose { "\t " } else { "" };
                                tokens.push(format!("{sign}{space}{}", EDIT_TARGETS[target]));
                            }
                            tokens.push(">".into());
                        }
                    }
                    GenStatement::Assert {
                        role,
                        can,
                        permissions,
                    } => {
                        tokens.push("assert".into());
                        tokens.push(name(*role));
                        tokens.push(if *can { "can" } else { "cannot" }.into());
                        for &permission in permissions {
                            tokens.push(PERMISSIONS[permission].into());
                        }
                    }
                }
            }
            let mut text = String::from(if file.bom { "\u{feff}" } else { "" });
            let mut separators = file.separators.iter().cycle();
            for (index, token) in tokens.iter().enumerate() {
                if index > 0 {
                    let mut separator = separators
                        .next()
                        .and_then(|&choice| SEPARATORS.get(choice))
                        .copied()
                        .unwrap_or(" ");
                    let joins = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '/';
                    if separator.is_empty() && text.ends_with(joins) && token.starts_with(joins) {
                        separator = " ";
                    }
                    text.push_str(separator);
                }
                text.push_str(token);
            }
            text.push('\n');
            if file.crlf {
                text = text.replace('\n', "\r\n");
            }
            text
        })
        .collect()
}

fn inputs(texts: &[String]) -> Vec<InputFile> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| InputFile {
            path: format!("f{index}.roles"),
            bytes: text.clone().into_bytes(),
            project_path: None,
        })
        .collect()
}

/// The parser's two ways agree: when a text is parsed at once (the fast way), it gives
/// exactly the statements and diagnostics of parsing it statement by statement.
fn parsing_ways_agree(text: &str) -> Result<(), TestCaseError> {
    use rolec::source::FileId;
    use rolec::syntax::{parse_chunk_at_once, parse_chunk_by_statement, FileText, LineIndex};
    let lines = LineIndex::new(text);
    let source = FileText {
        file: FileId(0),
        text,
        lines: &lines,
    };
    if let Some(at_once) = parse_chunk_at_once(&source, 0, text.len()) {
        let by_statement = parse_chunk_by_statement(&source, 0, text.len());
        prop_assert_eq!(
            format!("{at_once:?}"),
            format!("{by_statement:?}"),
            "the two ways of parsing disagree on:\n{}",
            text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(files in policy()) {
        let originals = render(&files);
        let mut results = Vec::new();
        for original in &originals {
            parsing_ways_agree(original)?;
            let once = format_source(original)
                .map_err(|e| TestCaseError::fail(format!("{e:?} in:\n{original}")))?;
            let twice = format_source(&once)
                .map_err(|e| TestCaseError::fail(format!("{e:?} in the formatted:\n{once}")))?;
            prop_assert_eq!(&twice, &once, "not idempotent; original:\n{}", original);
            prop_assert_eq!(comments(&once), comments(original), "comments of:\n{}\nformatted:\n{}", original, once);
            prop_assert!(!once.contains('\r') && !once.starts_with('\u{feff}'), "line ends or mark kept");
            prop_assert!(once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")));
            prop_assert!(!once.contains("\n\n\n"), "two blank lines in:\n{}", once);
            results.push(once);
        }
        let before = outcome(None, inputs(&originals));
        let after = outcome(None, inputs(&results));
        prop_assert!(!before.0.iter().any(|code| code.ends_with(" syntax")), "{:?}", before.0);
        prop_assert_eq!(
            &after,
            &before,
            "meaning changed:\n{}\n==== formatted ====\n{}",
            originals.join("----\n"),
            results.join("----\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// Case files and example policies

/// The `.roles` files of a case (a file, or a folder of them) and its catalog, if any.
fn case_inputs(path: &Path) -> (Vec<(String, Vec<u8>)>, Option<InputFile>) {
    let mut entries: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .expect("read a case folder")
            .map(|entry| entry.expect("a folder entry").path())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    entries.sort();
    let mut files = Vec::new();
    let mut catalog = None;
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&entry).expect("read a case file");
        if name.ends_with(".yaml") {
            catalog = Some(InputFile {
                path: name,
                bytes,
                project_path: None,
            });
        } else if name.ends_with(".roles") {
            files.push((name, bytes));
        }
    }
    (files, catalog)
}

/// Checks one set of files that compile together (a case, or the example policies).
fn check_files(label: &str, files: Vec<(String, Vec<u8>)>, catalog: Option<InputFile>) {
    let originals: Vec<InputFile> = files
        .iter()
        .map(|(path, bytes)| InputFile {
            path: path.clone(),
            bytes: bytes.clone(),
            project_path: None,
        })
        .collect();
    // Which files the compiler finds lexical problems in (syntax, hidden characters).
    let compilation = compile(
        catalog.clone(),
        originals.clone(),
        &CompileOptions::default(),
    )
    .expect("the case compiles without a usage error");
    let blocked: Vec<String> = compilation
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::Syntax | Code::ConfusingCharacter))
        .filter_map(|d| d.span)
        .filter_map(|span| compilation.sources.get(span.file))
        .map(|file| file.path.clone())
        .collect();
    let mut results = Vec::new();
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let result = format_source(&text);
        let is_blocked = blocked.contains(path);
        assert_eq!(
            result.is_err(),
            is_blocked,
            "{label}/{path}: formatted {:?}, but the compiler's lexical problems say {is_blocked}",
            result
        );
        let Ok(once) = result else {
            results.push(InputFile {
                path: path.clone(),
                bytes: bytes.clone(),
                project_path: None,
            });
            continue;
        };
        assert_eq!(
            formatted(&once),
            once,
            "{label}/{path}: formatting twice changes the text"
        );
        assert_eq!(comments(&once), comments(&text), "{label}/{path}: comments");
        results.push(InputFile {
            path: path.clone(),
            bytes: once.into_bytes(),
            project_path: None,
        });
    }
    let before = outcome(catalog.clone(), originals);
    let after = outcome(catalog, results);
    assert_eq!(
        after, before,
        "{label}: the formatted files mean something else"
    );
}

#[test]
fn every_case_file_formats_without_changing_its_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("read tests/cases")
        .map(|entry| entry.expect("a folder entry").path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "expected the case files");
    for path in paths {
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (files, catalog) = case_inputs(&path);
        check_files(&label, files, catalog);
    }
}

#[test]
fn the_example_policies_format_without_changing_their_artifact() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a policy folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "roles") {
                let name = path
                    .strip_prefix(&root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                files.push((name, std::fs::read(&path).expect("read a policy")));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 4, "expected the example policies");
    let (_, artifact) = outcome(
        None,
        files
            .iter()
            .map(|(path, bytes)| InputFile {
                path: path.clone(),
                bytes: bytes.clone(),
                project_path: None,
            })
            .collect(),
    );
    assert!(artifact.is_some(), "the example policies build");
    check_files("policies", files, None);
}

// ---------------------------------------------------------------------------------------
// Comments everywhere

const COMMENTS_EVERYWHERE: &str = "\u{feff}# c1 file header   \r
\r
# c2 second paragraph\r
author   Administrator   # c3 after the author\r
@doc( # c4 inside an annotation\r
  \"Sales # not a comment\")   # c5 after the annotation\r
# c6 between the annotation and the role\r
role   \"Sales Lead\"   # c7 after the name\r
  copies User<+crm   -mail # c8 among the edits\r
# c9 on its own line among the edits\r
+@basic>   # c10 after the role\r
role B inherits \"Sales Lead\" , # c11 after a comma\r
 User < >\r
\r
\r
\r
# c12 after blank lines\r
role C\r
assert B can crm # c13 inside an assertion\r
  mail\r
role D < +crm -mail\r
 -webhooks >\r
# c14 at the end\r
\r
\r
";

const COMMENTS_EVERYWHERE_FORMATTED: &str = "# c1 file header

# c2 second paragraph
author Administrator # c3 after the author

@doc( # c4 inside an annotation
  \"Sales # not a comment\") # c5 after the annotation
# c6 between the annotation and the role
role \"Sales Lead\" # c7 after the name
  copies User <
  +crm -mail # c8 among the edits
  # c9 on its own line among the edits
  +@basic
> # c10 after the role

role B inherits \"Sales Lead\", # c11 after a comma
  User < >

# c12 after blank lines
role C

assert B can crm # c13 inside an assertion
  mail

role D <
  +crm -mail
  -webhooks
>
# c14 at the end
";

#[test]
fn a_file_with_comments_everywhere_keeps_them_all_in_order() {
    let once = formatted(COMMENTS_EVERYWHERE);
    assert_eq!(once, COMMENTS_EVERYWHERE_FORMATTED);
    assert_eq!(formatted(&once), once);
    let found = comments(&once);
    let markers: Vec<String> = (1..=14).map(|n| format!("# c{n} ")).collect();
    assert_eq!(found.len(), markers.len(), "{found:?}");
    for (comment, marker) in found.iter().zip(&markers) {
        assert!(
            comment.starts_with(marker.as_str()),
            "{comment} is not {marker}"
        );
    }
    assert_eq!(found, comments(COMMENTS_EVERYWHERE));
    let before = outcome(None, inputs(&[COMMENTS_EVERYWHERE.to_string()]));
    let after = outcome(None, inputs(&[once]));
    assert_eq!(after, before);
}
