//! Structured policies through the whole pipeline: an `arbitrary`-derived run (files with
//! authors, roles with random names, `copies` / `inherits`, edits of permissions and groups,
//! annotations, assertions; a default author, a ceiling, lint levels) is rendered to text and
//! compiled with the embedded catalog.
//!
//! Checks, beyond "no panic":
//! - an artifact comes out exactly when there is no error, and then every custom role of the
//!   run is in it, its permissions are in catalog order without repeats, they are a subset of
//!   its author's, its author holds the role-management permission and stays within the
//!   ceiling, and following "role -> author" reaches a built-in without revisiting a role;
//! - the files given in reversed order give the same artifact, byte for byte, and (unless a
//!   `duplicate-role` makes which definition is first matter) the same diagnostic codes.
//!
//! With `ROLEC_FUZZ_TRACE` set, each input prints a line saying whether it compiled (to see
//! how much of a corpus reaches the artifact checks).
#![no_main]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rolec::compile::{compile, Ceiling, CompileOptions, InputFile};
use rolec::lints::{Level, LINTS};

const BUILTINS: [&str; 4] = ["Guest", "User", "Administrator", "Owner"];
const MAX_FILES: usize = 6;
const MAX_ROLES_PER_FILE: usize = 12;
const MAX_EDITS: usize = 8;
const MAX_PARENTS: usize = 4;

/// A reference to a role: a built-in, a custom role of the run (by index), or an unknown one.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct RoleRef(u8);

/// How a role is named. Drawn from a byte so that mistakes stay rare and most runs can
/// compile: 1 in 32 collides with an earlier role (`duplicate-role`), 1 in 64 with a
/// built-in (`builtin-redefined`); the rest are bare (`R3`) or quoted (`"Role 3"`).
#[derive(Arbitrary, Debug, Clone, Copy)]
struct NameStyle(u8, RoleRef);

enum Name {
    Bare,
    Quoted,
    CollidesWith(RoleRef),
    Builtin(u8),
}

impl NameStyle {
    fn kind(self) -> Name {
        match self.0 {
            0..=7 => Name::CollidesWith(self.1),
            8..=11 => Name::Builtin(self.1 .0),
            12..=127 => Name::Bare,
            _ => Name::Quoted,
        }
    }
}

#[derive(Arbitrary, Debug)]
enum GenBase {
    None,
    Copies(RoleRef),
    Inherits(Vec<RoleRef>),
}

/// `+` or `-` (the low bit of `sign`) and a target: a permission (about 4 in 5), a group,
/// or, 1 in 128, an unknown permission.
#[derive(Arbitrary, Debug)]
struct GenEdit {
    sign: u8,
    target: u8,
    which: u8,
}

#[derive(Arbitrary, Debug)]
struct GenRole {
    name: NameStyle,
    /// Up to three annotations; a key is repeated (`duplicate-annotation`) 1 in 32 times.
    annotations: Vec<u8>,
    base: GenBase,
    edits: Vec<GenEdit>,
}

#[derive(Arbitrary, Debug)]
struct GenAssert {
    /// 1 in 8 assertions is written (a random one fails more often than not).
    enabled: u8,
    role: RoleRef,
    can: bool,
    permissions: Vec<u8>,
}

/// Who authors a file: mostly `Administrator` or `Owner`, else any role (a custom one for
/// delegation, an unknown one), else none (the default author, if any).
#[derive(Arbitrary, Debug, Clone, Copy)]
struct GenAuthor(u8, RoleRef);

