//! The ceiling of a run (docs/security.md, "The ceiling is the proposer's role"): `--max-author ROLE` (or `max_author:`), and
//! with `--ceiling-from REV|ARTIFACT` the trusted side it is resolved from. Without
//! `--ceiling-from` the ceiling must be a built-in role, resolved by the compile from its
//! catalog and binding every file. With it, the role (built-in or custom) is looked up on the
//! trusted side — a git revision compiled as `rolec diff` compiles one, or a built artifact —
//! and handed to the compile as a set of permission names; with a revision, it binds only the
//! files that are new or changed since then. The sources under check never decide it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::revision::{self, Revision};
use super::{artifact_of, read_artifact_file, usage_error, CommonArgs, ExitStatus};
use rolec::artifact::Artifact;
use rolec::compile::{self, Ceiling, CompileOptions, InputFile};
use rolec::config::Config;
use rolec::lints::LintLevels;
use rolec::suggest::did_you_mean;

/// The ceiling of a command, resolved once and applied to each compile it makes.
pub(super) struct RunCeiling {
    role: String,
    trusted: Option<Trusted>,
}

/// Where a ceiling given with `--ceiling-from` was resolved.
enum Trusted {
    /// A git revision: the ceiling binds the files that differ from its policy files.
    Revision {
        permissions: Vec<String>,
        /// The policy files compiled at the revision: their bytes by [`repository_path`].
        files: HashMap<String, Vec<u8>>,
        /// The author of files without an `author` statement at the revision.
        default_author: Option<String>,
        /// The catalog file at the revision (`None`: the embedded catalog).
        catalog: Option<Vec<u8>>,
    },
    /// An artifact file: it holds no files, so the ceiling binds every file.
    Artifact { permissions: Vec<String> },
}

/// The ceiling of the command: from `--max-author` or `max_author:`, resolved from the side
/// `--ceiling-from` names. `None` when no ceiling is given.
pub(super) fn resolve(
    common: &CommonArgs,
    config: &Config,
) -> Result<Option<RunCeiling>, ExitStatus> {
    let role = common
        .max_author
        .clone()
        .or_else(|| config.max_author.clone());
    let Some(from) = common.ceiling_from.as_deref() else {
        return Ok(role.map(|role| RunCeiling {
            role,
            trusted: None,
        }));
    };
    let Some(role) = role else {
        return Err(usage_error(
            "`--ceiling-from` says where the ceiling is resolved, but no ceiling is given: add `--max-author ROLE`",
        ));
    };
    let trusted = trusted_side(common, from, &role)?;
    Ok(Some(RunCeiling {
        role,
        trusted: Some(trusted),
    }))
}

/// Resolves `role` on the side `from` names. A git revision is tried first and a file only
/// when `from` names no revision: a file is in the working tree, which is the change under
/// check, so it must not be able to stand in for a revision of the same name.
fn trusted_side(common: &CommonArgs, from: &str, role: &str) -> Result<Trusted, ExitStatus> {
    if let Some(commit) = revision::commit_of(from) {
        let revision = revision::read_revision(common, from, &commit)?;
        let default_author = common
            .author
            .clone()
            .or_else(|| revision.config.author.clone());
        let catalog = revision.catalog.as_ref().map(|file| file.bytes.clone());
        let files = revision
            .policies
            .iter()
            .filter_map(|file| Some((repository_path(&file.path)?, file.bytes.clone())))
            .collect();
        let artifact = revision_artifact(common, from, revision)?;
        let permissions = role_permissions(&artifact, from, role)?;
        return Ok(Trusted::Revision {
            permissions,
            files,
            default_author,
            catalog,
        });
    }
    if Path::new(from).is_file() {
        let bytes = read_artifact_file(from)?;
        let artifact = Artifact::from_slice(&bytes)
            .map_err(|why| usage_error(&format!("`{from}` is not a rolec artifact: {why}")))?;
        let permissions = role_permissions(&artifact, from, role)?;
        return Ok(Trusted::Artifact { permissions });
    }
    Err(usage_error(&format!(
        "`--ceiling-from {from}`: `{from}` is neither a git revision of the repository here nor an artifact file"
    )))
}

