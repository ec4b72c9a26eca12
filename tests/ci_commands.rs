//! The commands made for CI, through the real binary, where a snapshot cannot say it: `fmt`
//! through a symbolic link and with file permissions, and `diff` between git revisions and
//! the working tree (what a change does to who can do what). Their other behaviours, and
//! `build --check`, are cases of `tests/cmd/{build-check,fmt,diff}` (see `tests/cli.rs`).
//!
//! Each test builds a throwaway project in a temporary folder (a git repository for `diff`)
//! and runs `rolec` in it.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{commit, project, repository, rolec, rolec_documents, write_file, Document};

/// A clean policy: compiles with no diagnostic at all.
const CLEAN: &str = "author Administrator\nrole Clean copies User < -webhooks >\n";

/// A policy with an error (`escalation`).
const ESCALATION: &str = "author Administrator\nrole X copies Owner\n";

fn read_file(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).expect("read a file")
}

// ---------------------------------------------------------------------------------------
// fmt

/// A policy in the canonical layout.
const FORMATTED: &str =
    "author Administrator # who\n\n@doc(\"x\")\nrole A copies User < -webhooks >\n";

/// The same policy, laid out otherwise.
const UNFORMATTED: &str =
    "author   Administrator # who\n@doc ( \"x\" ) role A\r\n  copies User<-webhooks>";

