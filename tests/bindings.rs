//! `rolec bindings` (docs/artifact.md, "Bindings"): the code generated for a small artifact
//! with awkward names, in each language (insta snapshots in `tests/snapshots/`), and the
//! code of that artifact, of an empty one and of `policies/` put through each language's
//! real checker: `rustc` (always), `tsc --strict` and `mypy --strict` (and `python3`), with
//! a program that uses the bindings and one that misspells a permission and must fail.
//!
//! `tsc` and `mypy` are looked for in `ROLEC_TSC` / `ROLEC_MYPY`, then where `.ci/run`
//! installs them (`examples/consumers/typescript/node_modules/.bin/tsc`,
//! `.ci/venv/bin/mypy`), then on `PATH`. Without one, its checks are skipped with a line
//! saying so; in CI (`CI` set) a missing checker fails the test instead.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rolec::bindings::{generate, Language};
use rolec::Artifact;
use serde_json::json;

/// An artifact whose names are hard on each language: identifiers that collide (`noe/widgets`
/// and `noe_widgets`; `księgowa-pl` and `ksiegowa-pl`), a leading digit, `self` (a Rust
/// keyword in upper camel case), `__proto__` (a JavaScript object key), quotes, a
/// backslash, a bidirectional override and an emoji in names, and comment closers, tags and
/// a line break in a description.
fn awkward() -> Artifact {
    let role = |id: &str, name: &str, builtin: bool, permissions: &[&str]| {
        json!({
            "id": id, "name": name, "builtin": builtin, "base": null,
            "author": if builtin { json!(null) } else { json!("Owner") },
            "source": null, "annotations": {}, "permissions": permissions,
        })
    };
    let value = json!({
        "schema": "rolec.artifact/v1",
        "catalog": {
            "name": "awkward \"shop\"",
            "groups": [
                {"name": "basic", "title": "Basic */ <b>[x]</b>", "sensitive": false},
                {"name": "self", "title": "Self-service", "sensitive": true}
            ],
            "permissions": [
                {"name": "profile", "group": "basic",
                 "description": "Own profile */ `code` <b>[link](x)</b>\nsecond line"},
                {"name": "noe/widgets", "group": "self", "description": "Widgets"},
                {"name": "noe_widgets", "group": "self", "description": "Widgets, again"},
                {"name": "2fa", "group": "self", "description": "Two-factor \\ settings"}
            ]
        },
        "roles": [
            role("owner", "Owner", true, &["profile", "noe/widgets", "noe_widgets", "2fa"]),
            role("guest", "Guest", true, &["profile"]),
            role("księgowa-pl", "Księgowa (PL)", false, &["profile", "2fa"]),
            role("ksiegowa-pl", "Ksiegowa \"PL\" \\ \u{202E}evil", false, &["noe_widgets"]),
            role("2fa-admin", "2FA Admin 🔐", false, &["2fa"]),
            role("self", "Self", false, &[]),
            role("__proto__", "Proto", false, &["profile"]),
        ]
    });
    Artifact::from_json(&value.to_string()).unwrap()
}

/// An artifact with no group, permission or role.
fn empty() -> Artifact {
    let value = json!({
        "schema": "rolec.artifact/v1",
        "catalog": {"name": "", "groups": [], "permissions": []},
        "roles": []
    });
    Artifact::from_json(&value.to_string()).unwrap()
}

#[test]
fn rust_bindings() {
    insta::assert_snapshot!(generate(&awkward(), Language::Rust).unwrap());
}

#[test]
fn typescript_bindings() {
    insta::assert_snapshot!(generate(&awkward(), Language::TypeScript).unwrap());
}

#[test]
fn python_bindings() {
    insta::assert_snapshot!(generate(&awkward(), Language::Python).unwrap());
}

#[test]
fn generated_code_is_deterministic_and_ascii_outside_comments() {
    for language in [Language::Rust, Language::TypeScript, Language::Python] {
        let code = generate(&awkward(), language).unwrap();
        assert_eq!(code, generate(&awkward(), language).unwrap());
        let comment = match language {
            Language::Python => "#",
            _ => "//",
        };
        for line in code.lines() {
            let trimmed = line.trim_start();
            if !(trimmed.starts_with(comment) || trimmed.starts_with("/*")) {
                assert!(line.is_ascii(), "{language:?}: {line}");
            }
            assert!(!line.contains('\u{202E}'), "{language:?}: {line}");
        }
    }
}

