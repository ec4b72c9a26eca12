//! `rolec bindings --lang rust|typescript|python [PATH...] [-o FILE]`: compile like `build`,
//! and write code for an application from the artifact (`rolec::bindings`): to stdout, or to
//! FILE (replaced atomically, and only when the compile has no errors).

use std::path::Path;

use clap::ValueEnum;

use super::build::{finish, not_a_regular_file, write_atomically};
use super::output::print_stdout;
use super::{
    ceiling, compile_paths, print_diagnostics, print_diagnostics_then_stop, usage_error,
    CommonArgs, ExitStatus,
};
use rolec::bindings::{self, Language};
use rolec::config::Config;
use rolec::discover::describe;

/// `--lang`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum Lang {
    /// A Rust module: enums `Permission`, `Group`, `Role`, and `fn can`.
    Rust,
    /// A TypeScript module: string literal union types, constants, and `function can`.
    Typescript,
    /// A Python module: `Literal` types, `Final` constants, and `def can`.
    Python,
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::Rust => Language::Rust,
            Lang::Typescript => Language::TypeScript,
            Lang::Python => Language::Python,
        }
    }
}

pub(super) fn run(
    common: &CommonArgs,
    config: &Config,
    paths: &[String],
    lang: Lang,
    output: Option<&str>,
) -> ExitStatus {
    if let Some(path) = output {
        if let Some(what) = not_a_regular_file(Path::new(path)) {
            return usage_error(&format!(
                "cannot write the bindings to `{path}`: it is {what}, and `-o` replaces only a regular file"
            ));
        }
    }
    let ceiling = match ceiling::resolve(common, config) {
        Ok(ceiling) => ceiling,
        Err(status) => return status,
    };
    let compilation = match compile_paths(common, config, paths, true, ceiling.as_ref()) {
        Ok(compilation) => compilation,
        Err(status) => return status,
    };
    let code = match compilation.artifact.as_ref() {
        Some(artifact) => bindings::generate(artifact, lang.into()),
        None => {
            // Errors: no artifact, no bindings.
            print_diagnostics(common, &compilation, false);
            let status = super::exit_status(&compilation);
            super::leave_to_exit(compilation);
            return status;
        }
    };
    let code = match code {
        Ok(code) => code,
        Err(why) => {
            let problem = format!("the artifact has no bindings: {why}");
            return print_diagnostics_then_stop(common, &compilation, false, &problem);
        }
    };
    match output {
        None => finish(common, compilation, print_stdout(code.as_bytes()), || {
            "cannot write the bindings to standard output".to_string()
        }),
        Some(path) => {
            let written = write_atomically(Path::new(path), code.as_bytes());
            let error = written.as_ref().err().map(describe);
            finish(common, compilation, written, || {
                super::build::unwritable_folder(Path::new(path)).unwrap_or_else(|| {
                    format!("cannot write `{path}`: {}", error.unwrap_or_default())
                })
            })
        }
    }
}