impl GenAuthor {
    fn name(self, names: &[String]) -> Option<String> {
        match self.0 {
            0..=79 => Some("Administrator".to_string()),
            80..=119 => Some("Owner".to_string()),
            120..=223 => Some(reference(names, self.1)),
            _ => None,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct GenFile {
    author: GenAuthor,
    /// 1 in 16: the `author` statement comes after the first role (`misplaced-author`).
    author_late: u8,
    roles: Vec<GenRole>,
    asserts: Vec<GenAssert>,
}

#[derive(Arbitrary, Debug)]
struct Run {
    files: Vec<GenFile>,
    default_author: GenAuthor,
    /// The ceiling: none half of the time, else mostly `Owner` or `Administrator`.
    ceiling: u8,
    /// 1 in 8: `--deny-warnings`.
    deny_warnings: u8,
    /// A lint and a level each: `deny` 1 in 8, else `allow` or `warn`.
    lint_levels: Vec<(u8, u8)>,
}

/// The permissions and groups of the embedded catalog, in catalog order.
struct Names {
    permissions: Vec<String>,
    groups: Vec<String>,
}

fn catalog_names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let options = CompileOptions {
            emit_artifact: true,
            ..CompileOptions::default()
        };
        let artifact = compile(None, Vec::new(), &options)
            .ok()
            .and_then(|compilation| compilation.artifact)
            .expect("the embedded catalog compiles");
        let artifact: serde_json::Value =
            serde_json::from_str(&artifact.to_json()).expect("the artifact is JSON");
        let names = |key: &str| -> Vec<String> {
            artifact["catalog"][key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item["name"].as_str().map(str::to_string))
                .collect()
        };
        Names {
            permissions: names("permissions"),
            groups: names("groups"),
        }
    })
}

fn pick<T>(items: &[T], index: u8) -> &T {
    &items[usize::from(index) % items.len()]
}

/// The names of the custom roles, in definition order (file by file).
fn custom_names(files: &[GenFile]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let roles = files.iter().flat_map(|file| &file.roles);
    let bare = |index: usize| format!("R{index}");
    for (index, role) in roles.enumerate() {
        let name = match role.name.kind() {
            Name::Bare => bare(index),
            Name::Quoted => format!("\"Role {index}\""),
            // An earlier role's name with its case changed (the first role has none to
            // collide with, and gets a bare name in lower case).
            Name::CollidesWith(other) => {
                let target = match index {
                    0 => bare(index),
                    _ => names[usize::from(other.0) % index].clone(),
                };
                let lowered = target.to_lowercase();
                if lowered == target {
                    target.to_uppercase()
                } else {
                    lowered
                }
            }
            Name::Builtin(which) => pick(&BUILTINS, which).to_lowercase(),
        };
        names.push(name);
    }
    names
}

/// The base that role number `index` refers to: mostly a built-in or an earlier role, so
/// that most graphs have no cycle; 1 in 32, any role (a cycle or a forward reference).
fn base_reference(names: &[String], role: RoleRef, index: usize) -> String {
    match role.0 {
        value @ 64..=247 if index > 0 => names[usize::from(value) % index].clone(),
        value if value < 248 => pick(&BUILTINS, value).to_string(),
        _ => reference(names, role),
    }
}

/// The name `role` refers to: a built-in (1 in 4), a custom role of the run, or (1 in 256)
/// a role nobody defines.
fn reference(names: &[String], role: RoleRef) -> String {
    match role.0 {
        255 => "Nobody".to_string(),
        value if value < 64 || names.is_empty() => pick(&BUILTINS, value).to_string(),
        value => names[usize::from(value) % names.len()].clone(),
    }
}

