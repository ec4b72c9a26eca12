//! `rolec can | why | who-can | matrix | graph` (docs/queries.md): questions about the
//! policies, answered on stdout. Each compiles the sources like `check` (same PATH rules,
//! flags and settings), or reads a built artifact with `--from FILE.json`; policy errors are
//! printed on stderr, in human form, and answer nothing (exit status 2), and so does a role,
//! permission or group that the policies do not have.

use rolec::artifact::Artifact;
use rolec::compile::Compilation;
use rolec::config::Config;
use rolec::query::why::{Sources, StepKind, WhyAnswer};
use rolec::query::{self, graph, matrix, Policies, QueryError};

use super::output::{print_stderr, print_stdout};
use super::{compile_paths, print_report, read_artifact_file, usage_error, CommonArgs, ExitStatus};

/// Where the answer comes from: the sources of the run (`.roles` files or folders; default
/// `sources:` of rolec.yaml, else `policies/`), or a built artifact (`--from`).
pub(super) struct QuerySource<'a> {
    pub paths: &'a [String],
    pub from: Option<&'a str>,
}

/// `--format` of `can`, `why` and `who-can`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum AnswerFormat {
    /// For people.
    Human,
    /// One JSON document.
    Json,
}

/// `--format` of `matrix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum MatrixFormat {
    /// A table for a terminal, with a numbered legend of the roles.
    Human,
    /// A Markdown table.
    Markdown,
    /// `group,permission,<role names…>`, `x` where held.
    Csv,
    /// A self-contained page for a browser: sticky headers, a filter box, folding groups.
    Html,
    /// One JSON document.
    Json,
}

/// `--format` of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum GraphFormat {
    /// Graphviz's DOT language.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// The compiled policies a question is asked of: their artifact, and the compilation it came
/// from (`None` with `--from`).
struct Asked {
    artifact: Artifact,
    compilation: Option<Compilation>,
}

/// Compiles the sources (or reads `--from`), refusing policies with errors (exit status 2).
fn ask(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
) -> Result<Asked, ExitStatus> {
    if let Some(from) = source.from {
        let bytes = read_artifact_file(from)?;
        let artifact = Artifact::from_slice(&bytes)
            .map_err(|why| usage_error(&format!("`{from}` is not a rolec artifact: {why}")))?;
        return Ok(Asked {
            artifact,
            compilation: None,
        });
    }
    let mut compilation = compile_paths(common, config, source.paths, true, None)?;
    if compilation.error_count() > 0 {
        print_stderr("error: the policies have errors, and a question about them has no answer:\n");
        print_report(
            common,
            &compilation.sources,
            &compilation.diagnostics,
            false,
        );
        return Err(ExitStatus::Usage);
    }
    let Some(artifact) = compilation.artifact.take() else {
        return Err(usage_error("no artifact was built"));
    };
    Ok(Asked {
        artifact,
        compilation: Some(compilation),
    })
}

/// Prints a question that has no answer (exit status 2).
fn unanswered(error: QueryError) -> ExitStatus {
    let help = error
        .help
        .map(|help| format!("\n  help: {help}"))
        .unwrap_or_default();
    usage_error(&format!("{}{help}", error.message))
}

/// Prints an answer on stdout; a closed pipe ends it quietly, and a failed write is exit 2.
fn answer(text: &str, status: ExitStatus) -> ExitStatus {
    match print_stdout(text.as_bytes()) {
        Ok(()) => status,
        Err(_) => usage_error("cannot write the answer to standard output"),
    }
}

/// The exit status of a yes-or-no question: 0 yes, 1 no.
fn yes_or_no(yes: bool) -> ExitStatus {
    if yes {
        ExitStatus::Ok
    } else {
        ExitStatus::Errors
    }
}

/// `value` as one JSON document and a line break.
fn json_line<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

// Each question returns `Err(status)` when it stops before an answer (a source that does not
// compile, an unknown role or permission), after printing why; `Ok(status)` is the answer's.

/// `rolec can ROLE PERMISSION...`: exit status 0 when the role holds every listed permission
/// (`@group`: every permission of the group), 1 when not, 2 when it cannot answer.
pub(super) fn can(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
    role: &str,
    targets: &[String],
    format: AnswerFormat,
) -> Result<ExitStatus, ExitStatus> {
    let asked = ask(common, config, source)?;
    let policies = Policies::new(&asked.artifact);
    let result = query::can(&policies, role, targets).map_err(unanswered)?;
    let status = yes_or_no(result.allowed);
    let text = match format {
        AnswerFormat::Json => json_line(&result),
        AnswerFormat::Human if result.allowed => "yes\n".to_string(),
        AnswerFormat::Human => {
            let missing: Vec<String> = result
                .missing
                .iter()
                .map(|name| format!("`{name}`"))
                .collect();
            format!(
                "no: `{}` lacks {}\n",
                visible(&result.role),
                missing.join(", ")
            )
        }
    };
    Ok(answer(&text, status))
}

fn visible(text: &str) -> String {
    rolec::names::visible(text)
}

