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

// ---------------------------------------------------------------------------------------
// fmt

/// A policy in the canonical layout.
const FORMATTED: &str =
    "author Administrator # who\n\n@doc(\"x\")\nrole A copies User < -webhooks >\n";

/// The same policy, laid out otherwise.
const UNFORMATTED: &str =
    "author   Administrator # who\n@doc ( \"x\" ) role A\r\n  copies User<-webhooks>";

/// A policy with a syntax error.
const BROKEN: &str = "author Administrator\nrole A copies\n";

#[test]
fn fmt_check_lists_the_files_that_would_change_and_writes_nothing() {
    let dir = project(&[
        ("policies/a.roles", UNFORMATTED),
        ("policies/b.roles", FORMATTED),
        ("policies/sub/c.roles", UNFORMATTED),
    ]);
    let run = rolec(dir.path(), &["fmt", "--check"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(run.stdout, "policies/a.roles\npolicies/sub/c.roles\n");
    assert_eq!(read_file(dir.path(), "policies/a.roles"), UNFORMATTED);
    assert_eq!(read_file(dir.path(), "policies/sub/c.roles"), UNFORMATTED);
    assert_eq!(
        folder_listing(&dir.path().join("policies")),
        ["a.roles", "b.roles", "sub"]
    );

    // Only the paths given are looked at.
    let run = rolec(dir.path(), &["fmt", "--check", "policies/b.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "");
}

#[test]
fn fmt_rewrites_the_files_that_change_and_is_then_clean() {
    let dir = project(&[
        ("policies/a.roles", UNFORMATTED),
        ("policies/b.roles", FORMATTED),
    ]);
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "policies/a.roles\n", "lists what it rewrote");
    assert_eq!(read_file(dir.path(), "policies/a.roles"), FORMATTED);
    assert_eq!(read_file(dir.path(), "policies/b.roles"), FORMATTED);
    assert_eq!(
        folder_listing(&dir.path().join("policies")),
        ["a.roles", "b.roles"],
        "no temporary file left"
    );
    let run = rolec(dir.path(), &["fmt", "--check"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "");
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "");
}

#[test]
fn fmt_takes_sources_from_rolec_yaml() {
    let dir = project(&[
        ("rolec.yaml", "sources: [roles]\n"),
        ("roles/a.roles", UNFORMATTED),
        ("policies/b.roles", UNFORMATTED),
    ]);
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "roles/a.roles\n");
    assert_eq!(read_file(dir.path(), "roles/a.roles"), FORMATTED);
    assert_eq!(read_file(dir.path(), "policies/b.roles"), UNFORMATTED);
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_and_reports_them() {
    let dir = project(&[
        ("policies/a.roles", UNFORMATTED),
        ("policies/broken.roles", BROKEN),
    ]);
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("syntax"), "{}", run.describe());
    assert!(
        run.stderr.contains("policies/broken.roles:3:1"),
        "{}",
        run.describe()
    );
    assert_eq!(run.stdout, "policies/a.roles\n");
    assert_eq!(read_file(dir.path(), "policies/broken.roles"), BROKEN);
    assert_eq!(read_file(dir.path(), "policies/a.roles"), FORMATTED);

    // `--check` reports it too, and machine formats go to stderr: stdout is the file list.
    let run = rolec(dir.path(), &["fmt", "--check", "--format", "json"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(run.stdout, "");
    let report: serde_json::Value =
        serde_json::from_str(&run.stderr).unwrap_or_else(|e| panic!("{e}: {}", run.describe()));
    assert_eq!(report["diagnostics"][0]["code"], "syntax");
    assert_eq!(report["diagnostics"][0]["file"], "policies/broken.roles");
    assert_eq!(report["errors"], 1);
}

#[test]
fn fmt_leaves_a_file_with_hidden_characters() {
    let hidden = "author Administrator\r role A\n";
    let dir = project(&[("policies/a.roles", hidden)]);
    std::fs::write(dir.path().join("policies/b.roles"), b"role \xFFA\n").expect("write a file");
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr.contains("confusing-character"),
        "{}",
        run.describe()
    );
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.describe());
    assert_eq!(run.stdout, "");
    assert_eq!(read_file(dir.path(), "policies/a.roles"), hidden);
}

#[test]
fn fmt_without_sources_is_a_usage_error() {
    let dir = project(&[]);
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    let run = rolec(dir.path(), &["fmt", "nosuch.roles"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(run.stderr.contains("cannot read `nosuch.roles`"));
}

#[cfg(unix)]
#[test]
fn fmt_keeps_permissions_and_rewrites_through_symbolic_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("policies/shared/a.roles", UNFORMATTED)]);
    let target = dir.path().join("policies/shared/a.roles");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640))
        .expect("set permissions");
    std::os::unix::fs::symlink("shared/a.roles", dir.path().join("policies/link.roles"))
        .expect("create a link");
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "policies/link.roles\n");
    let link =
        std::fs::symlink_metadata(dir.path().join("policies/link.roles")).expect("read the link");
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(read_file(dir.path(), "policies/shared/a.roles"), FORMATTED);
    let mode = std::fs::metadata(&target)
        .expect("read the target")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}
