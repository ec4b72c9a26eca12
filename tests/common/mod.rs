//! The harness shared by the tests that run the real `rolec` binary (`tests/cli.rs`,
//! `tests/hostile.rs`, `tests/ci_commands.rs`): a throwaway project in a temporary folder
//! (or a throwaway git repository), one run of the binary in it, and what that run printed
//! and returned.
//!
//! Each of those files includes this module with `mod common;`. Accessors only one file
//! needs (the JSON report, diagnostic codes) stay in that file, in its own `impl Run`.

use std::path::Path;

use assert_cmd::Command;
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
/// environment.
pub fn rolec(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("rolec")
        .expect("the rolec binary is built")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .expect("rolec runs");
    Run {
        status: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
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
