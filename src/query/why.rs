//! `rolec why ROLE PERMISSION`: how a role comes to hold a permission, or not to, as a chain
//! of steps from the role to the point that decides. The decision in a role is its last edit
//! that touches the permission (`+p`, `-p`, or a group edit containing it); with no such
//! edit, its base decides: `copies` goes on in the source, `inherits` in the first parent (in
//! the order written) that holds it, or the first parent when none does; a built-in decides
//! in the catalog; no base and no edit means the permission is absent.
//!
//! Provenance is computed for the one question asked, from the compiled sources (edits and
//! their places); the build does no extra work for it. From an artifact alone, which holds
//! bases and resolved sets but no edits, a role decides where its set differs from its
//! base's, and the place is its definition.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{Policies, QueryError};
use crate::artifact::ArtifactRole;
use crate::ast::{BaseKind, EditTarget, PolicyFile, RoleDef, Sign, Statement};
use crate::catalog::{Catalog, EMBEDDED_CATALOG_PATH};
use crate::resolve;
use crate::source::{SourceMap, Span};

/// What a step of the chain is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// The role copies another; the chain goes on there.
    Copies,
    /// The role inherits another; the chain goes on there.
    Inherits,
    /// An edit adds the permission: it decides.
    Grant,
    /// An edit removes the permission: it decides.
    Revoke,
    /// A built-in role of the catalog: it decides.
    Builtin,
    /// No base and no edit: the permission is absent.
    Absent,
}

/// One step of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The role the step is in.
    pub role: String,
    pub kind: StepKind,
    /// The base the chain goes on in (`copies` / `inherits`).
    pub from: Option<String>,
    /// The group of a group edit (without `@`).
    pub group: Option<String>,
    /// Where the step is written: an edit's sign, a base's keyword, a role's `role` keyword, a
    /// built-in's entry in a catalog file (none for the embedded catalog).
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The same place as a span of the compiled sources, for drawing it.
    #[serde(skip)]
    pub span: Option<Span>,
}

/// The answer of `rolec why`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhyAnswer {
    /// The role's name, whatever was typed.
    pub role: String,
    pub permission: String,
    pub holds: bool,
    /// From the role to the step that decides, which is last.
    pub steps: Vec<Step>,
}

/// The compiled sources behind an artifact: what `why` reads edits and places from.
pub struct Sources<'a> {
    pub files: &'a [PolicyFile],
    pub sources: &'a SourceMap,
    pub catalog: &'a Catalog,
}

/// Why `role` holds `permission`, or does not.
pub fn why(
    policies: &Policies<'_>,
    compiled: Option<&Sources<'_>>,
    role: &str,
    permission: &str,
) -> Result<WhyAnswer, QueryError> {
    if permission.starts_with('@') {
        return Err(QueryError {
            message: format!(
                "`{}` is a group: `why` takes one permission",
                crate::names::visible(permission)
            ),
            help: Some("ask for one of its permissions (`rolec can` takes groups)".into()),
        });
    }
    let asked = policies.role(role)?;
    let permission = policies
        .permissions(permission)?
        .first()
        .copied()
        .unwrap_or(permission);
    let steps = match compiled {
        Some(compiled) => steps_in_sources(policies, compiled, asked, permission),
        None => steps_in_artifact(policies, asked, permission),
    };
    Ok(WhyAnswer {
        role: asked.name.clone(),
        permission: permission.to_string(),
        holds: policies.holds(asked, permission),
        steps,
    })
}

/// A step at `span` of the compiled sources (no place for the embedded catalog).
fn step_at(sources: &SourceMap, role: &str, kind: StepKind, span: Option<Span>) -> Step {
    let file = span
        .and_then(|span| sources.get(span.file))
        .filter(|file| file.path != EMBEDDED_CATALOG_PATH);
    let position = file
        .zip(span)
        .map(|(file, span)| file.line_column(span.start));
    Step {
        role: role.to_string(),
        kind,
        from: None,
        group: None,
        file: file.map(|file| file.path.clone()),
        line: position.map(|p| p.line),
        column: position.map(|p| p.column),
        span: if file.is_some() { span } else { None },
    }
}

