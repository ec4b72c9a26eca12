//! The command line through the real binary (README.md, "Command line" and "The artifact").
//!
//! Most of it is data: every file `tests/cmd/**/NAME.toml` is one invocation of `rolec`
//! (run by trycmd), in a copy of the folder `NAME.in/`, with its exact stdout in
//! `NAME.stdout`, its exact stderr in `NAME.stderr` and its exit status in the `.toml`; where
//! the run writes files, `NAME.out/` is the whole folder after the run. `TRYCMD=overwrite
//! cargo test --test cli` rewrites the expected output from the binary, to be reviewed like
//! any other diff (see `tests/cmd/README.md`).
//!
//! The tests written out below are what a snapshot cannot say: file permissions, a `.git`
//! folder, absolute paths, several runs compared with each other, a property of every role,
//! a generated 20,000-role policy, escape sequences with `--color always`.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{project, rolec, rolec_documents, write_file, Run};
use serde_json::Value;

/// A clean policy: compiles with no diagnostic at all.
const CLEAN: &str = "author Administrator\nrole Clean copies User < -webhooks >\n";

/// A policy with one warning (`empty-role`) and no error.
const WARNING_ONLY: &str = "author Administrator\nrole Empty\n";

/// A policy with two errors (`escalation`, `unknown-permission`) and one warning
/// (`empty-role`).
const TWO_ERRORS_ONE_WARNING: &str =
    "author Administrator\nrole X copies User < +mail_private_all -nosuch >\nrole E\n";

/// Where the cases are, from the crate's root (trycmd and these tests run there).
const CASES: &str = "tests/cmd";

// ---------------------------------------------------------------------------------------
// The cases of tests/cmd

/// Runs every case of `tests/cmd`. `NO_COLOR` keeps the output free of escape sequences
/// whatever the terminal.
#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("rolec", Path::new(env!("CARGO_BIN_EXE_rolec")))
        .env("NO_COLOR", "1")
        .case(format!("{CASES}/**/*.toml"));
}

/// The `.toml` files under `dir`, sorted.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a folder of cases") {
            let path = entry.expect("a folder entry").path();
            let is_data = path
                .extension()
                .is_some_and(|extension| extension == "in" || extension == "out");
            if path.is_dir() && !is_data {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A case's `.toml`, parsed.
fn case_toml(case: &Path) -> toml_edit::DocumentMut {
    std::fs::read_to_string(case)
        .expect("read a case")
        .parse()
        .unwrap_or_else(|error| panic!("{}: {error}", case.display()))
}

/// The value at `table.key` in a case's `.toml`, if there is one.
fn case_value<'a>(
    toml: &'a toml_edit::DocumentMut,
    table: &str,
    key: &str,
) -> Option<&'a toml_edit::Item> {
    toml.get(table).and_then(|item| item.get(key))
}

/// A case's `args`, which must be a list of strings.
fn case_args(case: &Path) -> Vec<String> {
    case_toml(case)
        .get("args")
        .and_then(toml_edit::Item::as_array)
        .unwrap_or_else(|| panic!("{}: `args` is not a list", case.display()))
        .iter()
        .map(|arg| arg.as_str().expect("each argument is a string").to_string())
        .collect()
}

