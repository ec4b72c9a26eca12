//! The command line (README.md, "Command line"): argument parsing with clap, settings from `rolec.yaml`,
//! reading inputs, and exit statuses. One file per subcommand.

mod bindings;
mod build;
mod catalog;
mod ceiling;
mod check;
mod completions;
mod diff;
mod explain;
mod fmt;
mod init;
mod lsp;
mod man;
mod output;
mod query;
mod revision;
mod schema;

use std::collections::HashSet;
use std::convert::identity;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use output::{usage_error, ProblemOutput};
use rolec::compile::{self, Ceiling, Compilation, CompileOptions, InputFile};
use rolec::config::{self, Config};
use rolec::diagnostics::{Code, Diagnostic};
use rolec::discover::{self, describe};
use rolec::lints::LintLevels;
use rolec::source::{FileId, SourceMap};

/// How a run ends (README.md, "Command line"): its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// No errors (warnings allowed, unless `--deny-warnings`).
    Ok = 0,
    /// The policy or the catalog has errors.
    Errors = 1,
    /// The command could not run.
    Usage = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// rolec: custom roles as code, checked against the permissions of whoever authors them.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "rolec",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "What a code means: `rolec explain CODE`. The documentation is in docs/ of the \
                  repository: language.md (the .roles language), diagnostics.md (every code), \
                  ci.md (rolec in CI), queries.md, artifact.md (for applications), editors.md."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug, Clone)]
