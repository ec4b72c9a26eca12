//! `rolec graph`: the role hierarchy as a graph — an edge from each role to its base, labelled
//! `copies` or `inherits`, and with `--authors`, a dotted edge from each custom role to its
//! author — written for Graphviz (`dot`) or Mermaid.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::artifact::{Artifact, ArtifactRole};

/// An edge of the graph: from a role to another, and what joins them.
struct Edge<'a> {
    from: &'a ArtifactRole,
    to: &'a ArtifactRole,
    label: &'a str,
    author: bool,
}

/// The edges of `artifact`'s graph, in artifact order (bases in the order written).
fn edges(artifact: &Artifact, authors: bool) -> Vec<Edge<'_>> {
    let roles: HashMap<&str, &ArtifactRole> = artifact
        .roles
        .iter()
        .map(|role| (role.name.as_str(), role))
        .collect();
    let by_name = |name: &str| roles.get(name).copied();
    let mut edges = Vec::new();
    for role in &artifact.roles {
        if let Some(base) = &role.base {
            for name in &base.roles {
                if let Some(to) = by_name(name) {
                    edges.push(Edge {
                        from: role,
                        to,
                        label: &base.kind,
                        author: false,
                    });
                }
            }
        }
        if authors {
            if let Some(to) = role.author.as_deref().and_then(by_name) {
                edges.push(Edge {
                    from: role,
                    to,
                    label: "author",
                    author: true,
                });
            }
        }
    }
    edges
}

/// `text` as a DOT quoted string.
fn dot_string(text: &str) -> String {
    let visible = crate::names::visible(text);
    format!("\"{}\"", visible.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The graph in Graphviz's DOT language: one node per role (built-ins shaded), bases as
/// solid edges, authors as dotted ones.
pub fn dot(artifact: &Artifact, authors: bool) -> String {
    let mut out = String::from(
        "digraph roles {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for role in &artifact.roles {
        let style = if role.builtin {
            ", style=filled, fillcolor=\"#e8e8e8\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} [label={}{style}];",
            dot_string(&role.id),
            dot_string(&role.name)
        );
    }
    for edge in edges(artifact, authors) {
        let style = if edge.author { ", style=dotted" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            dot_string(&edge.from.id),
            dot_string(&edge.to.id),
            dot_string(edge.label)
        );
    }
    out.push_str("}\n");
    out
}

/// `text` as a Mermaid label in double quotes (quotes and markup characters as entities).
fn mermaid_label(text: &str) -> String {
    let mut label = String::new();
    for c in crate::names::visible(text).chars() {
        match c {
            '"' => label.push_str("#quot;"),
            '<' => label.push_str("#lt;"),
            '>' => label.push_str("#gt;"),
            '#' => label.push_str("#35;"),
            c => label.push(c),
        }
    }
    format!("\"{label}\"")
}

/// The graph as a Mermaid flowchart: nodes are numbered (`r0`, `r1`, ...) in artifact order,
/// since ids may hold characters Mermaid does not take in a node id.
pub fn mermaid(artifact: &Artifact, authors: bool) -> String {
    let mut out = String::from("flowchart BT\n");
    let numbers: HashMap<&str, usize> = artifact
        .roles
        .iter()
        .enumerate()
        .map(|(index, role)| (role.id.as_str(), index))
        .collect();
    let node = |role: &ArtifactRole| {
        numbers
            .get(role.id.as_str())
            .map_or_else(|| "r".to_string(), |index| format!("r{index}"))
    };
    for role in &artifact.roles {
        let _ = writeln!(out, "  {}[{}]", node(role), mermaid_label(&role.name));
    }
    for edge in edges(artifact, authors) {
        let arrow = if edge.author { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|{}| {}",
            node(edge.from),
            mermaid_label(edge.label),
            node(edge.to)
        );
    }
    let builtins: Vec<String> = artifact
        .roles
        .iter()
        .filter(|role| role.builtin)
        .map(node)
        .collect();
    if !builtins.is_empty() {
        out.push_str("  classDef builtin fill:#e8e8e8\n");
        let _ = writeln!(out, "  class {} builtin", builtins.join(","));
    }
    out
}
