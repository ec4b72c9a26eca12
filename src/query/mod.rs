//! Questions about the policies (docs/queries.md): can a role do something, why, who can,
//! the whole matrix, the graph of roles. Every question is answered from an artifact (built
//! from the sources, or read with `--from`); `why` also reads the compiled sources when there
//! are, for the edits and their places. Answers are data: the command line renders them for
//! people and as JSON.

pub mod graph;
pub mod matrix;
pub mod why;

use std::collections::HashSet;

use serde::Serialize;

use crate::artifact::{Artifact, ArtifactRole};
use crate::suggest::{self, Suggester};

/// A question about something the policies do not have: the command cannot answer (exit
/// status 2), and says what it looked for and, when it can, what was meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub help: Option<String>,
}

/// An artifact, asked questions through the library's index ([`Artifact::role`],
/// [`crate::artifact::Role::can`]), with the messages of a command line when a name is unknown.
pub struct Policies<'a> {
    pub artifact: &'a Artifact,
}

impl<'a> Policies<'a> {
    pub fn new(artifact: &'a Artifact) -> Policies<'a> {
        Policies { artifact }
    }

    /// The role named `name`, else the role whose id is `name`.
    pub fn role(&self, name: &str) -> Result<&'a ArtifactRole, QueryError> {
        self.artifact
            .role(name)
            .map(|role| role.record())
            .ok_or_else(|| {
                let suggester = Suggester::default();
                let names = self.artifact.roles.iter().map(|role| role.name.as_str());
                let ids = self.artifact.roles.iter().map(|role| role.id.as_str());
                QueryError {
                    message: format!("no role named `{}`", crate::names::visible(name)),
                    help: suggester.closest(name, names.chain(ids)).map(suggest::help),
                }
            })
    }

    /// Whether `role` holds `permission`.
    pub fn holds(&self, role: &ArtifactRole, permission: &str) -> bool {
        self.artifact
            .role_by_id(&role.id)
            .is_some_and(|role| role.can(permission))
    }

    /// The permissions `target` stands for: a permission (`crm`), or every permission of a
    /// group (`@crm_and_sales`), in catalog order.
    pub fn permissions(&self, target: &str) -> Result<Vec<&'a str>, QueryError> {
        let artifact = self.artifact;
        let is_group = |name: &str| artifact.groups().any(|group| group.name == name);
        if let Some(group) = target.strip_prefix('@') {
            if !is_group(group) {
                let names = artifact.groups().map(|g| g.name.as_str());
                let help = match artifact.permission(group) {
                    Some(_) => Some(format!("`{group}` is a permission: write `{group}`")),
                    None => Suggester::default()
                        .closest(group, names)
                        .map(|found| suggest::help(&format!("@{found}"))),
                };
                return Err(QueryError {
                    message: format!(
                        "no group `@{}` in the catalog",
                        crate::names::visible(group)
                    ),
                    help,
                });
            }
            return Ok(artifact
                .permissions()
                .filter(|permission| permission.group == group)
                .map(|permission| permission.name.as_str())
                .collect());
        }
        if let Some(found) = artifact.permission(target) {
            return Ok(vec![found.name.as_str()]);
        }
        let help = match is_group(target) {
            true => Some(format!("`{target}` is a group: write `@{target}`")),
            false => Suggester::default()
                .closest(target, artifact.permissions().map(|p| p.name.as_str()))
                .map(suggest::help),
        };
        Err(QueryError {
            message: format!(
                "no permission `{}` in the catalog",
                crate::names::visible(target)
            ),
            help,
        })
    }

    /// The roles named by `names` (names or ids, comma-separated lists already split), in
    /// artifact order; every role when `names` is empty.
    pub fn roles(&self, names: &[String]) -> Result<Vec<&'a ArtifactRole>, QueryError> {
        if names.is_empty() {
            return Ok(self.artifact.roles.iter().collect());
        }
        let mut chosen = HashSet::new();
        for name in names {
            chosen.insert(self.role(name)?.id.as_str());
        }
        Ok(self
            .artifact
            .roles
            .iter()
            .filter(|role| chosen.contains(role.id.as_str()))
            .collect())
    }
}

/// The answer of `rolec can ROLE PERMISSION...`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CanAnswer {
    /// The role's name, whatever was typed.
    pub role: String,
    pub id: String,
    pub allowed: bool,
    /// The permissions asked for that the role lacks, in the order asked; empty when allowed.
    pub missing: Vec<String>,
}

/// Whether `role` holds every permission of `targets` (permissions or `@groups`).
pub fn can(
    policies: &Policies<'_>,
    role: &str,
    targets: &[String],
) -> Result<CanAnswer, QueryError> {
    let found = policies.role(role)?;
    let mut missing: Vec<String> = Vec::new();
    for target in targets {
        for permission in policies.permissions(target)? {
            if !policies.holds(found, permission) && !missing.iter().any(|m| m == permission) {
                missing.push(permission.to_string());
            }
        }
    }
    Ok(CanAnswer {
        role: found.name.clone(),
        id: found.id.clone(),
        allowed: missing.is_empty(),
        missing,
    })
}

/// A role of an answer: its id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

/// The answer of `rolec who-can PERMISSION`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoCanAnswer {
    pub permission: String,
    /// In artifact order: built-ins first, then custom roles in byte order of their names.
    pub roles: Vec<RoleRef>,
}

/// The roles that hold `permission` (a permission, not a group).
pub fn who_can(policies: &Policies<'_>, permission: &str) -> Result<WhoCanAnswer, QueryError> {
    if permission.starts_with('@') {
        return Err(QueryError {
            message: format!(
                "`{}` is a group: `who-can` takes one permission",
                crate::names::visible(permission)
            ),
            help: Some("ask for one of its permissions, or use `rolec matrix`".into()),
        });
    }
    let names = policies.permissions(permission)?;
    let Some(&name) = names.first() else {
        return Ok(WhoCanAnswer {
            permission: permission.to_string(),
            roles: Vec::new(),
        });
    };
    Ok(WhoCanAnswer {
        permission: name.to_string(),
        roles: policies
            .artifact
            .roles
            .iter()
            .filter(|role| policies.holds(role, name))
            .map(|role| RoleRef {
                id: role.id.clone(),
                name: role.name.clone(),
            })
            .collect(),
    })
}
