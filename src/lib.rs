//! rolec: a roles-as-code compiler. See `docs/ARCHITECTURE.md` for the pipeline.
#![forbid(unsafe_code)]

pub mod ast;
pub mod catalog;
pub mod diagnostics;
pub mod lints;
pub mod names;
pub mod permset;
pub mod source;
pub mod syntax;
