//! `rolec catalog`: print the effective catalog — the embedded one, `catalog:` of
//! `rolec.yaml`, or the file given with `--catalog` — after checking it: as YAML, as it was
//! read, or as the same document in JSON.

use super::output::print_stdout;
use super::{catalog_input, print_report, usage_error, CommonArgs, ExitStatus};
use rolec::compile::{self, CompileOptions};
use rolec::config::Config;
use rolec::diagnostics::Code;
use rolec::source::FileId;

/// `--format` of `rolec catalog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum CatalogFormat {
    /// The catalog file as it was read.
    Yaml,
    /// The same document as JSON (keys in byte order).
    Json,
}

pub(super) fn run(common: &CommonArgs, config: &Config, format: CatalogFormat) -> ExitStatus {
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
    // The catalog is the first source of every compilation.
    let catalog = FileId(0);
    let text = match format {
        CatalogFormat::Yaml => compilation
            .sources
            .get(catalog)
            .map(|file| file.text.to_string())
            .unwrap_or_default(),
        CatalogFormat::Json => {
            // Read again, within the same budget, as a plain document: it has just passed
            // every check of a catalog.
            match rolec::yaml::parse_yaml::<serde_json::Value>(
                &compilation.sources,
                catalog,
                Code::InvalidCatalog,
            ) {
                Ok(document) => {
                    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
                    text.push('\n');
                    text
                }
                Err(diagnostic) => {
                    print_report(common, &compilation.sources, &[*diagnostic], true);
                    return ExitStatus::Errors;
                }
            }
        }
    };
    if print_stdout(text.as_bytes()).is_err() {
        return usage_error("cannot write the catalog to standard output");
    }
    ExitStatus::Ok
}
