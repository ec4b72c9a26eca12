//! Questions about the policies (docs/queries.md): can a role do something, why, who can,
//! the whole matrix, the graph of roles. Every question is answered from an artifact (built
//! from the sources, or read with `--from`); `why` also reads the compiled sources when there
//! are, for the edits and their places. Answers are data: the command line renders them for
//! people and as JSON.

pub mod graph;
pub mod matrix;
pub mod why;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::artifact::{Artifact, ArtifactRole};
use crate::permset::PermSet;
use crate::suggest::{self, Suggester};

/// A question about something the policies do not have: the command cannot answer (exit
/// status 2), and says what it looked for and, when it can, what was meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub help: Option<String>,
}

/// An artifact, indexed for questions: roles by name and by id, permissions by name, and the
/// permissions of each group.
pub struct Policies<'a> {
    pub artifact: &'a Artifact,
    role_by_name: HashMap<&'a str, usize>,
    role_by_id: HashMap<&'a str, usize>,
    permission_index: HashMap<&'a str, usize>,
    group_members: HashMap<&'a str, Vec<&'a str>>,
    /// Each role's permissions, as a set of catalog positions.
    held: Vec<PermSet>,
}

impl<'a> Policies<'a> {
    pub fn new(artifact: &'a Artifact) -> Policies<'a> {
        let mut group_members: HashMap<&str, Vec<&str>> = artifact
            .catalog
            .groups
            .iter()
            .map(|group| (group.name.as_str(), Vec::new()))
            .collect();
        for permission in &artifact.catalog.permissions {
            if let Some(members) = group_members.get_mut(permission.group.as_str()) {
                members.push(&permission.name);
            }
        }
        Policies {
            artifact,
            role_by_name: (0..artifact.roles.len())
                .filter_map(|i| Some((artifact.roles.get(i)?.name.as_str(), i)))
                .collect(),
            role_by_id: (0..artifact.roles.len())
                .filter_map(|i| Some((artifact.roles.get(i)?.id.as_str(), i)))
                .collect(),
            permission_index: (0..artifact.catalog.permissions.len())
                .filter_map(|i| Some((artifact.catalog.permissions.get(i)?.name.as_str(), i)))
                .collect(),
            group_members,
            held: Vec::new(),
        }
        .with_sets()
    }

    /// Fills each role's set of permissions (positions in the catalog).
    fn with_sets(mut self) -> Policies<'a> {
        let index = &self.permission_index;
        self.held = self
            .artifact
            .roles
            .iter()
            .map(|role| {
                role.permissions
                    .iter()
                    .filter_map(|name| index.get(name.as_str()).copied())
                    .collect()
            })
            .collect();
        self
    }

    /// The role named `name`, else the role whose id is `name`.
    pub fn role(&self, name: &str) -> Result<&'a ArtifactRole, QueryError> {
        self.role_by_name
            .get(name)
            .or_else(|| self.role_by_id.get(name))
            .and_then(|&index| self.artifact.roles.get(index))
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
        let Some(&permission) = self.permission_index.get(permission) else {
            return false;
        };
        self.role_by_name
            .get(role.name.as_str())
            .and_then(|&index| self.held.get(index))
            .is_some_and(|held| held.contains(permission))
    }

    /// The permissions `target` stands for: a permission (`crm`), or every permission of a
    /// group (`@crm_and_sales`), in catalog order.
    pub fn permissions(&self, target: &str) -> Result<Vec<&'a str>, QueryError> {
        if let Some(group) = target.strip_prefix('@') {
            return self.group_members.get(group).cloned().ok_or_else(|| {
                let names = self.artifact.catalog.groups.iter().map(|g| g.name.as_str());
                QueryError {
                    message: format!(
                        "no group `@{}` in the catalog",
                        crate::names::visible(group)
                    ),
                    help: Suggester::default()
                        .closest(group, names)
                        .map(|found| suggest::help(&format!("@{found}"))),
                }
            });
        }
        match self.permission_index.get(target).and_then(|&index| {
            self.artifact
                .catalog
                .permissions
                .get(index)
                .map(|p| p.name.as_str())
        }) {
            Some(name) => Ok(vec![name]),
            None => {
                let names = self
                    .artifact
                    .catalog
                    .permissions
                    .iter()
                    .map(|p| p.name.as_str());
                let help = match self.group_members.contains_key(target) {
                    true => Some(format!("`{target}` is a group: write `@{target}`")),
                    false => Suggester::default()
                        .closest(target, names)
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
        }
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