#[cfg(unix)]
#[test]
fn fmt_keeps_permissions_and_rewrites_through_symbolic_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("policies/shared/a.roles", UNFORMATTED)]);
    let target = dir.path().join("policies/shared/a.roles");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640))
        .expect("set permissions");
    std::os::unix::fs::symlink("shared/a.roles", dir.path().join("policies/link.roles"))
        .expect("create a link");
    let run = rolec(dir.path(), &["fmt"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(run.stdout_text(), "policies/link.roles\n");
    let link =
        std::fs::symlink_metadata(dir.path().join("policies/link.roles")).expect("read the link");
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(read_file(dir.path(), "policies/shared/a.roles"), FORMATTED);
    let mode = std::fs::metadata(&target)
        .expect("read the target")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

// ---------------------------------------------------------------------------------------
// diff

/// `rolec diff ARGS --format json`, which must succeed with `status` and print a diff
/// that follows its schema (`schemas/diff.schema.json`, checked by the harness).
fn diff_json(dir: &Path, args: &[&str], status: i32) -> serde_json::Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (run, documents) = rolec_documents(dir, &all);
    assert_eq!(run.status, Some(status), "{}", run.describe());
    assert_eq!(documents, [Document::Diff], "{}", run.describe());
    serde_json::from_str(&run.stdout_text()).unwrap_or_else(|e| panic!("{e}: {}", run.describe()))
}

/// `(name, change, renamed_from)` of every role of a JSON diff.
fn changes(diff: &serde_json::Value) -> Vec<(String, String, Option<String>)> {
    diff["roles"]
        .as_array()
        .expect("a roles array")
        .iter()
        .map(|role| {
            (
                role["name"].as_str().unwrap_or_default().to_string(),
                role["change"].as_str().unwrap_or_default().to_string(),
                role["renamed_from"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The names of the permissions a role of a JSON diff gained or lost (`which`), with a `!`
/// after sensitive ones.
fn permissions(diff: &serde_json::Value, role: &str, which: &str) -> Vec<String> {
    diff["roles"]
        .as_array()
        .expect("a roles array")
        .iter()
        .find(|r| r["name"] == role)
        .unwrap_or_else(|| panic!("no role `{role}` in {diff}"))[which]
        .as_array()
        .expect("a permission array")
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default();
            if p["sensitive"] == true {
                format!("{name}!")
            } else {
                name.to_string()
            }
        })
        .collect()
}

const SALES_BEFORE: &str = "author Administrator
role \"Sales Rep\" copies User < -webhooks >
role Old copies Guest < +crm >
role Gone < +mail >
";

const SALES_AFTER: &str = "author Administrator
role \"Sales Rep\" copies User < -webhooks -crm +billing >
@id(\"old\")
role New copies Guest < +crm >
@doc(\"reads reports\")
role Auditor < +reports +insight >
";

#[test]
fn diff_between_commits_shows_added_removed_renamed_and_changed_roles() {
    let dir = repository(&[("policies/sales.roles", SALES_BEFORE)]);
    commit(
        dir.path(),
        &[("policies/sales.roles", SALES_AFTER)],
        "second",
    );
    let diff = diff_json(dir.path(), &["HEAD~1", "HEAD"], 0);
    assert_eq!(diff["schema"], "rolec.diff/v1");
    assert_eq!(diff["base"], "HEAD~1");
    assert_eq!(diff["head"], "HEAD");
    assert_eq!(
        changes(&diff),
        [
            ("Auditor".into(), "added".into(), None),
            ("Gone".into(), "removed".into(), None),
            ("New".into(), "renamed".into(), Some("Old".into())),
            ("Sales Rep".into(), "changed".into(), None),
        ]
    );
    assert_eq!(
        permissions(&diff, "Auditor", "gained"),
        ["reports", "insight!"]
    );
    assert_eq!(permissions(&diff, "Gone", "lost"), ["mail"]);
    assert_eq!(permissions(&diff, "Sales Rep", "gained"), ["billing!"]);
    assert_eq!(permissions(&diff, "Sales Rep", "lost"), ["crm"]);
    assert_eq!(diff["sensitive_gains"], 2);
    assert_eq!(diff["catalog"]["permissions_added"], serde_json::json!([]));

    // The reverse diff swaps gains and losses.
    let reverse = diff_json(dir.path(), &["HEAD", "HEAD~1"], 0);
    assert_eq!(permissions(&reverse, "Sales Rep", "gained"), ["crm"]);
    assert_eq!(reverse["sensitive_gains"], 0);
}

#[test]
fn diff_head_defaults_to_the_working_tree() {
    let dir = repository(&[("policies/sales.roles", SALES_BEFORE)]);
    write_file(dir.path(), "policies/sales.roles", SALES_AFTER);
    let diff = diff_json(dir.path(), &["main"], 0);
    assert_eq!(diff["head"], "working tree");
    assert_eq!(changes(&diff).len(), 4);
    // A file added but not committed is part of the working tree.
    write_file(
        dir.path(),
        "policies/new.roles",
        "author Administrator\nrole Extra copies Guest\n",
    );
    let diff = diff_json(dir.path(), &["main"], 0);
    assert!(changes(&diff)
        .iter()
        .any(|(name, change, _)| name == "Extra" && change == "added"));
    // Nothing changed: an empty diff.
    let dir = repository(&[("policies/sales.roles", SALES_BEFORE)]);
    let run = rolec(dir.path(), &["diff", "main"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(
        run.stdout_text()
            .contains("no changes to roles or the catalog"),
        "{}",
        run.describe()
    );
}

#[test]
fn fail_on_sensitive_exits_1_only_for_a_sensitive_gain() {
    let dir = repository(&[("policies/sales.roles", SALES_BEFORE)]);
    write_file(dir.path(), "policies/sales.roles", SALES_AFTER);
    let run = rolec(dir.path(), &["diff", "HEAD", "--fail-on", "sensitive"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr
            .contains("2 permissions of sensitive groups gained (`--fail-on sensitive`)"),
        "{}",
        run.describe()
    );
    assert!(run
        .stdout_text()
        .contains("+ billing  ! sensitive (administrator_only)"));
    let run = rolec(dir.path(), &["diff", "HEAD"]);
    assert_eq!(run.status, Some(0), "without --fail-on: {}", run.describe());

    // Losing a sensitive permission, or gaining an ordinary one, passes.
    write_file(
        dir.path(),
        "policies/sales.roles",
        "author Administrator\nrole \"Sales Rep\" copies User\nrole Old copies Guest < +crm +mail >\n",
    );
    let run = rolec(dir.path(), &["diff", "HEAD", "--fail-on", "sensitive"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
}

#[test]
fn diff_human_and_markdown_outputs() {
    let dir = repository(&[("policies/sales.roles", SALES_BEFORE)]);
    write_file(dir.path(), "policies/sales.roles", SALES_AFTER);
    let run = rolec(dir.path(), &["diff", "HEAD"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout_text(),
        "rolec diff HEAD → working tree

added role `Auditor`
    base: no base
    author: `Administrator`
    annotation `@doc`: `reads reports`
  + reports
  + insight  ! sensitive (administrator_only)

removed role `Gone`
    base: no base
    author: `Administrator`
    held 1 permission

renamed role `Old` to `New`

changed role `Sales Rep`
  + billing  ! sensitive (administrator_only)
  - crm

4 roles (1 added, 1 removed, 1 renamed, 1 changed); 2 sensitive permissions gained
"
    );
    let run = rolec(dir.path(), &["diff", "HEAD", "--format", "markdown"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    assert!(run
        .stdout_text()
        .starts_with("### rolec diff: `HEAD` → `working tree`\n"));
    assert!(
        run.stdout_text().contains("> [!WARNING]\n"),
        "{}",
        run.stdout_text()
    );
    assert!(run.stdout_text().contains(
        "| `Sales Rep` | changed | ⚠️ **`billing`** (sensitive: `administrator_only`) | `crm` |\n"
    ), "{}", run.stdout_text());
    assert!(
        run.stdout_text()
            .contains("| `New` | renamed from `Old` |  |  |\n"),
        "{}",
        run.stdout_text()
    );

    // A format the diff cannot print is exit 2, naming those it can.
    let run = rolec(dir.path(), &["diff", "HEAD", "--format", "sarif"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("[possible values: human, markdown, json]"),
        "{}",
        run.describe()
    );
}

/// A catalog with two groups (one sensitive) and two built-in roles.
const CATALOG_BEFORE: &str = "name: shop
groups:
  - name: basic
    title: Basic
  - name: admin
    title: Admin
    sensitive: true
permissions:
  - name: profile
    group: basic
    description: Own profile
  - name: orders
    group: basic
    description: Orders
  - name: roles
    group: admin
    description: Role management
builtins:
  - name: Member
    permissions: [profile]
  - name: Boss
    inherits: [Member]
    permissions: [orders, roles]
role_management: roles
";

#[test]
fn diff_shows_a_catalog_change_and_the_built_ins_it_changes() {
    let catalog_before = CATALOG_BEFORE;
    let dir = repository(&[
        ("rolec.yaml", "catalog: catalog.yaml\nsources: [roles]\n"),
        ("catalog.yaml", catalog_before),
        (
            "roles/a.roles",
            "author Boss\nrole Clerk copies Member < +orders >\n",
        ),
    ]);
    // The next version: `refunds` is new and given to Member (so to Boss and to Clerk, which
    // copies Member), and `orders` moves to the sensitive group.
    let catalog_after = catalog_before
        .replace(
            "  - name: orders\n    group: basic",
            "  - name: orders\n    group: admin",
        )
        .replace(
            "  - name: roles\n",
            "  - name: refunds\n    group: basic\n    description: Refunds\n  - name: roles\n",
        )
        .replace("permissions: [profile]", "permissions: [profile, refunds]");
    commit(dir.path(), &[("catalog.yaml", &catalog_after)], "catalog");
    let diff = diff_json(dir.path(), &["HEAD~1", "HEAD"], 0);
    assert_eq!(
        changes(&diff),
        [
            ("Member".into(), "changed".into(), None),
            ("Boss".into(), "changed".into(), None),
            ("Clerk".into(), "changed".into(), None),
        ]
    );
    assert_eq!(diff["roles"][0]["builtin"], true);
    assert_eq!(permissions(&diff, "Member", "gained"), ["refunds"]);
    assert_eq!(permissions(&diff, "Clerk", "gained"), ["refunds"]);
    assert_eq!(diff["catalog"]["permissions_added"][0]["name"], "refunds");
    assert_eq!(diff["catalog"]["permissions_changed"][0]["name"], "orders");
    assert_eq!(
        diff["catalog"]["permissions_changed"][0]["group"],
        serde_json::json!({"before": "basic", "after": "admin"})
    );
    let run = rolec(dir.path(), &["diff", "HEAD~1", "HEAD"]);
    assert!(
        run.stdout_text()
            .contains("changed built-in role `Member`\n  + refunds\n"),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout_text()
            .contains("    permission `orders` moved from group `basic` to `admin`\n"),
        "{}",
        run.describe()
    );
}

#[test]
fn diff_reads_each_revision_with_its_own_settings_and_files() {
    // The first commit has no policies at all: every role of the second is added. Hidden
    // files and other extensions are skipped, as in a working tree.
    let dir = repository(&[("README.md", "nothing yet\n")]);
    commit(
        dir.path(),
        &[
            ("rolec.yaml", "sources: [roles]\nauthor: Administrator\n"),
            ("roles/a.roles", "role A copies Guest\n"),
            ("roles/.draft/b.roles", "role B copies Guest\n"),
            ("roles/notes.txt", "role C copies Guest\n"),
            ("policies/ignored.roles", "role D copies Guest\n"),
        ],
        "policies",
    );
    let diff = diff_json(dir.path(), &["HEAD~1", "HEAD"], 0);
    assert_eq!(changes(&diff), [("A".into(), "added".into(), None)]);

    // The project may live in a subfolder of the repository.
    let dir = repository(&[
        ("project/rolec.yaml", "author: Administrator\n"),
        ("project/policies/a.roles", "role A copies Guest\n"),
    ]);
    commit(
        dir.path(),
        &[("project/policies/a.roles", "role A copies Guest < +crm >\n")],
        "more",
    );
    let project = dir.path().join("project");
    let diff = diff_json(&project, &["HEAD~1"], 0);
    assert_eq!(permissions(&diff, "A", "gained"), ["crm"]);
}

#[test]
fn diff_problems_with_a_side() {
    let dir = repository(&[("policies/a.roles", CLEAN)]);
    // A side with errors: its diagnostics, exit status 1.
    write_file(dir.path(), "policies/a.roles", ESCALATION);
    let run = rolec(dir.path(), &["diff", "HEAD"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    assert!(
        run.stderr
            .contains("the policies of `working tree` have errors"),
        "{}",
        run.describe()
    );
    assert!(run.stderr.contains("escalation"), "{}", run.describe());
    assert_eq!(run.stdout_text(), "");

    // Neither a path nor a revision; a JSON file that is not an artifact: exit status 2.
    let run = rolec(dir.path(), &["diff", "nosuch"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("`nosuch` is not a file, a folder or a git revision"),
        "{}",
        run.describe()
    );
    write_file(dir.path(), "other.json", "{\"schema\": \"something/v2\"}");
    let run = rolec(dir.path(), &["diff", "other.json", "HEAD"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("`other.json` is not a rolec artifact"),
        "{}",
        run.describe()
    );

    // Outside a git repository, a revision cannot be read.
    let plain = project(&[("policies/a.roles", CLEAN)]);
    let run = rolec(plain.path(), &["diff", "main"]);
    assert_eq!(run.status, Some(2), "{}", run.describe());
}
