//! Reading a git revision of the project (section 6): the policies, `rolec.yaml` and catalog
//! as they were at a commit, read with `git ls-tree` and `git cat-file` from the repository
//! of the current folder, without touching the working tree. Used by `rolec diff` for a
//! revision side and by `--ceiling-from REV` for the trusted side of the ceiling, which
//! also asks which of the files under check differ from their version at the revision.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};

use super::{print_report, usage_error, CommonArgs, EXIT_USAGE, MAX_INPUT_BYTES};
use crate::compile::InputFile;
use crate::config::{self, Config, CONFIG_FILE};
use crate::discover::describe;

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
) -> Result<Revision, u8> {
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

/// The paths of the `files` that are not byte-identical to the file at the same path in
/// `commit`: new, changed, or there only as something other than a regular file. A path is
/// taken relative to the current folder; one that cannot be named inside the repository
/// (outside it, or holding a line break) counts as changed. All files are compared in one
/// `git cat-file --batch`, byte for byte.
pub(super) fn changed_files(commit: &str, files: &[InputFile]) -> Result<HashSet<String>, String> {
    let mut changed = HashSet::new();
    // (index into `files`, object name for git)
    let mut asked: Vec<(usize, String)> = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        match spec_in_repository(commit, &file.path) {
            Some(spec) => asked.push((index, spec)),
            None => {
                changed.insert(file.path.clone());
            }
        }
    }
    if asked.is_empty() {
        return Ok(changed);
    }
    let mut child = Process::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot run `git`: {}", describe(&error)))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err("cannot talk to `git cat-file`".into());
    };
    let mut stdout = BufReader::new(stdout);
    let compared = std::thread::scope(|scope| {
        // Written on a thread of its own: git answers as it reads, and a full pipe would
        // otherwise stop both sides.
        let writer = scope.spawn(|| {
            for (_, spec) in &asked {
                stdin.write_all(spec.as_bytes())?;
                stdin.write_all(b"\n")?;
            }
            drop(stdin);
            Ok::<(), std::io::Error>(())
        });
        let mut result = Ok(());
        for &(index, _) in &asked {
            let Some(file) = files.get(index) else {
                continue;
            };
            match same_as_next_object(&mut stdout, &file.bytes) {
                Ok(true) => {}
                Ok(false) => {
                    changed.insert(file.path.clone());
                }
                Err(error) => {
                    result = Err(format!(
                        "cannot read from `git cat-file`: {}",
                        describe(&error)
                    ));
                    break;
                }
            }
        }
        if result.is_err() {
            // Git may still be writing answers that no one reads: stop it, so that the
            // writer's pipe breaks instead of filling up.
            let _ = child.kill();
        }
        let written = writer.join();
        match (result, written) {
            (Err(why), _) => Err(why),
            (Ok(()), Ok(Ok(()))) => Ok(()),
            (Ok(()), _) => Err("cannot write to `git cat-file`".to_string()),
        }
    });
    let _ = child.wait();
    compared.map(|()| changed)
}

/// The object name of the file at `path` (relative to the current folder) in `commit`, for
/// `git cat-file --batch`; `None` when it cannot be named (see [`changed_files`]).
fn spec_in_repository(commit: &str, path: &str) -> Option<String> {
    if path.contains(['\n', '\r']) {
        return None;
    }
    let relative = if Path::new(path).is_absolute() {
        let here = std::env::current_dir().ok()?;
        Path::new(path)
            .strip_prefix(&here)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/")
    } else {
        path.replace('\\', "/")
    };
    Some(format!("{commit}:./{}", relative.trim_start_matches("./")))
}

/// Reads the next answer of `git cat-file --batch` and says whether it is a blob holding
/// exactly `bytes`. A missing object is an answer too (`<name> missing`): not the same.
fn same_as_next_object(out: &mut impl BufRead, bytes: &[u8]) -> std::io::Result<bool> {
    let mut header = Vec::new();
    out.read_until(b'\n', &mut header)?;
    if header.last() != Some(&b'\n') {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let header = String::from_utf8_lossy(&header);
    let fields: Vec<&str> = header.split_whitespace().collect();
    let (kind, size) = match fields.as_slice() {
        [object, kind, size] if object.bytes().all(|b| b.is_ascii_hexdigit()) => {
            match size.parse::<u64>() {
                Ok(size) => (*kind, size),
                Err(_) => return Ok(false),
            }
        }
        // `<name> missing`, `<name> ambiguous`, ...: no content follows.
        _ => return Ok(false),
    };
    // The content, then a line feed; read it whole even when it cannot match, to stay in
    // step with the next answer.
    let mut same = kind == "blob" && size == bytes.len() as u64;
    let mut remaining = size;
    let mut offset = 0usize;
    let mut buffer = [0u8; 64 * 1024];
    while remaining > 0 {
        let want = usize::try_from(remaining.min(buffer.len() as u64)).unwrap_or(buffer.len());
        let Some(chunk) = buffer.get_mut(..want) else {
            return Err(std::io::ErrorKind::InvalidData.into());
        };
        out.read_exact(chunk)?;
        if same {
            same = bytes.get(offset..offset + want) == Some(&*chunk);
        }
        offset += want;
        remaining -= want as u64;
    }
    let mut newline = [0u8; 1];
    out.read_exact(&mut newline)?;
    Ok(same)
}
