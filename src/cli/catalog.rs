//! `rolec catalog`: print the effective catalog as YAML — the embedded one, or the file
//! given with `--catalog` — after checking it.

use super::output::print_stdout;
use super::{catalog_input, print_report, usage_error, CommonArgs, ExitStatus};
use rolec::compile::{self, CompileOptions};
use rolec::config::Config;

pub(super) fn run(common: &CommonArgs, config: &Config) -> ExitStatus {
    let input = match catalog_input(common, config) {
        Ok(input) => input,
        Err(status) => return status,
    };
    let compilation = match compile::compile(input, Vec::new(), &CompileOptions::default()) {
        Ok(compilation) => compilation,
        Err(error) => return usage_error(&error.0),
    };
    if compilation.error_count() > 0 {
        print_report(common, &compilation.sources, &compilation.diagnostics, true);
        return ExitStatus::Errors;
    }
    // The catalog is the first source of every compilation; print it as it was read.
    let text = compilation
        .sources
        .get(rolec::source::FileId(0))
        .map(|file| file.text.clone())
        .unwrap_or_default();
    if print_stdout(text.as_bytes()).is_err() {
        return usage_error("cannot write the catalog to standard output");
    }
    ExitStatus::Ok
}