/// `rolec why ROLE PERMISSION`: the chain of steps to the point that decides; exit status 0
/// when the role holds the permission, 1 when not.
pub(super) fn why(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
    role: &str,
    permission: &str,
    format: AnswerFormat,
) -> Result<ExitStatus, ExitStatus> {
    let asked = ask(common, config, source)?;
    let policies = Policies::new(&asked.artifact);
    let compiled = asked.compilation.as_ref().and_then(|compilation| {
        Some(Sources {
            files: &compilation.files,
            sources: &compilation.sources,
            catalog: compilation.catalog.as_ref()?,
        })
    });
    let result =
        query::why::why(&policies, compiled.as_ref(), role, permission).map_err(unanswered)?;
    let status = yes_or_no(result.holds);
    let text = match format {
        AnswerFormat::Json => json_line(&result),
        AnswerFormat::Human => why_for_people(&result, asked.compilation.as_ref(), common),
    };
    Ok(answer(&text, status))
}

/// The chain for people: one line per step with its place, then the step that decides drawn
/// in its source (when the answer comes from the sources).
fn why_for_people(
    result: &WhyAnswer,
    compilation: Option<&Compilation>,
    common: &CommonArgs,
) -> String {
    let holds = if result.holds {
        "holds"
    } else {
        "does not hold"
    };
    let mut out = format!(
        "`{}` {holds} `{}`:\n",
        visible(&result.role),
        visible(&result.permission)
    );
    for step in &result.steps {
        let role = visible(&step.role);
        let group = step
            .group
            .as_deref()
            .map(|group| format!(" through `@{}`", visible(group)))
            .unwrap_or_default();
        let from = step.from.as_deref().map(visible).unwrap_or_default();
        let what = match step.kind {
            StepKind::Copies => format!("`{role}` copies `{from}`"),
            StepKind::Inherits => format!("`{role}` inherits `{from}`"),
            StepKind::Grant => format!("`{role}` grants it{group}"),
            StepKind::Revoke => format!("`{role}` revokes it{group}"),
            StepKind::Builtin => format!("`{role}` is a built-in role: the catalog decides"),
            StepKind::Absent => format!("`{role}` has no base and no edit of it"),
        };
        let place = match (&step.file, step.line, step.column) {
            (Some(file), Some(line), Some(column)) => format!("  {file}:{line}:{column}"),
            _ => String::new(),
        };
        out.push_str(&format!("  - {what}{place}\n"));
    }
    let last = result.steps.last();
    if let (Some(step), Some(compilation)) = (last, compilation) {
        if let Some(span) = step.span {
            let label = match step.kind {
                StepKind::Grant => "adds it",
                StepKind::Revoke => "removes it",
                StepKind::Builtin => "a built-in role",
                StepKind::Absent => "no base, and no edit of it",
                StepKind::Copies | StepKind::Inherits => "decides",
            };
            out.push('\n');
            out.push_str(&rolec::report::place(
                &compilation.sources,
                span,
                "this decides",
                label,
                super::use_color(common),
            ));
        }
    }
    out
}

/// `rolec who-can PERMISSION`: the roles that hold it, one name per line.
pub(super) fn who_can(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
    permission: &str,
    format: AnswerFormat,
) -> Result<ExitStatus, ExitStatus> {
    let asked = ask(common, config, source)?;
    let policies = Policies::new(&asked.artifact);
    let result = query::who_can(&policies, permission).map_err(unanswered)?;
    let text = match format {
        AnswerFormat::Json => json_line(&result),
        AnswerFormat::Human => result
            .roles
            .iter()
            .map(|role| format!("{}\n", visible(&role.name)))
            .collect(),
    };
    Ok(answer(&text, ExitStatus::Ok))
}

/// `rolec matrix`: every permission against every role (or those of `--roles`).
pub(super) fn matrix(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
    roles: &[String],
    format: MatrixFormat,
) -> Result<ExitStatus, ExitStatus> {
    let asked = ask(common, config, source)?;
    let policies = Policies::new(&asked.artifact);
    let chosen = policies.roles(roles).map_err(unanswered)?;
    let table = matrix::matrix(&policies, chosen);
    let text = match format {
        MatrixFormat::Human => matrix::human(&table),
        MatrixFormat::Markdown => matrix::markdown(&table),
        MatrixFormat::Csv => matrix::csv(&table),
        MatrixFormat::Json => matrix::json(&table),
        MatrixFormat::Html => matrix::html_page(
            &table,
            &format!("Roles and permissions: {}", asked.artifact.catalog().name),
        ),
    };
    Ok(answer(&text, ExitStatus::Ok))
}

/// `rolec graph`: the role hierarchy, with `--authors` the authors too.
pub(super) fn graph(
    common: &CommonArgs,
    config: &Config,
    source: &QuerySource<'_>,
    authors: bool,
    format: GraphFormat,
) -> Result<ExitStatus, ExitStatus> {
    let asked = ask(common, config, source)?;
    let text = match format {
        GraphFormat::Dot => graph::dot(&asked.artifact, authors),
        GraphFormat::Mermaid => graph::mermaid(&asked.artifact, authors),
    };
    Ok(answer(&text, ExitStatus::Ok))
}
