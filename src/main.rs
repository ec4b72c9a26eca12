//! The `rolec` binary: a thin shell over the library's command line.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    rolec::cli::main()
}
