//! Property tests over random policies, against a deliberately naive reference model of the
//! contract (sections 2.1 and 2.2) written here, from the spec, not from `src/`:
//! plain recursion over sets of strings.
//!
//! For every random policy (random `copies`/`inherits` graphs, edits, groups, authors,
//! delegated authors, cycles of both kinds):
//! - the set of structural error codes equals the model's (cycles, unknown names, the
//!   security rule);
//! - the artifact does not depend on the order of the files, and every diagnostic's line
//!   and column lie inside its file;
//! - when it compiles, every role's permissions equal the model's, every custom role is a
//!   subset of its author's permissions, and following authors always reaches a built-in;
//! - a policy the model finds an escalation in never compiles;
//! - the JSON report and the artifact follow their schemas (`schemas/`).
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The schemas of `common`; its harness for the binary is not used here.
#[allow(dead_code)]
mod common;

use common::SchemaChecks;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;
use rolec::compile::{compile, CompileOptions, InputFile};

const BUILTINS: [&str; 4] = ["Guest", "User", "Administrator", "Owner"];

/// Edit targets: a mix of ordinary, administrator-only and owner-only permissions, and groups.
const TARGETS: [&str; 12] = [
    "crm",
    "mail",
    "profile",
    "webhooks",
    "roles",
    "billing",
    "insight",
    "mail_private_all",
    "@crm_and_sales",
    "@owner_only",
    "@administrator_only",
    "@communication",
];

#[derive(Clone, Debug)]
enum Base {
    None,
    Copies(usize),
    Inherits(Vec<usize>),
}

#[derive(Clone, Debug)]
struct GenRole {
    base: Base,
    edits: Vec<(bool, usize)>,
}

#[derive(Clone, Debug)]
struct GenFile {
    /// Index into all roles: built-ins first, then custom roles R0, R1, ...
    author: usize,
    roles: Vec<GenRole>,
}

fn role_name(index: usize) -> String {
    match BUILTINS.get(index) {
        Some(name) => (*name).to_string(),
        None => format!("R{}", index - BUILTINS.len()),
    }
}

fn policy() -> impl Strategy<Value = Vec<GenFile>> {
    let role = |total: usize| {
        let base = prop_oneof![
            Just(Base::None),
            // `total` itself names a role that no file defines.
            (0..=total).prop_map(Base::Copies),
            proptest::collection::vec(0..=total, 1..3).prop_map(Base::Inherits),
        ];
        let edits = proptest::collection::vec((any::<bool>(), 0..TARGETS.len()), 0..4);
        (base, edits).prop_map(|(base, edits)| GenRole { base, edits })
    };
    (1usize..4, 1usize..9).prop_flat_map(move |(file_count, role_count)| {
        let total = BUILTINS.len() + role_count;
        // Authors favour the built-ins that can manage roles, so that many policies compile.
        let author = prop_oneof![6 => 2usize..4, 2 => 0..total, 1 => Just(total)];
        proptest::collection::vec(author, file_count).prop_flat_map(move |authors| {
            proptest::collection::vec(role(total), role_count).prop_map(move |roles| {
                let mut files: Vec<GenFile> = authors
                    .iter()
                    .map(|&author| GenFile {
                        author,
                        roles: Vec::new(),
                    })
                    .collect();
                for (index, role) in roles.into_iter().enumerate() {
                    if let Some(file) = files.get_mut(index % file_count) {
                        file.roles.push(role);
                    }
                }
                files
            })
        })
    })
}

fn render(files: &[GenFile]) -> Vec<InputFile> {
    let file_count = files.len();
    files
        .iter()
        .enumerate()
        .map(|(file_index, file)| {
            let mut text = format!("author {}\n", role_name(file.author));
            for (position, role) in file.roles.iter().enumerate() {
                let index = BUILTINS.len() + position * file_count + file_index;
                text.push_str(&format!("role {}", role_name(index)));
                match &role.base {
                    Base::None => {}
                    Base::Copies(base) => text.push_str(&format!(" copies {}", role_name(*base))),
                    Base::Inherits(parents) => {
                        let names: Vec<String> = parents.iter().map(|&p| role_name(p)).collect();
                        text.push_str(&format!(" inherits {}", names.join(", ")));
                    }
                }
                text.push_str(" <");
                for &(add, target) in &role.edits {
                    text.push_str(&format!(
                        " {}{}",
                        if add { '+' } else { '-' },
                        TARGETS[target]
                    ));
                }
                text.push_str(" >\n");
            }
            InputFile {
                path: format!("f{file_index}.roles"),
                bytes: text.into_bytes(),
                project_path: None,
            }
        })
        .collect()
}