/// trycmd leaves unchecked what a case does not state: here every case states its exit
/// status and both streams (an empty file is "prints nothing"), runs in a sandbox unless it
/// only reads the repository's own files, and no file under `tests/cmd` belongs to no case.
#[test]
fn every_case_states_its_status_and_both_streams() {
    let cases = case_files(Path::new(CASES));
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    for case in &cases {
        let toml = case_toml(case);
        let name = case.display();
        assert!(
            case_value(&toml, "status", "code").is_some_and(|code| code.as_integer().is_some()),
            "{name}: no `status.code`"
        );
        assert_eq!(
            case_value(&toml, "bin", "name").and_then(toml_edit::Item::as_str),
            Some("rolec"),
            "{name}"
        );
        assert!(!case_args(case).is_empty(), "{name}: no `args`");
        for stream in ["stdout", "stderr"] {
            assert!(
                case.with_extension(stream).is_file() && toml.get(stream).is_none(),
                "{name}: the {stream} must be in a `.{stream}` file, and only there"
            );
        }
        let sandboxed =
            case_value(&toml, "fs", "sandbox").and_then(toml_edit::Item::as_bool) == Some(true);
        let reads_the_repository =
            case_value(&toml, "fs", "cwd").and_then(toml_edit::Item::as_str) == Some("../../..");
        assert!(
            sandboxed || reads_the_repository,
            "{name}: neither `fs.sandbox = true` nor the repository's own folder"
        );
        if sandboxed {
            assert!(
                case.with_extension("in").is_dir(),
                "{name}: no `.in/` folder"
            );
        }
        // git keeps no empty folder: a folder of a case with no file in it (not even a
        // `.keep` file) is missing from a fresh clone, and the case fails there only.
        for folder in ["in", "out"] {
            let folder = case.with_extension(folder);
            if folder.is_dir() {
                let mut stack = vec![folder];
                while let Some(dir) = stack.pop() {
                    let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                        .expect("read a folder")
                        .map(|entry| entry.expect("a folder entry").path())
                        .collect();
                    assert!(
                        !entries.is_empty(),
                        "{name}: `{}` is empty: git would not keep it (add a `.keep` file)",
                        dir.display()
                    );
                    stack.extend(entries.into_iter().filter(|path| path.is_dir()));
                }
            }
        }
    }

    let mut stack = vec![PathBuf::from(CASES)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a folder of cases") {
            let path = entry.expect("a folder entry").path();
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            match extension {
                "toml" => {}
                "in" | "out" | "stdout" | "stderr" => assert!(
                    path.with_extension("toml").is_file(),
                    "{} belongs to no case",
                    path.display()
                ),
                _ if path.is_dir() => stack.push(path),
                _ => assert_eq!(
                    path.file_name().and_then(|n| n.to_str()),
                    Some("README.md"),
                    "{} is not part of a case",
                    path.display()
                ),
            }
        }
    }
}

/// The files and folders under `root` (without trycmd's `.keep` markers), each with its
/// bytes (`None` for a folder).
fn tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            if path.file_name().is_some_and(|name| name == ".keep") {
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                stack.push(path);
                found.insert(relative, None);
            } else {
                found.insert(relative, Some(std::fs::read(&path).expect("read a file")));
            }
        }
    }
    found
}

/// A temporary copy of a case's `.in/` folder, for running the case again.
fn copy_of_case_folder(case: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    for (path, bytes) in tree(&case.with_extension("in")) {
        match bytes {
            None => write_file(dir.path(), &format!("{path}/"), ""),
            Some(bytes) => write_file(dir.path(), &path, bytes),
        }
    }
    dir
}

