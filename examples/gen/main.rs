//! `cargo run --release --example gen -- --roles N --out DIR [--per-file K] [--seed S]`
//! writes a generated policy set (see `policy.rs`);
//! `cargo run --release --example gen -- --cedar ARTIFACT --out DIR` writes the Cedar
//! encoding of a built artifact: a schema with one action per permission and one `permit`
//! per role listing its resolved actions, for comparing with `cedar check-parse` and
//! `cedar validate`.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod policy;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut roles = 10_000;
    let mut per_file = 1000;
    let mut seed = 42;
    let mut out = PathBuf::from("generated");
    let mut cedar: Option<PathBuf> = None;
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--roles" => roles = value.parse().unwrap_or(roles),
            "--per-file" => per_file = value.parse().unwrap_or(per_file),
            "--seed" => seed = value.parse().unwrap_or(seed),
            "--out" => out = PathBuf::from(value),
            "--cedar" => cedar = Some(PathBuf::from(value)),
            other => {
                eprintln!("unknown flag {other}");
                return ExitCode::from(2);
            }
        }
    }
    let result = match cedar {
        Some(artifact) => write_cedar(&artifact, &out),
        None => write_policies(roles, per_file, seed, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn write_policies(roles: usize, per_file: usize, seed: u64, out: &PathBuf) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    for file in policy::generate(roles, per_file, seed) {
        std::fs::write(out.join(file.path), file.text)?;
    }
    Ok(())
}

fn cedar_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn write_cedar(artifact: &PathBuf, out: &PathBuf) -> std::io::Result<()> {
    let bytes = std::fs::read(artifact)?;
    let artifact: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(out)?;
    let mut schema = String::from("entity Role;\nentity User in [Role];\nentity Resource;\n");
    for permission in artifact["catalog"]["permissions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = permission["name"].as_str().unwrap_or_default();
        schema.push_str(&format!(
            "action {} appliesTo {{ principal: [User], resource: [Resource] }};\n",
            cedar_string(name)
        ));
    }
    std::fs::write(out.join("schema.cedarschema"), schema)?;
    let mut policies = String::new();
    for role in artifact["roles"].as_array().into_iter().flatten() {
        let name = role["name"].as_str().unwrap_or_default();
        let actions: Vec<String> = role["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str())
            .map(|p| format!("Action::{}", cedar_string(p)))
            .collect();
        if actions.is_empty() {
            continue;
        }
        policies.push_str(&format!(
            "@id({})\npermit (principal in Role::{}, action in [{}], resource);\n",
            cedar_string(name),
            cedar_string(name),
            actions.join(", ")
        ));
    }
    std::fs::write(out.join("policies.cedar"), policies)
}