fn render(run: &Run) -> Vec<InputFile> {
    let catalog = catalog_names();
    let names = custom_names(&run.files);
    let mut next_role = 0;
    run.files
        .iter()
        .enumerate()
        .map(|(file_index, file)| {
            let author = file
                .author
                .name(&names)
                .map(|author| format!("author {author}\n"));
            let late = file.author_late % 16 == 0;
            let mut text = String::new();
            if !late {
                text.push_str(author.as_deref().unwrap_or(""));
            }
            for (position, role) in file.roles.iter().enumerate() {
                for (key_index, &key) in role.annotations.iter().enumerate().take(3) {
                    let key = if key % 32 == 0 { 0 } else { key_index };
                    text.push_str(&format!("@k{key}(\"v{key_index} \\\"q\\\"\")\n"));
                }
                text.push_str(&format!("role {}", names[next_role]));
                next_role += 1;
                match &role.base {
                    GenBase::None => {}
                    GenBase::Copies(base) => text.push_str(&format!(
                        " copies {}",
                        base_reference(&names, *base, next_role - 1)
                    )),
                    GenBase::Inherits(parents) => {
                        let parents: Vec<String> = parents
                            .iter()
                            .take(MAX_PARENTS)
                            .map(|&parent| base_reference(&names, parent, next_role - 1))
                            .collect();
                        if !parents.is_empty() {
                            text.push_str(&format!(" inherits {}", parents.join(", ")));
                        }
                    }
                }
                if !role.edits.is_empty() {
                    text.push_str(" <");
                    for edit in role.edits.iter().take(MAX_EDITS) {
                        let sign = if edit.sign % 2 == 0 { '+' } else { '-' };
                        let target = match edit.target {
                            0..=1 => "nope".to_string(),
                            2..=49 => format!("@{}", pick(&catalog.groups, edit.which)),
                            _ => pick(&catalog.permissions, edit.which).clone(),
                        };
                        text.push_str(&format!(" {sign}{target}"));
                    }
                    text.push_str(" >");
                }
                text.push('\n');
                if position == 0 && late {
                    text.push_str(author.as_deref().unwrap_or(""));
                }
            }
            for assertion in file.asserts.iter().take(3) {
                if assertion.enabled % 8 != 0 {
                    continue;
                }
                let permissions: Vec<&str> = assertion
                    .permissions
                    .iter()
                    .take(4)
                    .map(|&index| pick(&catalog.permissions, index).as_str())
                    .collect();
                if permissions.is_empty() {
                    continue;
                }
                text.push_str(&format!(
                    "assert {} {} {}\n",
                    reference(&names, assertion.role),
                    if assertion.can { "can" } else { "cannot" },
                    permissions.join(" ")
                ));
            }
            InputFile {
                path: format!("policies/f{file_index}.roles"),
                bytes: text.into_bytes(),
                project_path: None,
            }
        })
        .collect()
}

fn ceiling(value: u8) -> Option<&'static str> {
    match value {
        0..=127 => None,
        128..=191 => Some("Owner"),
        192..=239 => Some("Administrator"),
        240..=247 => Some("User"),
        _ => Some("Guest"),
    }
}

struct ArtifactRole {
    builtin: bool,
    author: Option<String>,
    permissions: Vec<String>,
}

