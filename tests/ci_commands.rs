//! The commands made for CI, through the real binary: `build --check` (is the committed
//! artifact up to date?), `fmt` (one layout, `--check` lists what would change) and `diff`
//! (what a change does to who can do what, between git revisions, folders or artifacts).
//!
//! Each test builds a throwaway project in a temporary folder (a git repository for `diff`)
//! and runs `rolec` in it.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// A clean policy: compiles with no diagnostic at all.
const CLEAN: &str = "author Administrator\nrole Clean copies User < -webhooks >\n";

/// The same policy with one more permission removed.
const CLEAN_CHANGED: &str = "author Administrator\nrole Clean copies User < -webhooks -crm >\n";

/// A policy with an error (`escalation`).
const ESCALATION: &str = "author Administrator\nrole X copies Owner\n";

/// What one run of the binary printed and returned.
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Everything printed, for assertion messages.
    fn describe(&self) -> String {
        format!(
            "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Writes `text` at `path` under `root`, creating parent folders.
fn write_file(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("create a parent folder");
    }
    std::fs::write(&full, text).expect("write a file");
}

fn read_file(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).expect("read a file")
}

/// A temporary project folder holding `files` (`/`-separated paths and their text).
fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    for (path, text) in files {
        write_file(dir.path(), path, text);
    }
    dir
}

/// Runs `rolec ARGS` in `dir`.
fn rolec(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("rolec")
        .expect("the rolec binary is built")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("rolec runs");
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The names in `dir`, sorted.
fn folder_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read a folder")
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// build --check

/// A project whose `out.json` was built from `CLEAN`.
fn built_project() -> TempDir {
    let dir = project(&[("policies/a.roles", CLEAN)]);
    let run = rolec(dir.path(), &["build", "-o", "out.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    dir
}

#[test]
fn build_check_passes_when_the_file_is_up_to_date() {
    let dir = built_project();
    let before = read_file(dir.path(), "out.json");
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "", "nothing on stdout");
    assert!(!run.stderr.contains("out of date"), "{}", run.describe());
    assert_eq!(read_file(dir.path(), "out.json"), before);
    assert_eq!(folder_listing(dir.path()), ["out.json", "policies"]);
}

#[test]
fn build_check_fails_when_the_sources_changed_and_writes_nothing() {
    let dir = built_project();
    let before = read_file(dir.path(), "out.json");
    write_file(dir.path(), "policies/a.roles", CLEAN_CHANGED);
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("`out.json` is out of date: run `rolec build -o out.json`"),
        "{}",
        run.describe()
    );
    assert_eq!(read_file(dir.path(), "out.json"), before, "never writes");
    assert_eq!(folder_listing(dir.path()), ["out.json", "policies"]);

    // The hint repeats the paths given, so that it can be copied as it is.
    let run = rolec(
        dir.path(),
        &["build", "policies/a.roles", "--check", "-o", "out.json"],
    );
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr
            .contains("run `rolec build policies/a.roles -o out.json`"),
        "{}",
        run.describe()
    );

    // Once rebuilt, the check passes.
    let run = rolec(dir.path(), &["build", "-o", "out.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
}

#[test]
fn build_check_fails_on_a_file_edited_by_hand_even_of_the_same_size() {
    let dir = built_project();
    let text = read_file(dir.path(), "out.json");
    let edited = text.replacen("\"Clean\"", "\"Cl3an\"", 1);
    assert_ne!(edited, text);
    write_file(dir.path(), "out.json", &edited);
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("is out of date"), "{}", run.describe());
    assert_eq!(read_file(dir.path(), "out.json"), edited);
}

#[test]
fn build_check_fails_when_the_file_is_missing_and_does_not_create_it() {
    let dir = project(&[("policies/a.roles", CLEAN)]);
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr
            .contains("`out.json` does not exist: run `rolec build -o out.json`"),
        "{}",
        run.describe()
    );
    assert_eq!(folder_listing(dir.path()), ["policies"]);
}

#[test]
fn build_check_without_an_output_file_is_a_usage_error() {
    let dir = project(&[("policies/a.roles", CLEAN)]);
    let run = rolec(dir.path(), &["build", "--check"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(run.stderr.contains("`-o FILE`"), "{}", run.describe());
    assert_eq!(run.stdout, "");
}

#[test]
fn build_check_reports_policy_errors_and_leaves_the_file() {
    let dir = built_project();
    let before = read_file(dir.path(), "out.json");
    write_file(dir.path(), "policies/a.roles", ESCALATION);
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("escalation"), "{}", run.describe());
    assert_eq!(read_file(dir.path(), "out.json"), before);
}

#[test]
fn build_check_on_an_unreadable_file_is_a_usage_error() {
    let dir = project(&[("policies/a.roles", CLEAN)]);
    std::fs::create_dir(dir.path().join("out.json")).expect("create a folder");
    let run = rolec(dir.path(), &["build", "--check", "-o", "out.json"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("cannot read `out.json`"),
        "{}",
        run.describe()
    );
}
