//! `rolec diff BASE [HEAD]`: what a change does to who can do what. Each side is a git
//! revision (the policies, `rolec.yaml` and catalog as they were at that commit, read by
//! [`super::revision`]), a folder or `.roles` file (compiled with the current settings), or an
//! artifact file (`*.json` with the artifact's schema); HEAD defaults to the working tree,
//! read as `check` reads it. Both sides are compiled to artifacts and compared by
//! [`rolec::diff`].

use std::io::IsTerminal;
use std::path::Path;

use super::ceiling::{self, RunCeiling};
use super::output::{print_stderr, print_stdout};
use super::revision;
use super::{
    artifact_of, compile_options, compile_paths, read_artifact_file, usage_error, CommonArgs,
    ExitStatus,
};
use rolec::artifact::Artifact;
use rolec::compile;
use rolec::config::Config;
use rolec::diff::{self as semantic, render};

/// `--format` of `rolec diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum DiffFormat {
    /// For a terminal: one block per role, `+` gains, `-` losses, `!` sensitive.
    Human,
    /// For a pull-request comment: a summary and a table of roles.
    Markdown,
    /// One JSON document (`"schema": "rolec.diff/v1"`).
    Json,
}

/// A condition of `--fail-on` (a comma-separated list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum FailOn {
    /// A role gains a permission of a group that is `sensitive` in BASE's catalog or in
    /// HEAD's, or a group loses its `sensitive` mark.
    Sensitive,
    /// A role disappears (its users would lose it).
    Removed,
    /// A role keeps its id under another name.
    Renamed,
    /// A role gains any permission (an added role counts).
    Gained,
    /// Anything changes: the json diff is not empty.
    Any,
}

impl FailOn {
    fn condition(self) -> semantic::Condition {
        match self {
            FailOn::Sensitive => semantic::Condition::Sensitive,
            FailOn::Removed => semantic::Condition::Removed,
            FailOn::Renamed => semantic::Condition::Renamed,
            FailOn::Gained => semantic::Condition::Gained,
            FailOn::Any => semantic::Condition::Any,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FailOn::Sensitive => "sensitive",
            FailOn::Removed => "removed",
            FailOn::Renamed => "renamed",
            FailOn::Gained => "gained",
            FailOn::Any => "any",
        }
    }
}

/// Why a side is compiled: named when it has errors.
const BOTH_SIDES: &str = "the diff needs both sides to compile";

/// The label of the default HEAD side.
const WORKING_TREE: &str = "working tree";

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    base: &str,
    head: Option<&str>,
    format: DiffFormat,
    fail_on: &[FailOn],
) -> ExitStatus {
    // With `--ceiling-from`, the ceiling is resolved once, from the trusted side, for every
    // side compiled; without it, each side takes its own settings' (flags first).
    let trusted_ceiling = if common.ceiling_from.is_some() {
        match ceiling::resolve(common, config) {
            Ok(ceiling) => ceiling,
            Err(status) => return status,
        }
    } else {
        None
    };
    let trusted_ceiling = trusted_ceiling.as_ref();
    // Both sides are read before either's problems stop the command, so that all of them
    // are reported.
    let base_artifact = side_artifact(common, config, trusted_ceiling, base);
    let head_artifact = match head {
        Some(head) => side_artifact(common, config, trusted_ceiling, head),
        None => side_ceiling(common, config, trusted_ceiling).and_then(|ceiling| {
            let ceiling = trusted_ceiling.or(ceiling.as_ref());
            compile_paths(common, config, &[], true, ceiling)
                .and_then(|compilation| artifact_of(common, WORKING_TREE, compilation, BOTH_SIDES))
        }),
    };
    let (base_artifact, head_artifact) = match (base_artifact, head_artifact) {
        (Ok(base), Ok(head)) => (base, head),
        (Err(status), Ok(_)) | (Ok(_), Err(status)) => return status,
        (Err(a), Err(b)) => return a.max(b),
    };
    let head_label = head.unwrap_or(WORKING_TREE);
    let diff = semantic::diff(&base_artifact, &head_artifact);
    let text = match format {
        DiffFormat::Human => {
            let color = super::color_wanted(common.color, std::io::stdout().is_terminal());
            render::human(&diff, base, head_label, color)
        }
        DiffFormat::Markdown => render::markdown(&diff, base, head_label),
        DiffFormat::Json => render::json(&diff, base, head_label),
    };
    if print_stdout(text.as_bytes()).is_err() {
        return usage_error("cannot write the diff to standard output");
    }
    // Each condition that fired, each reason on a line of its own, naming the condition.
    let mut status = ExitStatus::Ok;
    let mut checked = Vec::new();
    for &condition in fail_on {
        if checked.contains(&condition) {
            continue;
        }
        checked.push(condition);
        for reason in diff.fired(condition.condition(), base, head_label) {
            let flag = condition.name();
            print_stderr(&format!("error: {reason} (`--fail-on {flag}`)\n"));
            status = ExitStatus::Errors;
        }
    }
    status
}

/// The ceiling of a side compiled with `config`, when `--ceiling-from` gave none for all.
fn side_ceiling(
    common: &CommonArgs,
    config: &Config,
    trusted: Option<&RunCeiling>,
) -> Result<Option<RunCeiling>, ExitStatus> {
    match trusted {
        Some(_) => Ok(None),
        None => ceiling::resolve(common, config),
    }
}

/// The artifact of one side: an artifact file, a folder or file of policies, or a revision.
fn side_artifact(
    common: &CommonArgs,
    config: &Config,
    trusted: Option<&RunCeiling>,
    side: &str,
) -> Result<Artifact, ExitStatus> {
    let path = Path::new(side);
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.is_file() && side.ends_with(".json") {
            let bytes = read_artifact_file(side)?;
            return Artifact::from_slice(&bytes)
                .map_err(|why| usage_error(&format!("`{side}` is not a rolec artifact: {why}")));
        }
        let own = side_ceiling(common, config, trusted)?;
        let compilation = compile_paths(
            common,
            config,
            &[side.to_string()],
            true,
            trusted.or(own.as_ref()),
        )?;
        return artifact_of(common, side, compilation, BOTH_SIDES);
    }
    let Some(commit) = revision::commit_of(side) else {
        return Err(usage_error(&format!(
            "`{side}` is not a file, a folder or a git revision of the repository here"
        )));
    };
    let revision = revision::read_revision(common, side, &commit)?;
    let own = side_ceiling(common, &revision.config, trusted)?;
    let options = compile_options(
        common,
        &revision.config,
        true,
        trusted.or(own.as_ref()),
        &revision.catalog,
        &revision.policies,
    )?;
    let compilation = compile::compile(revision.catalog, revision.policies, &options)
        .map_err(|error| usage_error(&format!("at `{side}`: {}", error.0)))?;
    artifact_of(common, side, compilation, BOTH_SIDES)
}
