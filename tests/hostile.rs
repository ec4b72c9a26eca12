//! Hostile inputs through the real binary: bytes that are not text, characters that hide
//! text from a reviewer, graphs and lines far larger than any real policy, floods of errors,
//! YAML that expands through aliases, oversized files, symbolic-link loops and unreadable
//! files. Every input is generated here, in a temporary folder.
//!
//! Each case must end with the right exit status and the right diagnostic codes: no panic
//! (a panic exits with 101), no stack overflow (a signal), no hang. Nothing here measures
//! time: sizes are chosen so that the quadratic or recursive code these inputs once broke
//! would not finish (or would overflow the stack), while the whole file stays quick enough
//! in a debug build. See `docs/security.md`, "Hostile input".
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fmt::Write as _;

use common::{project, rolec, Run};
use serde_json::Value;

// Accessors only this file needs; `Run` itself is shared, in `common`.
impl Run {
    /// The `--format json` report on stdout (`check`).
    fn report(&self) -> Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.describe()))
    }

    /// `(code, line, column)` of every diagnostic of the JSON report, in report order.
    fn diagnostics(&self) -> Vec<(String, u64, u64)> {
        self.report()["diagnostics"]
            .as_array()
            .unwrap_or_else(|| panic!("no `diagnostics` array:\n{}", self.describe()))
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or(0),
                    d["column"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// The codes of the JSON report, in report order.
    fn codes(&self) -> Vec<String> {
        self.diagnostics()
            .into_iter()
            .map(|(code, _, _)| code)
            .collect()
    }
}

/// `rolec check --format json FILE` on one policy file holding `bytes`.
fn check_one(bytes: &[u8]) -> Run {
    let dir = project(&[("p.roles", bytes)]);
    rolec(dir.path(), &["check", "--format", "json", "p.roles"])
}

fn owned(expected: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    expected
        .iter()
        .map(|&(code, line, column)| (code.to_string(), line, column))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Bytes that are not clean text

/// Invalid UTF-8 is one `syntax` error at the first bad byte, wherever it stands; a NUL
/// byte is not a token (`syntax`) and not allowed in a quoted name (`invalid-name`); a
/// carriage return without a line feed hides text in a diff (`confusing-character`).
#[test]
fn bytes_that_are_not_clean_text() {
    struct Case {
        name: &'static str,
        bytes: &'static [u8],
        expected: &'static [(&'static str, u64, u64)],
    }
    let cases = [
        Case {
            name: "invalid UTF-8 inside an edit list",
            bytes: b"author Administrator\nrole A copies User < +crm \xff\xfe >\n",
            expected: &[("syntax", 2, 27)],
        },
        Case {
            name: "invalid UTF-8 as the first byte",
            bytes: b"\xc0author Administrator\n",
            expected: &[("syntax", 1, 1)],
        },
        Case {
            name: "a truncated multi-byte character at the end",
            bytes: b"author Administrator\n# \xe2\x80",
            expected: &[("syntax", 2, 3)],
        },
        Case {
            name: "a NUL byte after a bare name",
            bytes: b"author Administrator\nrole A\x00 copies User < -webhooks >\n",
            expected: &[("syntax", 2, 7)],
        },
        Case {
            name: "a NUL byte in a quoted name",
            bytes: b"author Administrator\nrole \"B\x00\" copies User < -webhooks >\n",
            expected: &[("invalid-name", 2, 6)],
        },
        Case {
            name: "a NUL byte in a comment",
            bytes: b"author Administrator\n# \x00\nrole A copies User < -webhooks >\n",
            expected: &[],
        },
        Case {
            name: "a bare carriage return hiding a second role",
            bytes: b"author Administrator\nrole A copies User < -webhooks >\rrole B copies Owner < -crm >\n",
            expected: &[("confusing-character", 2, 33), ("escalation", 2, 48)],
        },
        Case {
            name: "CRLF line ends are fine",
            bytes: b"author Administrator\r\nrole A copies User < -webhooks >\r\n",
            expected: &[],
        },
    ];
    for case in cases {
        let run = check_one(case.bytes);
        let expected_status = if case.expected.is_empty() { 0 } else { 1 };
        assert_eq!(
            run.status,
            Some(expected_status),
            "{}: {}",
            case.name,
            run.describe()
        );
        assert_eq!(
            run.diagnostics(),
            owned(case.expected),
            "{}: {}",
            case.name,
            run.describe()
        );
    }
}

/// Every bidirectional control and invisible character of section 1.2 is reported where it
/// stands, even in a comment; a leading byte-order mark is not.
#[test]
fn bidi_and_invisible_characters() {
    let hidden = [
        // Bidirectional controls and marks.
        '\u{202A}',
        '\u{202B}',
        '\u{202C}',
        '\u{202D}',
        '\u{202E}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{061C}',
        '\u{200E}',
        '\u{200F}',
        // Default_Ignorable_Code_Point: zero-width characters, the soft hyphen, the Hangul
        // and Khmer fillers that render as a blank, the Mongolian vowel separator, invisible
        // operators, the combining grapheme joiner, a variation selector, a tag character.
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{115F}',
        '\u{1160}',
        '\u{17B4}',
        '\u{17B5}',
        '\u{180E}',
        '\u{2061}',
        '\u{2064}',
        '\u{3164}',
        '\u{FFA0}',
        '\u{034F}',
        '\u{FE0F}',
        '\u{E0041}',
        // Blanks that Unicode does not call ignorable: the empty Braille pattern and the
        // interlinear annotation characters.
        '\u{2800}',
        '\u{FFF9}',
        '\u{FFFA}',
        '\u{FFFB}',
    ];
    for character in hidden {
        let text =
            format!("author Administrator\n# ab{character}cd\nrole A copies User < -webhooks >\n");
        let run = check_one(text.as_bytes());
        assert_eq!(
            run.status,
            Some(1),
            "U+{:04X}: {}",
            character as u32,
            run.describe()
        );
        assert_eq!(
            run.diagnostics(),
            owned(&[("confusing-character", 2, 5)]),
            "U+{:04X}: {}",
            character as u32,
            run.describe()
        );
        // The human output shows a stand-in, never the character itself.
        let dir = project(&[("p.roles", text.as_bytes())]);
        let human = rolec(dir.path(), &["check", "--color", "never", "p.roles"]);
        assert_eq!(human.status, Some(1), "{}", human.describe());
        assert!(
            !human.stderr.contains(character),
            "U+{:04X} reached the terminal: {}",
            character as u32,
            human.describe()
        );
    }

    // In a quoted name it is also an invalid name (decision 3); in a bare name, a syntax error.
    let run = check_one(
        "author Administrator\nrole \"Sales\u{200B}Lead\" copies User < -webhooks >\nrole X\u{2066} copies User < -webhooks >\n"
            .as_bytes(),
    );
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        run.diagnostics(),
        owned(&[
            ("invalid-name", 2, 6),
            ("confusing-character", 2, 12),
            ("confusing-character", 3, 7),
            ("syntax", 3, 7),
        ]),
        "{}",
        run.describe()
    );

    let run =
        check_one("\u{FEFF}author Administrator\nrole A copies User < -webhooks >\n".as_bytes());
    assert_eq!(
        run.status,
        Some(0),
        "a leading byte-order mark: {}",
        run.describe()
    );
    assert_eq!(run.codes(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Graphs far larger than any real policy: walks must be iterative

/// `R0 copies User`, `R1 copies R0`, ... `R99999 copies R99998`: resolved without
/// recursion, so no stack overflow (a recursive walk overflows long before this depth in a
/// debug build). Alternating edits keep every role different from its source.
#[test]
fn a_100000_deep_copy_chain_compiles() {
    let depth = 100_000;
    let mut text = String::from("author Administrator\nrole R0 copies User < -webhooks >\n");
    for index in 1..depth {
        let sign = if index % 2 == 1 { '+' } else { '-' };
        let _ = writeln!(
            text,
            "role R{index} copies R{} < {sign}webhooks >",
            index - 1
        );
    }
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.codes(), Vec::<String>::new());
}

/// 50,000 roles copying each other in a ring: one `cycle` error that names all of them.
#[test]
fn a_50000_role_cycle_is_one_error() {
    let count = 50_000;
    let mut text = String::from("author Administrator\n");
    for index in 0..count {
        let _ = writeln!(text, "role C{index} copies C{}", (index + 1) % count);
    }
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        run.diagnostics(),
        owned(&[("cycle", 2, 6)]),
        "{}",
        run.describe()
    );
    let message = run.report()["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("`C0`") && message.contains("`C49999`"),
        "the cycle names every role: {}",
        message.chars().take(300).collect::<String>()
    );
}

/// One role inheriting 30,000 parents: resolves, and a revoke of what they hold is
/// reported once.
#[test]
fn a_30000_way_inheritance_fan_in() {
    let parents = 30_000;
    let mut text = String::from("author Administrator\n");
    for index in 0..parents {
        let _ = writeln!(text, "role P{index} copies User < -webhooks >");
    }
    let names: Vec<String> = (0..parents).map(|index| format!("P{index}")).collect();
    let _ = writeln!(
        text,
        "role Child inherits {} < +webhooks >",
        names.join(", ")
    );
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.codes(), Vec::<String>::new());

    let _ = writeln!(text, "role Other inherits {} < -crm >", names.join(", "));
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(run.codes(), ["revokes-inherited"], "{}", run.describe());
}

