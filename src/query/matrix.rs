//! `rolec matrix`: every permission (rows, grouped by catalog group, sensitive groups marked)
//! against every role (columns, in artifact order), for a terminal, Markdown, CSV, JSON, or a
//! self-contained HTML page (no network: styles and script inline).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Policies, RoleRef};
use crate::artifact::{ArtifactGroup, ArtifactPermission, ArtifactRole};
use crate::names::visible;

/// The matrix: the roles chosen, and each group's permissions with who holds them.
pub struct Matrix<'a> {
    pub roles: Vec<&'a ArtifactRole>,
    pub groups: Vec<MatrixGroup<'a>>,
}

/// A group of the catalog and its permissions (in catalog order).
pub struct MatrixGroup<'a> {
    pub group: &'a ArtifactGroup,
    pub rows: Vec<MatrixRow<'a>>,
}

/// One permission: for each role of the matrix, whether it holds it.
pub struct MatrixRow<'a> {
    pub permission: &'a ArtifactPermission,
    pub held: Vec<bool>,
}

/// The matrix of `roles` (in artifact order).
pub fn matrix<'a>(policies: &Policies<'a>, roles: Vec<&'a ArtifactRole>) -> Matrix<'a> {
    let artifact = policies.artifact;
    let groups = artifact
        .catalog
        .groups
        .iter()
        .map(|group| MatrixGroup {
            group,
            rows: artifact
                .catalog
                .permissions
                .iter()
                .filter(|permission| permission.group == group.name)
                .map(|permission| MatrixRow {
                    permission,
                    held: roles
                        .iter()
                        .map(|role| policies.holds(role, &permission.name))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Matrix { roles, groups }
}

/// For a terminal: the roles numbered in a legend, then one line per permission under its
/// group, `x` where the numbered role holds it.
pub fn human(matrix: &Matrix<'_>) -> String {
    let mut out = String::from("roles:\n");
    for (index, role) in matrix.roles.iter().enumerate() {
        let _ = writeln!(out, "  {:>3}  {}", index + 1, visible(&role.name));
    }
    let width = matrix
        .groups
        .iter()
        .flat_map(|group| &group.rows)
        .map(|row| row.permission.name.len())
        .max()
        .unwrap_or(0)
        .max(10);
    let numbers: Vec<String> = (1..=matrix.roles.len())
        .map(|n| format!("{n:>3}"))
        .collect();
    for group in &matrix.groups {
        let sensitive = if group.group.sensitive {
            "  (sensitive)"
        } else {
            ""
        };
        let _ = writeln!(out, "\n{}{sensitive}", visible(&group.group.name));
        let _ = writeln!(out, "  {:<width$} {}", "", numbers.join(""));
        for row in &group.rows {
            let marks: String = row
                .held
                .iter()
                .map(|&held| if held { "  x" } else { "  ." })
                .collect();
            let _ = writeln!(out, "  {:<width$} {marks}", visible(&row.permission.name));
        }
    }
    out
}

/// `text` in a Markdown table cell: `|` escaped, hidden characters made visible.
fn cell(text: &str) -> String {
    visible(text).replace('|', "\\|")
}

/// As a Markdown table: a column per role, a row per permission, `✓` where held.
pub fn markdown(matrix: &Matrix<'_>) -> String {
    let mut out = String::from("| group | permission |");
    for role in &matrix.roles {
        let _ = write!(out, " {} |", cell(&role.name));
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" :-: |".repeat(matrix.roles.len()));
    out.push('\n');
    for group in &matrix.groups {
        let name = if group.group.sensitive {
            format!("**{}** ⚠️", cell(&group.group.name))
        } else {
            cell(&group.group.name)
        };
        for row in &group.rows {
            let _ = write!(out, "| {name} | `{}` |", cell(&row.permission.name));
            for &held in &row.held {
                out.push_str(if held { " ✓ |" } else { " |" });
            }
            out.push('\n');
        }
    }
    out
}

/// `text` as a CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// As CSV: a header `group,permission,<role names…>`, then one row per permission with `x`
/// where the role holds it and nothing where not.
pub fn csv(matrix: &Matrix<'_>) -> String {
    let mut out = String::from("group,permission");
    for role in &matrix.roles {
        out.push(',');
        out.push_str(&csv_field(&role.name));
    }
    out.push('\n');
    for group in &matrix.groups {
        for row in &group.rows {
            out.push_str(&csv_field(&group.group.name));
            out.push(',');
            out.push_str(&csv_field(&row.permission.name));
            for &held in &row.held {
                out.push_str(if held { ",x" } else { "," });
            }
            out.push('\n');
        }
    }
    out
}

#[derive(Serialize)]
struct JsonMatrix<'a> {
    roles: Vec<RoleRef>,
    groups: Vec<JsonGroup<'a>>,
}

#[derive(Serialize)]
struct JsonGroup<'a> {
    name: &'a str,
    title: &'a str,
    sensitive: bool,
    permissions: Vec<JsonRow<'a>>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    name: &'a str,
    description: &'a str,
    /// The ids of the roles (of the matrix) that hold it.
    roles: Vec<&'a str>,
}

/// As one JSON document: the roles (id, name), then each group with its permissions and the
/// ids of the roles that hold each.
pub fn json(matrix: &Matrix<'_>) -> String {
    let document = JsonMatrix {
        roles: matrix
            .roles
            .iter()
            .map(|role| RoleRef {
                id: role.id.clone(),
                name: role.name.clone(),
            })
            .collect(),
        groups: matrix
            .groups
            .iter()
            .map(|group| JsonGroup {
                name: &group.group.name,
                title: &group.group.title,
                sensitive: group.group.sensitive,
                permissions: group
                    .rows
                    .iter()
                    .map(|row| JsonRow {
                        name: &row.permission.name,
                        description: &row.permission.description,
                        roles: matrix
                            .roles
                            .iter()
                            .zip(&row.held)
                            .filter(|(_, &held)| held)
                            .map(|(role, _)| role.id.as_str())
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// `text` escaped for HTML text and attribute values.
fn html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The page's style and script, inline: the page loads nothing.
const HTML_HEAD: &str = r#"<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1f2328; }
  header { padding: 12px 16px; border-bottom: 1px solid #d0d7de; }
  h1 { font-size: 18px; margin: 0 0 8px; }
  #filter { font-size: 14px; padding: 4px 8px; width: 320px; }
  .wrap { overflow: auto; max-height: calc(100vh - 90px); }
  table { border-collapse: separate; border-spacing: 0; font-size: 13px; }
  th, td { border-bottom: 1px solid #eaeef2; padding: 3px 8px; white-space: nowrap; }
  thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 2; vertical-align: bottom; }
  thead th.role { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 600; }
  th.permission, td.permission { position: sticky; left: 0; background: #fff; z-index: 1; text-align: left; }
  thead th.permission { z-index: 3; background: #f6f8fa; }
  td.held { text-align: center; color: #1a7f37; font-weight: 700; }
  tr.group th { text-align: left; background: #eef2f6; cursor: pointer; position: sticky; left: 0; }
  tr.group.sensitive th { background: #fff1e5; color: #953800; }
  tr.group th::before { content: "▾ "; }
  tr.group.folded th::before { content: "▸ "; }
  .badge { font-size: 11px; border: 1px solid #bc4c00; border-radius: 8px; padding: 0 6px; margin-left: 6px; }
  tr.hidden { display: none; }
  .count { color: #59636e; font-size: 12px; margin-left: 8px; }
</style>"#;

const HTML_SCRIPT: &str = r#"<script>
(function () {
  var filter = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.permission-row"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("tr.group"));
  function apply() {
    var text = filter.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var group = document.getElementById(row.getAttribute("data-group"));
      var folded = group && group.classList.contains("folded");
      var match = !text || row.getAttribute("data-search").indexOf(text) >= 0;
      row.classList.toggle("hidden", folded || !match);
      if (match) { shown += 1; }
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " permissions";
  }
  groups.forEach(function (group) {
    group.addEventListener("click", function () { group.classList.toggle("folded"); apply(); });
  });
  filter.addEventListener("input", apply);
  apply();
})();
</script>"#;

/// As one self-contained HTML page: sticky headers (role names and the permission column), a
/// filter box (by permission, group or description), groups that fold when clicked, and
/// sensitive groups marked.
pub fn html_page(matrix: &Matrix<'_>, title: &str) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>{}</title>", html(title));
    out.push_str(HTML_HEAD);
    out.push_str("\n</head>\n<body>\n<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", html(title));
    out.push_str("<input id=\"filter\" type=\"search\" placeholder=\"Filter permissions, groups, descriptions\" aria-label=\"Filter\"><span id=\"shown\" class=\"count\"></span>\n</header>\n");
    out.push_str(
        "<div class=\"wrap\">\n<table>\n<thead><tr><th class=\"permission\">permission</th>",
    );
    for role in &matrix.roles {
        let _ = write!(
            out,
            "<th class=\"role\" title=\"{}\">{}</th>",
            html(&role.id),
            html(&role.name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (index, group) in matrix.groups.iter().enumerate() {
        let sensitive = group.group.sensitive;
        let _ = writeln!(
            out,
            "<tr class=\"group{}\" id=\"g{index}\"><th colspan=\"{}\">{} <span class=\"count\">{}</span>{}</th></tr>",
            if sensitive { " sensitive" } else { "" },
            matrix.roles.len() + 1,
            html(&group.group.title),
            html(&group.group.name),
            if sensitive {
                "<span class=\"badge\">sensitive</span>"
            } else {
                ""
            }
        );
        for row in &group.rows {
            let search = format!(
                "{} {} {}",
                row.permission.name, group.group.name, row.permission.description
            )
            .to_lowercase();
            let _ = write!(
                out,
                "<tr class=\"permission-row\" data-group=\"g{index}\" data-search=\"{}\"><td class=\"permission\" title=\"{}\">{}</td>",
                html(&search),
                html(&row.permission.description),
                html(&row.permission.name)
            );
            for &held in &row.held {
                out.push_str(if held {
                    "<td class=\"held\">✓</td>"
                } else {
                    "<td></td>"
                });
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out.push_str(HTML_SCRIPT);
    out.push_str("\n</body>\n</html>\n");
    out
}
