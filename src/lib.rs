//! rolec: a roles-as-code compiler. See `docs/ARCHITECTURE.md` for the pipeline.
#![forbid(unsafe_code)]

// The pest-generated parser is built without pest's `std` feature (see docs/decisions.md) and
// names `alloc` directly.
extern crate alloc;

pub mod artifact;
pub mod ast;
pub mod catalog;
pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod discover;
pub mod fmt;
pub mod graph;
pub mod lints;
pub mod names;
pub mod parallel;
pub mod permset;
pub mod report;
pub mod resolve;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod validate;
pub mod yaml;
