//! The harness shared by the tests that run the real `rolec` binary (`tests/cli.rs`,
//! `tests/hostile.rs`, `tests/ci_commands.rs`): a throwaway project in a temporary folder
//! (or a throwaway git repository), one run of the binary in it, and what that run printed
//! and returned.
//!
//! Each of those files includes this module with `mod common;`. Accessors only one file
//! needs (the JSON report, diagnostic codes) stay in that file, in its own `impl Run`.
//!
//! Every document a run prints or writes is checked against its JSON Schema under
//! `schemas/` ([`Document`]): [`rolec`] validates the artifact, the JSON diff and the JSON
//! diagnostics report it finds on stdout, on stderr or in the file of `build -o`, and fails
//! the test on a violation, so that every test that runs the binary checks the schemas too.
//! The tests that call the library (`tests/cases.rs`, `tests/fmt.rs`, `tests/properties.rs`)
//! call [`Document::assert_valid`] on what they produce.

use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// How many characters of each stream [`Run::describe`] shows: some hostile inputs print
/// megabytes.
const DESCRIBE_LIMIT: usize = 2000;

/// What one run of the binary printed and returned.
pub struct Run {
    /// `None` when the process was killed by a signal (a stack overflow, say).
    pub status: Option<i32>,
    /// Raw bytes: an artifact, a report, or whatever a hostile input made of it.
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    /// Stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Everything printed, each stream cut to its first `DESCRIBE_LIMIT` characters, for
    /// assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            cut(&self.stdout_text()),
            cut(&self.stderr)
        )
    }
}

/// The first `DESCRIBE_LIMIT` characters of `text`, saying how many more were left out.
fn cut(text: &str) -> String {
    let mut shown: String = text.chars().take(DESCRIBE_LIMIT).collect();
    let more = text[shown.len()..].chars().count();
    if more > 0 {
        shown.push_str(&format!("\n[... {more} more characters]"));
    }
    shown
}

/// Writes `contents` at `path` (`/`-separated) under `root`, creating parent folders; a
/// path ending in `/` is created as an (empty) folder.
pub fn write_file(root: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let full = root.join(path);
    if path.ends_with('/') {
        std::fs::create_dir_all(&full).expect("create a folder");
        return;
    }
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("create a parent folder");
    }
    std::fs::write(&full, contents).expect("write a file");
}

/// A temporary project folder holding `files`: `/`-separated paths and their contents,
/// text or bytes (see [`write_file`]).
pub fn project<C: AsRef<[u8]>>(files: &[(&str, C)]) -> TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    for (path, contents) in files {
        write_file(dir.path(), path, contents);
    }
    dir
}

/// Runs `rolec ARGS` in `dir`, without the `NO_COLOR` and `CLICOLOR_FORCE` of the
/// environment. Every document it prints or writes must follow its schema (see the module's
/// comment).
pub fn rolec(dir: &Path, args: &[&str]) -> Run {
    rolec_documents(dir, args).0
}