/// The chain read from the compiled sources.
fn steps_in_sources(
    policies: &Policies<'_>,
    compiled: &Sources<'_>,
    asked: &ArtifactRole,
    permission: &str,
) -> Vec<Step> {
    let definitions: HashMap<&str, &RoleDef> = compiled
        .files
        .iter()
        .flat_map(|file| &file.statements)
        .filter_map(|statement| match statement {
            Statement::Role(def) => Some((def.name.value.as_str(), def)),
            _ => None,
        })
        .collect();
    let catalog = compiled.catalog;
    let id = catalog.permission_id(permission);
    let mut steps = Vec::new();
    let mut current = asked.name.as_str();
    let mut visited = HashSet::new();
    while visited.insert(current) {
        let Ok(role) = policies.role(current) else {
            break;
        };
        if role.builtin {
            let span = catalog
                .builtins
                .iter()
                .find(|builtin| builtin.name == role.name)
                .map(|builtin| builtin.span);
            steps.push(step_at(
                compiled.sources,
                &role.name,
                StepKind::Builtin,
                span,
            ));
            break;
        }
        let Some(def) = definitions.get(role.name.as_str()) else {
            break;
        };
        if let Some(edit) = def
            .edits
            .iter()
            .rev()
            .find(|edit| id.is_some_and(|id| resolve::edit_names(catalog, edit, id)))
        {
            let kind = match edit.sign {
                Sign::Add => StepKind::Grant,
                Sign::Remove => StepKind::Revoke,
            };
            // The place is the edit's sign; the whole edit is drawn.
            let mut step = step_at(compiled.sources, &role.name, kind, Some(edit.span));
            if let EditTarget::Group(group) = &edit.target {
                step.group = Some(group.clone());
            }
            steps.push(step);
            break;
        }
        let Some(base) = &def.base else {
            let span = Some(def.keyword);
            steps.push(step_at(
                compiled.sources,
                &role.name,
                StepKind::Absent,
                span,
            ));
            break;
        };
        let (kind, next) = match base.kind {
            BaseKind::Copies => (StepKind::Copies, base.roles.first()),
            BaseKind::Inherits => (
                StepKind::Inherits,
                base.roles
                    .iter()
                    .find(|parent| {
                        policies
                            .role(&parent.value)
                            .is_ok_and(|parent| policies.holds(parent, permission))
                    })
                    .or(base.roles.first()),
            ),
        };
        let Some(next) = next else {
            break;
        };
        let mut step = step_at(compiled.sources, &role.name, kind, Some(base.keyword));
        step.from = Some(next.value.clone());
        steps.push(step);
        current = next.value.as_str();
    }
    steps
}

/// The chain read from an artifact alone: a role decides where its set differs from its
/// base's (a grant or a revoke, placed at its definition), else the chain follows the base.
fn steps_in_artifact(policies: &Policies<'_>, asked: &ArtifactRole, permission: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut current = asked;
    let mut visited = HashSet::new();
    while visited.insert(current.id.as_str()) {
        let holds = policies.holds(current, permission);
        let step = |kind| Step {
            role: current.name.clone(),
            kind,
            from: None,
            group: None,
            file: current.source.as_ref().map(|source| source.file.clone()),
            line: current.source.as_ref().map(|source| source.line),
            column: current.source.as_ref().map(|source| source.column),
            span: None,
        };
        if current.builtin {
            steps.push(Step {
                file: None,
                line: None,
                column: None,
                ..step(StepKind::Builtin)
            });
            break;
        }
        let decided = if holds {
            StepKind::Grant
        } else {
            StepKind::Revoke
        };
        let Some(base) = &current.base else {
            steps.push(step(if holds {
                StepKind::Grant
            } else {
                StepKind::Absent
            }));
            break;
        };
        let parents: Vec<&ArtifactRole> = base
            .roles
            .iter()
            .filter_map(|name| policies.role(name).ok())
            .collect();
        let (kind, next) = if base.kind == BaseKind::Inherits.keyword() {
            let holding = parents
                .iter()
                .find(|parent| policies.holds(parent, permission));
            (StepKind::Inherits, holding.or(parents.first()).copied())
        } else {
            (StepKind::Copies, parents.first().copied())
        };
        match next {
            Some(next) if policies.holds(next, permission) == holds => {
                steps.push(Step {
                    from: Some(next.name.clone()),
                    ..step(kind)
                });
                current = next;
            }
            _ => {
                steps.push(step(decided));
                break;
            }
        }
    }
    steps
}