/// The catalog as the contract describes it, read from the artifact of an empty policy.
struct Model {
    groups: HashMap<String, BTreeSet<String>>,
    builtins: HashMap<String, BTreeSet<String>>,
}

fn model_catalog() -> Model {
    let compilation = compile(
        None,
        Vec::new(),
        &CompileOptions {
            emit_artifact: true,
            ..Default::default()
        },
    );
    let artifact: serde_json::Value = compilation
        .ok()
        .and_then(|c| c.artifact)
        .and_then(|artifact| serde_json::from_str(&artifact.to_json()).ok())
        .unwrap_or_default();
    let mut groups: HashMap<String, BTreeSet<String>> = HashMap::new();
    for permission in artifact["catalog"]["permissions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = permission["name"].as_str().unwrap_or_default().to_string();
        let group = permission["group"].as_str().unwrap_or_default().to_string();
        groups.entry(group).or_default().insert(name);
    }
    // Section 1.1 of the contract.
    let all: BTreeSet<String> = groups.values().flatten().cloned().collect();
    let admin = groups
        .get("administrator_only")
        .cloned()
        .unwrap_or_default();
    let owner = groups.get("owner_only").cloned().unwrap_or_default();
    let user: BTreeSet<String> = all
        .iter()
        .filter(|p| !admin.contains(*p) && !owner.contains(*p))
        .cloned()
        .collect();
    let administrator: BTreeSet<String> = user.union(&admin).cloned().collect();
    let builtins = HashMap::from([
        ("Guest".to_string(), BTreeSet::from(["profile".to_string()])),
        ("User".to_string(), user),
        ("Administrator".to_string(), administrator),
        ("Owner".to_string(), all),
    ]);
    Model { groups, builtins }
}

/// What the naive model expects: resolved sets (`None`: unresolvable) and error codes.
struct Expected {
    sets: BTreeMap<String, Option<BTreeSet<String>>>,
    codes: BTreeSet<&'static str>,
}