/// trycmd compares only the files that `.out/` lists, with line ends and `\` normalized, so
/// a stray temporary file, a file created where none should be, or a lone carriage return
/// turned into a line feed would pass it. This runs every case that has an `.out/` folder
/// again, in a copy of its `.in/`, and compares the whole tree after the run with `.out/`,
/// byte for byte.
#[test]
fn out_folders_are_the_exact_tree_after_the_run() {
    let mut checked = 0;
    for case in case_files(Path::new(CASES)) {
        let expected = case.with_extension("out");
        if !expected.is_dir() {
            continue;
        }
        let dir = copy_of_case_folder(&case);
        let args = case_args(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = rolec(dir.path(), &args);
        let after = tree(dir.path());
        let expected = tree(&expected);
        let names = |tree: &BTreeMap<String, Option<Vec<u8>>>| -> Vec<String> {
            tree.keys().cloned().collect()
        };
        assert_eq!(
            names(&after),
            names(&expected),
            "{}: the files after the run\n{}",
            case.display(),
            run.describe()
        );
        for (path, bytes) in &expected {
            assert!(
                after.get(path) == Some(bytes),
                "{}: `{path}` differs from `.out/{path}`\n{}",
                case.display(),
                run.describe()
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} cases have an `.out/` folder");
}

/// Every artifact, JSON diff and JSON report the cases print or write follows its schema
/// (`schemas/`): each case runs again, in a copy of its `.in/` (or in the repository), through
/// `common::rolec_documents`, which validates the documents on stdout, on stderr and in the
/// file of `build -o`. The cases run again rather than their `.stdout` files being read,
/// because those elide parts with `...`.
#[test]
fn every_document_of_the_cases_follows_its_schema() {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for case in case_files(Path::new(CASES)) {
        let toml = case_toml(&case);
        let sandboxed =
            case_value(&toml, "fs", "sandbox").and_then(toml_edit::Item::as_bool) == Some(true);
        let args = case_args(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, documents) = if sandboxed {
            let dir = copy_of_case_folder(&case);
            rolec_documents(dir.path(), &args)
        } else {
            rolec_documents(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
        };
        for document in documents {
            *counts.entry(document.name()).or_default() += 1;
        }
    }
    let at_least = [("artifact", 15), ("diagnostics", 30), ("diff", 3)];
    for (name, least) in at_least {
        let count = counts.get(name).copied().unwrap_or(0);
        assert!(
            count >= least,
            "only {count} {name} documents in the cases: {counts:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// What a snapshot cannot say

// Accessors only this file needs; `Run` itself is shared, in `common`.
impl Run {
    fn stdout_json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout_text(),
                self.stderr
            )
        })
    }

    fn stderr_json(&self) -> Value {
        serde_json::from_str(&self.stderr)
            .unwrap_or_else(|error| panic!("stderr is not JSON ({error}):\n{}", self.stderr))
    }
}

/// The role named `name` of an artifact.
fn artifact_role<'a>(artifact: &'a Value, name: &str) -> &'a Value {
    artifact["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|role| role["name"] == name))
        .unwrap_or_else(|| panic!("no role `{name}` in the artifact"))
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|item| item.as_str().unwrap_or_default().to_string())
        .collect()
}

/// A path that exists but cannot be read is exit status 2. Tests often run as root, which
/// reads a mode-000 file anyway: the test finds out by trying to read the file after the
/// `chmod`, and only then skips (there is nothing unreadable to test with).
#[cfg(unix)]
#[test]
fn unreadable_path_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;

    let dir = project(&[("a.roles", CLEAN), ("team/b.roles", CLEAN)]);
    let locked = dir.path().join("team/b.roles");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: a mode-000 file is still readable here (running as root)");
        return;
    }
    for args in [
        &["check", "team/b.roles"][..],
        &["check", "team"],
        &["build", "team"],
    ] {
        let run = rolec(dir.path(), args);
        assert_eq!(
            run.status,
            Some(2),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
        assert!(run.stderr.contains("b.roles"), "{}", run.describe());
    }
}

/// A `.git` folder inside a source folder is skipped like any hidden folder (the case
/// `discovery/folders-are-searched-recursively` has the others; git cannot hold a `.git`
/// folder in a case's `.in/`).
#[test]
fn a_git_folder_is_skipped() {
    let dir = project(&[
        ("pol/a.roles", "author Administrator\nrole A < +crm >\n"),
        ("pol/.git/c.roles", TWO_ERRORS_ONE_WARNING),
    ]);
    let run = rolec(dir.path(), &["check", "--format", "json", "pol"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout_json(),
        serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0})
    );
}

