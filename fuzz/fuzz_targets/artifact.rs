//! Arbitrary bytes as an artifact an application loads (`Artifact::from_slice`, and
//! `from_json` when they are UTF-8), then every question and the bindings of a read one.
//!
//! Checks: no panic, whatever the bytes (a malformed or other-version artifact is an
//! `ArtifactError`, with a message); the same answer from bytes and from text; a read
//! artifact writes an artifact that reads back equal; its answers agree with its records
//! (`can`, `who_can`, `role`, `role_by_id`); it has bindings in every language.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::artifact::Artifact;
use rolec::bindings::{generate, Language};

fuzz_target!(|data: &[u8]| {
    let read = Artifact::from_slice(data);
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(Artifact::from_json(text), read, "bytes and text read alike");
    }
    let artifact = match read {
        Ok(artifact) => artifact,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let written = artifact.to_json();
    let again = Artifact::from_json(&written).expect("a read artifact writes a readable one");
    assert!(again == artifact, "a read artifact reads back as itself");
    assert_eq!(again.to_json(), written, "and writes the same bytes");

    for role in artifact.roles() {
        assert_eq!(artifact.role_by_id(role.id()).map(|r| r.name()), Some(role.name()));
        // A name wins over an id, so `role(name)` is this role.
        assert_eq!(artifact.role(role.name()).map(|r| r.id()), Some(role.id()));
        for permission in artifact.permissions() {
            let held = role.permissions().any(|p| p == permission.name);
            assert_eq!(role.can(&permission.name), held, "can agrees with the record");
        }
    }
    let mut targets: Vec<String> = artifact.permissions().map(|p| p.name.clone()).collect();
    targets.extend(artifact.groups().map(|g| format!("@{}", g.name)));
    targets.push("@".into());
    targets.push(String::new());
    for target in &targets {
        let who: Vec<&str> = artifact.who_can(target).map(|r| r.id()).collect();
        let can: Vec<&str> = artifact.roles().filter(|r| r.can(target)).map(|r| r.id()).collect();
        assert_eq!(who, can, "who_can is the roles that can");
    }

    for language in [Language::Rust, Language::TypeScript, Language::Python] {
        let code = generate(&artifact, language).expect("a read artifact has bindings");
        assert!(code.contains(&rolec::bindings::digest(&artifact)));
    }
});
