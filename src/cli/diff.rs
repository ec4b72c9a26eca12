//! `rolec diff BASE [HEAD]`: what a change does to who can do what. Each side is a git
//! revision (the policies, `rolec.yaml` and catalog as they were at that commit, read with
//! `git ls-tree` and `git cat-file` from the repository of the current folder), a folder or
//! `.roles` file (compiled with the current settings), or an artifact file (`*.json` with the
//! artifact's schema); HEAD defaults to the working tree, read as `check` reads it. Both sides
//! are compiled to artifacts and compared by [`crate::diff`].

use std::path::Path;
use std::process::Command as Process;

use super::output::{print_stderr, print_stdout};
use super::{
    compile_options, compile_paths, print_report, read_input, usage_error, CommonArgs, EXIT_ERRORS,
    EXIT_OK, EXIT_USAGE, MAX_INPUT_BYTES,
};
use crate::compile::{self, Compilation, InputFile};
use crate::config::{self, Config, CONFIG_FILE};
use crate::diff::{self as semantic, Artifact};
use crate::discover::describe;

/// `--output-format` of `rolec diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum DiffFormat {
    /// For a terminal: one block per role, `+` gains, `-` losses, `!` sensitive.
    Human,
    /// For a pull-request comment: a summary and a table of roles.
    Markdown,
    /// One JSON document (`"schema": "rolec.diff/v1"`).
    Json,
}

/// `--fail-on` of `rolec diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum FailOn {
    /// A role gains a permission of a group the (new) catalog marks `sensitive`.
    Sensitive,
}

/// The label of the default HEAD side.
const WORKING_TREE: &str = "working tree";

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    base: &str,
    head: Option<&str>,
    format: DiffFormat,
    fail_on: Option<FailOn>,
) -> u8 {
    // Both sides are read before either's problems stop the command, so that all of them
    // are reported.
    let base_artifact = side_artifact(common, config, base);
    let head_artifact = match head {
        Some(head) => side_artifact(common, config, head),
        None => compile_paths(common, config, &[], true)
            .and_then(|compilation| artifact_of(common, WORKING_TREE, compilation)),
    };
    let (base_artifact, head_artifact) = match (base_artifact, head_artifact) {
        (Ok(base), Ok(head)) => (base, head),
        (Err(status), Ok(_)) | (Ok(_), Err(status)) => return status,
        (Err(a), Err(b)) => return a.max(b),
    };
    let head_label = head.unwrap_or(WORKING_TREE);
    let diff = semantic::diff(&base_artifact, &head_artifact);
    let text = match format {
        DiffFormat::Human => semantic::human(&diff, base, head_label),
        DiffFormat::Markdown => semantic::markdown(&diff, base, head_label),
        DiffFormat::Json => semantic::json(&diff, base, head_label),
    };
    if print_stdout(text.as_bytes()).is_err() {
        return usage_error("cannot write the diff to standard output");
    }
    if fail_on == Some(FailOn::Sensitive) && diff.sensitive_gains > 0 {
        let count = diff.sensitive_gains;
        print_stderr(&format!(
            "error: {count} permission{} of sensitive groups gained (`--fail-on sensitive`)\n",
            if count == 1 { "" } else { "s" }
        ));
        return EXIT_ERRORS;
    }
    EXIT_OK
}

/// The artifact of one side: an artifact file, a folder or file of policies, or a revision.
fn side_artifact(common: &CommonArgs, config: &Config, side: &str) -> Result<Artifact, u8> {
    let path = Path::new(side);
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.is_file() && side.ends_with(".json") {
            let input = read_input(side, side.to_string())?;
            return semantic::parse_artifact(&input.bytes)
                .map_err(|why| usage_error(&format!("`{side}` is not a rolec artifact: {why}")));
        }
        let compilation = compile_paths(common, config, &[side.to_string()], true)?;
        return artifact_of(common, side, compilation);
    }
    revision_artifact(common, side)
}

/// The artifact of a compile, or its errors printed (exit status 1).
fn artifact_of(common: &CommonArgs, label: &str, compilation: Compilation) -> Result<Artifact, u8> {
    if compilation.error_count() > 0 {
        print_stderr(&format!(
            "error: the policies of `{label}` have errors, and the diff needs both sides to compile:\n"
        ));
        print_report(
            common,
            &compilation.sources,
            &compilation.diagnostics,
            false,
        );
        return Err(EXIT_ERRORS);
    }
    let Some(bytes) = compilation.artifact else {
        return Err(usage_error(&format!("no artifact was built for `{label}`")));
    };
    semantic::parse_artifact(&bytes)
        .map_err(|why| usage_error(&format!("the artifact of `{label}` cannot be read: {why}")))
}

/// Runs `git ARGS` in the current folder; its standard output, or the first line of what it
/// said on error.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Process::new("git")
        .args(args)
        .output()
        .map_err(|error| format!("cannot run `git`: {}", describe(&error)))?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let said = String::from_utf8_lossy(&output.stderr);
    Err(said
        .lines()
        .find(|line| !line.trim().is_empty())
        .map_or_else(
            || "`git` failed".to_string(),
            |line| line.trim().to_string(),
        ))
}

/// One file of a revision's tree.
struct TreeFile {
    path: String,
    object: String,
    size: u64,
}

