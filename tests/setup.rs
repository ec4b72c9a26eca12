//! Project set-up and shell integration (docs/setup.md): what `rolec init` writes passes
//! `rolec check`, `fmt --check` and `build`; `init` never writes through a symbolic link;
//! the completion scripts are put through their shells (`bash -n`, `zsh -n`, `fish
//! --no-execute`, and a completion asked of bash and fish); the manual page is rendered by
//! groff with every warning on; the release workflow parses and builds every target.
//!
//! The cases of `tests/cmd/init/`, `completions/` and `man/` (run by `tests/cli.rs`) show the
//! output itself. A shell or groff that is not installed skips its check with a line saying
//! so; in CI (`CI` set) it fails the test instead: `.ci/run` installs them.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{project, rolec, write_file};
use serde_json::Value;

/// An empty folder.
fn empty_folder() -> tempfile::TempDir {
    project::<&str>(&[])
}

// ── rolec init ──────────────────────────────────────────────────────────────────────────────

/// What `init` writes is a project that every command of a newcomer's first day accepts
/// with no problem at all, also with warnings denied.
#[test]
fn init_writes_a_project_that_check_fmt_and_build_accept() {
    let dir = empty_folder();
    let run = rolec(dir.path(), &["init"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(dir.path().join("rolec.yaml").is_file());
    assert!(dir.path().join("policies/example.roles").is_file());

    for args in [&["check"][..], &["check", "--deny-warnings"]] {
        let run = rolec(dir.path(), args);
        assert_eq!(run.status, Some(0), "{args:?}\n{}", run.describe());
        assert_eq!(run.stderr, "no problems found\n", "{args:?}");
    }
    // In the canonical layout already: `fmt --check` lists nothing.
    let run = rolec(dir.path(), &["fmt", "--check"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(
        run.stdout.is_empty() && run.stderr.is_empty(),
        "{}",
        run.describe()
    );
    let run = rolec(dir.path(), &["check", "--format", "json"]);
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        (report["errors"].as_u64(), report["warnings"].as_u64()),
        (Some(0), Some(0))
    );

    let run = rolec(dir.path(), &["build"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact: Value = serde_json::from_slice(&run.stdout).unwrap();
    let role = artifact["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|role| role["name"] == "Sales Assistant")
        .expect("the example's role is in the artifact");
    assert_eq!(role["source"]["file"], "policies/example.roles");
    assert_eq!(
        role["annotations"]["doc"].as_str().map(|d| !d.is_empty()),
        Some(true)
    );
}

/// `init DIR` makes a project of its own in DIR: `check` run there uses its `rolec.yaml`
/// (found in the current folder) and its `policies/`.
#[test]
fn init_dir_makes_a_project_that_check_accepts_from_inside() {
    let dir = empty_folder();
    let run = rolec(dir.path(), &["init", "teams/sales"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout_text(),
        "created teams/sales/rolec.yaml\ncreated teams/sales/policies/example.roles\n\
         next: `cd teams/sales && rolec check`\n"
    );
    let project = dir.path().join("teams/sales");
    let run = rolec(&project, &["check", "--deny-warnings"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    // The folder above has no project: nothing was written there.
    assert!(!dir.path().join("rolec.yaml").exists());
    assert!(!dir.path().join("policies").exists());
}

/// A symbolic link at either target counts as a file, even one that points nowhere or to a
/// file elsewhere: `init` refuses (exit 2), writes nothing, and the link and what it points
/// to stay as they were.
#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symbolic_link() {
    use std::os::unix::fs::symlink;

    // A link to nowhere at `rolec.yaml`.
    let dir = empty_folder();
    symlink(
        dir.path().join("nowhere.yaml"),
        dir.path().join("rolec.yaml"),
    )
    .unwrap();
    let run = rolec(dir.path(), &["init"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("`rolec.yaml` already exists"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("nowhere.yaml").exists());
    assert!(!dir.path().join("policies").exists());

    // A link to a file outside the project at `policies/example.roles`.
    let outside = project(&[("precious.roles", "author Owner\n")]);
    let dir = empty_folder();
    write_file(dir.path(), "policies/", "");
    symlink(
        outside.path().join("precious.roles"),
        dir.path().join("policies/example.roles"),
    )
    .unwrap();
    let run = rolec(dir.path(), &["init"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("`policies/example.roles` already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("precious.roles")).unwrap(),
        "author Owner\n"
    );
    assert!(!dir.path().join("rolec.yaml").exists());
}

/// A folder `init` cannot write in: exit 2, and the folders it created for the project are
/// taken away again, so nothing is left behind.
#[cfg(unix)]
#[test]
fn init_that_cannot_write_leaves_nothing_behind() {
    use std::os::unix::fs::PermissionsExt;

    let dir = empty_folder();
    write_file(dir.path(), "locked/", "");
    let locked = dir.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root writes in a read-only folder anyway: then there is nothing to test here.
    if std::fs::write(locked.join("probe"), "").is_ok() {
        eprintln!("skipped: a read-only folder is writable here (running as root)");
        return;
    }
    let run = rolec(dir.path(), &["init", "locked/project"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 0);
}

// ── Shells and groff ────────────────────────────────────────────────────────────────────────

/// Whether `program` runs (`program --version` succeeds). When it does not, the check that
/// needs it is skipped with a line saying so; in CI that is a failed test.
fn installed(program: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must check with `{program}`, which is not installed (.ci/run installs it)"
        );
        eprintln!("skipped the checks with `{program}`: it is not installed");
    }
    runs
}

/// Runs `program ARGS` with `stdin`; its status, stdout and stderr.
fn run_with_input(program: &str, args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The completion script for `shell`, written to a file in `dir`.
fn completion_script(dir: &Path, shell: &str) -> std::path::PathBuf {
    let run = rolec(dir, &["completions", shell]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let path = dir.join(format!("rolec.{shell}"));
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

/// bash reads the script, and completing `rolec ini` and `rolec completions f` with it
/// offers `init` and `fish`.
#[test]
fn the_bash_script_parses_and_completes() {
    if !installed("bash") {
        return;
    }
    let dir = empty_folder();
    let script = completion_script(dir.path(), "bash");
    let script = script.to_str().unwrap();
    let (ok, _, stderr) = run_with_input("bash", &["-n", script], b"");
    assert!(ok, "bash -n: {stderr}");
    for (words, expected) in [("rolec ini", "init"), ("rolec completions f", "fish")] {
        let program = format!(
            "source '{script}'\nCOMP_WORDS=({words})\nCOMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             _rolec rolec \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let (ok, stdout, stderr) = run_with_input("bash", &["--norc", "-s"], program.as_bytes());
        assert!(ok, "{words}: {stderr}");
        let offered: Vec<&str> = stdout.lines().map(str::trim).collect();
        assert_eq!(offered, [expected], "completing `{words}`");
    }
}

/// zsh reads the script (`zsh -n`: parse only).
#[test]
fn the_zsh_script_parses() {
    if !installed("zsh") {
        return;
    }
    let dir = empty_folder();
    let script = completion_script(dir.path(), "zsh");
    let (ok, _, stderr) = run_with_input("zsh", &["-n", script.to_str().unwrap()], b"");
    assert!(ok && stderr.is_empty(), "zsh -n: {stderr}");
}

/// fish reads the script, and completing `rolec ini` with it offers `init`.
#[test]
fn the_fish_script_parses_and_completes() {
    if !installed("fish") {
        return;
    }
    let dir = empty_folder();
    let script = completion_script(dir.path(), "fish");
    let script = script.to_str().unwrap();
    let (ok, _, stderr) = run_with_input("fish", &["--no-execute", script], b"");
    assert!(ok && stderr.is_empty(), "fish --no-execute: {stderr}");
    let command = format!("source '{script}'; complete --do-complete 'rolec ini'");
    let (ok, stdout, stderr) = run_with_input("fish", &["--no-config", "-c", &command], b"");
    assert!(ok, "{stderr}");
    let offered: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.split('\t').next())
        .collect();
    assert_eq!(offered, ["init"], "{stdout}");
}

/// The scripts for PowerShell and Elvish, whose shells the tests do not run, are at least
/// scripts for `rolec` that know every command.
#[test]
fn the_powershell_and_elvish_scripts_know_every_command() {
    let dir = empty_folder();
    for (shell, candidate) in [
        ("powershell", "[CompletionResult]::new('NAME', 'NAME', "),
        ("elvish", "cand NAME '"),
    ] {
        let script = std::fs::read_to_string(completion_script(dir.path(), shell)).unwrap();
        for command in ["check", "build", "init", "completions", "man", "who-can"] {
            assert!(
                script.contains(&candidate.replace("NAME", command)),
                "{shell}: no `{command}`"
            );
        }
    }
}

/// groff renders the manual page with every warning on, for a terminal in ASCII and in
/// UTF-8, and what it renders has every command's section.
#[test]
fn the_manual_page_renders_without_a_warning() {
    let dir = empty_folder();
    let run = rolec(dir.path(), &["man"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(
        run.stdout.starts_with(b".TH ROLEC 1 "),
        "{}",
        run.describe()
    );
    if !installed("groff") {
        return;
    }
    for device in ["-Tascii", "-Tutf8"] {
        let (ok, text, stderr) = run_with_input("groff", &["-man", device, "-ww"], &run.stdout);
        assert!(ok && stderr.is_empty(), "groff {device}: {stderr}");
        let text = without_overstriking(&text);
        for heading in [
            "NAME",
            "SYNOPSIS",
            "COMMANDS",
            "ROLEC CHECK",
            "ROLEC INIT",
            "EXIT STATUS",
        ] {
            assert!(
                text.lines().any(|line| line.trim_end() == heading),
                "groff {device}: no section `{heading}`"
            );
        }
    }
}

/// A terminal page as plain text: groff draws bold and underlined text by overstriking
/// (`N\x08N` is a bold `N`, `_\x08N` an underlined one), and a backspace takes back the
/// character before it.
fn without_overstriking(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    plain
}

// ── The release workflow ────────────────────────────────────────────────────────────────────

/// `.github/workflows/release.yml` cannot run here; this parses it and checks what it
/// promises (README.md, "Install"): a build of each target with `--locked` on a tag `v*`,
/// the completions and the manual page in every archive, SHA-256 sums, a release.
#[test]
fn the_release_workflow_builds_every_target_locked() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"),
    )
    .unwrap();
    let workflow: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(workflow["on"]["push"]["tags"], serde_json::json!(["v*"]));
    let jobs = &workflow["jobs"];
    let targets: Vec<&str> = jobs["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl",
            "aarch64-apple-darwin",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ]
    );

    let runs = |job: &str| -> Vec<String> {
        jobs[job]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("no job `{job}`"))
            .iter()
            .filter_map(|step| step["run"].as_str().map(str::to_string))
            .collect()
    };
    let all_runs: Vec<String> = ["extras", "build", "release"]
        .iter()
        .flat_map(|job| runs(job))
        .collect();
    let builds: Vec<&String> = all_runs
        .iter()
        .filter(|run| run.contains("cargo build"))
        .collect();
    assert_eq!(builds.len(), 2, "{builds:?}");
    for build in builds {
        assert!(build.contains("--release --locked"), "{build}");
    }
    let extras = runs("extras").join("\n");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(
            extras.contains(&format!("completions {shell} >")),
            "{shell}"
        );
    }
    assert!(extras.contains("man > extras/man/rolec.1"));
    let package = runs("build").join("\n");
    assert!(
        package.contains("cp -R extras/completions extras/man"),
        "{package}"
    );
    let release = runs("release").join("\n");
    assert!(
        release.contains("sha256sum rolec-* > SHA256SUMS"),
        "{release}"
    );
    assert!(release.contains("gh release create"), "{release}");
    // Only the release job may write to the repository.
    assert_eq!(workflow["permissions"]["contents"], "read");
    assert_eq!(jobs["release"]["permissions"]["contents"], "write");
}
