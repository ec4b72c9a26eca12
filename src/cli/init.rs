//! `rolec init [DIR]`: a new project — `rolec.yaml` and `policies/example.roles`, which
//! `rolec check` passes with no problem — written without ever overwriting a file
//! (docs/decisions.md, 61).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::output::{print_problem, print_stdout};
use super::{usage_error, ExitStatus};
use rolec::config::CONFIG_FILE;
use rolec::discover::describe;

/// The `rolec.yaml` that `init` writes: `sources:` set, every other key shown and explained.
const CONFIG: &str = r#"# The settings of this project, read by every rolec command run in this folder or below
# it. Paths are relative to this file's folder; every key is optional, and flags win.

# The `.roles` files and folders to compile when no PATH is given.
sources: [policies]

# The catalog of permissions, groups and built-in roles (default: the embedded Intum
# catalog; `rolec catalog > catalog.yaml` writes it out, to start one of your own).
# catalog: catalog.yaml

# The author of files that have no `author` statement.
# author: Administrator

# The ceiling: no file may name an author above this role. In CI, set it to the role
# of whoever proposes the change (`--max-author`; rolec's docs/security.md).
# max_author: Administrator

# The level of each lint: allow, warn or deny (`rolec lints` lists them).
# lints:
#   redundant-grant: warn
"#;

/// The policy that `init` writes: the language's main parts, each explained.
const EXAMPLE: &str = r#"# An example policy, written by `rolec init`: change it, then run `rolec check`.
# A `#` starts a comment, which runs to the end of the line. `rolec catalog` lists
# the permissions and the groups; `rolec man` and rolec's docs/language.md describe
# the language.

# The role that creates the roles of this file. No role here may hold a permission
# that Administrator lacks: `rolec check` reports that as an `escalation` error.
author Administrator

# `copies Guest` starts from everything the built-in role Guest holds; the edits
# between `<` and `>` then apply from left to right: `+@crm_and_sales` adds every
# permission of a group, `-payments` removes one of them again, `+tasks` adds one.
# `@doc(...)` is an annotation: it goes into the artifact that `rolec build` writes.
@doc("Works with customers in the CRM, and on tasks; takes no payments")
role "Sales Assistant" copies Guest < +@crm_and_sales -payments +tasks >

# Assertions are tests of the policy: a failing one is an error, so a later edit
# that breaks a promise made here is caught before it ships.
assert "Sales Assistant" can crm tasks
assert "Sales Assistant" cannot payments roles
"#;

/// A file that `init` writes.
struct Target {
    /// Where it goes.
    path: PathBuf,
    /// Its path as printed: relative to the current folder, `/`-separated.
    display: String,
    contents: &'static str,
}

pub(super) fn run(dir: Option<&Path>) -> ExitStatus {
    // `rolec init .` is `rolec init`: the paths printed have no `./` in front.
    let dir = dir.filter(|dir| dir.components().ne([std::path::Component::CurDir]));
    let prefix = dir.map(|dir| {
        let text = dir.to_string_lossy().replace('\\', "/");
        format!("{}/", text.trim_end_matches('/'))
    });
    let prefix = prefix.unwrap_or_default();
    let root = dir.unwrap_or(Path::new("."));
    let policies = root.join("policies");
    let targets = [
        Target {
            path: root.join(CONFIG_FILE),
            display: format!("{prefix}{CONFIG_FILE}"),
            contents: CONFIG,
        },
        Target {
            path: policies.join("example.roles"),
            display: format!("{prefix}policies/example.roles"),
            contents: EXAMPLE,
        },
    ];

    // Everything is checked before anything is written.
    for (folder, display) in [
        (root, prefix.trim_end_matches('/').to_string()),
        (policies.as_path(), format!("{prefix}policies")),
    ] {
        if let Err(status) = check_folder(folder, &display) {
            return status;
        }
    }
    let mut existing = Vec::new();
    for target in &targets {
        // A symbolic link counts as a file, even when it points nowhere: `init` never
        // writes through one.
        match fs::symlink_metadata(&target.path) {
            Ok(_) => existing.push(format!("`{}`", target.display)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => {
                return usage_error(&format!(
                    "cannot read `{}`: {}",
                    target.display,
                    describe(&error)
                ))
            }
        }
    }
    if !existing.is_empty() {
        let (names, verb, them) = match existing.as_slice() {
            [one] => (one.clone(), "exists", "it"),
            _ => (existing.join(" and "), "exist", "them"),
        };
        print_problem(
            &format!("{names} already {verb}, and `rolec init` never overwrites a file"),
            Some(format!(
                "move {them} away, or run `rolec init DIR` to start a project in another folder"
            )),
        );
        return ExitStatus::Usage;
    }

    if let Err((what, error)) = write_all(&policies, &format!("{prefix}policies"), &targets) {
        if error.kind() == io::ErrorKind::AlreadyExists {
            return usage_error(&format!(
                "`{what}` appeared while `rolec init` was writing, and it never overwrites a file; nothing was written"
            ));
        }
        return usage_error(&format!(
            "cannot write `{what}`: {}; nothing was written",
            describe(&error)
        ));
    }

    let mut report = String::new();
    for target in &targets {
        report.push_str(&format!("created {}\n", target.display));
    }
    let check = match dir {
        Some(dir) => format!("cd {} && rolec check", shell_word(&dir.to_string_lossy())),
        None => "rolec check".to_string(),
    };
    report.push_str(&format!("next: `{check}`\n"));
    // A closed pipe ends the report quietly; the files are written.
    let _ = print_stdout(report.as_bytes());
    ExitStatus::Ok
}

/// A folder that `init` writes into must be a folder, or not exist yet (it is created).
fn check_folder(folder: &Path, display: &str) -> Result<(), ExitStatus> {
    let display = if display.is_empty() { "." } else { display };
    match fs::metadata(folder) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(usage_error(&format!("`{display}` is not a folder"))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(usage_error(&format!(
            "cannot read `{display}`: {}",
            describe(&error)
        ))),
    }
}

/// Creates the folders up to `policies` and the files of `targets`, each exclusively (so a
/// file that appears after the check is never overwritten), then writes them. On a failure,
/// removes what it created and returns the target (or folder) it failed on, and why.
fn write_all(
    policies: &Path,
    policies_display: &str,
    targets: &[Target],
) -> Result<(), (String, io::Error)> {
    let mut new_folders = Vec::new();
    let mut folder = Some(policies);
    while let Some(current) = folder.filter(|f| !f.as_os_str().is_empty()) {
        if fs::symlink_metadata(current).is_ok() {
            break;
        }
        new_folders.push(current.to_path_buf());
        folder = current.parent();
    }
    let mut created: Vec<&Target> = Vec::new();
    let result = fs::create_dir_all(policies)
        .map_err(|error| (policies_display.to_string(), error))
        .and_then(|()| {
            let mut files = Vec::new();
            for target in targets {
                let file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target.path)
                    .map_err(|error| (target.display.clone(), error))?;
                created.push(target);
                files.push((target, file));
            }
            for (target, mut file) in files {
                file.write_all(target.contents.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|error| (target.display.clone(), error))?;
            }
            Ok(())
        });
    if result.is_err() {
        for target in created {
            let _ = fs::remove_file(&target.path);
        }
        // Deepest first; a folder that is not empty (someone else wrote in it) stays.
        for folder in new_folders {
            let _ = fs::remove_dir(folder);
        }
    }
    result
}

