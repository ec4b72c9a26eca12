//! Reading a git revision of the project (docs/ci.md, `rolec diff`): the policies, `rolec.yaml` and catalog
//! as they were at a commit, read with `git ls-tree` and `git cat-file` from the repository
//! of the current folder, without touching the working tree. Used by `rolec diff` for a
//! revision side and by `--ceiling-from REV` for the trusted side of the ceiling.

use std::process::Command as Process;

use super::{print_report, usage_error, CommonArgs, ExitStatus, MAX_INPUT_BYTES};
use rolec::compile::InputFile;
use rolec::config::{self, Config, CONFIG_FILE};
use rolec::discover::describe;

/// What a revision holds of the project: its settings, catalog file and policy files.
pub(super) struct Revision {
    /// `rolec.yaml` as committed (none: the defaults).
    pub config: Config,
    /// The catalog named by `--catalog` or `catalog:`, as committed; `None`: the embedded one.
    pub catalog: Option<InputFile>,
    /// The policy files under the revision's sources, in byte order of their paths.
    pub policies: Vec<InputFile>,
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

/// The commit that `revision` names in the repository of the current folder, if any.
pub(super) fn commit_of(revision: &str) -> Option<String> {
    // Git would read a leading `-` as an option.
    if revision.starts_with('-') {
        return None;
    }
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{revision}^{{commit}}"),
    ])
    .map(|out| String::from_utf8_lossy(&out).trim().to_string())
    .ok()
    .filter(|commit| !commit.is_empty())
}

/// One file of a revision's tree.
struct TreeFile {
    path: String,
    object: String,
    size: u64,
}

/// Reads the project as it was at `commit` (named `revision` in messages): its `rolec.yaml`,
/// the policy files under its sources, and the catalog named by `--catalog` or `catalog:`.
pub(super) fn read_revision(
    common: &CommonArgs,
    revision: &str,
    commit: &str,
) -> Result<Revision, ExitStatus> {
    let config = revision_config(common, revision, commit)?;
    let sources = config
        .sources
        .clone()
        .unwrap_or_else(|| vec!["policies".to_string()]);
    if sources.is_empty() {
        return Err(usage_error(&format!(
            "no sources at `{revision}`: `sources:` in `{CONFIG_FILE}` is empty"
        )));
    }
    let mut found = tree_files(commit, &sources)
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
            project_path: None,
        });
    }
    let catalog = match common.catalog.as_ref().or(config.catalog.as_ref()) {
        None => None,
        Some(path) => Some(read_at(revision, commit, path)?.ok_or_else(|| {
            usage_error(&format!(
                "the catalog `{path}` does not exist at `{revision}`"
            ))
        })?),
    };
    Ok(Revision {
        config,
        catalog,
        policies,
    })
}

fn too_large(revision: &str, path: &str, size: u64) -> ExitStatus {
    usage_error(&format!(
        "`{path}` at `{revision}` is {} MiB, more than the {} MiB an input file may have",
        size.div_ceil(1024 * 1024),
        MAX_INPUT_BYTES / (1024 * 1024)
    ))
}

/// `rolec.yaml` as it was at the commit (none: the default settings).
fn revision_config(
    common: &CommonArgs,
    revision: &str,
    commit: &str,
) -> Result<Config, ExitStatus> {
    let Some(file) = read_at(revision, commit, CONFIG_FILE)? else {
        return Ok(Config::default());
    };
    let display = format!("{revision}:{CONFIG_FILE}");
    let text = String::from_utf8(file.bytes)
        .map_err(|_| usage_error(&format!("`{display}` is not valid UTF-8")))?;
    config::parse(&display, &text).map_err(|(sources, diagnostics)| {
        print_report(common, &sources, &diagnostics, false);
        ExitStatus::Usage
    })
}

/// The file at `path` (relative to the current folder) in the commit, or `None` when the
/// commit has no such file.
fn read_at(revision: &str, commit: &str, path: &str) -> Result<Option<InputFile>, ExitStatus> {
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
        project_path: None,
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
