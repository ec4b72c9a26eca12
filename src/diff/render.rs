//! The [`Diff`] printed: for a terminal ([`human`]), a pull-request comment ([`markdown`]) or
//! a machine ([`json`]). Names come from artifacts, which may be untrusted files: the human
//! and Markdown outputs print every one through [`visible`].

use std::fmt::Write as _;

use serde::Serialize;

use super::{CatalogDiff, Change, Changed, Diff, PermissionChange, RoleDiff};
use crate::artifact::ArtifactBase;
use crate::names::visible;

/// The schema identifier of `rolec diff --format json`.
pub const DIFF_SCHEMA: &str = "rolec.diff/v1";

/// `copies User`, `inherits A, B`, `no base`.
fn describe_base(base: &Option<ArtifactBase>, quote: fn(&str) -> String) -> String {
    match base {
        None => "no base".into(),
        Some(base) => {
            let roles: Vec<String> = base.roles.iter().map(|r| quote(r)).collect();
            format!("{} {}", base.kind, roles.join(", "))
        }
    }
}

fn backticked(text: &str) -> String {
    format!("`{}`", visible(text))
}

/// The summary line: how many roles changed, and the sensitive gains.
pub(super) fn summary(diff: &Diff) -> String {
    if diff.is_empty() {
        return "no changes to roles or the catalog".into();
    }
    let count = |change| diff.roles.iter().filter(|r| r.change == change).count();
    let mut parts = Vec::new();
    for (change, word) in [
        (Change::Added, "added"),
        (Change::Removed, "removed"),
        (Change::Renamed, "renamed"),
        (Change::Changed, "changed"),
    ] {
        let n = count(change);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let roles = diff.roles.len();
    let mut line = if roles == 0 {
        "no role changed".to_string()
    } else {
        format!(
            "{roles} {} ({})",
            if roles == 1 { "role" } else { "roles" },
            parts.join(", ")
        )
    };
    if !diff.catalog.is_empty() {
        line.push_str("; the catalog changed");
    }
    match diff.sensitive_gains {
        0 => line.push_str("; no sensitive permission gained"),
        1 => line.push_str("; 1 sensitive permission gained"),
        n => {
            let _ = write!(line, "; {n} sensitive permissions gained");
        }
    }
    match diff.unmarked_sensitive_groups.len() {
        0 => {}
        1 => line.push_str("; 1 group no longer sensitive"),
        n => {
            let _ = write!(line, "; {n} groups no longer sensitive");
        }
    }
    line
}

/// How a sensitive gain is marked after the permission: its group, and for a permission
/// moved out of a sensitive group, the group it left.
fn sensitive_note(permission: &PermissionChange, quote: fn(&str) -> String) -> String {
    match permission.sensitive_group.as_deref() {
        Some(left) if left != permission.group => {
            format!("{}, moved to {}", quote(left), quote(&permission.group))
        }
        _ => quote(&permission.group),
    }
}

fn role_heading(role: &RoleDiff, quote: fn(&str) -> String) -> String {
    let kind = if role.builtin {
        "built-in role"
    } else {
        "role"
    };
    let name = quote(&role.name);
    match role.change {
        Change::Added => format!("added {kind} {name}"),
        Change::Removed => format!("removed {kind} {name}"),
        Change::Changed => format!("changed {kind} {name}"),
        Change::Renamed => format!(
            "renamed {kind} {} to {name}",
            quote(role.renamed_from.as_deref().unwrap_or(""))
        ),
    }
}

/// Facts about a role other than its permissions, one per line: base, author, annotations.
fn role_facts(role: &RoleDiff, quote: fn(&str) -> String) -> Vec<String> {
    let mut facts = Vec::new();
    let author = |author: &Option<String>| author.as_deref().map_or("none".into(), quote);
    match role.change {
        Change::Added | Change::Removed => {
            let side = |changed: &Changed<Option<ArtifactBase>>| {
                if role.change == Change::Added {
                    changed.after.clone()
                } else {
                    changed.before.clone()
                }
            };
            if let Some(base) = &role.base {
                facts.push(format!("base: {}", describe_base(&side(base), quote)));
            }
            if let Some(changed) = &role.author {
                let value = if role.change == Change::Added {
                    &changed.after
                } else {
                    &changed.before
                };
                facts.push(format!("author: {}", author(value)));
            }
        }
        Change::Changed | Change::Renamed => {
            if let Some(base) = &role.base {
                facts.push(format!(
                    "base: {} → {}",
                    describe_base(&base.before, quote),
                    describe_base(&base.after, quote)
                ));
            }
            if let Some(changed) = &role.author {
                facts.push(format!(
                    "author: {} → {}",
                    author(&changed.before),
                    author(&changed.after)
                ));
            }
        }
    }
    for annotation in &role.annotations {
        let value = |v: &Option<String>| v.as_deref().map_or("none".into(), quote);
        let key = quote(&format!("@{}", annotation.key));
        facts.push(match role.change {
            Change::Added => format!("annotation {key}: {}", value(&annotation.after)),
            Change::Removed => format!("annotation {key}: {}", value(&annotation.before)),
            Change::Changed | Change::Renamed => format!(
                "annotation {key}: {} → {}",
                value(&annotation.before),
                value(&annotation.after)
            ),
        });
    }
    facts
}

/// Catalog changes, one per line.
fn catalog_lines(catalog: &CatalogDiff, quote: fn(&str) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    // `A → B` for a changed value.
    let arrow =
        |change: &Changed<String>| format!("{} → {}", quote(&change.before), quote(&change.after));
    if let Some(name) = &catalog.name {
        lines.push(format!("catalog renamed {}", arrow(name)));
    }
    let sensitive = |s: bool| if s { " (sensitive)" } else { "" };
    for group in &catalog.groups_added {
        let name = quote(&group.name);
        lines.push(format!("added group {name}{}", sensitive(group.sensitive)));
    }
    for group in &catalog.groups_removed {
        lines.push(format!("removed group {}", quote(&group.name)));
    }
    for group in &catalog.groups_changed {
        let name = quote(&group.name);
        if let Some(change) = &group.sensitive {
            let now = if change.after {
                "now sensitive"
            } else {
                "no longer sensitive"
            };
            lines.push(format!("group {name} is {now}"));
        }
        if let Some(title) = &group.title {
            lines.push(format!("group {name} retitled {}", arrow(title)));
        }
    }
    for permission in &catalog.permissions_added {
        let (name, group) = (quote(&permission.name), quote(&permission.group));
        lines.push(format!("added permission {name} in group {group}"));
    }
    for permission in &catalog.permissions_removed {
        lines.push(format!("removed permission {}", quote(&permission.name)));
    }
    for permission in &catalog.permissions_changed {
        let name = quote(&permission.name);
        if let Some(group) = &permission.group {
            let (from, to) = (quote(&group.before), quote(&group.after));
            lines.push(format!("permission {name} moved from group {from} to {to}"));
        }
        if permission.description.is_some() {
            lines.push(format!("permission {name} has a new description"));
        }
    }
    lines
}

/// The diff for a terminal: one block per role, `+` for a gain (`!` marks a sensitive one),
/// `-` for a loss, then the catalog's changes and a summary line. With `color`, gains are
/// green, sensitive ones bold red, losses red (ANSI escapes, for a terminal).
pub fn human(diff: &Diff, base_label: &str, head_label: &str, color: bool) -> String {
    let paint = |code: &str, text: String| match color {
        true => format!("\x1b[{code}m{text}\x1b[0m"),
        false => text,
    };
    let mut out = format!(
        "rolec diff {} → {}\n",
        visible(base_label),
        visible(head_label)
    );
    for role in &diff.roles {
        let _ = writeln!(out, "\n{}", role_heading(role, backticked));
        for fact in role_facts(role, backticked) {
            let _ = writeln!(out, "    {fact}");
        }
        for permission in &role.gained {
            let name = visible(&permission.name);
            if permission.sensitive {
                let note = sensitive_note(permission, visible);
                let line = paint("1;31", format!("  + {name}  ! sensitive ({note})"));
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(out, "{}", paint("32", format!("  + {name}")));
            }
        }
        if role.change == Change::Removed {
            let count = role.lost.len();
            let _ = writeln!(
                out,
                "    held {count} permission{}",
                if count == 1 { "" } else { "s" }
            );
        } else {
            for permission in &role.lost {
                let line = paint("31", format!("  - {}", visible(&permission.name)));
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let catalog = catalog_lines(&diff.catalog, backticked);
    if !catalog.is_empty() {
        out.push_str("\ncatalog\n");
        for line in catalog {
            let _ = writeln!(out, "    {line}");
        }
    }
    let _ = writeln!(out, "\n{}", summary(diff));
    out
}

/// `text` as a Markdown code span that survives any content and table cells: a fence longer
/// than any run of backticks in it, and `|` escaped.
pub fn markdown_code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        visible(text).replace('|', "\\|")
    )
}

/// The diff as a pull-request comment: a heading with the summary, a table of roles, the
/// sensitive gains in bold with a warning sign, and the catalog's changes in a list.
pub fn markdown(diff: &Diff, base_label: &str, head_label: &str) -> String {
    let mut out = format!(
        "### rolec diff: {} → {}\n\n",
        markdown_code(base_label),
        markdown_code(head_label)
    );
    if diff.is_sensitive() {
        let _ = writeln!(out, "> [!WARNING]\n> **{}**\n", summary(diff));
    } else {
        let _ = writeln!(out, "{}\n", summary(diff));
    }
    if !diff.roles.is_empty() {
        out.push_str("| role | change | gains | losses |\n| --- | --- | --- | --- |\n");
        for role in &diff.roles {
            let change = match role.change {
                Change::Added => "added".to_string(),
                Change::Removed => "removed".to_string(),
                Change::Changed => "changed".to_string(),
                Change::Renamed => format!(
                    "renamed from {}",
                    markdown_code(role.renamed_from.as_deref().unwrap_or(""))
                ),
            };
            let mut details = vec![change];
            if role.builtin {
                details.push("built-in".into());
            }
            details.extend(role_facts(role, markdown_code));
            let gains: Vec<String> = role
                .gained
                .iter()
                .map(|p| {
                    if p.sensitive {
                        format!(
                            "⚠️ **{}** (sensitive: {})",
                            markdown_code(&p.name),
                            sensitive_note(p, markdown_code)
                        )
                    } else {
                        markdown_code(&p.name)
                    }
                })
                .collect();
            let losses = if role.change == Change::Removed {
                format!("all ({})", role.lost.len())
            } else {
                role.lost
                    .iter()
                    .map(|p| markdown_code(&p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                markdown_code(&role.name),
                details.join("<br>"),
                gains.join(", "),
                losses
            );
        }
        out.push('\n');
    }
    let catalog = catalog_lines(&diff.catalog, markdown_code);
    if !catalog.is_empty() {
        out.push_str("**Catalog**\n\n");
        for line in catalog {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    out
}

/// The document `json` prints; its JSON Schema is `rolec schema diff` (`crate::schema`).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct JsonDiff<'a> {
    #[cfg_attr(feature = "schema", schemars(extend("const" = DIFF_SCHEMA)))]
    schema: &'static str,
    base: &'a str,
    head: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
}

/// The diff as one JSON document (`"schema": "rolec.diff/v1"`), ending with a newline.
pub fn json(diff: &Diff, base_label: &str, head_label: &str) -> String {
    let document = JsonDiff {
        schema: DIFF_SCHEMA,
        base: base_label,
        head: head_label,
        diff,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of catalog change, each on its line, between two catalogs compared.
    #[test]
    fn catalog_changes_are_listed_one_per_line() {
        use crate::artifact::{ArtifactCatalog, ArtifactGroup, ArtifactPermission};
        let catalog = |name: &str, groups: &[(&str, &str, bool)], permissions: &[[&str; 3]]| {
            ArtifactCatalog {
                name: name.into(),
                groups: groups
                    .iter()
                    .map(|&(name, title, sensitive)| ArtifactGroup {
                        name: name.into(),
                        title: title.into(),
                        sensitive,
                    })
                    .collect(),
                permissions: permissions
                    .iter()
                    .map(|[name, group, description]| ArtifactPermission {
                        name: (*name).into(),
                        group: (*group).into(),
                        description: (*description).into(),
                    })
                    .collect(),
            }
        };
        let base = catalog(
            "old",
            &[("a", "A", false), ("gone", "G", false)],
            &[["p", "a", "P"], ["q", "a", "Q"], ["lost", "a", "L"]],
        );
        let head = catalog(
            "new",
            &[("a", "A2", true), ("b", "B", true)],
            &[["p", "b", "P"], ["q", "a", "Q2"], ["r", "b", "R"]],
        );
        let diff = super::super::catalog_diff(&base, &head);
        assert_eq!(
            catalog_lines(&diff, backticked),
            [
                "catalog renamed `old` → `new`",
                "added group `b` (sensitive)",
                "removed group `gone`",
                "group `a` is now sensitive",
                "group `a` retitled `A` → `A2`",
                "added permission `r` in group `b`",
                "removed permission `lost`",
                "permission `p` moved from group `a` to `b`",
                "permission `q` has a new description",
            ]
        );
    }

    #[test]
    fn markdown_code_spans_survive_backticks_and_pipes() {
        assert_eq!(markdown_code("a"), "`a`");
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
    }
}
