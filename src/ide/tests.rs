//! The workspace against the compiler, and its queries at offsets.

use std::path::{Path, PathBuf};

use super::*;
use crate::compile::{compile, CompileOptions, InputFile};

const SALES: &str = "author Administrator\n\n@doc(\"Leads the sales team\")\nrole \"Sales Lead\" copies User < +crm -webhooks >\nrole Auditor < +reports >\n";
const MARKETING: &str =
    "author Administrator\nrole Marketer inherits \"Sales Lead\" < +mail >\nassert \"Sales Lead\" can crm\n";

/// A project folder with `policies/` holding `files`.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    (dir, root)
}

/// The byte offset of the `nth` occurrence (0-based) of `needle` in the text of `path`,
/// plus `shift`.
fn offset_of(workspace: &Workspace, path: &Path, needle: &str, nth: usize, shift: usize) -> usize {
    let text = workspace.text(path).unwrap();
    text.match_indices(needle).nth(nth).unwrap().0 + shift
}

fn codes(workspace: &mut Workspace, path: &Path) -> Vec<&'static str> {
    workspace
        .diagnostics()
        .into_iter()
        .find(|report| report.path == path)
        .map(|report| report.diagnostics.iter().map(|d| d.code.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn the_workspace_reports_what_check_reports() {
    let broken = "author Administrator\nrole B copies \"Sales Led\" < +crm +webhook -@owner_only >\nrole C < +mail_private_all >\nrole D inherits User < -crm >\n";
    let files = [
        ("policies/a.roles", SALES),
        ("policies/b.roles", broken),
        ("policies/c.roles", MARKETING),
    ];
    let (_dir, root) = project(&files);
    let mut workspace = Workspace::new(&root);
    let reported: Vec<(String, String, usize, usize)> = workspace
        .diagnostics()
        .into_iter()
        .flat_map(|report| {
            let name = report
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            report.diagnostics.into_iter().map(move |d| {
                let span = d.span.unwrap();
                (name.clone(), d.message, span.start, span.end)
            })
        })
        .collect();
    let inputs = files
        .iter()
        .map(|(path, text)| InputFile::new(*path, text.as_bytes()))
        .collect();
    let compilation = compile(None, inputs, &CompileOptions::default()).unwrap();
    let checked: Vec<(String, String, usize, usize)> = compilation
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.unwrap();
            let path = &compilation.sources.get(span.file).unwrap().path;
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, d.message.clone(), span.start, span.end)
        })
        .collect();
    assert!(checked.len() >= 4, "{checked:?}");
    assert_eq!(reported, checked);
}

