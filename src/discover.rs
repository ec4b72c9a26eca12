//! Finding the policy files of a run (README.md, "Command line"): each path is a `.roles` file or a folder
//! searched recursively for `*.roles`, hidden entries skipped, files in byte order of their
//! paths. The walk is iterative and refuses symbolic-link loops.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A policy file to read: its path as shown to users (`/`-separated) and on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    pub display: String,
    pub path: PathBuf,
}

/// Why the files of a run could not be found (exit status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoverError(pub String);

fn display_join(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent.ends_with('/') {
        format!("{parent}{name}")
    } else {
        format!("{parent}/{name}")
    }
}

fn to_display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The `.roles` files under `paths`, deduplicated, in byte order of their display paths.
pub fn discover(paths: &[String]) -> Result<Vec<FoundFile>, DiscoverError> {
    let mut found: Vec<(FoundFile, PathBuf)> = Vec::new();
    for given in paths {
        let path = PathBuf::from(given);
        let metadata = std::fs::metadata(&path).map_err(|error| {
            DiscoverError(format!("cannot read `{given}`: {}", describe(&error)))
        })?;
        if metadata.is_file() {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            found.push((
                FoundFile {
                    display: to_display(&path),
                    path,
                },
                canonical,
            ));
            continue;
        }
        let before = found.len();
        walk(&path, &to_display(&path), &mut found)?;
        if found.len() == before {
            return Err(DiscoverError(format!(
                "no `.roles` files found in `{given}`"
            )));
        }
    }
    found.sort_by(|(a, _), (b, _)| a.display.as_bytes().cmp(b.display.as_bytes()));
    let mut seen = HashSet::new();
    Ok(found
        .into_iter()
        .filter(|(_, canonical)| seen.insert(canonical.clone()))
        .map(|(file, _)| file)
        .collect())
}

/// Walks one folder with an explicit stack; each entry carries its ancestors' canonical
/// paths, so a link back to an ancestor is reported instead of followed forever.
fn walk(
    root: &Path,
    root_display: &str,
    found: &mut Vec<(FoundFile, PathBuf)>,
) -> Result<(), DiscoverError> {
    let root_canonical = std::fs::canonicalize(root).map_err(|error| {
        DiscoverError(format!(
            "cannot read `{root_display}`: {}",
            describe(&error)
        ))
    })?;
    let mut stack = vec![(
        root.to_path_buf(),
        root_display.to_string(),
        vec![root_canonical],
    )];
    while let Some((dir, display, ancestors)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| {
            DiscoverError(format!("cannot read `{display}`: {}", describe(&error)))
        })?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| {
                DiscoverError(format!("cannot read `{display}`: {}", describe(&error)))
            })?;
            names.push(entry.file_name());
        }
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for name in names.into_iter().rev() {
            let name_text = name.to_string_lossy().into_owned();
            if name_text.starts_with('.') {
                continue;
            }
            let path = dir.join(&name);
            let entry_display = display_join(&display, &name_text);
            check_link_stays_inside(&path, &entry_display, root_display, &ancestors)?;
            let metadata = std::fs::metadata(&path).map_err(|error| {
                DiscoverError(format!(
                    "cannot read `{entry_display}`: {}",
                    describe(&error)
                ))
            })?;
            if metadata.is_dir() {
                let canonical = std::fs::canonicalize(&path).map_err(|error| {
                    DiscoverError(format!(
                        "cannot read `{entry_display}`: {}",
                        describe(&error)
                    ))
                })?;
                if ancestors.contains(&canonical) {
                    return Err(DiscoverError(format!(
                        "symbolic link loop at `{entry_display}`: it leads back to a folder that contains it"
                    )));
                }
                let mut chain = ancestors.clone();
                chain.push(canonical);
                stack.push((path, entry_display, chain));
            } else if metadata.is_file()
                && Path::new(&name)
                    .extension()
                    .is_some_and(|ext| ext == "roles")
            {
                let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                found.push((
                    FoundFile {
                        display: entry_display,
                        path,
                    },
                    canonical,
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a symbolic link, found inside a folder, that leads out of the folder the walk
/// started from: a pull request could otherwise make rolec read (and quote in its
/// diagnostics) files from anywhere on the CI machine.
fn check_link_stays_inside(
    path: &Path,
    display: &str,
    root_display: &str,
    ancestors: &[PathBuf],
) -> Result<(), DiscoverError> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let target = std::fs::canonicalize(path)
        .map_err(|error| DiscoverError(format!("cannot read `{display}`: {}", describe(&error))))?;
    match ancestors.first() {
        Some(root) if target.starts_with(root) => Ok(()),
        _ => Err(DiscoverError(format!(
            "symbolic link `{display}` leads outside `{root_display}`: rolec follows links only within the folders it is given"
        ))),
    }
}

/// `path` relative to `root`, both absolute: `/`-separated, with `..` for each folder of
/// `root` that `path` is not in (`/p/policies/a.roles` from `/p` is `policies/a.roles`).
/// Lexical: links are not followed.
pub fn relative_to(root: &Path, path: &Path) -> String {
    let normal = |path: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for component in path.components() {
            match component {
                std::path::Component::Normal(part) => {
                    parts.push(part.to_string_lossy().into_owned());
                }
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                _ => {}
            }
        }
        parts
    };
    let (root, path) = (normal(root), normal(path));
    let common = root.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; root.len().saturating_sub(common)];
    parts.extend(path.iter().skip(common).map(String::as_str));
    parts.join("/")
}

/// An I/O error in a user's words, without Rust's `(os error 2)`.
pub fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = error.to_string();
            text.split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_a_root() {
        let root = Path::new("/work/project");
        for (path, relative) in [
            ("/work/project/policies/a.roles", "policies/a.roles"),
            ("/work/project/./policies//b.roles", "policies/b.roles"),
            ("/work/project/x/../policies/c.roles", "policies/c.roles"),
            ("/work/other/d.roles", "../other/d.roles"),
            ("/work/project", ""),
        ] {
            assert_eq!(relative_to(root, Path::new(path)), relative, "{path}");
        }
    }
}
