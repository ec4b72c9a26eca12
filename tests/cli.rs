//! The command line through the real binary (contract sections 4 and 5): exit statuses,
//! finding sources, `rolec.yaml`, output formats, `build -o`, determinism, the artifact's
//! shape, the catalog round trip, `explain` and `lints`, and the repository's own
//! `policies/`.
//!
//! Each test builds a throwaway project in a temporary folder and runs `rolec` in it; where
//! several inputs exercise one rule, they are rows of a table.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{folder_listing, project, rolec, write_file, Run};
use serde_json::Value;

/// The 78 permissions of the embedded catalog, in catalog (the seed's) order.
const CATALOG_PERMISSIONS: [&str; 78] = [
    // basic
    "profile",
    "activities",
    "notifications",
    "favorites",
    "dashboard",
    "calendar",
    "tags",
    // tasks_and_projects
    "organize",
    "tasks",
    "projects",
    "todos",
    "recurrings",
    "teams",
    "reports",
    // users_and_structure
    "users",
    "user_settings",
    "departments",
    "groups",
    "invites",
    "workinfo",
    // communication
    "mail",
    "emails",
    "emails_unassigned",
    "webchat",
    "posts",
    "helpdesk",
    "mail_templates",
    // crm_and_sales
    "crm",
    "commerce",
    "fakturownia",
    "payments",
    // content_and_files
    "kb",
    "drive",
    "documents",
    "files",
    "pages",
    "paragraphs",
    "assets",
    // integrations_and_automations
    "connectors",
    "flows",
    "webhooks",
    "api_tokens",
    "apps",
    "appstore",
    "connect",
    "mcp",
    // other
    "form",
    "voip",
    "design",
    "pdp",
    "noe/widgets",
    // administrator_only
    "roles",
    "insight",
    "cms",
    "sites",
    "layouts",
    "domains",
    "billing",
    "billing_helpdesk",
    "fiskator",
    "activities_admin",
    "activities_undo_all",
    "mailboxes",
    "mailboxes_marketing",
    "folders",
    "emails_all",
    "groups_admin",
    "workinfo_admin",
    "employee_leaves_admin",
    "comments_edit",
    "tags_edit",
    "mail_reports",
    "account_reports",
    "noe",
    "accept_kb_comments",
    // owner_only
    "mail_private_all",
    "webchat_widget_all",
    "manage_user_passwords",
];

/// The groups of the embedded catalog in order, with whether each is sensitive.
const CATALOG_GROUPS: [(&str, bool); 10] = [
    ("basic", false),
    ("tasks_and_projects", false),
    ("users_and_structure", false),
    ("communication", false),
    ("crm_and_sales", false),
    ("content_and_files", false),
    ("integrations_and_automations", false),
    ("other", false),
    ("administrator_only", true),
    ("owner_only", true),
];

/// How many permissions of `CATALOG_PERMISSIONS` each built-in holds (a prefix of it).
const BUILTIN_PERMISSION_COUNTS: [(&str, usize); 4] = [
    ("Guest", 1),
    ("User", 51),
    ("Administrator", 75),
    ("Owner", 78),
];

/// A clean policy: compiles with no diagnostic at all.
const CLEAN: &str = "author Administrator\nrole Clean copies User < -webhooks >\n";

/// A policy with one warning (`empty-role`) and no error.
const WARNING_ONLY: &str = "author Administrator\nrole Empty\n";

/// A policy with two errors (`escalation` at 2:22, `unknown-permission` at 2:41) and one
/// warning (`empty-role` at 3:6).
const TWO_ERRORS_ONE_WARNING: &str =
    "author Administrator\nrole X copies User < +mail_private_all -nosuch >\nrole E\n";

/// A catalog that is not even YAML.
const BROKEN_CATALOG: &str = "name: broken\ngroups: [\n";

// Accessors only this file needs; `Run` itself is shared, in `common`.
impl Run {
    fn stdout_json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout_text(),
                self.stderr
            )
        })
    }

    fn stderr_json(&self) -> Value {
        serde_json::from_str(&self.stderr)
            .unwrap_or_else(|error| panic!("stderr is not JSON ({error}):\n{}", self.stderr))
    }
}

/// The codes of a `--format json` report, in report order.
fn diagnostic_codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no `diagnostics` array in {report}"))
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The role named `name` of an artifact.
fn artifact_role<'a>(artifact: &'a Value, name: &str) -> &'a Value {
    artifact["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|role| role["name"] == name))
        .unwrap_or_else(|| panic!("no role `{name}` in the artifact"))
}