/// `text` as one word of a POSIX shell: as it is when it holds nothing a shell reads
/// specially, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ',' | '+'));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolec::compile::{compile, CompileOptions, InputFile};
    use rolec::lints::{Level, LintLevels, LINTS};

    /// The example compiles with no diagnostic at all, even with every lint a warning (the
    /// binary's test runs `rolec check` on what `init` writes).
    #[test]
    fn the_example_has_no_problem_even_with_every_lint_on() {
        let mut levels = LintLevels::default();
        for info in LINTS {
            levels.set(info.lint, Level::Warn);
        }
        let options = CompileOptions {
            lint_levels: levels,
            emit_artifact: true,
            ..CompileOptions::default()
        };
        let policy = InputFile::new("policies/example.roles", EXAMPLE);
        let compilation = compile(None, vec![policy], &options).unwrap();
        assert!(
            compilation.diagnostics.is_empty(),
            "{:?}",
            compilation.diagnostics
        );
        let artifact = compilation.artifact.unwrap();
        let role = artifact.role("Sales Assistant").unwrap();
        assert!(role.can("crm") && role.can("tasks") && !role.can("payments"));
    }

    #[test]
    fn the_settings_are_valid_and_name_the_policies() {
        let config = rolec::config::parse(CONFIG_FILE, CONFIG).unwrap();
        assert_eq!(config.sources, Some(vec!["policies".to_string()]));
        // Every key is shown, commented out where it would change the defaults.
        for key in rolec::config::KEYS {
            assert!(CONFIG.contains(&format!("{key}:")), "`{key}` is not shown");
        }
    }

    /// What `write_all` does when a file appears after the check (a race): that file is left
    /// as it was, and what `write_all` had created (the other file, the new folders) is
    /// taken away again.
    #[test]
    fn a_file_that_appears_after_the_check_is_not_overwritten_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = dir.path().join("theirs.roles");
        fs::write(&theirs, "author Owner\n").unwrap();
        let root = dir.path().join("new/project");
        let policies = root.join("policies");
        let targets = [
            Target {
                path: root.join(CONFIG_FILE),
                display: String::new(),
                contents: CONFIG,
            },
            Target {
                path: theirs.clone(),
                display: "theirs.roles".into(),
                contents: EXAMPLE,
            },
        ];
        let (what, error) = write_all(&policies, "policies", &targets).unwrap_err();
        assert_eq!(
            (what.as_str(), error.kind()),
            ("theirs.roles", io::ErrorKind::AlreadyExists)
        );
        assert_eq!(fs::read_to_string(&theirs).unwrap(), "author Owner\n");
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, ["theirs.roles"]);
    }

    #[test]
    fn folders_are_quoted_for_the_shell_when_they_need_it() {
        assert_eq!(shell_word("projects/roles"), "projects/roles");
        assert_eq!(shell_word("my roles"), "'my roles'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }
}
