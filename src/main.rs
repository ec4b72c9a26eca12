//! The `rolec` binary: the command line (`cli`, one file per subcommand) over the library,
//! which is the compiler. Built with the `cli` feature (on by default).
#![forbid(unsafe_code)]

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