/// [`rolec`], also returning the documents of the run that were validated against their
/// schema: on stdout, on stderr, then in the file of `build -o`.
// Not used by every file that includes this module.
#[allow(dead_code)]
pub fn rolec_documents(dir: &Path, args: &[&str]) -> (Run, Vec<Document>) {
    let output = Command::cargo_bin("rolec")
        .expect("the rolec binary is built")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .expect("rolec runs");
    let run = Run {
        status: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let documents = validate_documents(dir, args, &run);
    (run, documents)
}

// ---------------------------------------------------------------------------------------
// The schemas of `schemas/`

/// The documents rolec writes that have a JSON Schema (`schemas/NAME.schema.json`, what
/// `rolec schema NAME` prints): the library's list, with what the tests do with each.
pub use rolec::schema::Document;

/// A document's schema on disk, and the checks of a text against it.
pub trait SchemaChecks: Copy {
    /// `schemas/NAME.schema.json`, from the crate's root.
    fn schema_path(self) -> std::path::PathBuf;
    /// The validator of the schema, built once per test binary.
    fn validator(self) -> &'static jsonschema::Validator;
    /// Every way `value` breaks the schema, one line each (empty when it is valid).
    fn violations(self, value: &Value) -> Vec<String>;
    /// Every way `text` is not a valid document: not JSON, or its violations.
    fn problems(self, text: &str) -> Vec<String>;
    /// Fails the test when `text` is not JSON or breaks the schema.
    fn assert_valid(self, text: &str, what: &str);
}

impl SchemaChecks for Document {
    /// `schemas/NAME.schema.json`, from the crate's root.
    fn schema_path(self) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(self.file_name())
    }

    /// The validator of the schema, built once per test binary.
    fn validator(self) -> &'static jsonschema::Validator {
        static VALIDATORS: OnceLock<Vec<jsonschema::Validator>> = OnceLock::new();
        let validators = VALIDATORS.get_or_init(|| {
            Document::ALL
                .iter()
                .map(|document| {
                    let path = document.schema_path();
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    let schema: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .build(&schema)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                })
                .collect()
        });
        let index = Document::ALL
            .iter()
            .position(|&document| document == self)
            .expect("listed in ALL");
        &validators[index]
    }

    /// Every way `value` breaks the schema, one line each (empty when it is valid).
    fn violations(self, value: &Value) -> Vec<String> {
        self.validator()
            .iter_errors(value)
            .map(|error| format!("{error} at `{}`", error.instance_path()))
            .collect()
    }

    /// Every way `text` is not a valid document: not JSON, or its violations (empty when
    /// it is valid).
    fn problems(self, text: &str) -> Vec<String> {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => self.violations(&value),
            Err(error) => vec![format!("not JSON: {error}")],
        }
    }

    /// Fails the test when `text` is not JSON or breaks the schema; `what` says where the
    /// text came from.
    fn assert_valid(self, text: &str, what: &str) {
        let problems = self.problems(text);
        assert!(
            problems.is_empty(),
            "{what}: the {} does not follow schemas/{}.schema.json:\n  {}",
            self.name(),
            self.name(),
            problems
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
}

/// Which document `value` is: by its `schema` (the artifact, the diff; any version, so
/// that a wrong one is validated and refused), or by the diagnostics report's
/// `diagnostics` list; `None` for any other JSON (SARIF, a hand-written input).
pub fn document_of(value: &Value) -> Option<Document> {
    match value.get("schema").and_then(Value::as_str) {
        Some(schema) if schema.starts_with("rolec.artifact/") => Some(Document::Artifact),
        Some(schema) if schema.starts_with("rolec.diff/") => Some(Document::Diff),
        Some(_) => None,
        None => value
            .get("diagnostics")
            .is_some_and(Value::is_array)
            .then_some(Document::Diagnostics),
    }
}

/// The document in a stream, when it holds one: the whole stream, or what follows a line
/// of text before it (`diff` prints a line naming the side whose policies have errors, then
/// the report).
fn document_in(stream: &[u8]) -> Option<(Document, &[u8])> {
    let starts = std::iter::once(0).chain(
        stream
            .iter()
            .enumerate()
            .filter(|&(_, &byte)| byte == b'\n')
            .map(|(index, _)| index + 1)
            .filter(|&start| stream.get(start) == Some(&b'{'))
            .take(1),
    );
    for start in starts {
        let Some(rest) = stream.get(start..) else {
            continue;
        };
        if let Ok(value) = serde_json::from_slice::<Value>(rest) {
            return document_of(&value).map(|document| (document, rest));
        }
    }
    None
}

/// The file of `build -o FILE` (`--output`), when the run wrote it: a `build` without
/// `--check` that succeeded.
fn written_artifact<'a>(args: &[&'a str], status: Option<i32>) -> Option<&'a str> {
    if args.first() != Some(&"build") || args.contains(&"--check") || status != Some(0) {
        return None;
    }
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--" => return None,
            "-o" | "--output" => return rest.next().copied(),
            other => {
                if let Some(file) = other.strip_prefix("--output=") {
                    return Some(file);
                }
            }
        }
    }
    None
}

/// Validates every document of a run (see the module's comment) and returns which it found.
fn validate_documents(dir: &Path, args: &[&str], run: &Run) -> Vec<Document> {
    let command = format!("rolec {}", args.join(" "));
    let mut found = Vec::new();
    for (name, stream) in [
        ("stdout", run.stdout.as_slice()),
        ("stderr", run.stderr.as_bytes()),
    ] {
        if let Some((document, text)) = document_in(stream) {
            document.assert_valid(
                &String::from_utf8_lossy(text),
                &format!("`{command}`, {name}"),
            );
            found.push(document);
        }
    }
    if let Some(file) = written_artifact(args, run.status) {
        if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
            Document::Artifact.assert_valid(&text, &format!("`{command}`, the file `{file}`"));
            found.push(Document::Artifact);
        }
    }
    found
}

/// Runs `git ARGS` in `dir`; panics with what git said when it fails.
// Used by ci_commands.rs and hostile.rs, not by cli.rs.
#[allow(dead_code)]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes `files` (an empty text deletes the file) and commits them all.
#[allow(dead_code)]
pub fn commit(dir: &Path, files: &[(&str, &str)], message: &str) {
    for (path, text) in files {
        if text.is_empty() {
            std::fs::remove_file(dir.join(path)).expect("remove a file");
        } else {
            write_file(dir, path, text);
        }
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// A temporary git repository (branch `main`) with one commit of `files`.
#[allow(dead_code)]
pub fn repository(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "rolec tests"]);
    git(dir.path(), &["config", "user.email", "tests@example.com"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    commit(dir.path(), files, "first");
    dir
}