/// The artifact of a revision, compiled for the ceiling: with the revision's own settings,
/// and without a ceiling (it is what is being resolved) or `--deny-warnings` (a warning
/// changes no permission).
fn revision_artifact(
    common: &CommonArgs,
    label: &str,
    revision: Revision,
) -> Result<Artifact, ExitStatus> {
    let mut lint_levels = LintLevels::default();
    for &(lint, level) in &revision.config.lints {
        lint_levels.set(lint, level);
    }
    let options = CompileOptions {
        default_author: common
            .author
            .clone()
            .or_else(|| revision.config.author.clone()),
        ceiling: None,
        lint_levels,
        deny_warnings: false,
        emit_artifact: true,
    };
    let compilation = compile::compile(revision.catalog, revision.policies, &options)
        .map_err(|error| usage_error(&format!("at `{label}`: {}", error.0)))?;
    // The ceiling cannot be resolved from policies with errors: the command cannot run.
    artifact_of(
        common,
        label,
        compilation,
        "the ceiling is resolved from them",
    )
    .map_err(|_| ExitStatus::Usage)
}

/// The permissions of `role` in the trusted artifact, or exit status 2 with *did you mean*.
fn role_permissions(
    artifact: &Artifact,
    side: &str,
    role: &str,
) -> Result<Vec<String>, ExitStatus> {
    if let Some(found) = artifact.roles().find(|r| r.name() == role) {
        return Ok(found.permissions().map(str::to_string).collect());
    }
    let hint = did_you_mean(role, artifact.roles().map(|r| r.name()))
        .map(|help| format!("; {help}"))
        .unwrap_or_default();
    Err(usage_error(&format!(
        "the ceiling `{role}` (`--max-author` or `max_author:`) is not a role at `{side}`, where `--ceiling-from` resolves it{hint}"
    )))
}

impl RunCeiling {
    /// The ceiling of one compile: `config`, `catalog` and `policies` are what that compile
    /// reads. With a revision, a file byte-identical to the policy file at the same path
    /// there is not bound: it was compiled, and reviewed, as it is. A file that was not one
    /// of the revision's policy files (new, or outside its sources then) is bound. When the
    /// default author or the catalog differ from the revision's, every file is, since either
    /// changes what an unchanged file means.
    pub(super) fn for_compile(
        &self,
        common: &CommonArgs,
        config: &Config,
        catalog: Option<&InputFile>,
        policies: &[InputFile],
    ) -> Result<Ceiling, ExitStatus> {
        let (permissions, bound_files) = match &self.trusted {
            None => (None, None),
            Some(Trusted::Artifact { permissions }) => (Some(permissions.clone()), None),
            Some(Trusted::Revision {
                permissions,
                files,
                default_author,
                catalog: trusted_catalog,
            }) => {
                let author = common.author.as_ref().or(config.author.as_ref());
                let same_context = author == default_author.as_ref()
                    && catalog.map(|file| &file.bytes) == trusted_catalog.as_ref();
                let bound = same_context.then(|| {
                    policies
                        .iter()
                        .filter(|file| {
                            repository_path(&file.path).and_then(|path| files.get(&path))
                                != Some(&file.bytes)
                        })
                        .map(|file| file.path.clone())
                        .collect::<HashSet<String>>()
                });
                (Some(permissions.clone()), bound)
            }
        };
        Ok(Ceiling {
            role: self.role.clone(),
            permissions,
            bound_files,
        })
    }
}

/// `path` (as given or found, or as `git ls-tree` prints it: relative to the current folder)
/// in one spelling, so that a file of the checkout and a file of a revision at the same place
/// compare equal: `/`-separated, relative, without `.` segments or empty ones. `None` for an
/// absolute path outside the current folder (it then counts as changed).
fn repository_path(path: &str) -> Option<String> {
    let path = path.replace('\\', "/");
    let relative = if Path::new(&path).is_absolute() {
        let here = std::env::current_dir().ok()?;
        Path::new(&path)
            .strip_prefix(&here)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/")
    } else {
        path
    };
    let parts: Vec<&str> = relative
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::repository_path;

    #[test]
    fn paths_are_compared_in_one_spelling() {
        assert_eq!(
            repository_path("policies/a.roles").as_deref(),
            Some("policies/a.roles")
        );
        assert_eq!(
            repository_path("./policies//./a.roles").as_deref(),
            Some("policies/a.roles")
        );
        assert_eq!(
            repository_path("../up/a.roles").as_deref(),
            Some("../up/a.roles")
        );
        let here = std::env::current_dir().unwrap().join("policies/a.roles");
        assert_eq!(
            repository_path(&here.to_string_lossy()).as_deref(),
            Some("policies/a.roles")
        );
        assert_eq!(repository_path("/nowhere/else/a.roles"), None);
    }
}