enum Command {
    /// Compile and report problems; no output file.
    Check {
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`;
        /// `-` reads one file from standard input).
        paths: Vec<String>,
        /// How problems are printed.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Compile and write the artifact (stdout when no `-o`).
    Build {
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`).
        paths: Vec<String>,
        /// Write the artifact to FILE, replacing it atomically and only when there are no errors.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<String>,
        /// Write nothing; exit 1 when FILE (`-o`) differs from what would be built.
        #[arg(long)]
        check: bool,
        /// How problems are printed (on stderr: stdout is the artifact).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Compile and write code for an application: a constant for every permission, group
    /// and role id, and the resolved table (stdout when no `-o`).
    Bindings {
        /// The language of the code.
        #[arg(long, value_enum)]
        lang: bindings::Lang,
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`).
        paths: Vec<String>,
        /// Write the code to FILE, replacing it atomically and only when there are no errors.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<String>,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Rewrite `.roles` files in the canonical layout, keeping every comment.
    Fmt {
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`).
        paths: Vec<String>,
        /// Write nothing; list the files that would change and exit 1 if there are any.
        #[arg(long)]
        check: bool,
        /// Write nothing; print what would change as a unified diff (implies `--check`).
        #[arg(long)]
        diff: bool,
        /// How problems are printed (on stderr); with `--check`, a file that would change is
        /// a problem (`unformatted`) in the machine formats.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        settings: ConfigArg,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Show what a change does to roles and permissions: roles added, removed and changed,
    /// permissions gained and lost, sensitive gains marked.
    Diff {
        /// The old side: a git revision, a folder or `.roles` file, or an artifact (`.json`).
        base: String,
        /// The new side, like BASE (default: the working tree, the sources `check` reads).
        head: Option<String>,
        /// How the diff is printed (problems in the sources are printed on stderr, drawn).
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Human)]
        format: diff::DiffFormat,
        /// Exit with status 1 when the change does any of these (comma-separated):
        /// `sensitive` (a gain from a group sensitive in either catalog, or a group losing
        /// its mark), `removed`, `renamed`, `gained` (any gain), `any` (any change).
        #[arg(
            long = "fail-on",
            value_enum,
            value_name = "WHAT,...",
            value_delimiter = ','
        )]
        fail_on: Vec<diff::FailOn>,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Print the effective catalog: the embedded one, `catalog:` of rolec.yaml, or `--catalog`.
    Catalog {
        /// How the catalog is printed (problems in it are printed on stderr, drawn).
        #[arg(long, value_enum, default_value_t = catalog::CatalogFormat::Yaml)]
        format: catalog::CatalogFormat,
        /// Use the catalog in FILE instead of the embedded Intum catalog.
        #[arg(long, value_name = "FILE")]
        catalog: Option<String>,
        #[command(flatten)]
        settings: ConfigArg,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Explain an error code or lint: what it means, an example, how to fix it.
    Explain {
        /// A code such as `escalation`, or a lint name such as `empty-role`.
        code: String,
    },
    /// List the lints with their default levels.
    Lints {
        /// How the list is printed (`markdown`: the table of docs/diagnostics.md).
        #[arg(long, value_enum, default_value_t = explain::LintsFormat::Human)]
        format: explain::LintsFormat,
    },
    /// Can ROLE do every PERMISSION (`@group`: all of the group)? Exit status 0 yes, 1 no.
    Can {
        /// A role's name, or its id.
        role: String,
        /// Permissions, or `@groups`.
        #[arg(required = true)]
        permissions: Vec<String>,
        #[command(flatten)]
        source: SourceArgs,
        /// How the answer is printed.
        #[arg(long, value_enum, default_value_t = query::AnswerFormat::Human)]
        format: query::AnswerFormat,
    },
    /// Why ROLE holds PERMISSION, or does not: the chain of steps to the one that decides.
    Why {
        /// A role's name, or its id.
        role: String,
        /// One permission.
        permission: String,
        #[command(flatten)]
        source: SourceArgs,
        /// How the answer is printed.
        #[arg(long, value_enum, default_value_t = query::AnswerFormat::Human)]
        format: query::AnswerFormat,
    },
    /// Which roles hold PERMISSION.
    WhoCan {
        /// One permission.
        permission: String,
        #[command(flatten)]
        source: SourceArgs,
        /// How the answer is printed.
        #[arg(long, value_enum, default_value_t = query::AnswerFormat::Human)]
        format: query::AnswerFormat,
    },
    /// Every permission against every role.
    Matrix {
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`).
        paths: Vec<String>,
        /// Answer from a built artifact instead of compiling the sources.
        #[arg(long, value_name = "FILE.json", conflicts_with = "paths")]
        from: Option<String>,
        /// The roles to show (names or ids, comma-separated; default: every role).
        #[arg(long, value_name = "ROLE,...", value_delimiter = ',')]
        roles: Vec<String>,
        /// How the matrix is printed.
        #[arg(long, value_enum, default_value_t = query::MatrixFormat::Human)]
        format: query::MatrixFormat,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// The role hierarchy: an edge from each role to its base.
    Graph {
        /// `.roles` files or folders (default: `sources:` of rolec.yaml, else `policies/`).
        paths: Vec<String>,
        /// Answer from a built artifact instead of compiling the sources.
        #[arg(long, value_name = "FILE.json", conflicts_with = "paths")]
        from: Option<String>,
        /// Also a dotted edge from each custom role to its author.
        #[arg(long)]
        authors: bool,
        /// How the graph is written.
        #[arg(long, value_enum, default_value_t = query::GraphFormat::Dot)]
        format: query::GraphFormat,
        #[command(flatten)]
        compile: CompileArgs,
        #[command(flatten)]
        color: ColorArg,
    },
    /// The language server (LSP 3.17 over standard input and output), for editors: started
    /// by the editor, never by hand. Settings come from the project's `rolec.yaml`.
    Lsp,
    /// Print the JSON Schema (draft 2020-12) of a document rolec writes: the artifact, the
    /// JSON diff or the JSON diagnostics report (the files of `schemas/`).
    Schema {
        /// Which document.
        #[arg(value_enum)]
        name: schema::SchemaName,
    },
    /// Start a project: write `rolec.yaml` and `policies/example.roles` in DIR (created when
    /// missing), never overwriting a file.
    Init {
        /// The project's folder (default: the current folder).
        #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        dir: Option<std::path::PathBuf>,
    },
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), every command on one page.
    Man,
}

/// Where a question is answered from: the sources (`--path`, repeated; default `sources:` of
/// rolec.yaml, else `policies/`) or a built artifact (`--from`).
#[derive(clap::Args, Debug, Clone)]
struct SourceArgs {
    /// A `.roles` file or folder to compile (repeat for more).
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Answer from a built artifact instead of compiling the sources.
    #[arg(long, value_name = "FILE.json", conflicts_with = "paths")]
    from: Option<String>,
    #[command(flatten)]
    compile: CompileArgs,
    #[command(flatten)]
    color: ColorArg,
}

impl SourceArgs {
    fn source(&self) -> query::QuerySource<'_> {
        query::QuerySource {
            paths: &self.paths,
            from: self.from.as_deref(),
        }
    }
}

/// `--config FILE`, of every command that reads `rolec.yaml`.
#[derive(clap::Args, Debug, Clone, Default)]
struct ConfigArg {
    /// The settings file (default: the first `rolec.yaml` in the current folder or its
    /// parents, up to the repository's top); its folder is the project root.
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
}

/// The flags of the commands that compile policies (docs/ci.md): the catalog, the authors,
/// the ceiling, the settings file, and how strict.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Compile options")]
struct CompileArgs {
    /// Use the catalog in FILE instead of the embedded Intum catalog.
    #[arg(long, value_name = "FILE")]
    catalog: Option<String>,
    /// Author of files that have no `author` statement.
    #[arg(long, value_name = "ROLE")]
    author: Option<String>,
    /// Ceiling: a role that every file's author must stay within (a built-in role, or with
    /// `--ceiling-from` also a custom one).
    #[arg(long = "max-author", value_name = "ROLE")]
    max_author: Option<String>,
    /// Resolve the ceiling from a trusted side: a git revision (the change's base; only
    /// files new or changed since then are bound) or a built artifact (every file is bound).
    #[arg(long = "ceiling-from", value_name = "REV|ARTIFACT")]
    ceiling_from: Option<String>,
    #[command(flatten)]
    settings: ConfigArg,
    /// Report warnings as errors.
    #[arg(long = "deny-warnings")]
    deny_warnings: bool,
}

/// `--color`, of every command whose output can be coloured.
#[derive(clap::Args, Debug, Clone, Default)]
struct ColorArg {
    /// When to colour drawn output (`auto` follows `NO_COLOR`, `CLICOLOR_FORCE`, `TERM=dumb`
    /// and whether stderr is a terminal).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// What a run was given, gathered from its subcommand's flags; a command that does not take
/// a flag leaves its default.
#[derive(Debug, Clone, Default)]
struct CommonArgs {
    catalog: Option<String>,
    author: Option<String>,
    max_author: Option<String>,
    ceiling_from: Option<String>,
    config: Option<String>,
    /// How problems are printed: the subcommand's own `--format` for `check`, `build` and
    /// `fmt`; human for the others, which print an answer on stdout.
    format: Format,
    deny_warnings: bool,
    color: Color,
}

impl CommonArgs {
    fn compiling(compile: &CompileArgs, color: &ColorArg) -> CommonArgs {
        CommonArgs {
            catalog: compile.catalog.clone(),
            author: compile.author.clone(),
            max_author: compile.max_author.clone(),
            ceiling_from: compile.ceiling_from.clone(),
            config: compile.settings.config.clone(),
            format: Format::Human,
            deny_warnings: compile.deny_warnings,
            color: color.color,
        }
    }

    fn with_format(self, format: Format) -> CommonArgs {
        CommonArgs { format, ..self }
    }
}

impl Command {
    /// The flags of the run, as the steps shared by the subcommands read them.
    fn common(&self) -> CommonArgs {
        match self {
            Command::Check {
                format,
                compile,
                color,
                ..
            }
            | Command::Build {
                format,
                compile,
                color,
                ..
            } => CommonArgs::compiling(compile, color).with_format(*format),
            Command::Bindings { compile, color, .. }
            | Command::Diff { compile, color, .. }
            | Command::Matrix { compile, color, .. }
            | Command::Graph { compile, color, .. } => CommonArgs::compiling(compile, color),
            Command::Can { source, .. }
            | Command::Why { source, .. }
            | Command::WhoCan { source, .. } => {
                CommonArgs::compiling(&source.compile, &source.color)
            }
            Command::Fmt {
                format,
                settings,
                color,
                ..
            } => CommonArgs {
                config: settings.config.clone(),
                format: *format,
                color: color.color,
                ..CommonArgs::default()
            },
            Command::Catalog {
                catalog,
                settings,
                color,
                ..
            } => CommonArgs {
                catalog: catalog.clone(),
                config: settings.config.clone(),
                color: color.color,
                ..CommonArgs::default()
            },
            Command::Explain { .. }
            | Command::Lints { .. }
            | Command::Schema { .. }
            | Command::Lsp
            | Command::Init { .. }
            | Command::Completions { .. }
            | Command::Man => CommonArgs::default(),
        }
    }
}

/// `--format` of the commands that print problems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Format {
    #[default]
    /// Drawn diagnostics on stderr.
    Human,
    /// One JSON document (docs/diagnostics.md): on stdout for `check`, on stderr for
    /// `build` and `fmt` (whose stdout is the artifact, or the files `fmt --check` lists).
    Json,
    /// SARIF 2.1.0 for code scanning: on stdout for `check`, on stderr for `build` and `fmt`.
    Sarif,
    /// GitHub Actions workflow commands that annotate lines: on stdout for `check`, on
    /// stderr for `build` and `fmt`.
    Github,
}

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

/// Parses the process's arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return ExitCode::from(argument_error(&error)),
    };
    ExitCode::from(run(&cli))
}

/// Prints clap's answer to arguments it did not run (`--help`, `--version`, or an error) and
/// returns the exit status. An error is exit status 2; when the arguments ask for a machine
/// format (as far as they can be read), it is printed in that format as an
/// `invalid-invocation` diagnostic, like every other problem that stops a command.
fn argument_error(error: &clap::Error) -> ExitStatus {
    if !error.use_stderr() {
        // `--help` and `--version`, on stdout; clap returns a failed write (a closed pipe)
        // instead of panicking, and there is nothing to add to it.
        let _ = error.print();
        return ExitStatus::Ok;
    }
    match problem_output_of_args() {
        Some(problem) if problem.format != Format::Human => {
            output::set_problem_output(problem);
            let rendered = error.render().to_string();
            let mut lines = rendered.lines().map(str::trim);
            let first = lines.next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            let help = lines
                .find_map(|line| line.strip_prefix("tip: "))
                .map(str::to_string);
            output::print_problem(message, help);
        }
        _ => {
            let _ = error.print();
        }
    }
    ExitStatus::Usage
}

/// The `--format` and the subcommand of arguments that clap refused, so that an unknown flag
/// is reported in the format asked for. The format is found by scanning the arguments (clap's
/// lenient parse stops at the first argument it cannot read, and fills in the default), the
/// subcommand by clap's lenient parse (`ignore_errors`).
fn problem_output_of_args() -> Option<ProblemOutput> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let format = format_in_args(args.get(1..).unwrap_or_default())?;
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(&args)
        .ok();
    let subcommand = matches.as_ref().and_then(|m| m.subcommand_name());
    // Only these print problems in the format of their `--format`; the others' `--format`
    // shapes an answer, and their problems are drawn.
    if !matches!(subcommand, Some("check" | "build" | "fmt")) {
        return None;
    }
    Some(ProblemOutput {
        format,
        to_stdout: machine_output_to_stdout(subcommand),
    })
}

/// The value of the first `--format VALUE` or `--format=VALUE` before `--`, when it is a
/// format.
fn format_in_args(args: &[std::ffi::OsString]) -> Option<Format> {
    let mut args = args.iter().map(|arg| arg.to_string_lossy());
    while let Some(arg) = args.next() {
        let value = match arg.as_ref() {
            "--" => return None,
            "--format" => args.next(),
            other => other
                .strip_prefix("--format=")
                .map(|value| std::borrow::Cow::Owned(value.to_string())),
        };
        if let Some(value) = value {
            return Format::from_str(&value, false).ok();
        }
    }
    None
}

/// Whether the machine formats of a subcommand's problems go to stdout: not for `build`
/// (whose stdout is the artifact), `bindings` (the code), `fmt` (the files it lists) or
/// `diff` (the diff).
fn machine_output_to_stdout(subcommand: Option<&str>) -> bool {
    !matches!(subcommand, Some("build" | "bindings" | "fmt" | "diff"))
}

/// Runs a parsed command line; returns the exit status.
fn run(cli: &Cli) -> ExitStatus {
    let common = cli.command.common();
    let json_to_stdout = !matches!(
        cli.command,
        Command::Build { .. }
            | Command::Bindings { .. }
            | Command::Fmt { .. }
            | Command::Diff { .. }
    );
    output::set_problem_output(ProblemOutput {
        format: common.format,
        to_stdout: json_to_stdout,
    });
    match &cli.command {
        Command::Explain { code } => return explain::run(code),
        Command::Lints { format } => return explain::lints(*format),
        Command::Schema { name } => return schema::run(*name),
        Command::Lsp => return lsp::run(),
        Command::Init { dir } => return init::run(dir.as_deref()),
        Command::Completions { shell } => return completions::run(*shell),
        Command::Man => return man::run(),
        _ => {}
    }
    let config = match load_config(&common, json_to_stdout) {
        Ok(config) => config,
        Err(status) => return status,
    };
    match &cli.command {
        Command::Catalog { format, .. } => catalog::run(&common, &config, *format),
        Command::Check { paths, .. } => check::run(&common, &config, paths),
        Command::Build {
            paths,
            output,
            check,
            ..
        } => build::run(&common, &config, paths, output.as_deref(), *check),
        Command::Bindings {
            lang,
            paths,
            output,
            ..
        } => bindings::run(&common, &config, paths, *lang, output.as_deref()),
        Command::Fmt {
            paths, check, diff, ..
        } => fmt::run(&common, &config, paths, *check || *diff, *diff),
        Command::Diff {
            base,
            head,
            format,
            fail_on,
            ..
        } => diff::run(&common, &config, base, head.as_deref(), *format, fail_on),
        Command::Can {
            role,
            permissions,
            source,
            format,
        } => query::can(
            &common,
            &config,
            &source.source(),
            role,
            permissions,
            *format,
        )
        .unwrap_or_else(identity),
        Command::Why {
            role,
            permission,
            source,
            format,
        } => query::why(
            &common,
            &config,
            &source.source(),
            role,
            permission,
            *format,
        )
        .unwrap_or_else(identity),
        Command::WhoCan {
            permission,
            source,
            format,
        } => query::who_can(&common, &config, &source.source(), permission, *format)
            .unwrap_or_else(identity),
        Command::Matrix {
            paths,
            from,
            roles,
            format,
            ..
        } => {
            let source = query::QuerySource {
                paths,
                from: from.as_deref(),
            };
            query::matrix(&common, &config, &source, roles, *format).unwrap_or_else(identity)
        }
        Command::Graph {
            paths,
            from,
            authors,
            format,
            ..
        } => {
            let source = query::QuerySource {
                paths,
                from: from.as_deref(),
            };
            query::graph(&common, &config, &source, *authors, *format).unwrap_or_else(identity)
        }
        Command::Explain { .. } | Command::Lints { .. } | Command::Schema { .. } | Command::Lsp => {
            ExitStatus::Ok
        }
        Command::Init { .. } | Command::Completions { .. } | Command::Man => ExitStatus::Ok,
    }
}

/// Whether drawn output on stderr is coloured (docs/decisions.md, "Colour").
fn use_color(common: &CommonArgs) -> bool {
    color_wanted(common.color, std::io::stderr().is_terminal())
}

/// Whether output is coloured: `--color always|never` decides; under `auto`, a non-empty
/// `NO_COLOR` turns colour off, else a `CLICOLOR_FORCE` other than `0` turns it on, else
/// `CLICOLOR=0` or `TERM=dumb` turns it off, else the stream must be a terminal.
fn color_wanted(choice: Color, terminal: bool) -> bool {
    let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if var("NO_COLOR").is_some() {
                false
            } else if var("CLICOLOR_FORCE").is_some_and(|value| value != "0") {
                true
            } else if var("CLICOLOR").is_some_and(|value| value == "0")
                || var("TERM").is_some_and(|value| value == "dumb")
            {
                false
            } else {
                terminal
            }
        }
    }
}

/// Reads the run's `rolec.yaml` (`--config FILE`, else the first one in the current folder
/// or its parents, up to a folder that holds `.git`), when there is one; its errors are
/// printed like diagnostics. Its folder is the project root, and its paths (`sources:`,
/// `catalog:`) are relative to that folder: they are rebased here onto the current folder.
fn load_config(common: &CommonArgs, json_to_stdout: bool) -> Result<Config, ExitStatus> {
    let here = std::env::current_dir().map_err(|error| {
        usage_error(&format!(
            "cannot read the current folder: {}",
            describe(&error)
        ))
    })?;
    let (path, display) = match &common.config {
        Some(given) => (here.join(given), given.replace('\\', "/")),
        None => match config::find(&here) {
            Some(found) => {
                let display = discover::relative_to(&here, &found);
                (found, display)
            }
            None => {
                return Ok(Config {
                    root: Some(here),
                    ..Config::default()
                })
            }
        },
    };
    let bytes = read_input(&path.to_string_lossy(), display.clone())?.bytes;
    let text = String::from_utf8(bytes)
        .map_err(|_| usage_error(&format!("`{display}` is not valid UTF-8")))?;
    let mut config = config::parse(&display, &text).map_err(|(sources, diagnostics)| {
        print_report(common, &sources, &diagnostics, json_to_stdout);
        ExitStatus::Usage
    })?;
    let folder = path
        .parent()
        .map_or_else(|| here.clone(), Path::to_path_buf);
    let root = std::fs::canonicalize(&folder).unwrap_or(folder);
    // Paths in the file are relative to its folder; the rest of the run reads them from here.
    let from_here = discover::relative_to(&std::fs::canonicalize(&here).unwrap_or(here), &root);
    let rebase = |path: &String| {
        if from_here.is_empty() || Path::new(path).is_absolute() {
            path.clone()
        } else {
            format!("{from_here}/{path}")
        }
    };
    config.sources = config
        .sources
        .map(|sources| sources.iter().map(rebase).collect());
    config.catalog = config.catalog.as_ref().map(rebase);
    config.root = Some(root);
    Ok(config)
}

/// `path` (as given or found, relative to the current folder or absolute) relative to the
/// project root: the artifact's `source.file`.
fn project_path(config: &Config, path: &Path) -> String {
    let here = std::env::current_dir().unwrap_or_default();
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| here.join(path));
    let root = config
        .root
        .clone()
        .unwrap_or_else(|| std::fs::canonicalize(&here).unwrap_or(here));
    discover::relative_to(&root, &absolute)
}

/// The largest input file rolec reads that a person writes (policy, catalog or settings):
/// far above any real policy, and small enough that a hostile file stays cheap to reject.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// The largest artifact rolec reads (`--from`, `diff`, `--ceiling-from`): an artifact is
/// written by rolec, about 550 bytes a role, so this is room for a million roles and more.
pub const MAX_ARTIFACT_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a file, refusing one larger than `limit` bytes without reading it all.
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Ok(Err(size));
    }
    Ok(Ok(bytes))
}

/// The PATH that stands for standard input, and the name its diagnostics give it.
const STDIN_PATH: &str = "-";
const STDIN_NAME: &str = "<stdin>";

/// Splits the PATH arguments into the files and folders, and whether `-` (standard input)
/// was one of them; `-` twice is refused (there is one standard input).
fn split_stdin(paths: &[String]) -> Result<(Vec<String>, bool), ExitStatus> {
    let stdin = paths.iter().filter(|path| *path == STDIN_PATH).count();
    if stdin > 1 {
        return Err(usage_error(
            "`-` (standard input) is given more than once: there is one standard input",
        ));
    }
    let others = paths
        .iter()
        .filter(|path| *path != STDIN_PATH)
        .cloned()
        .collect();
    Ok((others, stdin == 1))
}

/// Reads standard input as one policy file named `<stdin>` (at most [`MAX_INPUT_BYTES`]).
fn read_stdin() -> Result<InputFile, ExitStatus> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes);
    if let Err(error) = read {
        return Err(usage_error(&format!(
            "cannot read standard input: {}",
            describe(&error)
        )));
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(usage_error(&format!(
            "standard input is more than the {} MiB a policy file may have",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(InputFile {
        path: STDIN_NAME.to_string(),
        bytes,
        project_path: Some(STDIN_NAME.to_string()),
    })
}

/// Reads a file given on the command line, found in a folder, or named in `rolec.yaml`.
fn read_input(path: &str, display: String) -> Result<InputFile, ExitStatus> {
    read_input_limited(path, display, MAX_INPUT_BYTES)
}

/// Reads an artifact file (see [`MAX_ARTIFACT_BYTES`]).
fn read_artifact_file(path: &str) -> Result<Vec<u8>, ExitStatus> {
    read_input_limited(path, path.to_string(), MAX_ARTIFACT_BYTES).map(|input| input.bytes)
}

/// Reads a file of at most `limit` bytes.
fn read_input_limited(path: &str, display: String, limit: u64) -> Result<InputFile, ExitStatus> {
    match read_limited(Path::new(path), limit) {
        Ok(Ok(bytes)) => Ok(InputFile {
            path: display,
            bytes,
            project_path: None,
        }),
        Ok(Err(size)) => Err(usage_error(&format!(
            "`{display}` is {} MiB, more than the {} MiB such a file may have",
            size.div_ceil(1024 * 1024),
            limit / (1024 * 1024)
        ))),
        Err(error) => Err(usage_error(&format!(
            "cannot read `{display}`: {}",
            describe(&error)
        ))),
    }
}

/// The catalog file of the run, when one is given (else the embedded one is used).
fn catalog_input(common: &CommonArgs, config: &Config) -> Result<Option<InputFile>, ExitStatus> {
    common
        .catalog
        .as_ref()
        .or(config.catalog.as_ref())
        .map(|path| read_input(path, path.replace('\\', "/")))
        .transpose()
}

/// The PATH arguments of a run, else `sources:` from `rolec.yaml`, else `policies/`.
fn source_paths(config: &Config, paths: &[String]) -> Result<Vec<String>, ExitStatus> {
    let paths: Vec<String> = if !paths.is_empty() {
        paths.to_vec()
    } else if let Some(sources) = &config.sources {
        sources.clone()
    } else {
        if !Path::new("policies").exists() {
            return Err(usage_error(
                "no sources: pass `.roles` files or folders, add `sources:` to `rolec.yaml`, or create `policies/`",
            ));
        }
        vec!["policies".to_string()]
    };
    if paths.is_empty() {
        return Err(usage_error(
            "no sources: `sources:` in `rolec.yaml` is empty",
        ));
    }
    Ok(paths)
}

/// The inputs of a compile: the catalog file (`None`: the embedded one) and the policies.
type Inputs = (Option<InputFile>, Vec<InputFile>);

/// Finds and reads the catalog and policies of a `check` or `build`.
fn read_inputs(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
) -> Result<Inputs, ExitStatus> {
    let (paths, stdin) = split_stdin(paths)?;
    // `rolec check -` reads standard input alone; other PATHs beside it are read too.
    let found = match (stdin, paths.is_empty()) {
        (true, true) => Vec::new(),
        _ => {
            let from_settings = paths.is_empty() && config.sources.is_some();
            let paths = source_paths(config, &paths)?;
            discover::discover(&paths).map_err(|error| {
                // A folder of `sources:` that is not there: say where it was named.
                let help =
                    from_settings.then(|| "it is named by `sources:` in `rolec.yaml`".into());
                output::print_problem(&error.0, help);
                ExitStatus::Usage
            })?
        }
    };
    let catalog = catalog_input(common, config)?;
    let mut policies = Vec::with_capacity(found.len() + 1);
    for file in found {
        let path = file.path.to_string_lossy().into_owned();
        let mut input = read_input(&path, file.display)?;
        input.project_path = Some(project_path(config, &file.path));
        policies.push(input);
    }
    if stdin {
        policies.push(read_stdin()?);
    }
    Ok((catalog, policies))
}

/// Leaves a finished compilation's memory to the end of the process: `check` and `build`
/// exit right after, and freeing a large policy set's AST one allocation at a time (about
/// a million for 100,000 roles) would only cost time. The CLI lets the operating system
/// take the memory back; the library itself frees what it allocates.
fn leave_to_exit(compilation: Compilation) {
    std::mem::forget(compilation);
}

/// Finds, reads and compiles the policies of a `check` or `build` (or a side of a `diff`),
/// under the command's ceiling.
fn compile_paths(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    emit_artifact: bool,
    ceiling: Option<&ceiling::RunCeiling>,
) -> Result<Compilation, ExitStatus> {
    let (catalog, policies) = read_inputs(common, config, paths)?;
    let options = compile_options(common, config, emit_artifact, ceiling, &catalog, &policies)?;
    let mut compilation =
        compile::compile(catalog, policies, &options).map_err(|error| usage_error(&error.0))?;
    name_files_that_define_unknown_roles(config, paths, &mut compilation);
    Ok(compilation)
}

/// When PATHs name some files of the project, an `unknown-role` for a role that another of
/// its files defines (`sources:` of `rolec.yaml`, else `policies/`) names that file. A
/// project file that cannot be found or read is passed over: the run did not ask for it.
fn name_files_that_define_unknown_roles(
    config: &Config,
    paths: &[String],
    compilation: &mut Compilation,
) {
    let unknown_role = |d: &Diagnostic| d.code == Code::UnknownRole;
    if paths.is_empty() || !compilation.diagnostics.iter().any(unknown_role) {
        return;
    }
    let project = config
        .sources
        .clone()
        .unwrap_or_else(|| vec!["policies".to_string()]);
    let Ok(project_files) = discover::discover(&project) else {
        return;
    };
    // The files the run read, as it named them (`<stdin>` and the catalog match no project
    // policy file).
    let checked: HashSet<PathBuf> = (0..compilation.sources.len())
        .filter_map(|index| compilation.sources.get(FileId::from_index(index)))
        .filter_map(|file| Path::new(&file.path).canonicalize().ok())
        .collect();
    let others = project_files
        .into_iter()
        .filter(|file| {
            file.path
                .canonicalize()
                .is_ok_and(|path| !checked.contains(&path))
        })
        .filter_map(|file| match read_limited(&file.path, MAX_INPUT_BYTES) {
            Ok(Ok(bytes)) => Some(InputFile {
                path: file.display,
                bytes,
                project_path: None,
            }),
            _ => None,
        })
        .collect();
    compilation.name_files_that_define_unknown_roles(others);
}

/// Like [`compile_paths`], writing the artifact to `out` as it is rendered (when the compile
/// has no errors) instead of holding it in memory; also says whether it was written.
fn compile_paths_into(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    ceiling: Option<&ceiling::RunCeiling>,
    out: &mut dyn std::io::Write,
) -> Result<(Compilation, std::io::Result<bool>), ExitStatus> {
    let (catalog, policies) = read_inputs(common, config, paths)?;
    let options = compile_options(common, config, false, ceiling, &catalog, &policies)?;
    let (mut compilation, written) = compile::compile_into(catalog, policies, &options, Some(out))
        .map_err(|error| usage_error(&error.0))?;
    name_files_that_define_unknown_roles(config, paths, &mut compilation);
    Ok((compilation, written))
}

/// The options of a compile of `catalog` and `policies`: flags first, then `rolec.yaml`
/// (`config`, the settings that compile reads), and the ceiling of the command.
fn compile_options(
    common: &CommonArgs,
    config: &Config,
    emit_artifact: bool,
    ceiling: Option<&ceiling::RunCeiling>,
    catalog: &Option<InputFile>,
    policies: &[InputFile],
) -> Result<CompileOptions, ExitStatus> {
    let mut lint_levels = LintLevels::default();
    for &(lint, level) in &config.lints {
        lint_levels.set(lint, level);
    }
    let ceiling: Option<Ceiling> = ceiling
        .map(|ceiling| ceiling.for_compile(common, config, catalog.as_ref(), policies))
        .transpose()?;
    Ok(CompileOptions {
        default_author: common.author.clone().or_else(|| config.author.clone()),
        ceiling,
        lint_levels,
        deny_warnings: common.deny_warnings,
        emit_artifact,
    })
}

/// The artifact of a compile, or its errors printed after a line saying whose they are and
/// `why` they matter (exit status 1).
fn artifact_of(
    common: &CommonArgs,
    label: &str,
    compilation: Compilation,
    why: &str,
) -> Result<rolec::artifact::Artifact, ExitStatus> {
    if compilation.error_count() > 0 {
        output::print_stderr(&format!(
            "error: the policies of `{label}` have errors, and {why}:\n"
        ));
        print_report(
            common,
            &compilation.sources,
            &compilation.diagnostics,
            false,
        );
        return Err(ExitStatus::Errors);
    }
    compilation
        .artifact
        .ok_or_else(|| usage_error(&format!("no artifact was built for `{label}`")))
}

/// Prints the diagnostics of a compilation; machine formats go to stdout when
/// `json_to_stdout` (`check`), else to stderr (`build`, whose stdout is the artifact).
fn print_diagnostics(common: &CommonArgs, compilation: &Compilation, json_to_stdout: bool) {
    print_report(
        common,
        &compilation.sources,
        &compilation.diagnostics,
        json_to_stdout,
    );
}

/// Prints diagnostics in the format of `--format` (see [`print_diagnostics`]).
fn print_report(
    common: &CommonArgs,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    json_to_stdout: bool,
) {
    output::print_in_format(
        common.format,
        use_color(common),
        json_to_stdout,
        sources,
        diagnostics,
    );
}

/// Prints the diagnostics of a compilation after which the command stops on `problem`
/// (exit status 2, returned): with a machine format the problem joins them, as an
/// `invalid-invocation` diagnostic in the same document, so the stream holds one document;
/// with `human` it follows them as an `error:` line.
fn print_diagnostics_then_stop(
    common: &CommonArgs,
    compilation: &Compilation,
    json_to_stdout: bool,
    problem: &str,
) -> ExitStatus {
    if common.format == Format::Human {
        print_diagnostics(common, compilation, json_to_stdout);
        return usage_error(problem);
    }
    let mut diagnostics = compilation.diagnostics.clone();
    diagnostics.push(output::invocation_diagnostic(problem, None));
    print_report(common, &compilation.sources, &diagnostics, json_to_stdout);
    ExitStatus::Usage
}

fn exit_status(compilation: &Compilation) -> ExitStatus {
    if compilation.error_count() > 0 {
        ExitStatus::Errors
    } else {
        ExitStatus::Ok
    }
}