/// An absolute path stays absolute in `file` (the relative spellings are cases of
/// `format/json-file-as-given-*`).
#[test]
fn json_file_is_an_absolute_path_as_given() {
    let dir = project(&[("pol/sub/a.roles", WARNING_ONLY)]);
    let absolute = dir.path().join("pol").to_string_lossy().into_owned();
    let run = rolec(dir.path(), &["check", "--format", "json", &absolute]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout_json()["diagnostics"][0]["file"],
        format!("{absolute}/sub/a.roles")
    );
}

/// Determinism (section 5): the same bytes whatever the order of the paths, through stdout
/// or `-o`, run after run.
#[test]
fn the_artifact_does_not_depend_on_order_of_paths_or_the_run() {
    let dir = project(&[
        (
            "pol/a.roles",
            "author Administrator\n@doc(\"first\") role Zed copies User < -crm >\nrole Mid inherits Zed, Alpha < +insight >\n",
        ),
        (
            "pol/b.roles",
            "author Administrator\nrole Alpha < +@communication -mail +crm >\nassert Mid can mail crm insight\n",
        ),
        (
            "pol/nested/c.roles",
            "author Administrator\nrole \"Team Admin\" copies Administrator < -billing >\n",
        ),
        (
            "pol/nested/d.roles",
            "author \"Team Admin\"\nrole Delegated copies User < +insight -webhooks >\n",
        ),
    ]);
    let orders: &[&[&str]] = &[
        &["pol"],
        &["pol/"],
        &["pol/a.roles", "pol/b.roles", "pol/nested"],
        &["pol/nested", "pol/b.roles", "pol/a.roles"],
        &[
            "pol/nested/d.roles",
            "pol/b.roles",
            "pol/nested/c.roles",
            "pol/a.roles",
        ],
        &[
            "pol/a.roles",
            "pol/b.roles",
            "pol/nested/c.roles",
            "pol/nested/d.roles",
        ],
    ];
    let first = rolec(dir.path(), &["build", "pol"]);
    assert_eq!(first.status, Some(0), "{}", first.describe());
    assert_eq!(
        first.stdout_json()["roles"].as_array().map(Vec::len),
        Some(4 + 5)
    );
    for paths in orders {
        for _ in 0..2 {
            let mut args = vec!["build"];
            args.extend_from_slice(paths);
            let run = rolec(dir.path(), &args);
            assert_eq!(run.status, Some(0), "{paths:?}: {}", run.describe());
            assert!(
                run.stdout == first.stdout,
                "{paths:?}: the artifact differs"
            );
        }
    }
    let run = rolec(
        dir.path(),
        &[
            "build",
            "pol/b.roles",
            "pol/nested",
            "pol/a.roles",
            "-o",
            "artifact.json",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(std::fs::read(dir.path().join("artifact.json")).expect("written") == first.stdout);
}

/// Two files, `a b` and `b a`: the smallest form of the order rule.
#[test]
fn two_files_in_either_order_give_the_same_bytes() {
    let dir = project(&[
        ("a.roles", "author Administrator\nrole B < +crm >\n"),
        ("b.roles", "author Administrator\nrole A < +mail >\n"),
    ]);
    let forward = rolec(dir.path(), &["build", "a.roles", "b.roles"]);
    let backward = rolec(dir.path(), &["build", "b.roles", "a.roles"]);
    assert_eq!(forward.status, Some(0), "{}", forward.describe());
    assert_eq!(backward.status, Some(0), "{}", backward.describe());
    assert!(forward.stdout == backward.stdout, "the artifacts differ");
}

/// Every role of the example policies' artifact lists its permissions in catalog order
/// without duplicates (the case `artifact/overlapping-groups-and-parents` pins a crafted
/// one exactly).
#[test]
fn the_example_policies_list_permissions_in_catalog_order() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = rolec(repository, &["build", "policies"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    let catalog: Vec<&str> = artifact["catalog"]["permissions"]
        .as_array()
        .expect("the catalog's permissions")
        .iter()
        .map(|permission| permission["name"].as_str().unwrap_or_default())
        .collect();
    for role in artifact["roles"].as_array().expect("array") {
        let positions: Vec<usize> = string_list(&role["permissions"])
            .iter()
            .map(|p| {
                catalog
                    .iter()
                    .position(|known| known == p)
                    .unwrap_or_else(|| panic!("unknown permission {p} in {role}"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|pair| pair[0] < pair[1]),
            "not in catalog order or duplicated: {role}"
        );
    }
}

/// `rolec catalog` prints YAML that `--catalog` accepts back with the same meaning: the
/// artifact built with it is the artifact built with the embedded catalog.
#[test]
fn catalog_round_trips_through_catalog_flag() {
    let dir = project(&[(
        "pol/a.roles",
        "author Administrator\nrole Comms copies Guest < +@communication -mail >\nrole Lead copies Administrator < -billing >\n",
    )]);
    let printed = rolec(dir.path(), &["catalog"]);
    assert_eq!(printed.status, Some(0), "{}", printed.describe());
    assert!(!printed.stdout.is_empty());
    write_file(dir.path(), "catalog.yaml", &printed.stdout);

    let embedded = rolec(dir.path(), &["build", "pol"]);
    let from_file = rolec(dir.path(), &["build", "--catalog", "catalog.yaml", "pol"]);
    assert_eq!(embedded.status, Some(0), "{}", embedded.describe());
    assert_eq!(from_file.status, Some(0), "{}", from_file.describe());
    assert!(
        from_file.stdout == embedded.stdout,
        "artifacts differ in bytes"
    );

    // And printing the printed catalog gives it back.
    let again = rolec(dir.path(), &["catalog", "--catalog", "catalog.yaml"]);
    assert_eq!(again.status, Some(0), "{}", again.describe());
    assert!(
        again.stdout == printed.stdout,
        "the catalog changed on the way back"
    );
}

/// `--color always` colors the human output, `never` and `auto` on a pipe do not, and JSON
/// is never colored (the cases run with `NO_COLOR`, so they cannot show this).
#[test]
fn color_always_and_never() {
    let dir = project(&[("a.roles", TWO_ERRORS_ONE_WARNING)]);
    for command in ["check", "build"] {
        let always = rolec(dir.path(), &[command, "--color", "always", "a.roles"]);
        assert_eq!(always.status, Some(1), "{}", always.describe());
        assert!(
            always.stderr.contains("\u{1b}["),
            "{command}: no ANSI escape"
        );

        let never = rolec(dir.path(), &[command, "--color", "never", "a.roles"]);
        assert_eq!(never.status, Some(1), "{}", never.describe());
        assert!(
            !never.stderr.contains('\u{1b}'),
            "{command}: an escape with never"
        );

        let json = rolec(
            dir.path(),
            &[command, "--color", "always", "--format", "json", "a.roles"],
        );
        assert_eq!(json.status, Some(1), "{}", json.describe());
        assert!(!json.stdout.contains(&0x1b), "{command}: an escape in JSON");
        if command == "build" {
            json.stderr_json();
        }

        // auto: stderr is a pipe here, so no color.
        let auto = rolec(dir.path(), &[command, "--color", "auto", "a.roles"]);
        assert!(
            !auto.stderr.contains('\u{1b}'),
            "{command}: an escape on a pipe"
        );
    }
}

/// Runs `rolec ARGS` in `dir` with exactly the colour variables of `env` set (stderr and
/// stdout are pipes, never terminals); returns (stdout, stderr).
fn run_with_color_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut command = assert_cmd::Command::cargo_bin("rolec").unwrap();
    command.current_dir(dir).args(args);
    for name in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "TERM"] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Under `--color auto`, colour follows the environment: `NO_COLOR` (not empty) turns it
/// off, else `CLICOLOR_FORCE` (not `0`) turns it on even on a pipe, else `CLICOLOR=0` and
/// `TERM=dumb` turn it off; `--color always|never` overrides them all.
#[test]
fn color_follows_no_color_clicolor_force_and_term() {
    let dir = project(&[("a.roles", TWO_ERRORS_ONE_WARNING)]);
    let check = ["check", "a.roles"];
    let colored = |args: &[&str], env: &[(&str, &str)]| {
        run_with_color_env(dir.path(), args, env)
            .1
            .contains('\u{1b}')
    };
    assert!(!colored(&check, &[]), "a pipe is not coloured");
    assert!(colored(&check, &[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&check, &[("CLICOLOR_FORCE", "0")]));
    assert!(!colored(
        &check,
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(colored(
        &check,
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]
    ));
    assert!(colored(
        &check,
        &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]
    ));
    let always = ["check", "--color", "always", "a.roles"];
    assert!(colored(&always, &[("NO_COLOR", "1")]), "the flag wins");
    assert!(colored(&always, &[("TERM", "dumb")]), "the flag wins");
    let never = ["check", "--color", "never", "a.roles"];
    assert!(
        !colored(&never, &[("CLICOLOR_FORCE", "1")]),
        "the flag wins"
    );
}

/// `rolec diff` colours gains green (sensitive ones bold red) and losses red, on stdout,
/// when colour is on; never in Markdown or JSON.
#[test]
fn diff_colours_gains_and_losses() {
    let dir = project(&[
        (
            "old/a.roles",
            "author Administrator\nrole A copies User < -webhooks >\n",
        ),
        (
            "new/a.roles",
            "author Administrator\nrole A copies User < +billing -mail >\n",
        ),
    ]);
    let human = ["diff", "old", "new"];
    let (plain, _) = run_with_color_env(dir.path(), &human, &[]);
    assert!(plain.contains("  + webhooks\n"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let (painted, _) = run_with_color_env(dir.path(), &human, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        painted.contains("\u{1b}[32m  + webhooks\u{1b}[0m"),
        "{painted}"
    );
    assert!(painted.contains("\u{1b}[31m  - mail\u{1b}[0m"), "{painted}");
    assert!(
        painted.contains("\u{1b}[1;31m  + billing  ! sensitive"),
        "{painted}"
    );
    for format in ["markdown", "json"] {
        let args = ["diff", "old", "new", "--format", format];
        let (out, _) = run_with_color_env(dir.path(), &args, &[("CLICOLOR_FORCE", "1")]);
        assert!(!out.contains('\u{1b}'), "{format}: {out}");
    }
}

/// The examples teach: every file starts (after its comments) with `author`.
#[test]
fn the_example_policies_start_with_author() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![repository.join("policies")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read policies/") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "roles") {
                files += 1;
                let text = std::fs::read_to_string(&path).expect("read a policy");
                let first = text
                    .lines()
                    .map(str::trim)
                    .find(|line| !line.is_empty() && !line.starts_with('#'))
                    .unwrap_or("");
                assert!(first.starts_with("author "), "{}: {first}", path.display());
            }
        }
    }
    assert!(files >= 4, "expected several example files, found {files}");
}

/// A 20,000-role `copies` chain, defined forwards and backwards, builds without
/// overflowing the stack. A sanity check of the result only, no timing.
#[test]
fn a_deep_copy_chain_builds() {
    const DEPTH: usize = 20_000;
    // Each link flips `crm`, so no role equals its base (no `same-as-base` warning).
    let link = |index: usize| {
        let edit = if index % 2 == 0 { "-crm" } else { "+crm" };
        match index {
            0 => format!("role R0 copies User < {edit} >\n"),
            _ => format!("role R{index} copies R{} < {edit} >\n", index - 1),
        }
    };
    let forward: String = (0..DEPTH).map(link).collect();
    let backward: String = (0..DEPTH).rev().map(link).collect();
    let dir = project(&[
        (
            "forward/chain.roles",
            &format!("author Administrator\n{forward}"),
        ),
        (
            "backward/chain.roles",
            &format!("author Administrator\n{backward}"),
        ),
    ]);
    for folder in ["forward", "backward"] {
        let run = rolec(dir.path(), &["build", "--format", "json", folder]);
        assert_eq!(
            run.status,
            Some(0),
            "{folder}: status {:?}\n{}",
            run.status,
            run.stderr
        );
        let artifact = run.stdout_json();
        assert_eq!(artifact["roles"].as_array().map(Vec::len), Some(4 + DEPTH));
        let last = artifact_role(&artifact, &format!("R{}", DEPTH - 1));
        assert_eq!(
            last["permissions"],
            artifact_role(&artifact, "User")["permissions"],
            "{folder}"
        );
        let first = artifact_role(&artifact, "R0");
        assert!(!string_list(&first["permissions"]).contains(&"crm".to_string()));
        assert_eq!(
            run.stderr_json()["errors"],
            0,
            "{folder}: {}",
            &run.stderr[..run.stderr.len().min(2000)]
        );
    }
}

/// `source.file` is relative to the project root, `/`-separated, without `./`: the artifact is
/// byte for byte the same whether the sources are named `policies`, `./policies` or by an
/// absolute path, and it never holds a path of the machine that built it. The project root is
/// the folder of the `rolec.yaml` in use: found in a parent folder (up to the repository's
/// top), or given with `--config`, whose paths are relative to its own folder.
#[test]
fn artifact_paths_are_relative_to_the_project_root() {
    let dir = project(&[
        ("policies/sales.roles", CLEAN),
        (
            "policies/team/b.roles",
            "author Administrator\nrole B copies Guest\n",
        ),
    ]);
    let root = dir.path();
    let absolute = root.join("policies").to_string_lossy().into_owned();
    let builds: Vec<Run> = ["policies", "./policies", "policies/", absolute.as_str()]
        .iter()
        .map(|given| rolec(root, &["build", given]))
        .collect();
    for run in &builds {
        assert_eq!(run.status, Some(0), "{}", run.describe());
        assert_eq!(run.stdout, builds[0].stdout, "{}", run.describe());
    }
    let text = builds[0].stdout_text();
    assert!(text.contains(r#""file":"policies/sales.roles""#), "{text}");
    assert!(text.contains(r#""file":"policies/team/b.roles""#), "{text}");
    assert!(
        !text.contains(&root.to_string_lossy().into_owned()),
        "{text}"
    );

    // From a subfolder, the rolec.yaml of the parent is the root, and its `sources:` are
    // relative to it; `--config` names one explicitly.
    write_file(root, "rolec.yaml", "sources: [policies]\n");
    write_file(root, "sub/.keep", "");
    let from_sub = rolec(&root.join("sub"), &["build"]);
    assert_eq!(from_sub.status, Some(0), "{}", from_sub.describe());
    assert_eq!(from_sub.stdout, builds[0].stdout);
    let explicit = rolec(&root.join("sub"), &["build", "--config", "../rolec.yaml"]);
    assert_eq!(explicit.stdout, builds[0].stdout, "{}", explicit.describe());
    let missing = rolec(root, &["check", "--config", "nope.yaml"]);
    assert_eq!(missing.status, Some(2), "{}", missing.describe());
    assert!(
        missing.stderr.contains("cannot read `nope.yaml`"),
        "{}",
        missing.describe()
    );

    // The search stops at the top of a repository.
    write_file(root, "sub/repo/.git/HEAD", "ref: refs/heads/main\n");
    let in_repo = rolec(&root.join("sub/repo"), &["check"]);
    assert_eq!(in_repo.status, Some(2), "{}", in_repo.describe());
    assert!(
        in_repo.stderr.contains("no sources"),
        "{}",
        in_repo.describe()
    );
}