fn role_names(artifact: &Value) -> Vec<String> {
    artifact["roles"]
        .as_array()
        .expect("a `roles` array")
        .iter()
        .map(|role| role["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|item| item.as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Exit statuses (section 4)

struct ExitCase {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    status: i32,
    /// Text that stderr must contain.
    stderr_contains: &'static str,
}

const EXIT_CASES: &[ExitCase] = &[
    ExitCase {
        name: "clean policy",
        files: &[("a.roles", CLEAN)],
        args: &["check", "a.roles"],
        status: 0,
        stderr_contains: "no problems found",
    },
    ExitCase {
        name: "warnings are allowed",
        files: &[("a.roles", WARNING_ONLY)],
        args: &["check", "a.roles"],
        status: 0,
        stderr_contains: "empty-role",
    },
    ExitCase {
        name: "policy errors",
        files: &[("a.roles", TWO_ERRORS_ONE_WARNING)],
        args: &["check", "a.roles"],
        status: 1,
        stderr_contains: "escalation",
    },
    ExitCase {
        name: "policy errors in build",
        files: &[("a.roles", TWO_ERRORS_ONE_WARNING)],
        args: &["build", "a.roles"],
        status: 1,
        stderr_contains: "escalation",
    },
    ExitCase {
        name: "catalog errors",
        files: &[("a.roles", CLEAN), ("broken.yaml", BROKEN_CATALOG)],
        args: &["check", "--catalog", "broken.yaml", "a.roles"],
        status: 1,
        stderr_contains: "invalid-catalog",
    },
    ExitCase {
        name: "catalog errors in build",
        files: &[("a.roles", CLEAN), ("broken.yaml", BROKEN_CATALOG)],
        args: &["build", "--catalog", "broken.yaml", "a.roles"],
        status: 1,
        stderr_contains: "broken.yaml",
    },
    ExitCase {
        name: "bad flag",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--no-such-flag", "a.roles"],
        status: 2,
        stderr_contains: "--no-such-flag",
    },
    ExitCase {
        name: "bad --format value",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--format", "xml", "a.roles"],
        status: 2,
        stderr_contains: "xml",
    },
    ExitCase {
        name: "bad --color value",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--color", "sometimes", "a.roles"],
        status: 2,
        stderr_contains: "sometimes",
    },
    ExitCase {
        name: "unknown subcommand",
        files: &[("a.roles", CLEAN)],
        args: &["compile", "a.roles"],
        status: 2,
        stderr_contains: "compile",
    },
    ExitCase {
        name: "missing path",
        files: &[("a.roles", CLEAN)],
        args: &["check", "a.roles", "missing.roles"],
        status: 2,
        stderr_contains: "missing.roles",
    },
    ExitCase {
        name: "missing folder in build",
        files: &[("a.roles", CLEAN)],
        args: &["build", "nowhere/"],
        status: 2,
        stderr_contains: "nowhere",
    },
    ExitCase {
        name: "a path through a file",
        files: &[("a.roles", CLEAN)],
        args: &["check", "a.roles/b.roles"],
        status: 2,
        stderr_contains: "a.roles/b.roles",
    },
    ExitCase {
        name: "missing --catalog file",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--catalog", "missing.yaml", "a.roles"],
        status: 2,
        stderr_contains: "missing.yaml",
    },
    ExitCase {
        name: "no sources: no path, no rolec.yaml, no policies/",
        files: &[],
        args: &["check"],
        status: 2,
        stderr_contains: "no sources",
    },
    ExitCase {
        name: "no sources in build",
        files: &[],
        args: &["build"],
        status: 2,
        stderr_contains: "no sources",
    },
    ExitCase {
        name: "no sources: `sources:` in rolec.yaml is empty",
        files: &[("rolec.yaml", "sources: []\n"), ("policies/a.roles", CLEAN)],
        args: &["check"],
        status: 2,
        stderr_contains: "no sources",
    },
    ExitCase {
        name: "`sources:` in rolec.yaml names a missing folder",
        files: &[
            ("rolec.yaml", "sources: [gone]\n"),
            ("policies/a.roles", CLEAN),
        ],
        args: &["check"],
        status: 2,
        stderr_contains: "gone",
    },
    ExitCase {
        name: "an empty folder",
        files: &[("empty/", "")],
        args: &["check", "empty"],
        status: 2,
        stderr_contains: "empty",
    },
    ExitCase {
        name: "an empty policies/ folder",
        files: &[("policies/", "")],
        args: &["check"],
        status: 2,
        stderr_contains: "policies",
    },
    ExitCase {
        name: "a folder with no .roles file",
        files: &[("notes/readme.txt", "author Administrator\n")],
        args: &["check", "notes"],
        status: 2,
        stderr_contains: "notes",
    },
    ExitCase {
        name: "--max-author names an unknown role",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--max-author", "Nobody", "a.roles"],
        status: 2,
        stderr_contains: "Nobody",
    },
    ExitCase {
        name: "--max-author names a custom role",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--max-author", "Clean", "a.roles"],
        status: 2,
        stderr_contains: "Clean",
    },
    ExitCase {
        name: "--max-author names a built-in",
        files: &[("a.roles", CLEAN)],
        args: &["check", "--max-author", "Administrator", "a.roles"],
        status: 0,
        stderr_contains: "no problems found",
    },
    ExitCase {
        name: "rolec.yaml with an unknown key",
        files: &[("rolec.yaml", "soruces: [team]\n"), ("team/a.roles", CLEAN)],
        args: &["check"],
        status: 2,
        stderr_contains: "did you mean `sources`",
    },
    ExitCase {
        name: "rolec.yaml with an unknown key, paths given",
        files: &[("rolec.yaml", "max_autor: Owner\n"), ("a.roles", CLEAN)],
        args: &["check", "a.roles"],
        status: 2,
        stderr_contains: "did you mean `max_author`",
    },
];

#[test]
fn exit_statuses() {
    let mut failures = Vec::new();
    for case in EXIT_CASES {
        let dir = project(case.files);
        let run = rolec(dir.path(), case.args);
        if run.status != Some(case.status) || !run.stderr.contains(case.stderr_contains) {
            failures.push(format!(
                "{}: `rolec {}` expected status {} and stderr containing {:?}, got {}",
                case.name,
                case.args.join(" "),
                case.status,
                case.stderr_contains,
                run.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A path that exists but cannot be read is exit status 2. Tests often run as root, which
/// reads a mode-000 file anyway: the test finds out by trying to read the file after the
/// `chmod`, and only then skips (there is nothing unreadable to test with).
#[cfg(unix)]
#[test]
fn unreadable_path_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;

    let dir = project(&[("a.roles", CLEAN), ("team/b.roles", CLEAN)]);
    let locked = dir.path().join("team/b.roles");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: a mode-000 file is still readable here (running as root)");
        return;
    }
    for args in [
        &["check", "team/b.roles"][..],
        &["check", "team"],
        &["build", "team"],
    ] {
        let run = rolec(dir.path(), args);
        assert_eq!(
            run.status,
            Some(2),
            "rolec {}: {}",
            args.join(" "),
            run.describe()
        );
        assert!(run.stderr.contains("b.roles"), "{}", run.describe());
    }
}

// ---------------------------------------------------------------------------------------
// Default discovery and rolec.yaml (sections 1 and 4)

struct ProjectCase {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    status: i32,
    /// The codes of the `--format json` report, in order, with their severities.
    diagnostics: &'static [(&'static str, &'static str)],
}

const PROJECT_CASES: &[ProjectCase] = &[
    ProjectCase {
        name: "no path: policies/ is used",
        files: &[("policies/a.roles", TWO_ERRORS_ONE_WARNING)],
        args: &["check", "--format", "json"],
        status: 1,
        diagnostics: &[
            ("escalation", "error"),
            ("unknown-permission", "error"),
            ("empty-role", "warning"),
        ],
    },
    ProjectCase {
        name: "no path: clean policies/",
        files: &[("policies/a.roles", CLEAN)],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "sources: in rolec.yaml replaces policies/",
        files: &[
            ("rolec.yaml", "sources: [team, extra.roles]\n"),
            ("policies/broken.roles", TWO_ERRORS_ONE_WARNING),
            ("team/a.roles", CLEAN),
            ("extra.roles", "author Administrator\nrole Extra < +crm >\n"),
        ],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "paths on the command line replace sources:",
        files: &[
            ("rolec.yaml", "sources: [broken]\n"),
            ("broken/a.roles", TWO_ERRORS_ONE_WARNING),
            ("good/a.roles", CLEAN),
        ],
        args: &["check", "--format", "json", "good"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "no author anywhere",
        files: &[("policies/a.roles", "role A copies User < -crm >\n")],
        args: &["check", "--format", "json"],
        status: 1,
        diagnostics: &[("missing-author", "error")],
    },
    ProjectCase {
        name: "author: in rolec.yaml",
        files: &[
            ("rolec.yaml", "author: Administrator\n"),
            ("policies/a.roles", "role A copies User < -crm >\n"),
        ],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "author: in rolec.yaml is checked like --author",
        files: &[
            ("rolec.yaml", "author: User\n"),
            ("policies/a.roles", "role A copies User < -crm >\n"),
        ],
        args: &["check", "--format", "json"],
        status: 1,
        diagnostics: &[("author-cannot-manage-roles", "error")],
    },
    ProjectCase {
        name: "--author flag",
        files: &[("policies/a.roles", "role A copies User < -crm >\n")],
        args: &["check", "--format", "json", "--author", "Administrator"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "no ceiling: author Owner is fine",
        files: &[(
            "policies/a.roles",
            "author Owner\nrole A copies Owner < -manage_user_passwords >\n",
        )],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "max_author: in rolec.yaml",
        files: &[
            ("rolec.yaml", "max_author: Administrator\n"),
            (
                "policies/a.roles",
                "author Owner\nrole A copies Owner < -manage_user_passwords >\n",
            ),
        ],
        args: &["check", "--format", "json"],
        status: 1,
        diagnostics: &[("author-above-ceiling", "error")],
    },
    ProjectCase {
        name: "--max-author flag",
        files: &[(
            "policies/a.roles",
            "author Owner\nrole A copies Owner < -manage_user_passwords >\n",
        )],
        args: &["check", "--format", "json", "--max-author", "Administrator"],
        status: 1,
        diagnostics: &[("author-above-ceiling", "error")],
    },
    ProjectCase {
        name: "max_author: allows lower authors",
        files: &[
            ("rolec.yaml", "max_author: Administrator\n"),
            ("policies/a.roles", CLEAN),
        ],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "lints: default level of empty-role is warn",
        files: &[("policies/a.roles", WARNING_ONLY)],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[("empty-role", "warning")],
    },
    ProjectCase {
        name: "lints: empty-role deny",
        files: &[
            ("rolec.yaml", "lints: {empty-role: deny}\n"),
            ("policies/a.roles", WARNING_ONLY),
        ],
        args: &["check", "--format", "json"],
        status: 1,
        diagnostics: &[("empty-role", "error")],
    },
    ProjectCase {
        name: "lints: empty-role allow",
        files: &[
            ("rolec.yaml", "lints:\n  empty-role: allow\n"),
            ("policies/a.roles", WARNING_ONLY),
        ],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "lints: redundant-grant is allowed by default",
        files: &[(
            "policies/a.roles",
            "author Administrator\nrole A copies User < +crm -webhooks >\n",
        )],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[],
    },
    ProjectCase {
        name: "lints: redundant-grant warn",
        files: &[
            ("rolec.yaml", "lints: {redundant-grant: warn}\n"),
            (
                "policies/a.roles",
                "author Administrator\nrole A copies User < +crm -webhooks >\n",
            ),
        ],
        args: &["check", "--format", "json"],
        status: 0,
        diagnostics: &[("redundant-grant", "warning")],
    },
    ProjectCase {
        name: "--deny-warnings",
        files: &[("policies/a.roles", WARNING_ONLY)],
        args: &["check", "--format", "json", "--deny-warnings"],
        status: 1,
        diagnostics: &[("empty-role", "error")],
    },
];

#[test]
fn discovery_and_settings() {
    let mut failures = Vec::new();
    for case in PROJECT_CASES {
        let dir = project(case.files);
        let run = rolec(dir.path(), case.args);
        let report: Option<Value> = serde_json::from_slice(&run.stdout).ok();
        let diagnostics: Option<Vec<(String, String)>> = report.as_ref().and_then(|report| {
            report["diagnostics"].as_array().map(|diagnostics| {
                diagnostics
                    .iter()
                    .map(|d| {
                        (
                            d["code"].as_str().unwrap_or_default().to_string(),
                            d["severity"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
        });
        let expected: Vec<(String, String)> = case
            .diagnostics
            .iter()
            .map(|&(code, severity)| (code.to_string(), severity.to_string()))
            .collect();
        if run.status != Some(case.status) || diagnostics.as_ref() != Some(&expected) {
            failures.push(format!(
                "{}: `rolec {}` expected status {} and {:?}, got {}",
                case.name,
                case.args.join(" "),
                case.status,
                expected,
                run.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `sources:` decides which files make up the artifact: those of `team/`, not `policies/`.
#[test]
fn sources_in_rolec_yaml_feed_the_build() {
    let dir = project(&[
        ("rolec.yaml", "sources:\n  - team\n"),
        (
            "policies/other.roles",
            "author Administrator\nrole Other < +crm >\n",
        ),
        ("team/a.roles", CLEAN),
    ]);
    let run = rolec(dir.path(), &["build"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    assert_eq!(
        role_names(&artifact),
        ["Guest", "User", "Administrator", "Owner", "Clean"]
    );
    assert_eq!(
        artifact_role(&artifact, "Clean")["source"]["file"],
        "team/a.roles"
    );
}

/// A folder is searched recursively for `*.roles`; hidden files and folders are skipped,
/// other files ignored (each of the skipped ones would be an error if it were read).
#[test]
fn folders_are_searched_recursively_skipping_hidden_and_other_files() {
    let broken = TWO_ERRORS_ONE_WARNING;
    let dir = project(&[
        ("pol/a.roles", "author Administrator\nrole A < +crm >\n"),
        (
            "pol/sub/deep/b.roles",
            "author Administrator\nrole B < +mail >\n",
        ),
        ("pol/.hidden.roles", broken),
        ("pol/.git/c.roles", broken),
        ("pol/sub/.cache/d.roles", broken),
        ("pol/notes.txt", broken),
        ("pol/e.roles.bak", broken),
        ("pol/README.md", broken),
        ("pol/roles", broken),
    ]);
    let run = rolec(dir.path(), &["build", "pol"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    assert_eq!(
        role_names(&artifact),
        ["Guest", "User", "Administrator", "Owner", "A", "B"]
    );
    assert_eq!(
        artifact_role(&artifact, "A")["source"]["file"],
        "pol/a.roles"
    );
    assert_eq!(
        artifact_role(&artifact, "B")["source"]["file"],
        "pol/sub/deep/b.roles"
    );
}

/// A file named on the command line is compiled whatever its extension.
#[test]
fn a_named_file_is_taken_whatever_its_extension() {
    let dir = project(&[
        (
            "policy.txt",
            "author Administrator\nrole FromText < +crm >\n",
        ),
        ("noextension", "author Administrator\nrole Bare < +mail >\n"),
    ]);
    let run = rolec(dir.path(), &["build", "policy.txt", "noextension"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    assert_eq!(
        artifact_role(&artifact, "FromText")["source"]["file"],
        "policy.txt"
    );
    assert_eq!(
        artifact_role(&artifact, "Bare")["source"]["file"],
        "noextension"
    );
}

/// The same file reached twice — named twice, by two spellings, or by its folder and by
/// name — is compiled once: no `duplicate-role`.
#[test]
fn the_same_file_given_twice_is_compiled_once() {
    let dir = project(&[
        ("a.roles", "author Administrator\nrole A < +crm >\n"),
        ("pol/b.roles", "author Administrator\nrole B < +mail >\n"),
    ]);
    let table: &[(&[&str], &[&str])] = &[
        (&["a.roles", "a.roles"], &["A"]),
        (&["a.roles", "./a.roles"], &["A"]),
        (&["pol", "pol/b.roles"], &["B"]),
        (&["pol/b.roles", "pol"], &["B"]),
        (&["pol", "pol"], &["B"]),
        (&["pol", "./pol/", "a.roles", "pol/b.roles"], &["A", "B"]),
    ];
    for &(paths, roles) in table {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(paths);
        let run = rolec(dir.path(), &args);
        assert_eq!(run.status, Some(0), "{paths:?}: {}", run.describe());
        assert_eq!(
            diagnostic_codes(&run.stdout_json()),
            Vec::<String>::new(),
            "{paths:?}"
        );
        let mut args = vec!["build"];
        args.extend_from_slice(paths);
        let run = rolec(dir.path(), &args);
        assert_eq!(run.status, Some(0), "{paths:?}: {}", run.describe());
        let names = role_names(&run.stdout_json());
        assert_eq!(names[4..], *roles, "{paths:?}");
    }
}

// ---------------------------------------------------------------------------------------
// --format json (section 4)

const DIAGNOSTIC_KEYS: [&str; 9] = [
    "code",
    "column",
    "end_column",
    "end_line",
    "file",
    "help",
    "line",
    "message",
    "severity",
];

/// Checks the shape of a `--format json` report and that its counts match its diagnostics.
fn assert_json_report_shape(report: &Value) {
    let object = report.as_object().expect("the report is a JSON object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["diagnostics", "errors", "warnings"], "{report}");
    let diagnostics = report["diagnostics"].as_array().expect("an array");
    let mut errors = 0;
    let mut warnings = 0;
    for diagnostic in diagnostics {
        let mut keys: Vec<&str> = diagnostic
            .as_object()
            .expect("each diagnostic is an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, DIAGNOSTIC_KEYS, "{diagnostic}");
        match diagnostic["severity"].as_str() {
            Some("error") => errors += 1,
            Some("warning") => warnings += 1,
            other => panic!("severity {other:?} in {diagnostic}"),
        }
        for key in ["code", "message", "file"] {
            assert!(diagnostic[key].is_string(), "{key} in {diagnostic}");
        }
        for key in ["line", "column"] {
            assert!(
                diagnostic[key].as_u64().is_some_and(|n| n >= 1),
                "{key} in {diagnostic}"
            );
        }
        for key in ["end_line", "end_column"] {
            assert!(
                diagnostic[key].is_null() || diagnostic[key].as_u64().is_some_and(|n| n >= 1),
                "{key} in {diagnostic}"
            );
        }
        assert!(
            diagnostic["help"].is_null() || diagnostic["help"].is_string(),
            "help in {diagnostic}"
        );
    }
    assert_eq!(report["errors"], errors, "{report}");
    assert_eq!(report["warnings"], warnings, "{report}");
}

#[test]
fn check_json_goes_to_stdout_with_the_contract_shape() {
    let dir = project(&[("a.roles", TWO_ERRORS_ONE_WARNING)]);
    let run = rolec(dir.path(), &["check", "--format", "json", "a.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let report = run.stdout_json();
    assert_json_report_shape(&report);
    assert_eq!(report["errors"], 2);
    assert_eq!(report["warnings"], 1);
    // In position order (the report's own order is not part of the contract).
    let mut positions: Vec<(String, String, String, u64, u64)> = report["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("escalation", "error", "a.roles", 2, 22),
        ("unknown-permission", "error", "a.roles", 2, 41),
        ("empty-role", "warning", "a.roles", 3, 6),
    ];
    positions.sort_by_key(|(_, _, _, line, column)| (*line, *column));
    assert_eq!(
        positions,
        expected.map(|(c, s, f, l, col)| (c.into(), s.into(), f.into(), l, col)),
    );
    let escalation = report["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == "escalation"))
        .expect("the escalation");
    assert!(
        escalation["message"]
            .as_str()
            .is_some_and(|m| m.contains("mail_private_all")),
        "{escalation}"
    );
}

#[test]
fn clean_check_json_is_an_empty_report() {
    let dir = project(&[("a.roles", CLEAN)]);
    let run = rolec(dir.path(), &["check", "--format", "json", "a.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let report = run.stdout_json();
    assert_json_report_shape(&report);
    assert_eq!(
        report,
        serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0})
    );
}

/// `file` is the path as given or found: relative stays relative, `/`-separated.
#[test]
fn json_file_is_the_path_as_given_or_found() {
    let dir = project(&[("pol/sub/a.roles", WARNING_ONLY)]);
    let absolute = dir.path().join("pol").to_string_lossy().into_owned();
    let absolute_file = format!("{absolute}/sub/a.roles");
    let table: &[(&str, &str)] = &[
        ("pol", "pol/sub/a.roles"),
        ("pol/", "pol/sub/a.roles"),
        ("pol/sub", "pol/sub/a.roles"),
        ("pol/sub/a.roles", "pol/sub/a.roles"),
        ("./pol", "./pol/sub/a.roles"),
        (&absolute, &absolute_file),
    ];
    for &(given, file) in table {
        let run = rolec(dir.path(), &["check", "--format", "json", given]);
        assert_eq!(run.status, Some(0), "{given}: {}", run.describe());
        let report = run.stdout_json();
        assert_json_report_shape(&report);
        assert_eq!(report["diagnostics"][0]["file"], file, "given {given}");
    }
}

/// Section 4 lists four formats. Each is accepted (exit 0 clean, 1 with errors, never 2),
/// and `json` and `sarif` print one JSON document on stdout for `check` (a SARIF log
/// carries its results in `runs`).
#[test]
fn every_documented_format_is_accepted() {
    let dir = project(&[("good.roles", CLEAN), ("bad.roles", TWO_ERRORS_ONE_WARNING)]);
    let mut failures = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        for (file, status) in [("good.roles", 0), ("bad.roles", 1)] {
            let run = rolec(dir.path(), &["check", "--format", format, file]);
            let document: Option<Value> = serde_json::from_slice(&run.stdout).ok();
            let stdout_ok = match format {
                "json" => document.is_some_and(|d| d["diagnostics"].is_array()),
                "sarif" => document.is_some_and(|d| d["runs"].is_array()),
                _ => true,
            };
            if run.status != Some(status) || !stdout_ok {
                failures.push(format!(
                    "`rolec check --format {format} {file}`: expected status {status}{}, got {}",
                    if stdout_ok {
                        ""
                    } else {
                        " and a JSON document on stdout"
                    },
                    run.describe()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `build --format json`: the report goes to stderr, leaving stdout to the artifact.
#[test]
fn build_json_diagnostics_go_to_stderr() {
    let dir = project(&[
        ("bad.roles", TWO_ERRORS_ONE_WARNING),
        ("warn.roles", WARNING_ONLY),
    ]);

    let run = rolec(dir.path(), &["build", "--format", "json", "bad.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stdout.is_empty(), "{}", run.describe());
    let report = run.stderr_json();
    assert_json_report_shape(&report);
    assert_eq!(report["errors"], 2);

    let run = rolec(dir.path(), &["build", "--format", "json", "warn.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout_json()["schema"], "rolec.artifact/v1");
    let report = run.stderr_json();
    assert_json_report_shape(&report);
    assert_eq!(diagnostic_codes(&report), ["empty-role"]);
}

/// `--deny-warnings`: a warning fails the run, and `build` writes no artifact.
#[test]
fn deny_warnings_fails_on_a_warning_and_writes_no_artifact() {
    let dir = project(&[("warn.roles", WARNING_ONLY), ("out/", "")]);
    let run = rolec(dir.path(), &["check", "--deny-warnings", "warn.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());

    let run = rolec(dir.path(), &["build", "--deny-warnings", "warn.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stdout.is_empty(), "{}", run.describe());

    let run = rolec(
        dir.path(),
        &[
            "build",
            "--deny-warnings",
            "warn.roles",
            "-o",
            "out/artifact.json",
        ],
    );
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert_eq!(
        folder_listing(&dir.path().join("out")),
        Vec::<String>::new()
    );

    let run = rolec(
        dir.path(),
        &["build", "warn.roles", "-o", "out/artifact.json"],
    );
    assert_eq!(
        run.status,
        Some(0),
        "without --deny-warnings: {}",
        run.describe()
    );
}

// ---------------------------------------------------------------------------------------
// build and -o (section 4)

#[test]
fn build_writes_the_artifact_to_stdout_or_to_the_output_file() {
    let dir = project(&[("a.roles", CLEAN), ("out/", "")]);
    let to_stdout = rolec(dir.path(), &["build", "a.roles"]);
    assert_eq!(to_stdout.status, Some(0), "{}", to_stdout.describe());
    assert_eq!(to_stdout.stdout_json()["schema"], "rolec.artifact/v1");

    for flag in ["-o", "--output"] {
        let target = format!("out/artifact{flag}.json");
        let run = rolec(dir.path(), &["build", "a.roles", flag, &target]);
        assert_eq!(run.status, Some(0), "{}", run.describe());
        assert!(run.stdout.is_empty(), "{flag}: {}", run.describe());
        let written = std::fs::read(dir.path().join(&target)).expect("the artifact is written");
        assert_eq!(written, to_stdout.stdout, "{flag}: same bytes as on stdout");
    }
}

/// A build that fails for any reason leaves FILE byte-for-byte as it was, and leaves no
/// temporary file beside it.
#[test]
fn a_failing_build_leaves_the_output_file_unchanged() {
    let sentinel = b"previous artifact \xff\x00 kept as is\n";
    let failing: &[(&str, &[&str])] = &[
        ("policy errors", &["bad.roles"]),
        ("warnings denied", &["--deny-warnings", "warn.roles"]),
        ("broken catalog", &["--catalog", "broken.yaml", "a.roles"]),
        ("missing path", &["missing.roles"]),
        ("bad flag", &["a.roles", "--format", "json", "--nope"]),
    ];
    for &(name, args) in failing {
        let dir = project(&[
            ("a.roles", CLEAN),
            ("bad.roles", TWO_ERRORS_ONE_WARNING),
            ("warn.roles", WARNING_ONLY),
            ("broken.yaml", BROKEN_CATALOG),
        ]);
        write_file(dir.path(), "out/artifact.json", sentinel);
        let mut all_args = vec!["build", "-o", "out/artifact.json"];
        all_args.extend_from_slice(args);
        let run = rolec(dir.path(), &all_args);
        assert!(
            matches!(run.status, Some(1 | 2)),
            "{name}: {}",
            run.describe()
        );
        assert!(run.stdout.is_empty(), "{name}: {}", run.describe());
        let kept = std::fs::read(dir.path().join("out/artifact.json")).expect("still there");
        assert_eq!(kept, sentinel, "{name}: the previous artifact changed");
        assert_eq!(
            folder_listing(&dir.path().join("out")),
            ["artifact.json"],
            "{name}: stray files beside the artifact"
        );
    }
}

#[test]
fn a_successful_build_replaces_the_output_file() {
    let dir = project(&[("a.roles", CLEAN)]);
    write_file(dir.path(), "out/artifact.json", b"old artifact\n");
    let run = rolec(dir.path(), &["build", "a.roles", "-o", "out/artifact.json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let written = std::fs::read(dir.path().join("out/artifact.json")).expect("written");
    let expected = rolec(dir.path(), &["build", "a.roles"]).stdout;
    assert_eq!(written, expected);
    assert_eq!(folder_listing(&dir.path().join("out")), ["artifact.json"]);
}

/// The artifact is written to its file as it is rendered: a file that cannot be created is
/// exit status 2 naming it, and nothing is left behind; a read-only folder likewise.
#[test]
fn an_unwritable_output_is_a_usage_error_and_leaves_nothing() {
    let dir = project(&[("a.roles", CLEAN)]);
    let run = rolec(
        dir.path(),
        &["build", "a.roles", "-o", "missing/artifact.json"],
    );
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("cannot write `missing/artifact.json`"),
        "{}",
        run.describe()
    );
    assert!(!dir.path().join("missing").exists());
    assert_eq!(folder_listing(dir.path()), ["a.roles"]);
}

// ---------------------------------------------------------------------------------------
// Determinism (section 5)

#[test]
fn the_artifact_does_not_depend_on_order_of_paths_or_the_run() {
    let dir = project(&[
        (
            "pol/a.roles",
            "author Administrator\n@doc(\"first\") role Zed copies User < -crm >\nrole Mid inherits Zed, Alpha < +insight >\n",
        ),
        (
            "pol/b.roles",
            "author Administrator\nrole Alpha < +@communication -mail +crm >\nassert Mid can mail crm insight\n",
        ),
        (
            "pol/nested/c.roles",
            "author Administrator\nrole \"Team Admin\" copies Administrator < -billing >\n",
        ),
        (
            "pol/nested/d.roles",
            "author \"Team Admin\"\nrole Delegated copies User < +insight -webhooks >\n",
        ),
    ]);
    let orders: &[&[&str]] = &[
        &["pol"],
        &["pol/"],
        &["pol/a.roles", "pol/b.roles", "pol/nested"],
        &["pol/nested", "pol/b.roles", "pol/a.roles"],
        &[
            "pol/nested/d.roles",
            "pol/b.roles",
            "pol/nested/c.roles",
            "pol/a.roles",
        ],
        &[
            "pol/a.roles",
            "pol/b.roles",
            "pol/nested/c.roles",
            "pol/nested/d.roles",
        ],
    ];
    let first = rolec(dir.path(), &["build", "pol"]);
    assert_eq!(first.status, Some(0), "{}", first.describe());
    assert_eq!(role_names(&first.stdout_json()).len(), 4 + 5);
    for paths in orders {
        for _ in 0..2 {
            let mut args = vec!["build"];
            args.extend_from_slice(paths);
            let run = rolec(dir.path(), &args);
            assert_eq!(run.status, Some(0), "{paths:?}: {}", run.describe());
            assert!(
                run.stdout == first.stdout,
                "{paths:?}: the artifact differs"
            );
        }
    }
    // The same through `-o`.
    let run = rolec(
        dir.path(),
        &[
            "build",
            "pol/b.roles",
            "pol/nested",
            "pol/a.roles",
            "-o",
            "artifact.json",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(std::fs::read(dir.path().join("artifact.json")).expect("written") == first.stdout);
}

/// Two files, `a b` and `b a`: the smallest form of the order rule.
#[test]
fn two_files_in_either_order_give_the_same_bytes() {
    let dir = project(&[
        ("a.roles", "author Administrator\nrole B < +crm >\n"),
        ("b.roles", "author Administrator\nrole A < +mail >\n"),
    ]);
    let forward = rolec(dir.path(), &["build", "a.roles", "b.roles"]);
    let backward = rolec(dir.path(), &["build", "b.roles", "a.roles"]);
    assert_eq!(forward.status, Some(0), "{}", forward.describe());
    assert_eq!(backward.status, Some(0), "{}", backward.describe());
    assert!(forward.stdout == backward.stdout, "the artifacts differ");
}

// ---------------------------------------------------------------------------------------
// The artifact's shape (section 5)

#[test]
fn artifact_catalog_has_every_permission_and_group_in_order() {
    let dir = project(&[("a.roles", CLEAN)]);
    let run = rolec(dir.path(), &["build", "a.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    let mut keys: Vec<&str> = artifact
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["catalog", "roles", "schema"]);
    assert_eq!(artifact["schema"], "rolec.artifact/v1");
    assert_eq!(artifact["catalog"]["name"], "intum");

    let permissions = artifact["catalog"]["permissions"]
        .as_array()
        .expect("array");
    let names: Vec<&str> = permissions
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, CATALOG_PERMISSIONS);
    for permission in permissions {
        assert!(permission["group"].is_string(), "{permission}");
        assert!(
            permission["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{permission}"
        );
    }
    assert_eq!(
        permissions[0],
        serde_json::json!({"name": "profile", "group": "basic", "description": "Access to own profile"})
    );

    let groups: Vec<(&str, bool)> = artifact["catalog"]["groups"]
        .as_array()
        .expect("array")
        .iter()
        .map(|g| {
            assert!(g["title"].is_string(), "{g}");
            (
                g["name"].as_str().unwrap_or_default(),
                g["sensitive"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(groups, CATALOG_GROUPS);
}

#[test]
fn artifact_builtins_come_first_in_catalog_order() {
    let dir = project(&[("a.roles", "author Administrator\nrole AAA < +crm >\n")]);
    let run = rolec(dir.path(), &["build", "a.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();
    let roles = artifact["roles"].as_array().expect("array");
    for (role, (name, count)) in roles.iter().zip(BUILTIN_PERMISSION_COUNTS) {
        assert_eq!(role["name"], name);
        assert_eq!(role["builtin"], true, "{name}");
        assert!(role["author"].is_null(), "{name}");
        assert!(role["source"].is_null(), "{name}");
        assert!(role["base"].is_null(), "{name}");
        assert_eq!(role["annotations"], serde_json::json!({}), "{name}");
        assert_eq!(
            string_list(&role["permissions"]),
            CATALOG_PERMISSIONS[..count],
            "{name}"
        );
    }
    assert_eq!(roles[4]["name"], "AAA");
    assert_eq!(roles[4]["builtin"], false);
}

#[test]
fn artifact_custom_roles_are_in_byte_order_of_names() {
    let dir = project(&[(
        "a.roles",
        "author Administrator\n\
         role \"Ärger\" < +crm >\n\
         role alpha < +crm >\n\
         role Zeta < +crm >\n\
         role _x < +crm >\n\
         role \"Beta Team\" < +crm >\n\
         role Beta < +crm >\n\
         role \"zz\" < +crm >\n\
         role \"Émile\" < +crm >\n",
    )]);
    let run = rolec(dir.path(), &["build", "a.roles"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let names = role_names(&run.stdout_json());
    // Byte order of the UTF-8 names: uppercase ASCII, `_`, lowercase ASCII, then
    // `Ä` (C3 84) before `É` (C3 89) — not case-insensitive, not locale order.
    let expected = [
        "Beta",
        "Beta Team",
        "Zeta",
        "_x",
        "alpha",
        "zz",
        "Ärger",
        "Émile",
    ];
    let mut sorted = expected;
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(sorted, expected, "the expectation itself is in byte order");
    let mut all = vec!["Guest", "User", "Administrator", "Owner"];
    all.extend(expected);
    assert_eq!(names, all);
}

#[test]
fn artifact_custom_role_fields() {
    let dir = project(&[(
        "pol/team.roles",
        "author Administrator\n\
         \n\
         @doc(\"żółw\") role X < +webhooks +crm +profile +crm >\n\
         \t@doc(\"Leads sales\")\n\
         \t@owner(\"sales@example.com\")\n\
         \trole \"Sales Lead\" copies User < +payments -webhooks >\n\
         role Both inherits X, \"Sales Lead\" < +insight >\n",
    )]);
    let run = rolec(dir.path(), &["build", "pol"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let artifact = run.stdout_json();

    // The column is counted in characters: `@doc("żółw") ` is 13 characters, 16 bytes.
    let x = artifact_role(&artifact, "X");
    assert_eq!(x["builtin"], false);
    assert_eq!(x["author"], "Administrator");
    assert_eq!(
        x["source"],
        serde_json::json!({"file": "pol/team.roles", "line": 3, "column": 14})
    );
    assert!(x["base"].is_null());
    assert_eq!(x["annotations"], serde_json::json!({"doc": "żółw"}));
    assert_eq!(
        string_list(&x["permissions"]),
        ["profile", "crm", "webhooks"],
        "catalog order, no duplicates"
    );

    let lead = artifact_role(&artifact, "Sales Lead");
    assert_eq!(
        lead["source"],
        serde_json::json!({"file": "pol/team.roles", "line": 6, "column": 2})
    );
    assert_eq!(
        lead["base"],
        serde_json::json!({"kind": "copies", "roles": ["User"]})
    );
    assert_eq!(
        lead["annotations"],
        serde_json::json!({"doc": "Leads sales", "owner": "sales@example.com"})
    );
    let expected: Vec<&str> = CATALOG_PERMISSIONS[..51]
        .iter()
        .copied()
        .filter(|&p| p != "webhooks")
        .collect();
    assert_eq!(string_list(&lead["permissions"]), expected);

    let both = artifact_role(&artifact, "Both");
    assert_eq!(both["base"]["kind"], "inherits");
    let mut parents = string_list(&both["base"]["roles"]);
    parents.sort();
    assert_eq!(parents, ["Sales Lead", "X"]);
    assert_eq!(both["source"]["line"], 7);
    assert_eq!(both["source"]["column"], 1);
    // The union of both parents is all of User (X brings `webhooks` back), plus `insight`.
    let mut expected: Vec<&str> = CATALOG_PERMISSIONS[..51].to_vec();
    expected.push("insight");
    assert_eq!(string_list(&both["permissions"]), expected);
}

/// Every role of an artifact lists its permissions in catalog order without duplicates,
/// including roles built from overlapping groups and parents.
#[test]
fn artifact_permissions_follow_catalog_order_without_duplicates() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = project(&[(
        "a.roles",
        "author Owner\n\
         role P < +mail_private_all +@owner_only +noe/widgets +@basic +profile +roles >\n\
         role Q copies Guest < +@communication -mail +@crm_and_sales >\n\
         role R inherits P, Q, Guest < +crm +accept_kb_comments >\n",
    )]);
    for (root, args) in [
        (dir.path(), &["build", "a.roles"][..]),
        (repository, &["build", "policies"]),
    ] {
        let run = rolec(root, args);
        assert_eq!(run.status, Some(0), "{args:?}: {}", run.describe());
        let artifact = run.stdout_json();
        for role in artifact["roles"].as_array().expect("array") {
            let positions: Vec<usize> = string_list(&role["permissions"])
                .iter()
                .map(|p| {
                    CATALOG_PERMISSIONS
                        .iter()
                        .position(|known| known == p)
                        .unwrap_or_else(|| panic!("unknown permission {p} in {role}"))
                })
                .collect();
            assert!(
                positions.windows(2).all(|pair| pair[0] < pair[1]),
                "not in catalog order or duplicated: {role}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// rolec catalog (section 1.1)

/// `rolec catalog` prints YAML that `--catalog` accepts back with the same meaning: the
/// artifact built with it is the artifact built with the embedded catalog.
#[test]
fn catalog_round_trips_through_catalog_flag() {
    let dir = project(&[(
        "pol/a.roles",
        "author Administrator\nrole Comms copies Guest < +@communication -mail >\nrole Lead copies Administrator < -billing >\n",
    )]);
    let printed = rolec(dir.path(), &["catalog"]);
    assert_eq!(printed.status, Some(0), "{}", printed.describe());
    assert!(!printed.stdout.is_empty());
    write_file(dir.path(), "catalog.yaml", &printed.stdout);

    let embedded = rolec(dir.path(), &["build", "pol"]);
    let from_file = rolec(dir.path(), &["build", "--catalog", "catalog.yaml", "pol"]);
    assert_eq!(embedded.status, Some(0), "{}", embedded.describe());
    assert_eq!(from_file.status, Some(0), "{}", from_file.describe());
    assert_eq!(from_file.stdout_json(), embedded.stdout_json());
    assert!(
        from_file.stdout == embedded.stdout,
        "artifacts differ in bytes"
    );

    // And printing the printed catalog gives it back.
    let again = rolec(dir.path(), &["catalog", "--catalog", "catalog.yaml"]);
    assert_eq!(again.status, Some(0), "{}", again.describe());
    assert!(
        again.stdout == printed.stdout,
        "the catalog changed on the way back"
    );
}

#[test]
fn catalog_with_a_broken_file_exits_1() {
    // Not YAML at all; and valid YAML with one permission in an undeclared group.
    let unknown_group = "name: x\n\
                         role_management: roles\n\
                         groups:\n  \
                           - { name: basic, title: Basic, sensitive: false }\n\
                         permissions:\n  \
                           - { name: roles, group: basic, description: Roles }\n  \
                           - { name: extra, group: nosuch, description: Extra }\n\
                         builtins:\n  \
                           - name: Admin\n    \
                             permissions: [roles]\n";
    let dir = project(&[
        ("broken.yaml", BROKEN_CATALOG),
        ("unknown-group.yaml", unknown_group),
        ("a.roles", "author Admin\nrole A < +roles >\n"),
    ]);
    let table = [("broken.yaml", 2, "["), ("unknown-group.yaml", 7, "nosuch")];
    for (file, line, mentions) in table {
        let run = rolec(dir.path(), &["catalog", "--catalog", file]);
        assert_eq!(run.status, Some(1), "{file}: {}", run.describe());
        assert!(run.stdout.is_empty(), "{file}: {}", run.describe());
        assert!(run.stderr.contains("invalid-catalog"), "{}", run.describe());
        assert!(run.stderr.contains(file), "{}", run.describe());

        // The error has the YAML file's line and column (section 1.1).
        let run = rolec(
            dir.path(),
            &["check", "--format", "json", "--catalog", file, "a.roles"],
        );
        assert_eq!(run.status, Some(1), "{file}: {}", run.describe());
        let report = run.stdout_json();
        assert_json_report_shape(&report);
        let found = report["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .any(|d| {
                d["code"] == "invalid-catalog"
                    && d["file"] == file
                    && d["line"] == line
                    && d["message"].as_str().is_some_and(|m| m.contains(mentions))
            });
        assert!(found, "{file}: no invalid-catalog at line {line}: {report}");
    }
}

// ---------------------------------------------------------------------------------------
// Human output and --color (section 4)

#[test]
fn human_output_goes_to_stderr_and_ends_with_a_count() {
    let table: &[(&str, i32, &[&str])] = &[
        (CLEAN, 0, &["no problems found"]),
        (WARNING_ONLY, 0, &["1 warning"]),
        (TWO_ERRORS_ONE_WARNING, 1, &["2 errors", "1 warning"]),
    ];
    for &(text, status, count) in table {
        let dir = project(&[("a.roles", text)]);
        let run = rolec(dir.path(), &["check", "--color", "never", "a.roles"]);
        assert_eq!(run.status, Some(status), "{}", run.describe());
        assert!(run.stdout.is_empty(), "{}", run.describe());
        let last = run
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        for part in count {
            assert!(last.contains(part), "last line {last:?} lacks {part:?}");
        }
    }
    let dir = project(&[("a.roles", TWO_ERRORS_ONE_WARNING)]);
    let run = rolec(dir.path(), &["check", "--color", "never", "a.roles"]);
    for expected in ["escalation", "unknown-permission", "empty-role", "a.roles"] {
        assert!(
            run.stderr.contains(expected),
            "{expected}: {}",
            run.describe()
        );
    }
}

#[test]
fn color_always_and_never() {
    let dir = project(&[("a.roles", TWO_ERRORS_ONE_WARNING)]);
    for command in ["check", "build"] {
        let always = rolec(dir.path(), &[command, "--color", "always", "a.roles"]);
        assert_eq!(always.status, Some(1), "{}", always.describe());
        assert!(
            always.stderr.contains("\u{1b}["),
            "{command}: no ANSI escape"
        );

        let never = rolec(dir.path(), &[command, "--color", "never", "a.roles"]);
        assert_eq!(never.status, Some(1), "{}", never.describe());
        assert!(
            !never.stderr.contains('\u{1b}'),
            "{command}: an escape with never"
        );

        // JSON is never colored.
        let json = rolec(
            dir.path(),
            &[command, "--color", "always", "--format", "json", "a.roles"],
        );
        assert_eq!(json.status, Some(1), "{}", json.describe());
        assert!(!json.stdout.contains(&0x1b), "{command}: an escape in JSON");
        if command == "build" {
            json.stderr_json();
        }

        // auto: stderr is a pipe here, so no color.
        let auto = rolec(dir.path(), &[command, "--color", "auto", "a.roles"]);
        assert!(
            !auto.stderr.contains('\u{1b}'),
            "{command}: an escape on a pipe"
        );
    }
}

// ---------------------------------------------------------------------------------------
// explain and lints

#[test]
fn explain_and_lints() {
    let dir = project::<&str>(&[]);
    let run = rolec(dir.path(), &["explain", "escalation"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(
        run.stdout_text().contains("escalation"),
        "{}",
        run.describe()
    );

    let run = rolec(dir.path(), &["explain", "empty-role"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(
        run.stdout_text().contains("empty-role"),
        "{}",
        run.describe()
    );

    let run = rolec(dir.path(), &["explain", "nosuch"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(run.stdout.is_empty(), "{}", run.describe());
    assert!(run.stderr.contains("nosuch"), "{}", run.describe());

    let run = rolec(dir.path(), &["lints"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let text = run.stdout_text();
    let lints = [
        ("ineffective-revoke", "warn"),
        ("overridden-edit", "warn"),
        ("redundant-grant", "allow"),
        ("empty-role", "warn"),
        ("same-as-base", "warn"),
    ];
    for (lint, level) in lints {
        let line = text
            .lines()
            .find(|line| line.split_whitespace().next() == Some(lint))
            .unwrap_or_else(|| panic!("`rolec lints` does not list {lint}:\n{text}"));
        assert!(
            line.split_whitespace().any(|word| word == level),
            "{lint} is not `{level}`: {line}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The repository's own example policies

#[test]
fn the_example_policies_check_clean() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = rolec(repository, &["check", "--format", "json", "policies"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout_json(),
        serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0})
    );
    let run = rolec(repository, &["check", "--color", "never", "policies"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stderr.trim(), "no problems found");
    let run = rolec(repository, &["check", "--deny-warnings"]);
    assert_eq!(run.status, Some(0), "default discovery: {}", run.describe());
}

/// The examples teach: every file starts (after its comments) with `author`.
#[test]
fn the_example_policies_start_with_author() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![repository.join("policies")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read policies/") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "roles") {
                files += 1;
                let text = std::fs::read_to_string(&path).expect("read a policy");
                let first = text
                    .lines()
                    .map(str::trim)
                    .find(|line| !line.is_empty() && !line.starts_with('#'))
                    .unwrap_or("");
                assert!(first.starts_with("author "), "{}: {first}", path.display());
            }
        }
    }
    assert!(files >= 4, "expected several example files, found {files}");
}

// ---------------------------------------------------------------------------------------
// Input robustness

#[test]
fn invalid_utf8_is_a_syntax_error_naming_the_file() {
    let dir = project(&[("good.roles", CLEAN)]);
    write_file(
        dir.path(),
        "bad.roles",
        b"author Administrator\nrole Q < +cr\xffm >\n",
    );
    let run = rolec(
        dir.path(),
        &["check", "--format", "json", "good.roles", "bad.roles"],
    );
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let report = run.stdout_json();
    assert_json_report_shape(&report);
    let syntax: Vec<&Value> = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "syntax")
        .collect();
    assert_eq!(syntax.len(), 1, "{report}");
    assert_eq!(syntax[0]["file"], "bad.roles");

    let run = rolec(dir.path(), &["check", "--color", "never", "bad.roles"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("bad.roles"), "{}", run.describe());
    assert!(run.stderr.contains("syntax"), "{}", run.describe());
}

/// A 20,000-role `copies` chain, defined forwards and backwards, builds without
/// overflowing the stack. A sanity check of the result only, no timing.
#[test]
fn a_deep_copy_chain_builds() {
    const DEPTH: usize = 20_000;
    // Each link flips `crm`, so no role equals its base (no `same-as-base` warning).
    let link = |index: usize| {
        let edit = if index % 2 == 0 { "-crm" } else { "+crm" };
        match index {
            0 => format!("role R0 copies User < {edit} >\n"),
            _ => format!("role R{index} copies R{} < {edit} >\n", index - 1),
        }
    };
    let forward: String = (0..DEPTH).map(link).collect();
    let backward: String = (0..DEPTH).rev().map(link).collect();
    let dir = project(&[
        (
            "forward/chain.roles",
            &format!("author Administrator\n{forward}"),
        ),
        (
            "backward/chain.roles",
            &format!("author Administrator\n{backward}"),
        ),
    ]);
    for folder in ["forward", "backward"] {
        let run = rolec(dir.path(), &["build", "--format", "json", folder]);
        assert_eq!(
            run.status,
            Some(0),
            "{folder}: status {:?}\n{}",
            run.status,
            run.stderr
        );
        let artifact = run.stdout_json();
        assert_eq!(artifact["roles"].as_array().map(Vec::len), Some(4 + DEPTH));
        let last = artifact_role(&artifact, &format!("R{}", DEPTH - 1));
        assert_eq!(
            string_list(&last["permissions"]),
            CATALOG_PERMISSIONS[..51],
            "{folder}"
        );
        let first = artifact_role(&artifact, "R0");
        assert!(!string_list(&first["permissions"]).contains(&"crm".to_string()));
        assert_eq!(
            run.stderr_json()["errors"],
            0,
            "{folder}: {}",
            &run.stderr[..run.stderr.len().min(2000)]
        );
    }
}