// ── The real checkers ───────────────────────────────────────────────────────────────────────

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bindings of `policies/` in `language`, as `rolec bindings` prints them.
fn policies_bindings(language: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_rolec"))
        .args(["bindings", "--lang", language, "policies/"])
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// A checker program: `variable`, else the first of `installed` (relative to the root) that
/// exists, else `name` when it runs from `PATH`. `None` (and a line saying so) when there is
/// none; a failed test when none is found in CI.
fn checker(variable: &str, installed: &[&str], name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    for candidate in installed {
        let path = root().join(candidate);
        if path.is_file() {
            return Some(path);
        }
    }
    let on_path = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if on_path {
        return Some(PathBuf::from(name));
    }
    let why = format!(
        "`{name}` not found (set {variable}, or install it as .ci/run does: {})",
        installed.join(", ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must check the bindings with {name}: {why}"
    );
    eprintln!("skipped the {name} checks: {why}");
    None
}

/// Runs `program` with `args` in `dir`; its output when it fails.
fn run(program: &Path, args: &[&str], dir: &Path) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{} {args:?}: {}\n{}{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The generated files to check: the awkward artifact's, the empty one's and those of
/// `policies/`, named `roles_NAME`.
fn sources(language: Language, lang: &str) -> Vec<(&'static str, String)> {
    vec![
        ("awkward", generate(&awkward(), language).unwrap()),
        ("empty", generate(&empty(), language).unwrap()),
        ("policies", policies_bindings(lang)),
    ]
}

#[test]
fn rustc_compiles_the_rust_bindings() {
    let rustc = PathBuf::from(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    let dir = tempfile::tempdir().unwrap();
    for (name, code) in sources(Language::Rust, "rust") {
        let file = format!("roles_{name}.rs");
        std::fs::write(dir.path().join(&file), code).unwrap();
        // Alone, as the contract says, and without a warning.
        let alone = ["--edition", "2021", "--crate-type", "lib", "-D", "warnings"];
        let out = format!("--out-dir=out_{name}");
        let args: Vec<&str> = alone.iter().copied().chain([out.as_str(), &file]).collect();
        run(&rustc, &args, dir.path()).unwrap();
    }
    // A program that uses the bindings of `policies/` as a module, and runs.
    let program = r#"
#[allow(dead_code)]
mod roles_policies;
use roles_policies::{can, Permission, Role, ROLES};
fn main() {
    assert!(can(Role::Accountant, Permission::Billing));
    assert!(!Role::Accountant.can(Permission::Commerce));
    assert!(Role::OfficeManager.can(Permission::Roles));
    assert_eq!(Role::from_id("sales-lead"), Some(Role::SalesLead));
    assert_eq!(Permission::from_name("noe/widgets"), Some(Permission::NoeWidgets));
    for role in ROLES {
        for permission in role.permissions() {
            assert!(role.can(*permission));
        }
    }
    println!("ok");
}
"#;
    std::fs::write(dir.path().join("main.rs"), program).unwrap();
    let args = [
        "--edition",
        "2021",
        "-D",
        "warnings",
        "-o",
        "main",
        "main.rs",
    ];
    run(&rustc, &args, dir.path()).unwrap();
    run(&dir.path().join("main"), &[], dir.path()).unwrap();
    // A misspelt permission does not compile.
    let misspelt = program.replace("Permission::Billing", "Permission::Biling");
    std::fs::write(dir.path().join("main.rs"), misspelt).unwrap();
    let error = run(&rustc, &args, dir.path()).unwrap_err();
    assert!(error.contains("Biling"), "{error}");
}

#[test]
fn tsc_checks_the_typescript_bindings() {
    let Some(tsc) = checker(
        "ROLEC_TSC",
        &["examples/consumers/typescript/node_modules/.bin/tsc"],
        "tsc",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, code) in sources(Language::TypeScript, "typescript") {
        let file = format!("roles_{name}.ts");
        std::fs::write(dir.path().join(&file), code).unwrap();
        run(&tsc, &["--strict", "--noEmit", &file], dir.path()).unwrap();
    }
    let program = r#"import { can, Permissions, Roles, ROLE_PERMISSIONS } from "./roles_policies";
const allowed: boolean = can(Roles.ACCOUNTANT, Permissions.BILLING) && can("office-manager", "roles");
export const answers: boolean[] = [allowed, ROLE_PERMISSIONS["sales-lead"].length > 0];
"#;
    std::fs::write(dir.path().join("main.ts"), program).unwrap();
    run(&tsc, &["--strict", "--noEmit", "main.ts"], dir.path()).unwrap();
    for misspelt in [
        program.replace("Permissions.BILLING", "Permissions.BILING"),
        program.replace("\"roles\")", "\"role\")"),
        program.replace("\"office-manager\"", "\"office-manger\""),
    ] {
        std::fs::write(dir.path().join("main.ts"), &misspelt).unwrap();
        let error = run(&tsc, &["--strict", "--noEmit", "main.ts"], dir.path()).unwrap_err();
        assert!(error.contains("main.ts"), "{misspelt}\n{error}");
    }
}

#[test]
fn mypy_checks_the_python_bindings() {
    let Some(mypy) = checker("ROLEC_MYPY", &[".ci/venv/bin/mypy"], "mypy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, code) in sources(Language::Python, "python") {
        let file = format!("roles_{name}.py");
        std::fs::write(dir.path().join(&file), code).unwrap();
        run(&mypy, &["--strict", "--no-incremental", &file], dir.path()).unwrap();
    }
    let program = r#"from roles_policies import Permissions, Roles, can, is_role_id

assert can(Roles.ACCOUNTANT, Permissions.BILLING)
assert can("office-manager", "roles")
assert not can("accountant", "commerce")
text = "sales-lead"
assert is_role_id(text) and can(text, "crm")
print("ok")
"#;
    std::fs::write(dir.path().join("main.py"), program).unwrap();
    run(
        &mypy,
        &["--strict", "--no-incremental", "main.py"],
        dir.path(),
    )
    .unwrap();
    // Python itself imports every module and runs the program.
    let python = PathBuf::from("python3");
    for name in ["roles_awkward", "roles_empty"] {
        run(&python, &["-c", &format!("import {name}")], dir.path()).unwrap();
    }
    run(&python, &["main.py"], dir.path()).unwrap();
    for misspelt in [
        program.replace("Permissions.BILLING", "Permissions.BILING"),
        program.replace("\"roles\")", "\"role\")"),
        program.replace("can(\"office-manager\"", "can(\"office-manger\""),
    ] {
        std::fs::write(dir.path().join("main.py"), &misspelt).unwrap();
        let error = run(
            &mypy,
            &["--strict", "--no-incremental", "main.py"],
            dir.path(),
        )
        .unwrap_err();
        assert!(error.contains("main.py"), "{misspelt}\n{error}");
    }
}