#[test]
fn an_edit_in_one_file_changes_the_diagnostics_of_another() {
    let (_dir, root) = project(&[("policies/a.roles", SALES), ("policies/b.roles", MARKETING)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let b = root.join("policies/b.roles");
    assert!(codes(&mut workspace, &b).is_empty());
    workspace.open(&a, SALES.replace("\"Sales Lead\"", "\"Sales Head\""));
    assert_eq!(codes(&mut workspace, &b), ["unknown-role", "unknown-role"]);
    // Closing the buffer goes back to the file on disk.
    workspace.close(&a);
    assert!(codes(&mut workspace, &b).is_empty());
    // An edit by byte range, as the editor sends it.
    workspace.open(&a, SALES.to_string());
    let at = offset_of(&workspace, &a, "Sales Lead", 0, 6);
    assert!(workspace.edit(&a, at..at + 4, "Boss"));
    assert_eq!(codes(&mut workspace, &b), ["unknown-role", "unknown-role"]);
}

#[test]
fn files_on_disk_and_settings_are_read_again() {
    let (_dir, root) = project(&[("policies/a.roles", SALES)]);
    let mut workspace = Workspace::new(&root);
    let b = root.join("policies/b.roles");
    std::fs::write(&b, "author Administrator\nrole X copies Nobody\n").unwrap();
    workspace.changed_on_disk(&b);
    assert_eq!(codes(&mut workspace, &b), ["unknown-role"]);
    std::fs::remove_file(&b).unwrap();
    workspace.changed_on_disk(&b);
    assert_eq!(workspace.paths().count(), 1);
    // A rolec.yaml that denies a lint, then a catalog of its own.
    let a = root.join("policies/a.roles");
    workspace.open(&a, "author Administrator\nrole E\n".into());
    assert_eq!(codes(&mut workspace, &a), ["empty-role"]);
    let config = root.join("rolec.yaml");
    std::fs::write(&config, "lints:\n  empty-role: allow\n").unwrap();
    workspace.changed_on_disk(&config);
    assert!(codes(&mut workspace, &a).is_empty());
    std::fs::write(&config, "lints:\n  empty-rol: allow\n").unwrap();
    workspace.changed_on_disk(&config);
    assert_eq!(codes(&mut workspace, &config), ["unknown-lint"]);
}

#[test]
fn definitions_and_references_cross_files() {
    let (_dir, root) = project(&[("policies/a.roles", SALES), ("policies/b.roles", MARKETING)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let b = root.join("policies/b.roles");
    let use_site = offset_of(&workspace, &b, "\"Sales Lead\"", 0, 3);
    let definition = workspace.definition(&b, use_site).unwrap();
    let def_start = offset_of(&workspace, &a, "\"Sales Lead\"", 0, 0);
    assert_eq!(definition.path, a);
    assert_eq!(
        definition.range,
        def_start..def_start + "\"Sales Lead\"".len()
    );
    let references = workspace.references(&b, use_site, true);
    let places: Vec<(bool, usize)> = references
        .iter()
        .map(|location| (location.path == a, location.range.start))
        .collect();
    let b_uses = [
        offset_of(&workspace, &b, "\"Sales Lead\"", 0, 0),
        offset_of(&workspace, &b, "\"Sales Lead\"", 1, 0),
    ];
    assert_eq!(
        places,
        [(true, def_start), (false, b_uses[0]), (false, b_uses[1])]
    );
    assert_eq!(workspace.references(&b, use_site, false).len(), 2);
    // A built-in of the embedded catalog has no place to go to.
    let user = offset_of(&workspace, &a, "User", 0, 1);
    assert_eq!(workspace.definition(&a, user), None);
    // References of a built-in.
    assert_eq!(workspace.references(&a, user, true).len(), 1);
}

#[test]
fn hover_tells_a_role_a_permission_and_a_group() {
    let text = "author Administrator\n@doc(\"Leads\")\nrole \"Sales Lead\" copies User < +crm -webhooks +@crm_and_sales >\n";
    let (_dir, root) = project(&[("policies/a.roles", text)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let role = workspace
        .hover(&a, offset_of(&workspace, &a, "Sales", 0, 0))
        .unwrap();
    for part in [
        "**Sales Lead** · custom role",
        "id `sales-lead`",
        "copies `User`",
        "author `Administrator`",
        "Leads",
        "`@crm_and_sales`",
        "`crm`",
    ] {
        assert!(role.markdown.contains(part), "{part}: {}", role.markdown);
    }
    assert!(!role.markdown.contains("`webhooks`"), "{}", role.markdown);
    let permission = workspace
        .hover(&a, offset_of(&workspace, &a, "webhooks", 0, 2))
        .unwrap();
    assert!(
        permission.markdown.contains("group:"),
        "{}",
        permission.markdown
    );
    assert!(
        permission.markdown.contains("sensitive: no"),
        "{}",
        permission.markdown
    );
    let group_at = offset_of(&workspace, &a, "@crm_and_sales", 0, 3);
    let group = workspace.hover(&a, group_at).unwrap();
    assert!(group.markdown.contains("members:"), "{}", group.markdown);
    assert_eq!(group.range.start, group_at - 3);
    let user = workspace
        .hover(&a, offset_of(&workspace, &a, "User", 0, 0))
        .unwrap();
    assert!(user.markdown.contains("built-in role"), "{}", user.markdown);
    assert_eq!(workspace.hover(&a, 0), None);
}

#[test]
fn rename_edits_every_file_and_keeps_the_id() {
    let (_dir, root) = project(&[("policies/a.roles", SALES), ("policies/b.roles", MARKETING)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let b = root.join("policies/b.roles");
    let at = offset_of(&workspace, &b, "Sales", 0, 0);
    let (range, name) = workspace.prepare_rename(&b, at).unwrap();
    assert_eq!((range.end - range.start, name.as_str()), (12, "Sales Lead"));
    let edits = workspace.rename(&b, at, "Sales Head").unwrap();
    let mut texts = Vec::new();
    for (path, mut list) in edits {
        let mut text = workspace.text(&path).unwrap().to_string();
        list.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
        for edit in list {
            text.replace_range(edit.range, &edit.new_text);
        }
        texts.push((path, text));
    }
    assert_eq!(texts.len(), 2);
    for (path, text) in &texts {
        assert!(!text.contains("Sales Lead\""), "{text}");
        workspace.change(path, text.clone());
    }
    let (_, renamed_a) = texts.iter().find(|(path, _)| *path == a).unwrap();
    assert!(
        renamed_a
            .contains("@id(\"sales-lead\")\n@doc(\"Leads the sales team\")\nrole \"Sales Head\""),
        "{renamed_a}"
    );
    assert!(codes(&mut workspace, &a).is_empty());
    assert!(codes(&mut workspace, &b).is_empty());
    // A bare name that may be bare stays bare; the same id needs no pin.
    let auditor = offset_of(&workspace, &a, "Auditor", 0, 0);
    let edits = workspace.rename(&a, auditor, "\"auditor\"").unwrap();
    assert_eq!(edits.len(), 1);
    let (_, list) = &edits[0];
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].new_text, "auditor");
}

#[test]
fn rename_refuses_built_ins_collisions_and_bad_names() {
    let (_dir, root) = project(&[("policies/a.roles", SALES), ("policies/b.roles", MARKETING)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let user = offset_of(&workspace, &a, "User", 0, 0);
    assert_eq!(workspace.prepare_rename(&a, user), None);
    assert!(workspace.rename(&a, user, "Member").is_err());
    let sales = offset_of(&workspace, &a, "Sales", 0, 0);
    for refused in [
        "administrator",
        "Marketer",
        "AUDITOR",
        "\" x\"",
        "a\u{200b}b",
        "\"open",
    ] {
        assert!(workspace.rename(&a, sales, refused).is_err(), "{refused}");
    }
    // Not on a role at all.
    let crm = offset_of(&workspace, &a, "crm", 0, 0);
    assert_eq!(workspace.prepare_rename(&a, crm), None);
}

#[test]
fn completion_offers_what_may_stand_there() {
    let (_dir, root) = project(&[("policies/a.roles", SALES)]);
    let mut workspace = Workspace::new(&root);
    let b = root.join("policies/b.roles");
    let labels = |workspace: &mut Workspace, text: &str| {
        let offset = text.find('|').unwrap();
        workspace.open(&b, text.replacen('|', "", 1));
        workspace
            .completion(&b, offset)
            .into_iter()
            .map(|item| (item.label, item.insert))
            .collect::<Vec<_>>()
    };
    let roles = labels(&mut workspace, "author Administrator\nrole X copies |");
    assert!(
        roles.contains(&("Sales Lead".into(), "\"Sales Lead\"".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("Owner".into(), "Owner".into())),
        "{roles:?}"
    );
    let targets = labels(&mut workspace, "author Administrator\nrole X < +we|");
    assert!(targets.contains(&("webhooks".into(), "webhooks".into())));
    assert!(targets.contains(&("@crm_and_sales".into(), "@crm_and_sales".into())));
    let groups = labels(&mut workspace, "author Administrator\nrole X < -@|");
    assert!(
        groups.iter().all(|(label, _)| label.starts_with('@')),
        "{groups:?}"
    );
    let asserted = labels(&mut workspace, "assert \"Sales Lead\" cannot |");
    assert!(asserted.iter().any(|(label, _)| label == "mail"));
    let keywords = labels(&mut workspace, "role X |");
    assert_eq!(
        keywords,
        [
            ("copies".into(), "copies".into()),
            ("inherits".into(), "inherits".into())
        ]
    );
    let item = {
        workspace.open(&b, "role X < +crm".into());
        workspace
            .completion(&b, 13)
            .into_iter()
            .find(|item| item.label == "crm")
            .unwrap()
    };
    assert_eq!(item.replace, 10..13);
    assert!(item.documentation.is_some() && item.detail.is_some());
}

#[test]
fn symbols_fixes_and_formatting() {
    let text = "author Administrator\n@doc(\"x\")\nrole \"Sales Lead\" copies User < +crm >\nrole B inherits Guest, User <\n  +webhok\n>\nrole C copies Sales_Lead\n";
    let (_dir, root) = project(&[("policies/a.roles", text)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let symbols = workspace.document_symbols(&a);
    let shown: Vec<(&str, Option<&str>, &str)> = symbols
        .iter()
        .map(|s| (s.name.as_str(), s.detail.as_deref(), &text[s.range.clone()]))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "Sales Lead",
                Some("copies User"),
                "@doc(\"x\")\nrole \"Sales Lead\" copies User < +crm >"
            ),
            (
                "B",
                Some("inherits Guest, User"),
                "role B inherits Guest, User <\n  +webhok\n>"
            ),
            ("C", Some("copies Sales_Lead"), "role C copies Sales_Lead"),
        ]
    );
    let fixes: Vec<(String, String)> = workspace
        .quick_fixes(&a, 0..text.len())
        .into_iter()
        .map(|fix| (text[fix.edit.range].to_string(), fix.edit.new_text))
        .collect();
    assert_eq!(
        fixes,
        [
            ("webhok".to_string(), "webhooks".to_string()),
            ("Sales_Lead".to_string(), "\"Sales Lead\"".to_string())
        ]
    );
    assert!(workspace.quick_fixes(&a, 0..5).is_empty());
    let formatted = workspace.format(&a).unwrap();
    assert!(
        formatted.contains("\n\n@doc(\"x\")\nrole \"Sales Lead\""),
        "{formatted}"
    );
    workspace.change(&a, formatted);
    assert_eq!(workspace.format(&a), None);
    workspace.change(&a, "role A <".into());
    assert_eq!(workspace.format(&a), None);
}

#[test]
fn a_file_from_outside_the_project_is_compiled_alone() {
    let (_dir, root) = project(&[("policies/a.roles", SALES)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    let outside = root.join("scratch/x.roles");
    // The same role again: no duplicate in the project's file.
    workspace.open(&outside, SALES.to_string());
    assert!(codes(&mut workspace, &a).is_empty());
    assert!(codes(&mut workspace, &outside).is_empty());
    workspace.open(
        &outside,
        "author Administrator\nrole Y copies \"Sales Lead\"\n".into(),
    );
    assert_eq!(codes(&mut workspace, &outside), ["unknown-role"]);
    workspace.close(&outside);
    assert_eq!(workspace.paths().count(), 1);
}

#[test]
fn queries_survive_any_offset_and_text() {
    let (_dir, root) = project(&[("policies/a.roles", SALES)]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    for text in [
        "",
        "role",
        "role \"Ż",
        "\u{0}\u{feff}@@<<>>\"",
        "assert X can @",
        "role A < +",
    ] {
        workspace.change(&a, text.to_string());
        for offset in 0..=text.len() + 2 {
            let _ = workspace.hover(&a, offset);
            let _ = workspace.completion(&a, offset);
            let _ = workspace.definition(&a, offset);
            let _ = workspace.references(&a, offset, true);
            let _ = workspace.prepare_rename(&a, offset);
            let _ = workspace.rename(&a, offset, "Z");
            let _ = workspace.quick_fixes(&a, offset..offset + 3);
            assert!(workspace.edit(&a, offset..offset, ""));
        }
        let _ = workspace.document_symbols(&a);
        let _ = workspace.format(&a);
    }
}

#[test]
fn an_unknown_author_in_the_settings_leaves_the_files_checked() {
    // `author: Nobody` stops `rolec check` (exit 2); in the editor the files are still
    // checked, as if `author:` were not set, and the problem is told apart.
    let (_dir, root) = project(&[
        ("rolec.yaml", "author: Nobody\n"),
        ("policies/a.roles", "role X copies User < +webhok >\n"),
    ]);
    let mut workspace = Workspace::new(&root);
    let a = root.join("policies/a.roles");
    assert_eq!(
        codes(&mut workspace, &a),
        ["missing-author", "unknown-permission"]
    );
}