fn check_artifact(artifact: &str, run: &Run, sources: &str) {
    let catalog = catalog_names();
    let artifact: serde_json::Value = serde_json::from_str(artifact).expect("the artifact is JSON");
    let roles: BTreeMap<String, ArtifactRole> = artifact["roles"]
        .as_array()
        .expect("the artifact has roles")
        .iter()
        .map(|role| {
            let name = role["name"]
                .as_str()
                .expect("a role has a name")
                .to_string();
            let permissions = role["permissions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect();
            let entry = ArtifactRole {
                builtin: role["builtin"].as_bool() == Some(true),
                author: role["author"].as_str().map(str::to_string),
                permissions,
            };
            (name, entry)
        })
        .collect();
    let defined: usize = run.files.iter().map(|file| file.roles.len()).sum();
    let custom = roles.values().filter(|role| !role.builtin).count();
    assert_eq!(
        custom, defined,
        "every custom role is in the artifact\n{sources}"
    );

    let position: HashMap<&str, usize> = catalog
        .permissions
        .iter()
        .enumerate()
        .map(|(index, name)| (name.as_str(), index))
        .collect();
    let set = |name: &str| -> BTreeSet<&str> {
        roles
            .get(name)
            .map(|role| role.permissions.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let ceiling = ceiling(run.ceiling);
    for (name, role) in &roles {
        let indices: Vec<usize> = role
            .permissions
            .iter()
            .map(|p| *position.get(p.as_str()).expect("a catalog permission"))
            .collect();
        assert!(
            indices.windows(2).all(|pair| pair[0] < pair[1]),
            "`{name}`: permissions in catalog order, without repeats"
        );
        if role.builtin {
            assert!(role.author.is_none(), "a built-in has no author");
            continue;
        }
        let author = role.author.as_deref().expect("a custom role has an author");
        assert!(
            roles.contains_key(author),
            "`{name}`: author `{author}` is not in the artifact"
        );
        let mine = set(name);
        let theirs = set(author);
        assert!(
            mine.is_subset(&theirs),
            "escalation compiled: `{name}` has {:?} that its author `{author}` lacks\n{sources}",
            mine.difference(&theirs).collect::<Vec<_>>()
        );
        assert!(
            theirs.contains("roles"),
            "`{author}` cannot manage roles\n{sources}"
        );
        if let Some(ceiling) = ceiling {
            assert!(
                theirs.is_subset(&set(ceiling)),
                "`{author}` is above the ceiling `{ceiling}`\n{sources}"
            );
        }
        let mut seen = BTreeSet::from([name.as_str()]);
        let mut current = author;
        loop {
            let role = roles.get(current).expect("an author in the artifact");
            if role.builtin {
                break;
            }
            assert!(
                seen.insert(current),
                "authority cycle through `{current}` compiled\n{sources}"
            );
            current = role.author.as_deref().expect("a custom role has an author");
        }
    }
}

fn codes(diagnostics: &[rolec::diagnostics::Diagnostic]) -> Vec<&'static str> {
    let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes
}

fn run_one(mut run: Run) {
    run.files.truncate(MAX_FILES);
    for file in &mut run.files {
        file.roles.truncate(MAX_ROLES_PER_FILE);
    }
    let files = render(&run);
    let sources: String = files
        .iter()
        .map(|file| {
            format!(
                "---- {}\n{}",
                file.path,
                String::from_utf8_lossy(&file.bytes)
            )
        })
        .collect();
    let names = custom_names(&run.files);
    let mut options = CompileOptions {
        default_author: run.default_author.name(&names),
        ceiling: ceiling(run.ceiling).map(Ceiling::builtin),
        deny_warnings: run.deny_warnings % 8 == 0,
        emit_artifact: true,
        ..CompileOptions::default()
    };
    for &(lint, level) in run.lint_levels.iter().take(LINTS.len()) {
        let level = match level {
            0..=31 => Level::Deny,
            _ if level % 2 == 0 => Level::Allow,
            _ => Level::Warn,
        };
        options.lint_levels.set(pick(LINTS, lint).lint, level);
    }

    let reversed: Vec<InputFile> = files.iter().rev().cloned().collect();
    let forward = compile(None, files, &options).expect("a built-in ceiling is no usage error");
    rolec_fuzz::check_reports(&forward);
    assert_eq!(
        forward.artifact.is_some(),
        forward.error_count() == 0,
        "an artifact exactly when there is no error"
    );
    let forward_json = forward.artifact.as_ref().map(|artifact| artifact.to_json());
    if let Some(artifact) = &forward_json {
        check_artifact(artifact, &run, &sources);
    }

    if std::env::var_os("ROLEC_FUZZ_TRACE").is_some() {
        let outcome = if forward.artifact.is_some() {
            "compiled".to_string()
        } else {
            format!("failed: {}", codes(&forward.diagnostics).join(" "))
        };
        eprintln!("ROLEC_FUZZ_TRACE {} roles, {outcome}", names.len());
    }

    let backward = compile(None, reversed, &options).expect("a built-in ceiling is no usage error");
    assert!(
        forward_json
            == backward
                .artifact
                .as_ref()
                .map(|artifact| artifact.to_json()),
        "the artifact depends on the order of the files\n{sources}"
    );
    let forward_codes = codes(&forward.diagnostics);
    if !forward_codes.contains(&"duplicate-role") {
        assert_eq!(
            forward_codes,
            codes(&backward.diagnostics),
            "the diagnostics depend on the order of the files\n{sources}"
        );
    }
}

fuzz_target!(|run: Run| run_one(run));
