//! `rolec check [PATH...]`: compile and report problems; no output file.

use super::{ceiling, compile_paths, exit_status, print_diagnostics, CommonArgs, ExitStatus};
use rolec::config::Config;

pub(super) fn run(common: &CommonArgs, config: &Config, paths: &[String]) -> ExitStatus {
    let ceiling = match ceiling::resolve(common, config) {
        Ok(ceiling) => ceiling,
        Err(status) => return status,
    };
    match compile_paths(common, config, paths, false, ceiling.as_ref()) {
        Ok(compilation) => {
            print_diagnostics(common, &compilation, true);
            let status = exit_status(&compilation);
            super::leave_to_exit(compilation);
            status
        }
        Err(status) => status,
    }
}
