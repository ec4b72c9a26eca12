//! rolec: a roles-as-code compiler. Custom roles written in `*.roles` files are resolved to
//! their permissions, checked against the permissions of whoever authors them, and written as
//! one JSON artifact (see `docs/ARCHITECTURE.md` for the pipeline).
//!
//! The library is the compiler; the `rolec` binary (feature `cli`, on by default) is a thin
//! command line over it. The names an application needs are at the top:
//!
//! - [`compile()`] compiles policy files ([`InputFile`]) with [`CompileOptions`] into a
//!   [`Compilation`]: its [`Diagnostic`]s and, without errors, its [`Artifact`];
//! - [`Artifact`] is the artifact: written by [`Artifact::write_json`], read and checked by
//!   [`Artifact::from_json`], and asked which [`Role`] a name or id is
//!   ([`Artifact::role`]), whether it can do something ([`Role::can`]) and who can
//!   ([`Artifact::who_can`]); docs/artifact.md describes every field;
//! - [`bindings`] writes code for an application from an artifact: constants for every
//!   permission, group and role id, and the table, in Rust, TypeScript or Python;
//! - [`report`] prints diagnostics as JSON, SARIF or GitHub annotations (and, with the
//!   `human` feature, drawn for a terminal).
//!
//! The other modules are the stages of the compiler; they are public for the binary, the
//! tests and the fuzz targets, and not part of the library's interface.
#![forbid(unsafe_code)]

// The pest-generated parser is built without pest's `std` feature (see docs/decisions.md) and
// names `alloc` directly.
extern crate alloc;

pub mod artifact;
pub mod bindings;
pub mod compile;
pub mod diagnostics;
pub mod lints;
pub mod report;
pub mod source;

#[doc(hidden)]
pub mod ast;
#[doc(hidden)]
pub mod catalog;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod discover;
#[doc(hidden)]
pub mod fmt;
#[doc(hidden)]
pub mod graph;
#[doc(hidden)]
pub mod ide;
#[doc(hidden)]
pub mod names;
#[doc(hidden)]
pub mod parallel;
#[doc(hidden)]
pub mod permset;
#[doc(hidden)]
pub mod query;
#[doc(hidden)]
pub mod resolve;
#[cfg(feature = "schema")]
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod suggest;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod validate;
#[doc(hidden)]
pub mod yaml;

pub use artifact::{Artifact, ArtifactError, Role};
pub use compile::{compile, Compilation, CompileOptions, InputFile};
pub use diagnostics::{Code, Diagnostic, Severity};