// ---------------------------------------------------------------------------------------
// Huge lines and floods of diagnostics: linear, and bounded output

/// A 5 MB policy on one line: thousands of roles, half of them empty (a warning each, whose
/// column is millions of characters in). The JSON report locates each one; the human
/// output does not draw the line.
#[test]
fn a_5_mb_single_line() {
    let mut text = String::from("author Administrator");
    // Spaces: names are at most 100 characters.
    let filler = " ".repeat(1000);
    let mut empty = 0;
    let mut index = 0;
    while text.len() < 5 * 1024 * 1024 {
        if index % 2 == 0 {
            let _ = write!(text, " role E{index}{filler}");
            empty += 1;
        } else {
            let _ = write!(text, " role L{index}{filler} copies User < -webhooks >");
        }
        index += 1;
    }
    text.push('\n');
    let dir = project(&[("p.roles", text.as_bytes())]);

    let run = rolec(dir.path(), &["check", "--format", "json", "p.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.len(), empty, "one warning per empty role");
    assert!(diagnostics
        .iter()
        .all(|(code, line, _)| code == "empty-role" && *line == 1));
    let last = diagnostics.last().map_or(0, |(_, _, column)| *column);
    let expected_column = text.rfind(" role E").map_or(0, |offset| offset + 7) as u64;
    assert_eq!(last, expected_column, "the last warning's column");

    let human = rolec(dir.path(), &["check", "--color", "never", "p.roles"]);
    assert_eq!(human.status, Some(0), "{}", human.describe());
    assert!(
        human.stderr.contains("line too long to show"),
        "{}",
        human.describe()
    );
    // Each drawn message names its role (a thousand characters), but never the whole line.
    assert!(
        human.stderr.len() < 1024 * 1024,
        "the human output must not copy the line: {} bytes",
        human.stderr.len()
    );
}

/// 30,000 syntax errors in one file: JSON lists every one; the human output draws 200 and
/// says how many more there are.
#[test]
fn thirty_thousand_errors_in_one_file() {
    let count = 30_000;
    let mut text = String::from("author Administrator\n");
    for index in 0..count {
        let _ = writeln!(text, "role E{index} ?");
    }
    let dir = project(&[("p.roles", text.as_bytes())]);

    let run = rolec(dir.path(), &["check", "--format", "json", "p.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let report = run.report();
    assert_eq!(report["errors"], count, "{}", run.describe());
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.len(), count);
    assert!(diagnostics.iter().all(|(code, _, _)| code == "syntax"));
    assert_eq!(
        diagnostics.last().map(|(_, line, _)| *line),
        Some(count as u64 + 1)
    );

    let human = rolec(dir.path(), &["check", "--color", "never", "p.roles"]);
    assert_eq!(human.status, Some(1), "{}", human.describe());
    let drawn = human.stderr.matches("  × ").count();
    assert_eq!(drawn, 200, "{}", human.describe());
    assert!(
        human
            .stderr
            .contains(&format!("... and {} more not shown", count - 200)),
        "{}",
        human.describe()
    );
    assert!(
        human
            .stderr
            .ends_with(&format!("error: {count} errors found\n")),
        "{}",
        human.describe()
    );
}

/// Thirty thousand small files, each with a syntax error: every file is its own work unit
/// and has its own error, each reported in its own file at its place. The compiler once
/// matched units and errors to their files by scanning all of them once per file; that cost
/// is measured, not asserted here (40,000 such files: 3.5 s before, 0.55 s after, release
/// build; `docs/security.md`), and at this size the old code only took longer.
#[test]
fn thirty_thousand_files_with_an_error_each() {
    let count = 30_000;
    let names: Vec<String> = (0..count)
        .map(|index| format!("p/f{index:05}.roles"))
        .collect();
    let texts: Vec<String> = (0..count)
        .map(|index| format!("author Administrator\nrole \"R{index:05}\" copies User < +crm ? >\n"))
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .zip(&texts)
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let dir = project(&files);

    let run = rolec(dir.path(), &["check", "--format", "json", "p"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(run.report()["errors"], count, "{}", run.describe());
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.len(), count);
    assert!(diagnostics
        .iter()
        .all(|diagnostic| *diagnostic == ("syntax".to_string(), 2, 34)));
}

// ---------------------------------------------------------------------------------------
// YAML that expands, files too large, folders that loop, files that cannot be read

/// A "billion laughs" document: nine levels of nine aliases each.
fn alias_bomb(first_line: &str) -> String {
    let mut yaml = format!("{first_line}\n");
    yaml.push_str(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let levels = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    let mut previous = 'a';
    for level in levels {
        let aliases = vec![format!("*{previous}"); 9].join(",");
        let _ = writeln!(yaml, "{level}: &{level} [{aliases}]");
        previous = level;
    }
    yaml
}

/// The same document nested where the catalog expects a list, so that a reader that
/// expanded first and checked types later would blow up.
fn nested_alias_bomb() -> String {
    let mut yaml = String::from(
        "name: bomb\nrole_management: roles\nbuiltins:\n  - name: A\n    permissions:\n",
    );
    yaml.push_str(
        "      - &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for level in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let aliases = vec![format!("*{previous}"); 9].join(",");
        let _ = writeln!(yaml, "      - &{level} [{aliases}]");
        previous = level;
    }
    yaml
}

/// An alias bomb is rejected with a diagnostic, without being expanded: as `--catalog`
/// (a policy problem: exit 1, `invalid-catalog`) and as `rolec.yaml` (the command cannot
/// run: exit 2, `invalid-config`).
#[test]
fn yaml_alias_bombs_are_rejected() {
    const POLICY: &[u8] = b"author Administrator\nrole A copies User < -webhooks >\n";
    for (name, catalog) in [
        ("top-level bomb", alias_bomb("name: bomb")),
        ("bomb where a list is expected", nested_alias_bomb()),
    ] {
        let dir = project(&[("bomb.yaml", catalog.as_bytes()), ("p.roles", POLICY)]);
        let run = rolec(
            dir.path(),
            &[
                "check",
                "--catalog",
                "bomb.yaml",
                "--format",
                "json",
                "p.roles",
            ],
        );
        assert_eq!(run.status, Some(1), "{name}: {}", run.describe());
        assert_eq!(
            run.codes(),
            ["invalid-catalog"],
            "{name}: {}",
            run.describe()
        );
    }

    let dir = project(&[
        ("rolec.yaml", alias_bomb("author: Administrator").as_bytes()),
        ("p.roles", POLICY),
    ]);
    let run = rolec(dir.path(), &["check", "--format", "json", "p.roles"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert_eq!(run.codes(), ["invalid-config"], "{}", run.describe());
    let human = rolec(dir.path(), &["check", "p.roles"]);
    assert_eq!(human.status, Some(2), "{}", human.describe());
    assert!(human.stderr.contains("rolec.yaml"), "{}", human.describe());
}

/// A file over 32 MiB is refused before it is read whole: exit 2, naming the file, whether
/// it is found in a folder, named on the command line, or given as the catalog.
#[test]
fn a_file_over_32_mib_is_refused() {
    const POLICY: &[u8] = b"author Administrator\nrole A copies User < -webhooks >\n";
    let dir = project(&[("policies/ok.roles", POLICY)]);
    let huge = dir.path().join("policies/team/huge.roles");
    std::fs::create_dir_all(huge.parent().expect("a parent")).expect("create a folder");
    // Sparse: 33 MiB of zeros that take no disk space.
    let file = std::fs::File::create(&huge).expect("create the file");
    file.set_len(33 * 1024 * 1024).expect("grow the file");
    drop(file);

    for args in [
        &["check", "policies"][..],
        &["check", "policies/team/huge.roles"],
        &["build", "policies"],
        &[
            "check",
            "--catalog",
            "policies/team/huge.roles",
            "policies/ok.roles",
        ],
    ] {
        let run = rolec(dir.path(), args);
        assert_eq!(
            run.status,
            Some(2),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
        assert!(
            run.stderr.contains("policies/team/huge.roles") && run.stderr.contains("32 MiB"),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
    }
}

/// A symbolic link back to an ancestor folder: exit 2, naming the link, instead of an
/// endless walk.
#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_policy_folder() {
    const POLICY: &[u8] = b"author Administrator\nrole A copies User < -webhooks >\n";
    let dir = project(&[("policies/team/a.roles", POLICY)]);
    std::os::unix::fs::symlink("..", dir.path().join("policies/team/back"))
        .expect("create a symbolic link");
    std::os::unix::fs::symlink("loop", dir.path().join("policies/loop"))
        .expect("create a self-referencing link");
    for args in [
        &["check", "policies"][..],
        &["check"],
        &["build", "policies"],
    ] {
        let run = rolec(dir.path(), args);
        assert_eq!(
            run.status,
            Some(2),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
        assert!(
            run.stderr.contains("policies/"),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
    }
}

/// An unreadable policy file: exit 2, naming it. Root (as CI runs) reads a mode-000 file
/// anyway: the test finds out by trying to read it after the `chmod`, and then skips only
/// that assertion, since there is nothing unreadable to test with.
#[cfg(unix)]
#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;

    const POLICY: &[u8] = b"author Administrator\nrole A copies User < -webhooks >\n";
    let dir = project(&[
        ("policies/a.roles", POLICY),
        (
            "policies/b.roles",
            b"author Administrator\nrole B copies User < -crm >\n",
        ),
    ]);
    let locked = dir.path().join("policies/b.roles");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let run = rolec(dir.path(), &["check", "policies"]);
    if std::fs::read(&locked).is_ok() {
        // Running as root: the file is readable after all, so the run simply works.
        eprintln!("skipped the exit-2 assertion: a mode-000 file is readable here (root)");
        assert_eq!(run.status, Some(0), "{}", run.describe());
        return;
    }
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("policies/b.roles"),
        "{}",
        run.describe()
    );
}

// ---------------------------------------------------------------------------------------
// Round two: what a reviewer cannot see, names longer than any valid name, and the work
// of *did you mean*

/// A line break other than LF or CRLF in a comment makes editors show the text after it on
/// a line of its own, while rolec reads it as part of the comment: here a false assertion
/// that a reviewer would believe was checked. Each is `confusing-character` where it stands,
/// and the terminal is never sent the character itself.
#[test]
fn line_breaks_other_than_lf_and_crlf() {
    for character in ['\u{000B}', '\u{000C}', '\u{0085}', '\u{2028}', '\u{2029}'] {
        let text = format!(
            "author Administrator\n# note{character}assert Guest can crm\nrole A copies User < -webhooks >\n"
        );
        let run = check_one(text.as_bytes());
        let name = format!("U+{:04X}", character as u32);
        assert_eq!(run.status, Some(1), "{name}: {}", run.describe());
        assert_eq!(
            run.diagnostics(),
            owned(&[("confusing-character", 2, 7)]),
            "{name}: {}",
            run.describe()
        );
        let dir = project(&[("p.roles", text.as_bytes())]);
        let human = rolec(dir.path(), &["check", "--color", "never", "p.roles"]);
        assert!(
            human.stderr.contains("only LF and CRLF end a line"),
            "{name}: {}",
            human.describe()
        );
        assert!(
            !human.stderr.contains(character),
            "{name}: {}",
            human.describe()
        );
    }
}

/// A quoted name may hold no blank look-alike of a space or of nothing, so that `"Guest⠀"`
/// (with U+2800) cannot sit beside `Guest` in a diff with more permissions: invisible ones
/// are also `confusing-character`, and the only space in a name is U+0020.
#[test]
fn names_with_blank_look_alikes() {
    // (name between the quotes, expected diagnostics on line 2)
    type Expected = &'static [(&'static str, u64, u64)];
    let cases: &[(&str, Expected)] = &[
        (
            "Guest\u{2800}",
            &[("invalid-name", 2, 6), ("confusing-character", 2, 12)],
        ),
        // NFKC maps the Hangul filler U+3164 to U+1160, whose skeleton is nothing: the name
        // also collides with the built-in.
        (
            "Guest\u{3164}",
            &[
                ("builtin-redefined", 2, 6),
                ("invalid-name", 2, 6),
                ("confusing-character", 2, 12),
            ],
        ),
        (
            "Sales\u{115F}Lead",
            &[("invalid-name", 2, 6), ("confusing-character", 2, 12)],
        ),
        (
            "Sales\u{2028}Lead",
            &[("invalid-name", 2, 6), ("confusing-character", 2, 12)],
        ),
        ("Sales\u{3000}Lead", &[("invalid-name", 2, 6)]),
        ("Sales\u{00A0}Lead", &[("invalid-name", 2, 6)]),
        ("Sales\u{2009}Lead", &[("invalid-name", 2, 6)]),
        ("Sales Lead", &[]),
        ("Księgowa (PL)", &[]),
    ];
    for &(name, expected) in cases {
        let text = format!("author Administrator\nrole \"{name}\" copies User < -webhooks >\n");
        let run = check_one(text.as_bytes());
        assert_eq!(
            run.diagnostics(),
            owned(expected),
            "{name:?}: {}",
            run.describe()
        );
    }
}

/// Every name is at most 100 characters, bare or quoted, definitions and references alike:
/// a 100,000-character bare name is `invalid-name`, and its unknown reference gets no
/// suggestion (edit distance never runs on a string longer than a valid name).
#[test]
fn names_longer_than_100_characters() {
    let long_role = "A".repeat(100_000);
    let long_base = "B".repeat(100_000);
    let text = format!(
        "author Administrator\nrole {long_role} copies {long_base}\nrole {} < +crm >\nrole \"{}\" < +crm >\n",
        "C".repeat(100),
        "D".repeat(101)
    );
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        run.diagnostics(),
        owned(&[
            ("invalid-name", 2, 6),
            ("invalid-name", 2, 100_014),
            ("unknown-role", 2, 100_014),
            ("invalid-name", 4, 6),
        ]),
        "{}",
        run.describe()
    );
    let unknown = &run.report()["diagnostics"][2];
    assert!(unknown["help"].is_null(), "{unknown}");

    // A megabyte-long unknown permission: one error, no suggestion.
    let text = format!(
        "author Administrator\nrole A < +{} >\n",
        "a".repeat(1 << 20)
    );
    let run = check_one(text.as_bytes());
    assert_eq!(run.codes(), ["unknown-permission"], "{}", run.describe());
    assert!(run.report()["diagnostics"][0]["help"].is_null());
}

/// Ten thousand references to roles that do not exist are ten thousand `unknown-role`
/// errors (through `copies` and through `assert`), each reported, the suggestions within a
/// fixed budget of work (src/suggest.rs; its unit tests count the work). Before the budget,
/// each suggestion compared the name with every role: 10,000 such references took 69 s.
#[test]
fn ten_thousand_unknown_roles() {
    let mut text = String::from("author Administrator\n");
    for i in 0..10_000 {
        let _ = writeln!(text, "role R{i} copies X{i} < +crm >");
        let _ = writeln!(text, "assert Y{i} can crm");
    }
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let codes = run.codes();
    assert_eq!(codes.len(), 20_000, "{}", run.describe());
    assert!(codes.iter().all(|code| code == "unknown-role"));
    // A misspelt name close to a role still gets its suggestion.
    let run = check_one(
        b"author Administrator\nrole \"Sales Lead\" copies User < -crm >\nrole B copies \"Sales Led\"\n",
    );
    assert_eq!(run.codes(), ["unknown-role"], "{}", run.describe());
    assert_eq!(
        run.report()["diagnostics"][0]["help"].as_str(),
        Some("did you mean `Sales Lead`?"),
        "{}",
        run.describe()
    );
}

/// Whitespace carries no meaning between tokens: a line break between `+` or `-` and
/// `@group` is allowed, in edits and in an annotation-looking line of its own.
#[test]
fn a_line_break_between_a_sign_and_a_group() {
    let text = "author Administrator\nrole A copies User < +\n@crm_and_sales\n  -\n  @communication >\nassert A can crm\nassert A cannot mail\n";
    let run = check_one(text.as_bytes());
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(run.codes().is_empty(), "{}", run.describe());
    let dir = project(&[("p.roles", text)]);
    let built = rolec(dir.path(), &["build", "p.roles"]);
    assert_eq!(built.status, Some(0), "{}", built.describe());
    let artifact: Value = serde_json::from_slice(&built.stdout).unwrap_or_default();
    let a = artifact["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|role| role["name"] == "A"))
        .cloned()
        .unwrap_or_default();
    assert!(
        a["permissions"]
            .as_array()
            .is_some_and(|p| p.contains(&Value::from("crm"))),
        "{a}"
    );
}

// Review and CI bypasses: a catalog edit hiding a sensitive gain from `diff --fail-on
// sensitive`, malformed artifacts, and a custom ceiling (`--max-author` with
// `--ceiling-from`) that the change under check tries to raise

/// A catalog with one sensitive group, `admin`, holding `refunds` and `roles`.
const SHOP_CATALOG: &str = "name: shop
groups:
  - name: basic
    title: Basic
  - name: admin
    title: Admin
    sensitive: true
permissions:
  - name: profile
    group: basic
    description: Own profile
  - name: refunds
    group: admin
    description: Refunds
  - name: roles
    group: admin
    description: Role management
builtins:
  - name: Member
    permissions: [profile]
  - name: Boss
    inherits: [Member]
    permissions: [refunds, roles]
role_management: roles
";

const CLERK_BEFORE: &str = "author Boss\nrole Clerk copies Member\n";
/// `Clerk` gains `refunds`, a permission of the sensitive group.
const CLERK_AFTER: &str = "author Boss\nrole Clerk copies Member < +refunds >\n";

/// The two ways a change can edit the catalog to hide the gain of `refunds`: unmark its
/// group, or move it to an ordinary group.
fn hiding_catalogs() -> [(&'static str, String); 2] {
    [
        (
            "unmarked",
            SHOP_CATALOG.replace("    sensitive: true\n", ""),
        ),
        (
            "moved",
            SHOP_CATALOG.replace(
                "  - name: refunds\n    group: admin",
                "  - name: refunds\n    group: basic",
            ),
        ),
    ]
}

/// What `rolec diff ... --fail-on sensitive` must say for each way of hiding the gain.
fn assert_sensitive_gain_fails(run: &Run, how: &str, base: &str, head: &str) {
    assert_eq!(run.status, Some(1), "{how}: {}", run.describe());
    assert!(
        run.stderr
            .contains("error: 1 permission of sensitive groups gained (`--fail-on sensitive`)"),
        "{how}: {}",
        run.describe()
    );
    let unmarked = format!(
        "error: the group `admin` is sensitive in `{base}` and not in `{head}` (`--fail-on sensitive`)"
    );
    assert_eq!(
        run.stderr.contains(&unmarked),
        how == "unmarked",
        "{how}: {}",
        run.describe()
    );
    let note = if how == "moved" {
        "+ refunds  ! sensitive (admin, moved to basic)"
    } else {
        "+ refunds  ! sensitive (admin)"
    };
    assert!(
        run.stdout_text().contains(note),
        "{how}: {}",
        run.describe()
    );
}

#[test]
fn fail_on_sensitive_is_not_bypassed_by_a_catalog_edit_between_revisions() {
    for (how, catalog) in hiding_catalogs() {
        let dir = common::repository(&[
            ("rolec.yaml", "catalog: catalog.yaml\n"),
            ("catalog.yaml", SHOP_CATALOG),
            ("policies/clerk.roles", CLERK_BEFORE),
        ]);
        common::commit(
            dir.path(),
            &[
                ("catalog.yaml", &catalog),
                ("policies/clerk.roles", CLERK_AFTER),
            ],
            how,
        );
        let run = rolec(
            dir.path(),
            &["diff", "HEAD~1", "HEAD", "--fail-on", "sensitive"],
        );
        assert_sensitive_gain_fails(&run, how, "HEAD~1", "HEAD");
        // The working tree as HEAD, too.
        let run = rolec(dir.path(), &["diff", "HEAD~1", "--fail-on", "sensitive"]);
        assert_sensitive_gain_fails(&run, how, "HEAD~1", "working tree");
    }
}

#[test]
fn fail_on_sensitive_is_not_bypassed_by_a_catalog_edit_between_artifacts() {
    for (how, catalog) in hiding_catalogs() {
        let dir = project(&[
            ("base/catalog.yaml", SHOP_CATALOG),
            ("base/policies/clerk.roles", CLERK_BEFORE),
            ("head/catalog.yaml", catalog.as_str()),
            ("head/policies/clerk.roles", CLERK_AFTER),
        ]);
        for side in ["base", "head"] {
            let catalog = format!("{side}/catalog.yaml");
            let policies = format!("{side}/policies");
            let artifact = format!("{side}.json");
            let run = rolec(
                dir.path(),
                &["build", "--catalog", &catalog, &policies, "-o", &artifact],
            );
            assert_eq!(run.status, Some(0), "{how}: {}", run.describe());
        }
        let run = rolec(
            dir.path(),
            &["diff", "base.json", "head.json", "--fail-on", "sensitive"],
        );
        assert_sensitive_gain_fails(&run, how, "base.json", "head.json");
        // The JSON diff marks the gain and names the group that makes it sensitive.
        let run = rolec(
            dir.path(),
            &["diff", "base.json", "head.json", "--format", "json"],
        );
        assert_eq!(run.status, Some(0), "{how}: {}", run.describe());
        let diff: Value = serde_json::from_slice(&run.stdout).expect("a JSON diff");
        let gained = &diff["roles"][0]["gained"][0];
        assert_eq!(gained["name"], "refunds", "{diff}");
        assert_eq!(gained["sensitive"], true, "{how}: {diff}");
        assert_eq!(gained["sensitive_group"], "admin", "{how}: {diff}");
        assert_eq!(diff["sensitive_gains"], 1, "{how}: {diff}");
    }
}

#[test]
fn fail_on_sensitive_fails_when_a_group_loses_its_mark_alone() {
    let dir = common::repository(&[
        ("rolec.yaml", "catalog: catalog.yaml\n"),
        ("catalog.yaml", SHOP_CATALOG),
        ("policies/clerk.roles", CLERK_BEFORE),
    ]);
    common::write_file(
        dir.path(),
        "catalog.yaml",
        SHOP_CATALOG.replace("    sensitive: true\n", ""),
    );
    let run = rolec(dir.path(), &["diff", "main", "--fail-on", "sensitive"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        run.stderr,
        "error: the group `admin` is sensitive in `main` and not in `working tree` (`--fail-on sensitive`)\n"
    );
    assert!(
        run.stdout_text()
            .contains("no sensitive permission gained; 1 group no longer sensitive"),
        "{}",
        run.describe()
    );
}

/// A built artifact of `policies` with the embedded catalog, as JSON to edit.
fn built_artifact() -> (tempfile::TempDir, Value) {
    let dir = project(&[(
        "policies/a.roles",
        "author Administrator\nrole A copies User < -webhooks >\nrole B copies Guest < +crm >\n",
    )]);
    let run = rolec(dir.path(), &["build", "-o", "good.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let text = std::fs::read(dir.path().join("good.json")).expect("read the artifact");
    let artifact = serde_json::from_slice(&text).expect("the artifact is JSON");
    (dir, artifact)
}

#[test]
fn malformed_artifacts_are_refused() {
    let (dir, artifact) = built_artifact();
    let custom = |artifact: &Value, name: &str| {
        artifact["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .position(|role| role["name"] == name)
            .expect("a role of that name")
    };
    let (a, b) = (custom(&artifact, "A"), custom(&artifact, "B"));
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "the role `A` is listed twice",
            Box::new(move |v| v["roles"][b]["name"] = "A".into()),
        ),
        (
            "the role `B` lists the permission `crm` twice",
            Box::new(move |v| {
                v["roles"][b]["permissions"]
                    .as_array_mut()
                    .expect("permissions")
                    .push("crm".into())
            }),
        ),
        (
            "the role `A` holds `launch_missiles`, which its catalog does not declare",
            Box::new(move |v| {
                v["roles"][a]["permissions"]
                    .as_array_mut()
                    .expect("permissions")
                    .push("launch_missiles".into())
            }),
        ),
        (
            "its catalog declares the group `owner_only` twice",
            Box::new(|v| {
                let groups = v["catalog"]["groups"].as_array_mut().expect("groups");
                let last = groups.last().expect("a group").clone();
                groups.push(last);
            }),
        ),
        (
            "its catalog declares the permission `profile` twice",
            Box::new(|v| {
                let permissions = v["catalog"]["permissions"]
                    .as_array_mut()
                    .expect("permissions");
                let first = permissions.first().expect("a permission").clone();
                permissions.push(first);
            }),
        ),
        (
            "its catalog puts the permission `profile` in the group `nowhere`, which it does not declare",
            Box::new(|v| v["catalog"]["permissions"][0]["group"] = "nowhere".into()),
        ),
    ];
    for (expected, edit) in cases {
        let mut bad = artifact.clone();
        edit(&mut bad);
        std::fs::write(
            dir.path().join("bad.json"),
            serde_json::to_vec_pretty(&bad).expect("JSON"),
        )
        .expect("write the artifact");
        for args in [
            &["diff", "bad.json", "good.json"][..],
            &["diff", "good.json", "bad.json"],
        ] {
            let run = rolec(dir.path(), args);
            assert_eq!(run.status, Some(2), "{expected}: {}", run.describe());
            assert_eq!(
                run.stderr,
                format!("error: `bad.json` is not a rolec artifact: {expected}\n"),
                "{}",
                run.describe()
            );
            assert_eq!(run.stdout_text(), "");
        }
        // The trusted side of a ceiling is read the same way.
        let run = rolec(
            dir.path(),
            &["check", "--max-author", "A", "--ceiling-from", "bad.json"],
        );
        assert_eq!(run.status, Some(2), "{expected}: {}", run.describe());
        assert!(run.stderr.contains(expected), "{}", run.describe());
    }
}

/// `policies/delegated/` of this repository: `Team Admin` (authored by Administrator, without
/// `billing` and other administrator-only permissions) and the roles it authors.
const TEAM_ADMIN: &str = include_str!("../policies/delegated/team-admin.roles");
const TEAM_ROLES: &str = include_str!("../policies/delegated/team-roles.roles");

/// The attack: the pull request raises `Team Admin` to everything Administrator holds, and
/// adds a file authored by `Team Admin` that creates a role with `billing`.
const RAISED_TEAM_ADMIN: &str =
    "author Administrator\n\nrole \"Team Admin\" copies Administrator\n";
const BILLING: &str = "author \"Team Admin\"\n\nrole \"Billing Clerk\" copies Guest < +billing >\n";

/// `(code, file, message)` of each error of a `--format json` report.
fn located(run: &Run) -> Vec<(String, String, String)> {
    run.report()["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics:\n{}", run.describe()))
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            (text("code"), text("file"), text("message"))
        })
        .collect()
}

/// A repository whose `main` holds the delegated policies of `policies/delegated/`, with an
/// artifact built from `main` outside it (in the second folder).
fn delegated_main(extra: &[(&str, &str)]) -> (tempfile::TempDir, tempfile::TempDir) {
    let mut files = vec![
        ("policies/team-admin.roles", TEAM_ADMIN),
        ("policies/team-roles.roles", TEAM_ROLES),
    ];
    files.extend_from_slice(extra);
    let dir = common::repository(&files);
    let outside = tempfile::tempdir().expect("create a temporary folder");
    let main_json = outside.path().join("main.json");
    let run = rolec(
        dir.path(),
        &["build", "-o", main_json.to_str().expect("a UTF-8 path")],
    );
    assert_eq!(run.status, Some(0), "{}", run.describe());
    (dir, outside)
}

#[test]
fn a_change_cannot_raise_its_own_custom_ceiling() {
    let (dir, outside) = delegated_main(&[]);
    let main_json = outside.path().join("main.json");
    let main_json = main_json.to_str().expect("a UTF-8 path");
    // The pull request, in the working tree.
    common::write_file(dir.path(), "policies/team-admin.roles", RAISED_TEAM_ADMIN);
    common::write_file(dir.path(), "policies/billing.roles", BILLING);
    let args = |from: &str| -> Vec<String> {
        [
            "check",
            "--format",
            "json",
            "--max-author",
            "Team Admin",
            "--ceiling-from",
            from,
        ]
        .map(str::to_string)
        .to_vec()
    };
    let run_with = |from: &str| {
        let args = args(from);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rolec(dir.path(), &args)
    };

    // Resolved from `main`, the ceiling is `Team Admin` as it was before the change: the
    // edited file's author (Administrator) is above it, and so is the raised `Team Admin`
    // that authors the new file. The untouched `team-roles.roles` is not bound.
    let run = run_with("main");
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let found = located(&run);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(code, file, _)| (code.as_str(), file.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("author-above-ceiling", "policies/billing.roles"),
            ("author-above-ceiling", "policies/team-admin.roles"),
        ],
        "{}",
        run.describe()
    );
    // The ceiling's permissions are main's: `billing` and the others main's `Team Admin`
    // lacks are above it.
    let message = &found[0].2;
    assert!(
        message.starts_with("author `Team Admin` is above the ceiling `Team Admin`: it holds ")
            && message.contains("`billing`")
            && message.contains("`domains`"),
        "{}",
        run.describe()
    );
    assert!(
        found[1]
            .2
            .starts_with("author `Administrator` is above the ceiling `Team Admin`"),
        "{}",
        run.describe()
    );

    // An artifact of `main` (built outside the checkout) binds every file: the same two
    // errors, and the untouched file authored by the raised `Team Admin` as well.
    let run = run_with(main_json);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let files: Vec<String> = located(&run).into_iter().map(|(_, file, _)| file).collect();
    assert_eq!(
        files,
        [
            "policies/billing.roles",
            "policies/team-admin.roles",
            "policies/team-roles.roles"
        ],
        "{}",
        run.describe()
    );

    // What resolving the ceiling from the sources under check would do: an artifact of the
    // working tree holds the raised `Team Admin`, and the attack passes. This is why the
    // ceiling is never resolved from them.
    let head_json = outside.path().join("head.json");
    let head_json = head_json.to_str().expect("a UTF-8 path");
    let run = rolec(dir.path(), &["build", "-o", head_json]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let run = run_with(head_json);
    assert_eq!(
        run.status,
        Some(0),
        "the naive ceiling lets it pass: {}",
        run.describe()
    );

    // A file of the checkout named like the revision cannot stand in for it: `main` is
    // read as the revision, not as the pull request's file.
    std::fs::copy(head_json, dir.path().join("main")).expect("copy the artifact");
    let run = run_with("main");
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(located(&run).len(), 2, "{}", run.describe());

    // `diff` compiles its sides under the same ceiling.
    std::fs::remove_file(dir.path().join("main")).expect("remove the file");
    let run = rolec(
        dir.path(),
        &[
            "diff",
            "main",
            "--max-author",
            "Team Admin",
            "--ceiling-from",
            "main",
        ],
    );
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr.contains("author-above-ceiling"),
        "{}",
        run.describe()
    );
}

/// `author Owner` in a file a team admin's change does not touch.
const OWNER_FILE: &str =
    "author Owner\n\nrole \"Mail Auditor\" copies User < +mail_private_all >\n";
/// A team admin's change: a new role within `Team Admin`.
const TEAM_EXTRA: &str = "author \"Team Admin\"\n\nrole \"Desk Helper\" copies Guest < +tasks >\n";

#[test]
fn with_a_revision_only_new_or_changed_files_are_bound() {
    let (dir, outside) = delegated_main(&[("policies/owner.roles", OWNER_FILE)]);
    let main_json = outside.path().join("main.json");
    let main_json = main_json.to_str().expect("a UTF-8 path");
    common::write_file(dir.path(), "policies/team-extra.roles", TEAM_EXTRA);
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        rolec(dir.path(), &all)
    };
    let files =
        |run: &Run| -> Vec<String> { located(run).into_iter().map(|(_, file, _)| file).collect() };

    // The untouched `author Owner` file (and the untouched Team Admin, authored by
    // Administrator) do not fail the team admin's change.
    let run = check(&["--max-author", "Team Admin", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    // A built-in ceiling from the revision too.
    let run = check(&["--max-author", "Administrator", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    // Without `--ceiling-from`, a built-in ceiling binds every file, as it always did.
    let run = check(&["--max-author", "Administrator"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(files(&run), ["policies/owner.roles"]);

    // An artifact holds no files: every file is bound.
    let run = check(&["--max-author", "Team Admin", "--ceiling-from", main_json]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        files(&run),
        ["policies/owner.roles", "policies/team-admin.roles"],
        "{}",
        run.describe()
    );

    // Touching the file, even with a comment, makes it part of the change: it is bound.
    common::write_file(
        dir.path(),
        "policies/owner.roles",
        format!("{OWNER_FILE}# reviewed\n"),
    );
    let run = check(&["--max-author", "Team Admin", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(files(&run), ["policies/owner.roles"], "{}", run.describe());
    common::write_file(dir.path(), "policies/owner.roles", OWNER_FILE);

    // A new default author changes what every file without an `author` statement means:
    // then every file is bound.
    common::write_file(dir.path(), "rolec.yaml", "author: Administrator\n");
    let run = check(&["--max-author", "Team Admin", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        files(&run),
        ["policies/owner.roles", "policies/team-admin.roles"],
        "{}",
        run.describe()
    );
}

/// A file can be on the base branch without ever having been checked: outside the sources
/// there. Byte-identical to its version at the revision, it is still new to the policies.
#[test]
fn a_file_that_was_no_policy_at_the_revision_is_bound() {
    let (dir, _outside) = delegated_main(&[
        ("rolec.yaml", "sources: [policies]\n"),
        ("drafts/owner.roles", OWNER_FILE),
    ]);
    let check = || {
        rolec(
            dir.path(),
            &[
                "check",
                "--format",
                "json",
                "--max-author",
                "Team Admin",
                "--ceiling-from",
                "main",
            ],
        )
    };
    let run = check();
    assert_eq!(run.status, Some(0), "{}", run.describe());
    // The change only widens `sources:`; the file it brings in is byte-identical to main's.
    common::write_file(dir.path(), "rolec.yaml", "sources: [policies, drafts]\n");
    let run = check();
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let files: Vec<String> = located(&run).into_iter().map(|(_, file, _)| file).collect();
    assert_eq!(files, ["drafts/owner.roles"], "{}", run.describe());
}

#[test]
fn a_custom_ceiling_needs_a_trusted_side() {
    let (dir, _outside) = delegated_main(&[]);
    let run = rolec(dir.path(), &["check", "--max-author", "Team Admin"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("is a custom role: add `--ceiling-from REV|ARTIFACT`"),
        "{}",
        run.describe()
    );
    // The same from `rolec.yaml`, and for `build` and `diff`.
    common::write_file(dir.path(), "rolec.yaml", "max_author: Team Admin\n");
    for args in [&["check"][..], &["build"], &["diff", "main"]] {
        let run = rolec(dir.path(), args);
        assert_eq!(run.status, Some(2), "{args:?}: {}", run.describe());
        assert!(run.stderr.contains("--ceiling-from"), "{}", run.describe());
    }
    // With `--ceiling-from`, the one from `rolec.yaml` is resolved there.
    let run = rolec(dir.path(), &["check", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    std::fs::remove_file(dir.path().join("rolec.yaml")).expect("remove rolec.yaml");

    // A role the trusted side does not define: did you mean.
    let run = rolec(
        dir.path(),
        &[
            "check",
            "--max-author",
            "Team Admn",
            "--ceiling-from",
            "main",
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("is not a role at `main`")
            && run.stderr.contains("did you mean `Team Admin`?"),
        "{}",
        run.describe()
    );
    // Without `--ceiling-from`, an unknown role is not a role at all.
    let run = rolec(dir.path(), &["check", "--max-author", "Team Admn"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("is not a role") && run.stderr.contains("did you mean `Team Admin`?"),
        "{}",
        run.describe()
    );
    // `--ceiling-from` without a ceiling, or naming nothing.
    let run = rolec(dir.path(), &["check", "--ceiling-from", "main"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("add `--max-author ROLE`"),
        "{}",
        run.describe()
    );
    let run = rolec(
        dir.path(),
        &[
            "check",
            "--max-author",
            "Team Admin",
            "--ceiling-from",
            "nosuch",
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("neither a git revision"),
        "{}",
        run.describe()
    );
}

// ---------------------------------------------------------------------------------------
// Writing files, closed pipes, and problems that stop a command in a machine format

/// A clean policy: compiles with no diagnostic.
const CLEAN_POLICY: &str = "author Administrator\nrole A copies User < -webhooks >\n";

/// How many process ids after the last one given out [`plant_at_old_temporary_names`] covers:
/// far more than the processes the other tests and builds on the machine start meanwhile.
const PLANTED_PIDS: u32 = 4000;

/// What is planted at a name where a temporary file could be created.
#[derive(Clone, Copy, Debug)]
enum Plant {
    /// A symbolic link to the victim.
    Symlink,
    /// A hard link to the victim.
    HardLink,
}

/// Plants a link to `victim` at `.NAME.rolec-PID.tmp` in `folder` (the temporary file of
/// `build -o` and `fmt` before it was created exclusively) for each of the next
/// [`PLANTED_PIDS`] process ids that Linux will give out, so that whichever the next `rolec`
/// gets, its old temporary name is taken. Returns the planted paths (none where the last
/// process id cannot be read: the run then only shows that nothing goes wrong).
#[cfg(unix)]
fn plant_at_old_temporary_names(
    folder: &std::path::Path,
    name: &str,
    victim: &std::path::Path,
    plant: Plant,
) -> Vec<std::path::PathBuf> {
    let read_number = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
    };
    let (Some(last), Some(max)) = (
        read_number("/proc/sys/kernel/ns_last_pid"),
        read_number("/proc/sys/kernel/pid_max"),
    ) else {
        eprintln!("no process ids to plant for: only the result of the run is checked");
        return Vec::new();
    };
    let mut planted = Vec::new();
    for step in 1..=PLANTED_PIDS {
        // Past `pid_max`, Linux starts again at 300.
        let pid = match last + step {
            pid if pid > max => pid - max + 300,
            pid => pid,
        };
        let path = folder.join(format!(".{name}.rolec-{pid}.tmp"));
        match plant {
            Plant::Symlink => std::os::unix::fs::symlink(victim, &path),
            Plant::HardLink => std::fs::hard_link(victim, &path),
        }
        .expect("plant a link");
        planted.push(path);
    }
    planted
}

/// Checks that every planted link is still there, still a link to `victim`, and that the
/// victim still holds `contents`.
#[cfg(unix)]
fn assert_planted_links_untouched(
    planted: &[std::path::PathBuf],
    victim: &std::path::Path,
    contents: &str,
    plant: Plant,
    run: &Run,
) {
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::read_to_string(victim).expect("read the victim"),
        contents,
        "written through a planted {plant:?}:\n{}",
        run.describe()
    );
    let victim_inode = std::fs::metadata(victim).expect("the victim").ino();
    for path in planted {
        let metadata = std::fs::symlink_metadata(path).expect("the planted link is still there");
        match plant {
            Plant::Symlink => assert_eq!(
                std::fs::read_link(path).expect("still a symbolic link"),
                victim
            ),
            Plant::HardLink => assert_eq!(metadata.ino(), victim_inode, "still a hard link"),
        }
    }
}

/// The entries of `folder` that are neither planted nor in `expected`: a temporary file left
/// behind would be one.
#[cfg(unix)]
fn unexpected_entries(
    folder: &std::path::Path,
    planted: &[std::path::PathBuf],
    expected: &[&str],
) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(folder)
        .expect("read a folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| !planted.contains(path))
        .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
        .filter(|name| !expected.contains(&name.as_str()))
        .collect();
    found.sort();
    found
}

/// `build -o out.json` never writes through a symbolic or hard link planted where its
/// temporary file could be: each is left as it is, the victim it points to too, and the build
/// succeeds. Before the temporary file was created exclusively under a random name, the one
/// named after the process id (`.out.json.rolec-PID.tmp`) was opened through the link: the
/// artifact overwrote the victim, and a symbolic link was then renamed to `out.json`.
#[cfg(unix)]
#[test]
fn build_o_never_writes_through_a_link_at_a_temporary_name() {
    const PRECIOUS: &str = "precious: not an artifact\n";
    for plant in [Plant::Symlink, Plant::HardLink] {
        let dir = project(&[
            ("policies/a.roles", CLEAN_POLICY),
            ("victim.txt", PRECIOUS),
            ("out.json", "the previous artifact\n"),
        ]);
        let victim = dir.path().join("victim.txt");
        let planted = plant_at_old_temporary_names(dir.path(), "out.json", &victim, plant);
        let run = rolec(dir.path(), &["build", "-o", "out.json"]);
        assert_eq!(run.status, Some(0), "{plant:?}: {}", run.describe());
        assert_planted_links_untouched(&planted, &victim, PRECIOUS, plant, &run);
        let out = dir.path().join("out.json");
        assert!(
            std::fs::symlink_metadata(&out)
                .expect("out.json")
                .file_type()
                .is_file(),
            "{plant:?}: out.json is a regular file"
        );
        let artifact: Value =
            serde_json::from_slice(&std::fs::read(&out).expect("read out.json")).expect("JSON");
        assert!(artifact["roles"].is_array(), "{plant:?}: {artifact}");
        assert_eq!(
            unexpected_entries(
                dir.path(),
                &planted,
                &["policies", "victim.txt", "out.json"]
            ),
            Vec::<String>::new(),
            "{plant:?}: nothing left behind"
        );
    }
}

/// `fmt` writes the same way: a link planted where its temporary file could be is left as
/// it is, and so is the file it points to.
#[cfg(unix)]
#[test]
fn fmt_never_writes_through_a_link_at_a_temporary_name() {
    const PRECIOUS: &str = "precious: not a policy\n";
    const UNFORMATTED: &str = "author Administrator\nrole   A   copies User <  -webhooks >\n";
    for plant in [Plant::Symlink, Plant::HardLink] {
        let dir = project(&[("policies/a.roles", UNFORMATTED), ("victim.txt", PRECIOUS)]);
        let victim = dir.path().join("victim.txt");
        let folder = dir.path().join("policies");
        let planted = plant_at_old_temporary_names(&folder, "a.roles", &victim, plant);
        let run = rolec(dir.path(), &["fmt"]);
        assert_eq!(run.status, Some(0), "{plant:?}: {}", run.describe());
        assert_planted_links_untouched(&planted, &victim, PRECIOUS, plant, &run);
        assert_eq!(
            std::fs::read_to_string(folder.join("a.roles")).expect("read a.roles"),
            "author Administrator\n\nrole A copies User < -webhooks >\n",
            "{plant:?}: formatted"
        );
        assert_eq!(
            unexpected_entries(&folder, &planted, &["a.roles"]),
            Vec::<String>::new(),
            "{plant:?}: nothing left behind"
        );
    }
}

/// Creates a named pipe at `path` with `mkfifo`.
#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `build -o FILE` (and `build --check -o FILE`) where FILE is not a regular file — a named
/// pipe, a folder, a symbolic link (to `/dev/null`, or to a regular file) — is refused with
/// exit status 2 before anything is compiled, naming FILE and what it is, and FILE is left as
/// it was. Before, a named pipe or a link was replaced by a regular file (as root, a link to
/// `/dev/null` is as good as `/dev/null` itself).
#[cfg(unix)]
#[test]
fn build_o_refuses_what_is_not_a_regular_file() {
    use std::os::unix::fs::FileTypeExt;
    let dir = project(&[
        ("policies/a.roles", CLEAN_POLICY),
        ("folder/keep.txt", "kept\n"),
        ("target.json", "the file a link points to\n"),
    ]);
    let root = dir.path();
    mkfifo(&root.join("pipe"));
    std::os::unix::fs::symlink("/dev/null", root.join("null")).expect("link to /dev/null");
    std::os::unix::fs::symlink("target.json", root.join("link.json")).expect("link to a file");

    let cases: [(&str, &str); 4] = [
        ("pipe", "named pipe"),
        ("folder", "folder"),
        ("null", "symbolic link (to `/dev/null`)"),
        ("link.json", "symbolic link (to `target.json`)"),
    ];
    for (file, what) in cases {
        for args in [
            vec!["build", "-o", file],
            vec!["build", "--check", "-o", file],
            vec!["build", "-o", file, "--format", "json"],
        ] {
            // `build --check` on the old code waits forever to read a named pipe.
            if file == "pipe" && args.contains(&"--check") {
                continue;
            }
            let run = rolec(root, &args);
            let shown = format!("rolec {}: {}", args.join(" "), run.describe());
            assert_eq!(run.status, Some(2), "{shown}");
            if args.contains(&"json") {
                let report: Value = serde_json::from_str(&run.stderr).expect(&shown);
                assert_eq!(
                    report["diagnostics"][0]["code"], "invalid-invocation",
                    "{shown}"
                );
            }
            assert!(
                run.stderr.contains(&format!("`{file}`")) && run.stderr.contains(what),
                "{shown}"
            );
            assert_eq!(run.stdout_text(), "", "{shown}");
        }
    }
    let kind = |name: &str| {
        std::fs::symlink_metadata(root.join(name))
            .expect("still there")
            .file_type()
    };
    assert!(kind("pipe").is_fifo(), "the named pipe is left as it was");
    assert!(kind("folder").is_dir());
    assert_eq!(
        std::fs::read_to_string(root.join("folder/keep.txt")).expect("read"),
        "kept\n"
    );
    assert!(kind("null").is_symlink() && kind("link.json").is_symlink());
    assert_eq!(
        std::fs::read_link(root.join("null")).expect("a link"),
        std::path::Path::new("/dev/null")
    );
    assert_eq!(
        std::fs::read_to_string(root.join("target.json")).expect("read"),
        "the file a link points to\n"
    );
    let mut entries: Vec<String> = std::fs::read_dir(root)
        .expect("read the project")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "folder",
            "link.json",
            "null",
            "pipe",
            "policies",
            "target.json"
        ],
        "nothing left behind"
    );
}

/// A pipe whose reader is already closed, as the standard output of the next process: what
/// `rolec ... | head -1` gives rolec once `head` has its line, but without waiting for it.
/// The named pipe lives in `folder`.
#[cfg(unix)]
fn closed_pipe(folder: &std::path::Path, name: &str) -> std::fs::File {
    let path = folder.join(name);
    mkfifo(&path);
    // Opening either end of a named pipe waits for the other end: open both, then close the
    // reading one.
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || std::fs::File::open(reader_path));
    let writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open the pipe for writing");
    drop(
        reader
            .join()
            .expect("the reader thread")
            .expect("open the pipe for reading"),
    );
    writer
}

/// Runs `rolec ARGS` in `dir` with its stdout (and, with `close_stderr`, its stderr) a pipe
/// that nobody reads any more.
#[cfg(unix)]
fn rolec_into_closed_pipe(dir: &std::path::Path, args: &[&str], close_stderr: bool) -> Run {
    let pipes = tempfile::tempdir().expect("a folder for the pipes");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rolec"));
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(closed_pipe(pipes.path(), "stdout"));
    if close_stderr {
        command.stderr(closed_pipe(pipes.path(), "stderr"));
    } else {
        command.stderr(std::process::Stdio::piped());
    }
    let output = command.output().expect("rolec runs");
    Run {
        status: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Output cut short by a closed pipe ends quietly, for every command that prints: no panic
/// (a panic exits with 101), no message about the pipe, and the exit status the run has when
/// its output is read whole (so a failing check still fails). Before, `explain`, `lints` and
/// a problem printed on a closed stderr panicked, and `build`, `catalog` and `diff` said they
/// could not write and exited with 2.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    // Large enough that every report is longer than a pipe's buffer (64 KiB on Linux).
    const ROLES: usize = 1000;
    let mut clean = String::from("author Administrator\n");
    let mut broken = String::from("author Administrator\n");
    let mut unformatted = Vec::new();
    for index in 0..ROLES {
        let _ = writeln!(clean, "role \"Role {index}\" copies User < -webhooks >");
        let _ = writeln!(
            broken,
            "role \"Role {index}\" copies User < -no_such_{index} >"
        );
    }
    for index in 0..100 {
        unformatted.push((
            format!("messy/file{index:03}.roles"),
            "author Administrator\nrole   A   copies User <  -webhooks >\n".to_string(),
        ));
    }
    let mut files: Vec<(String, String)> = vec![
        ("policies/clean.roles".to_string(), clean.clone()),
        (
            "base/clean.roles".to_string(),
            clean.replace("-webhooks", "-crm"),
        ),
        ("broken/broken.roles".to_string(), broken),
    ];
    files.extend(unformatted);
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let dir = project(&files);

    let commands: &[&[&str]] = &[
        &["check", "--format", "json", "broken"],
        &["check", "--format", "sarif", "broken"],
        &["check", "--format", "github", "broken"],
        &["check", "broken"],
        &["check", "--format", "json"],
        &["build"],
        &["build", "--format", "json", "broken"],
        &["fmt", "--check", "messy"],
        &["diff", "base", "policies"],
        &["diff", "base", "policies", "--format", "json"],
        &["catalog"],
        &["explain", "escalation"],
        &["lints"],
        &["lints", "--format", "markdown"],
        &["--help"],
        &["check", "--help"],
        &["--version"],
        &["check", "no-such-folder"],
        &["check", "--format", "json", "no-such-folder"],
        &["check", "--no-such-flag"],
    ];
    // Every command is run before the verdict, so that a failure lists all that fail.
    let mut failures = Vec::new();
    for &args in commands {
        let whole = rolec(dir.path(), args);
        if whole.status == Some(101) {
            failures.push(format!("rolec {}: {}", args.join(" "), whole.describe()));
        }
        for close_stderr in [false, true] {
            let cut = rolec_into_closed_pipe(dir.path(), args, close_stderr);
            let quiet = !cut.stderr.contains("panicked")
                && !cut.stderr.contains("cannot write")
                && !cut.stderr.contains("Broken pipe");
            if cut.status != whole.status || !quiet {
                failures.push(format!(
                    "rolec {} (stderr closed too: {close_stderr}), status {:?} when read whole: {}",
                    args.join(" "),
                    whole.status,
                    cut.describe()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// With `--format json`, `sarif` or `github`, a problem that stops the command (exit status 2)
/// is printed in that format, as an `invalid-invocation` diagnostic without a place: on stdout
/// for `check`, on stderr for `build`, never as plain text. With `human` it stays one
/// `error: ...` line on stderr. Before, it was that line whatever the format.
#[test]
fn problems_that_stop_a_command_follow_the_format() {
    let dir = project(&[("policies/a.roles", CLEAN_POLICY), ("empty/", "")]);
    // Sparse: 33 MiB of zeros that take no disk space.
    let huge = std::fs::File::create(dir.path().join("huge.roles")).expect("create a file");
    huge.set_len(33 * 1024 * 1024).expect("grow the file");
    drop(huge);

    let problems: &[(&[&str], &str)] = &[
        (&["no-such.roles"], "`no-such.roles`"),
        // A folder where a file is read: it cannot be read as one.
        (
            &["--catalog", "policies", "policies"],
            "cannot read `policies`",
        ),
        (&["huge.roles"], "32 MiB"),
        (&["empty"], "`empty`"),
        (&["--max-author", "Nobody", "policies"], "Nobody"),
        (&["--no-such-flag", "policies"], "--no-such-flag"),
    ];
    for &(command, to_stdout) in &[("check", true), ("build", false)] {
        for &(rest, named) in problems {
            for format in ["json", "sarif", "github"] {
                let mut args = vec![command, "--format", format];
                args.extend_from_slice(rest);
                let run = rolec(dir.path(), &args);
                let shown = format!("rolec {}: {}", args.join(" "), run.describe());
                assert_eq!(run.status, Some(2), "{shown}");
                let (document, other) = if to_stdout {
                    (run.stdout_text(), run.stderr.clone())
                } else {
                    (run.stderr.clone(), run.stdout_text())
                };
                assert_eq!(other, "", "the other stream is empty: {shown}");
                assert!(document.contains(named), "{shown}");
                match format {
                    "json" => {
                        let report: Value = serde_json::from_str(&document).expect(&shown);
                        let diagnostics = report["diagnostics"].as_array().expect(&shown);
                        assert_eq!(diagnostics.len(), 1, "{shown}");
                        let problem = &diagnostics[0];
                        assert_eq!(problem["code"], "invalid-invocation", "{shown}");
                        assert_eq!(problem["severity"], "error", "{shown}");
                        for key in ["file", "line", "column"] {
                            assert!(problem[key].is_null(), "{key}: {shown}");
                        }
                        assert_eq!(report["errors"], 1, "{shown}");
                    }
                    "sarif" => {
                        let log: Value = serde_json::from_str(&document).expect(&shown);
                        let results = log["runs"][0]["results"].as_array().expect(&shown);
                        assert_eq!(results.len(), 1, "{shown}");
                        assert_eq!(results[0]["ruleId"], "invalid-invocation", "{shown}");
                        assert!(results[0].get("locations").is_none(), "{shown}");
                    }
                    _ => {
                        let lines: Vec<&str> = document.lines().collect();
                        assert_eq!(lines.len(), 1, "{shown}");
                        assert!(
                            lines[0].starts_with("::error title=rolec invalid-invocation::"),
                            "{shown}"
                        );
                    }
                }
            }
            let mut args = vec![command];
            args.extend_from_slice(rest);
            let human = rolec(dir.path(), &args);
            let shown = format!("rolec {}: {}", args.join(" "), human.describe());
            assert_eq!(human.status, Some(2), "{shown}");
            assert!(
                human.stderr.starts_with("error: ") && human.stderr.contains(named),
                "{shown}"
            );
            assert_eq!(human.stdout_text(), "", "{shown}");
        }
    }
}

/// When writing the artifact fails after a compile with warnings, `--format json` prints one
/// document: the warnings and the `invalid-invocation` problem together.
#[test]
fn a_failed_write_joins_the_warnings_in_one_document() {
    let dir = project(&[("policies/a.roles", "author Administrator\nrole Empty\n")]);
    let run = rolec(
        dir.path(),
        &["build", "--format", "json", "-o", "no-such-folder/out.json"],
    );
    assert_eq!(run.status, Some(2), "{}", run.describe());
    let report: Value = serde_json::from_str(&run.stderr).expect("one JSON document");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["empty-role", "invalid-invocation"],
        "{}",
        run.describe()
    );
    assert!(
        run.stderr.contains("no-such-folder/out.json"),
        "{}",
        run.describe()
    );
}

// ---------------------------------------------------------------------------------------
// The artifact read with the writer's own types (issue 13)

/// The reader reads each role's `source` with the rest of it: a `source` of the wrong shape
/// is a malformed artifact, refused like the others (it was ignored), as BASE, as HEAD and
/// for `--ceiling-from`.
#[test]
fn an_artifact_with_a_malformed_source_is_refused() {
    let (dir, artifact) = built_artifact();
    for source in [
        serde_json::json!({"file": "policies/a.roles", "line": -1, "column": 1}),
        serde_json::json!({"file": "policies/a.roles", "line": 1}),
        serde_json::json!("policies/a.roles:1:1"),
    ] {
        let mut bad = artifact.clone();
        for role in bad["roles"].as_array_mut().expect("roles") {
            if role["builtin"] == false {
                role["source"] = source.clone();
            }
        }
        std::fs::write(
            dir.path().join("bad.json"),
            serde_json::to_vec(&bad).expect("JSON"),
        )
        .expect("write the artifact");
        for args in [
            &["diff", "bad.json", "good.json"][..],
            &["diff", "good.json", "bad.json"],
            &["check", "--max-author", "A", "--ceiling-from", "bad.json"],
        ] {
            let run = rolec(dir.path(), args);
            assert_eq!(run.status, Some(2), "{source}: {}", run.describe());
            assert!(
                run.stderr
                    .contains("`bad.json` is not a rolec artifact: not a valid artifact ("),
                "{source}: {}",
                run.describe()
            );
        }
    }
    // A null `source`, or none at all, is still read.
    let mut without = artifact.clone();
    for role in without["roles"].as_array_mut().expect("roles") {
        role.as_object_mut().expect("a role").remove("source");
    }
    std::fs::write(
        dir.path().join("without.json"),
        serde_json::to_vec(&without).expect("JSON"),
    )
    .expect("write the artifact");
    let run = rolec(dir.path(), &["diff", "without.json", "good.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
}

// ---------------------------------------------------------------------------------------
// The schemas of `schemas/` on hostile inputs (issue 14)

/// The JSON report of hostile inputs follows its schema: the harness validates every
/// report of this file (`common::rolec`), and this shows it finds them. Bytes that are not
/// UTF-8, hidden and control characters in names and messages, a name at the length limit,
/// and a report of 10,000 diagnostics each give one report that validates.
#[test]
fn reports_of_hostile_inputs_follow_their_schema() {
    let many: String = (0..10_000)
        .map(|i| format!("role R{i} copies Missing{i}\n"))
        .collect();
    let long = "x".repeat(100);
    let inputs: [(&str, Vec<u8>); 5] = [
        (
            "not UTF-8",
            b"author Administrator\nrole \xff\xfe < +crm >\n".to_vec(),
        ),
        (
            "hidden characters",
            "author Administrator\nrole \"A\u{202E}\u{200B}\" < +crm >\n".into(),
        ),
        (
            "control characters",
            "author Administrator\nrole \"\u{1b}[31mRed\" < +c\u{7}rm >\n".into(),
        ),
        (
            "a name at the limit",
            format!("author Administrator\nrole {long} < +{long} >\n").into(),
        ),
        (
            "10,000 unknown roles",
            format!("author Administrator\n{many}").into(),
        ),
    ];
    for (what, bytes) in inputs {
        let dir = project(&[("p.roles", bytes)]);
        let (run, documents) =
            common::rolec_documents(dir.path(), &["check", "--format", "json", "p.roles"]);
        assert_eq!(run.status, Some(1), "{what}: {}", run.describe());
        assert_eq!(
            documents,
            [common::Document::Diagnostics],
            "{what}: {}",
            run.describe()
        );
    }
}

// ── The language server (`rolec lsp`) ──────────────────────────────────────────────────────
// Frames that are not JSON or not JSON-RPC, a Content-Length far beyond what the server reads,
// params that do not parse, unknown methods, a document of control characters and one with a
// 1 MB line: every request gets exactly one response, and the server exits 0 after
// `shutdown` and `exit`. (tests/lsp drives the same through a real client, pytest-lsp.)

/// One LSP frame of `body`.
fn lsp_frame(body: &str) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body.as_bytes());
    frame
}

/// The JSON messages of the server's output.
fn lsp_messages(output: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    let mut rest = output;
    while let Some(at) = rest.windows(4).position(|window| window == b"\r\n\r\n") {
        let header = String::from_utf8_lossy(&rest[..at]);
        let length: usize = header
            .trim()
            .strip_prefix("Content-Length: ")
            .unwrap()
            .parse()
            .unwrap();
        let body = &rest[at + 4..at + 4 + length];
        messages.push(serde_json::from_slice(body).unwrap());
        rest = &rest[at + 4 + length..];
    }
    messages
}

#[test]
fn the_language_server_answers_every_request_and_survives_hostile_frames() {
    let dir = project(&[(
        "policies/a.roles",
        "author Administrator\nrole A copies User < +crm >\n",
    )]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = format!("file://{}/policies/b.roles", root.display());
    let long_line = format!(
        "author Administrator\nrole L < {}+nope >\n",
        "+crm ".repeat(210_000)
    );
    let garbage: String = (0u32..20_000)
        .filter_map(|i| char::from_u32((i * 7919) % 0x11_0000))
        .collect();
    let mut input = Vec::new();
    let mut send = |body: serde_json::Value| input.extend(lsp_frame(&body.to_string()));
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"capabilities": {}, "rootUri": format!("file://{}", root.display())}}),
    );
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "rolec/nothing"}));
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover",
        "params": {"textDocument": 5}}),
    );
    for text in [&long_line, &garbage] {
        send(
            serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "roles", "version": 1, "text": text}}}),
        );
    }
    send(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
        "params": {"textDocument": 7}}),
    );
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/completion",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 900_000}}}),
    );
    input.extend(lsp_frame("{not json"));
    input.extend(lsp_frame(r#"{"jsonrpc": "2.0", "id": 5}"#));
    input.extend(b"Content-Length: nope\r\n\r\n");
    input.extend(lsp_frame(&"[".repeat(100_000)));
    let mut send = |body: serde_json::Value| input.extend(lsp_frame(&body.to_string()));
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}}),
    );
    send(serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}));
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 8, "method": "textDocument/hover", "params": {}}),
    );
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let output = assert_cmd::Command::cargo_bin("rolec")
        .unwrap()
        .arg("lsp")
        .current_dir(dir.path())
        .write_stdin(input)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let messages = lsp_messages(&output.stdout);
    let error_of = |id: Value| {
        let answers: Vec<&Value> = messages
            .iter()
            .filter(|m| m["id"] == id && m.get("method").is_none())
            .collect();
        assert_eq!(answers.len(), 1, "answers to {id}: {answers:?}");
        answers[0]["error"]["code"].as_i64()
    };
    assert_eq!(error_of(1.into()), None);
    assert_eq!(error_of(2.into()), Some(-32601));
    assert_eq!(error_of(3.into()), Some(-32602));
    assert_eq!(error_of(4.into()), None);
    assert_eq!(error_of(5.into()), Some(-32600));
    assert_eq!(error_of(6.into()), None);
    assert_eq!(error_of(7.into()), None);
    assert_eq!(error_of(8.into()), Some(-32600));
    let parse_errors = messages
        .iter()
        .filter(|m| m["id"].is_null() && m["error"]["code"] == -32700)
        .count();
    assert_eq!(parse_errors, 3);
    // The unknown permission at the end of the 1 MB line was published at its place, then
    // the garbage's problems replaced it.
    let published: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        })
        .map(|m| &m["params"]["diagnostics"])
        .collect();
    assert_eq!(published.len(), 2);
    assert_eq!(published[0][0]["code"], "unknown-permission");
    assert_eq!(
        published[0][0]["range"]["start"]["character"],
        9 + 5 * 210_000 + 1
    );
    assert!(published[1].as_array().unwrap().len() > 1);
}

// ---------------------------------------------------------------------------------------
// Project set-up: `init`, `completions` and `man` into a closed pipe

/// `rolec completions SHELL | head -1`, `rolec man | head -1` and `rolec init | head -0` end
/// quietly, with exit status 0 as when read whole (contract section 4); `init` has written
/// its files all the same.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_init_completions_and_man_quietly() {
    let dir = project::<&str>(&[]);
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["completions", "powershell"],
        &["completions", "elvish"],
        &["man"],
        &["init", "fresh"],
    ];
    let mut failures = Vec::new();
    for &args in commands {
        let cut = rolec_into_closed_pipe(dir.path(), args, false);
        let quiet = !cut.stderr.contains("panicked")
            && !cut.stderr.contains("cannot write")
            && !cut.stderr.contains("Broken pipe");
        if cut.status != Some(0) || !quiet {
            failures.push(format!("rolec {}: {}", args.join(" "), cut.describe()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(dir.path().join("fresh/rolec.yaml").is_file());
    assert!(dir.path().join("fresh/policies/example.roles").is_file());
}