fn expected(model: &Model, files: &[GenFile]) -> Expected {
    let file_count = files.len();
    let mut definitions: BTreeMap<String, (&GenRole, usize)> = BTreeMap::new();
    for (file_index, file) in files.iter().enumerate() {
        for (position, role) in file.roles.iter().enumerate() {
            definitions.insert(
                role_name(BUILTINS.len() + position * file_count + file_index),
                (role, file_index),
            );
        }
    }
    let mut codes = BTreeSet::new();
    let mut sets: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();

    fn resolve(
        name: &str,
        model: &Model,
        definitions: &BTreeMap<String, (&GenRole, usize)>,
        visiting: &mut Vec<String>,
        sets: &mut BTreeMap<String, Option<BTreeSet<String>>>,
        codes: &mut BTreeSet<&'static str>,
    ) -> Option<BTreeSet<String>> {
        if let Some(set) = model.builtins.get(name) {
            return Some(set.clone());
        }
        if let Some(known) = sets.get(name) {
            return known.clone();
        }
        if visiting.iter().any(|v| v == name) {
            codes.insert("cycle");
            return None;
        }
        let Some((role, _)) = definitions.get(name) else {
            codes.insert("unknown-role");
            return None;
        };
        visiting.push(name.to_string());
        let parents: Vec<usize> = match &role.base {
            Base::None => Vec::new(),
            Base::Copies(base) => vec![*base],
            Base::Inherits(parents) => parents.clone(),
        };
        let mut start = Some(BTreeSet::new());
        for parent in parents {
            let resolved = resolve(
                &role_name(parent),
                model,
                definitions,
                visiting,
                sets,
                codes,
            );
            start = match (start, resolved) {
                (Some(mut set), Some(parent_set)) => {
                    set.extend(parent_set);
                    Some(set)
                }
                _ => None,
            };
        }
        visiting.pop();
        let result = start.map(|inherited| {
            let mut set = inherited.clone();
            let inherits = matches!(role.base, Base::Inherits(_));
            for &(add, target) in &role.edits {
                let label = TARGETS[target];
                let members: BTreeSet<String> = match label.strip_prefix('@') {
                    Some(group) => model.groups.get(group).cloned().unwrap_or_default(),
                    None if model.builtins.values().any(|set| set.contains(label)) => {
                        BTreeSet::from([label.to_string()])
                    }
                    None => BTreeSet::new(),
                };
                for permission in members {
                    if add {
                        set.insert(permission);
                    } else if inherits && inherited.contains(&permission) {
                        codes.insert("revokes-inherited");
                    } else {
                        set.remove(&permission);
                    }
                }
            }
            set
        });
        // A role on a cycle is settled by the cycle's report, not resolved twice.
        if !sets.contains_key(name) {
            sets.insert(name.to_string(), result.clone());
        }
        result
    }

    // Unknown names in edits are reported whether or not the role resolves.
    for (role, _) in definitions.values() {
        for &(_, target) in &role.edits {
            match TARGETS[target] {
                "webhook" => codes.insert("unknown-permission"),
                "@nosuch" => codes.insert("unknown-group"),
                _ => false,
            };
        }
    }
    let names: Vec<String> = definitions.keys().cloned().collect();
    for name in &names {
        let mut visiting = Vec::new();
        resolve(
            name,
            model,
            &definitions,
            &mut visiting,
            &mut sets,
            &mut codes,
        );
    }
    // A role whose base chain touches a cycle is unresolvable, wherever the walk started.
    loop {
        let mut changed = false;
        for name in &names {
            let Some((role, _)) = definitions.get(name) else {
                continue;
            };
            let parents: Vec<usize> = match &role.base {
                Base::None => Vec::new(),
                Base::Copies(base) => vec![*base],
                Base::Inherits(parents) => parents.clone(),
            };
            let blocked = parents
                .iter()
                .any(|&p| matches!(sets.get(&role_name(p)), Some(None)));
            if blocked && sets.get(name).is_some_and(Option::is_some) {
                sets.insert(name.clone(), None);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let set_of = |name: &str| -> Option<BTreeSet<String>> {
        model
            .builtins
            .get(name)
            .cloned()
            .or_else(|| sets.get(name).cloned().flatten())
    };
    for (file_index, file) in files.iter().enumerate() {
        let author = role_name(file.author);
        if !model.builtins.contains_key(&author) && !definitions.contains_key(&author) {
            codes.insert("unknown-role");
        }
        if file.roles.is_empty() {
            continue;
        }
        let Some(author_set) = set_of(&author) else {
            continue;
        };
        if !author_set.contains("roles") {
            codes.insert("author-cannot-manage-roles");
        }
        for (name, (_, defined_in)) in &definitions {
            if *defined_in != file_index {
                continue;
            }
            if set_of(name).is_some_and(|set| !set.is_subset(&author_set)) {
                codes.insert("escalation");
            }
        }
    }
    // Authority: follow "role -> author of its file" from every custom role.
    for name in &names {
        let mut seen = vec![name.clone()];
        let mut current = name.clone();
        while let Some((_, file_index)) = definitions.get(&current) {
            let author = role_name(files[*file_index].author);
            if seen.contains(&author) {
                codes.insert("authority-cycle");
                break;
            }
            seen.push(author.clone());
            current = author;
        }
    }
    Expected { sets, codes }
}

const STRUCTURAL: [&str; 8] = [
    "unknown-role",
    "unknown-permission",
    "unknown-group",
    "cycle",
    "revokes-inherited",
    "escalation",
    "author-cannot-manage-roles",
    "authority-cycle",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn compiler_agrees_with_the_reference_model(files in policy()) {
        let model = model_catalog();
        let expected = expected(&model, &files);
        let inputs = render(&files);
        let sources: Vec<String> = inputs.iter().map(|f| String::from_utf8_lossy(&f.bytes).into_owned()).collect();
        let options = CompileOptions { emit_artifact: true, ..Default::default() };
        let reversed: Vec<InputFile> = inputs.iter().rev().cloned().collect();
        let compilation = compile(None, inputs, &options).map_err(|e| TestCaseError::fail(e.0))?;
        let compilation_reversed = compile(None, reversed, &options).map_err(|e| TestCaseError::fail(e.0))?;
        let json = |artifact: &Option<rolec::artifact::Artifact>| artifact.as_ref().map(|a| a.to_json());
        prop_assert_eq!(json(&compilation.artifact), json(&compilation_reversed.artifact), "order of files changed the artifact");
        for diagnostic in &compilation.diagnostics {
            let Some(span) = diagnostic.span else { continue };
            let file = compilation.sources.get(span.file).ok_or_else(|| TestCaseError::fail("span in no file"))?;
            let lines: Vec<&str> = file.text.split('\n').collect();
            for offset in [span.start, span.end] {
                let position = file.line_column(offset);
                let line = lines.get(position.line - 1).ok_or_else(|| TestCaseError::fail("line outside the file"))?;
                prop_assert!(position.column <= line.chars().count() + 1, "column outside its line: {:?}", diagnostic);
            }
        }
        let codes: BTreeSet<&str> = compilation
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .filter(|code| STRUCTURAL.contains(code))
            .collect();
        prop_assert_eq!(&codes, &expected.codes, "policy:\n{}", sources.join("----\n"));
        if expected.codes.contains("escalation") {
            prop_assert!(compilation.artifact.is_none(), "an escalation compiled:\n{}", sources.join("----\n"));
        }
        let report = rolec::report::json(&compilation.sources, &compilation.diagnostics);
        let problems = common::Document::Diagnostics.problems(&report);
        prop_assert!(problems.is_empty(), "the JSON report breaks its schema: {:?}", problems);
        let Some(artifact) = compilation.artifact else { return Ok(()) };
        let artifact = artifact.to_json();
        let problems = common::Document::Artifact.problems(&artifact);
        prop_assert!(problems.is_empty(), "the artifact breaks its schema: {:?}", problems);
        let artifact: serde_json::Value = serde_json::from_str(&artifact).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let roles: HashMap<String, (BTreeSet<String>, Option<String>)> = artifact["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|role| {
                let permissions = role["permissions"].as_array().into_iter().flatten()
                    .filter_map(|p| p.as_str().map(str::to_string)).collect();
                let author = role["author"].as_str().map(str::to_string);
                (role["name"].as_str().unwrap_or_default().to_string(), (permissions, author))
            })
            .collect();
        for (name, set) in &expected.sets {
            let actual = roles.get(name).map(|(permissions, _)| permissions);
            prop_assert_eq!(actual, set.as_ref(), "role {} of:\n{}", name, sources.join("----\n"));
        }
        for (name, (permissions, author)) in &roles {
            let Some(author) = author else { continue };
            let author_set = roles.get(author).map(|(p, _)| p.clone()).unwrap_or_default();
            prop_assert!(permissions.is_subset(&author_set), "{} exceeds its author {}", name, author);
            let mut current = author.clone();
            let mut steps = 0;
            while let Some((_, Some(next))) = roles.get(&current) {
                current = next.clone();
                steps += 1;
                prop_assert!(steps <= roles.len(), "authors of {} never reach a built-in", name);
            }
            prop_assert!(BUILTINS.contains(&current.as_str()), "authors of {} end at {}", name, current);
        }
    }
}

/// The permissions of the model catalog's groups that edits and queries use.
fn group_members(group: &str) -> Vec<&'static str> {
    match group {
        "crm_and_sales" => vec!["crm", "commerce", "fakturownia", "payments"],
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// For random policies that compile (about one in seven), `can` agrees with the artifact, and `why` ends where
    /// the answer is decided: when the role holds the permission, at an edit that adds it (its
    /// text at the step's place is `+p` or `+@group` of a group holding it) or at a built-in
    /// that holds it; when not, at an edit that removes it, at a role with no base, or at a
    /// built-in that lacks it. From the artifact alone, `why` gives the same answer.
    #[test]
    fn queries_agree_with_the_artifact(files in policy()) {
        use rolec::query::{self, why::{self, StepKind}, Policies};
        let inputs = render(&files);
        let texts: HashMap<String, String> = inputs
            .iter()
            .map(|f| (f.path.clone(), String::from_utf8_lossy(&f.bytes).into_owned()))
            .collect();
        let options = CompileOptions { emit_artifact: true, ..Default::default() };
        let compilation = compile(None, inputs, &options).map_err(|e| TestCaseError::fail(e.0))?;
        let Some(artifact) = compilation.artifact.as_ref() else { return Ok(()) };
        let policies = Policies::new(artifact);
        let sources = why::Sources {
            files: &compilation.files,
            sources: &compilation.sources,
            catalog: compilation.catalog.as_ref().ok_or_else(|| TestCaseError::fail("no catalog"))?,
        };
        let asked = ["crm", "mail", "profile", "webhooks", "roles", "billing", "payments", "mail_private_all"];
        for role in artifact.roles().map(|role| role.record()) {
            for &permission in &asked {
                let held = role.permissions.iter().any(|p| p == permission);
                let can = query::can(&policies, &role.id, &[permission.to_string()])
                    .map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(can.allowed, held, "can {} {}", role.name, permission);
                let answer = why::why(&policies, Some(&sources), &role.name, permission)
                    .map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(answer.holds, held);
                let last = answer.steps.last().ok_or_else(|| TestCaseError::fail("no step"))?;
                let last_role = policies.role(&last.role).map_err(|e| TestCaseError::fail(e.message))?;
                match last.kind {
                    StepKind::Builtin => {
                        prop_assert!(last_role.builtin);
                        prop_assert_eq!(policies.holds(last_role, permission), held);
                    }
                    StepKind::Grant | StepKind::Revoke => {
                        prop_assert_eq!(last.kind == StepKind::Grant, held, "{:?}", answer);
                        let text = last.file.as_ref().and_then(|file| texts.get(file)).ok_or_else(|| TestCaseError::fail("no file"))?;
                        let line = text.lines().nth(last.line.unwrap_or(1) - 1).unwrap_or_default();
                        let edit: String = line.chars().skip(last.column.unwrap_or(1) - 1)
                            .take_while(|c| !c.is_whitespace() && *c != '>').collect();
                        let sign = if held { '+' } else { '-' };
                        let target = edit.strip_prefix(sign).ok_or_else(|| TestCaseError::fail(format!("`{edit}` is not a `{sign}` edit")))?;
                        let contains = match target.strip_prefix('@') {
                            Some(group) => last.group.as_deref() == Some(group)
                                && (group_members(group).contains(&permission)
                                    || artifact.catalog().permissions.iter().any(|p| p.name == permission && p.group == group)),
                            None => target == permission,
                        };
                        prop_assert!(contains, "`{}` does not touch `{}`: {:?}", edit, permission, answer);
                    }
                    StepKind::Absent => prop_assert!(!held && last_role.base.is_none()),
                    StepKind::Copies | StepKind::Inherits => prop_assert!(false, "the chain ends at a base: {:?}", answer),
                }
                let from_artifact = why::why(&policies, None, &role.name, permission)
                    .map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(from_artifact.holds, held);
                let last = from_artifact.steps.last().ok_or_else(|| TestCaseError::fail("no step"))?;
                let decides_held = matches!(last.kind, StepKind::Grant)
                    || (last.kind == StepKind::Builtin && held);
                prop_assert_eq!(decides_held, held, "{:?}", from_artifact);
            }
        }
    }
}

/// Most random policies have an error (an escalation, a cycle); the query property above must
/// still see enough that compile to mean something.
#[test]
fn enough_random_policies_compile_for_the_query_property() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut compiled = 0;
    for _ in 0..256 {
        let files = policy()
            .new_tree(&mut runner)
            .map(|tree| tree.current())
            .unwrap();
        let options = CompileOptions {
            emit_artifact: true,
            ..Default::default()
        };
        let compilation = compile(None, render(&files), &options).unwrap();
        compiled += usize::from(compilation.artifact.is_some());
    }
    assert!(
        compiled >= 20,
        "only {compiled} of 256 random policies compile"
    );
}