/// The artifact of the policies and catalog as they were at revision `revision`.
fn revision_artifact(common: &CommonArgs, revision: &str) -> Result<Artifact, u8> {
    let not_found = || {
        usage_error(&format!(
            "`{revision}` is not a file, a folder or a git revision of the repository here"
        ))
    };
    // Git would read a leading `-` as an option.
    if revision.starts_with('-') {
        return Err(not_found());
    }
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{revision}^{{commit}}"),
    ])
    .map(|out| String::from_utf8_lossy(&out).trim().to_string())
    .ok()
    .filter(|commit| !commit.is_empty())
    .ok_or_else(not_found)?;
    let config = revision_config(common, revision, &commit)?;
    let sources = config
        .sources
        .clone()
        .unwrap_or_else(|| vec!["policies".to_string()]);
    if sources.is_empty() {
        return Err(usage_error(&format!(
            "no sources at `{revision}`: `sources:` in `{CONFIG_FILE}` is empty"
        )));
    }
    let mut found = tree_files(&commit, &sources)
        .map_err(|why| usage_error(&format!("cannot list the files of `{revision}`: {why}")))?;
    found.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    found.dedup_by(|a, b| a.path == b.path);
    let mut policies = Vec::with_capacity(found.len());
    for file in found {
        if file.size > MAX_INPUT_BYTES {
            return Err(too_large(revision, &file.path, file.size));
        }
        let bytes = git(&["cat-file", "blob", &file.object]).map_err(|why| {
            usage_error(&format!(
                "cannot read `{}` at `{revision}`: {why}",
                file.path
            ))
        })?;
        policies.push(InputFile {
            path: file.path,
            bytes,
        });
    }
    let catalog = match common.catalog.as_ref().or(config.catalog.as_ref()) {
        None => None,
        Some(path) => Some(read_at(revision, &commit, path)?.ok_or_else(|| {
            usage_error(&format!(
                "the catalog `{path}` does not exist at `{revision}`"
            ))
        })?),
    };
    let options = compile_options(common, &config, true);
    let compilation = compile::compile(catalog, policies, &options)
        .map_err(|error| usage_error(&format!("at `{revision}`: {}", error.0)))?;
    artifact_of(common, revision, compilation)
}

fn too_large(revision: &str, path: &str, size: u64) -> u8 {
    usage_error(&format!(
        "`{path}` at `{revision}` is {} MiB, more than the {} MiB an input file may have",
        size.div_ceil(1024 * 1024),
        MAX_INPUT_BYTES / (1024 * 1024)
    ))
}

/// `rolec.yaml` as it was at the commit (none: the default settings).
fn revision_config(common: &CommonArgs, revision: &str, commit: &str) -> Result<Config, u8> {
    let Some(file) = read_at(revision, commit, CONFIG_FILE)? else {
        return Ok(Config::default());
    };
    let display = format!("{revision}:{CONFIG_FILE}");
    let text = String::from_utf8(file.bytes)
        .map_err(|_| usage_error(&format!("`{display}` is not valid UTF-8")))?;
    config::parse(&display, &text).map_err(|(sources, diagnostics)| {
        print_report(common, &sources, &diagnostics, false);
        EXIT_USAGE
    })
}

/// The file at `path` (relative to the current folder) in the commit, or `None` when the
/// commit has no such file.
fn read_at(revision: &str, commit: &str, path: &str) -> Result<Option<InputFile>, u8> {
    let spec = format!("{commit}:./{}", path.trim_start_matches("./"));
    let Ok(size) = git(&["cat-file", "-s", &spec]) else {
        return Ok(None);
    };
    let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(0);
    if size > MAX_INPUT_BYTES {
        return Err(too_large(revision, path, size));
    }
    let bytes = git(&["cat-file", "blob", &spec])
        .map_err(|why| usage_error(&format!("cannot read `{path}` at `{revision}`: {why}")))?;
    Ok(Some(InputFile {
        path: path.replace('\\', "/"),
        bytes,
    }))
}

/// The policy files of the commit under `sources`, as discovery finds them in a working
/// tree: a source that names a file is taken whatever its extension; under a folder, the
/// `*.roles` files, hidden entries skipped. Symbolic links and submodules are not followed.
/// A source that does not exist at the commit contributes no file.
fn tree_files(commit: &str, sources: &[String]) -> Result<Vec<TreeFile>, String> {
    let mut args = vec!["ls-tree", "-r", "-z", "-l", commit, "--"];
    args.extend(sources.iter().map(String::as_str));
    let listing = git(&args)?;
    let normalized: Vec<String> = sources
        .iter()
        .map(|source| {
            let mut source = source.replace('\\', "/");
            while let Some(rest) = source.strip_prefix("./") {
                source = rest.to_string();
            }
            let trimmed = source.trim_end_matches('/');
            if trimmed == "." {
                String::new()
            } else {
                trimmed.to_string()
            }
        })
        .collect();
    let mut files = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split_whitespace();
        let (Some(mode), Some(kind), Some(object), Some(size)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if kind != "blob" || mode == "120000" {
            continue;
        }
        let wanted = normalized.iter().any(|source| {
            if path == source {
                return true;
            }
            let rest = if source.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(source.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
            };
            rest.is_some_and(|rest| {
                rest.ends_with(".roles") && !rest.split('/').any(|part| part.starts_with('.'))
            })
        });
        if wanted {
            files.push(TreeFile {
                path: path.to_string(),
                object: object.to_string(),
                size: size.parse().unwrap_or(0),
            });
        }
    }
    Ok(files)
}
