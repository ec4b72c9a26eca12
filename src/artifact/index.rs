//! The artifact indexed for an application's questions: which role is this name or id, can
//! it do this, who can. Built once per artifact (when it is read, or at the first question of
//! one built in memory), in the same pass as [`Artifact::check`]'s checks: permission and
//! group names to catalog positions, role names and ids to positions, and each role's
//! permissions as a bitset, so that [`Role::can`] is one hash of the permission name and one
//! bit test.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use foldhash::quality::RandomState;

use super::{
    Artifact, ArtifactBase, ArtifactCatalog, ArtifactError, ArtifactGroup, ArtifactPermission,
    ArtifactRole, ArtifactSource,
};
use crate::permset::PermSet;

/// Names to positions. Keys come from a file: seeded at random per process, like the
/// compiler's own maps (docs/decisions.md, "Dependencies").
type Positions = HashMap<Box<str>, usize, RandomState>;

/// The lookups of one artifact.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    /// Permission name to catalog position; the first of a repeated name.
    permissions: Positions,
    /// Group name to the set of its permissions.
    groups: HashMap<Box<str>, PermSet, RandomState>,
    /// Role name to position in `roles`; the first of a repeated name.
    names: Positions,
    /// Role id to position in `roles`; the first of a repeated id.
    ids: Positions,
    /// The permissions of each role, by position in `roles`.
    held: Vec<PermSet>,
}

impl Index {
    /// The index of `artifact`, and the first thing wrong with it (see
    /// [`Artifact::check`]). What is wrong does not stop the index: a repeated name keeps its
    /// first position, a permission the catalog does not declare is left out of the role's
    /// set; the index of a malformed artifact still answers, as best it can.
    pub(crate) fn build(artifact: &Artifact) -> (Index, Option<ArtifactError>) {
        let mut problem = None;
        let mut report = |found: ArtifactError| {
            problem.get_or_insert(found);
        };
        let catalog = &artifact.catalog;
        let state = RandomState::default();
        let mut groups = HashMap::with_capacity_and_hasher(catalog.groups.len(), state.clone());
        for group in &catalog.groups {
            if groups
                .insert(Box::from(group.name.as_str()), PermSet::new())
                .is_some()
            {
                report(ArtifactError::RepeatedGroup(group.name.clone()));
            }
        }
        let mut permissions =
            HashMap::with_capacity_and_hasher(catalog.permissions.len(), state.clone());
        for (position, permission) in catalog.permissions.iter().enumerate() {
            if let Some(first) = permissions.insert(Box::from(permission.name.as_str()), position) {
                permissions.insert(Box::from(permission.name.as_str()), first);
                report(ArtifactError::RepeatedPermission(permission.name.clone()));
                continue;
            }
            match groups.get_mut(permission.group.as_str()) {
                Some(members) => {
                    members.insert(position);
                }
                None => report(ArtifactError::UndeclaredGroup {
                    permission: permission.name.clone(),
                    group: permission.group.clone(),
                }),
            }
        }
        let roles = &artifact.roles;
        let mut names: Positions = HashMap::with_capacity_and_hasher(roles.len(), state.clone());
        let mut ids: Positions = HashMap::with_capacity_and_hasher(roles.len(), state);
        let mut held = Vec::with_capacity(roles.len());
        for (position, role) in roles.iter().enumerate() {
            if names.contains_key(role.name.as_str()) {
                report(ArtifactError::RepeatedRole(role.name.clone()));
            } else {
                names.insert(Box::from(role.name.as_str()), position);
            }
            match ids.get(role.id.as_str()) {
                Some(&first) => report(ArtifactError::RepeatedId {
                    first: roles
                        .get(first)
                        .map(|first| first.name.clone())
                        .unwrap_or_default(),
                    second: role.name.clone(),
                    id: role.id.clone(),
                }),
                None => {
                    ids.insert(Box::from(role.id.as_str()), position);
                }
            }
            let mut set = PermSet::new();
            for permission in &role.permissions {
                match permissions.get(permission.as_str()) {
                    Some(&bit) => {
                        if !set.insert(bit) {
                            report(ArtifactError::RepeatedRolePermission {
                                role: role.name.clone(),
                                permission: permission.clone(),
                            });
                        }
                    }
                    None => report(ArtifactError::UndeclaredPermission {
                        role: role.name.clone(),
                        permission: permission.clone(),
                    }),
                }
            }
            held.push(set);
        }
        let index = Index {
            permissions,
            groups,
            names,
            ids,
            held,
        };
        (index, problem)
    }

    /// The permissions `permission` stands for: a permission of the catalog, else `@group`
    /// with every permission of a group that has some; `None` for anything else.
    fn target(&self, permission: &str) -> Option<Target<'_>> {
        if let Some(&position) = self.permissions.get(permission) {
            return Some(Target::Permission(position));
        }
        let group = self.groups.get(permission.strip_prefix('@')?)?;
        (!group.is_empty()).then_some(Target::Group(group))
    }
}

/// What a question asks a role to hold.
#[derive(Clone, Copy)]
enum Target<'i> {
    /// One permission, by catalog position.
    Permission(usize),
    /// Every permission of a group.
    Group(&'i PermSet),
}

impl Target<'_> {
    fn held_by(self, held: &PermSet) -> bool {
        match self {
            Target::Permission(position) => held.contains(position),
            Target::Group(members) => members.is_subset(held),
        }
    }
}

/// The index of an artifact, built at most once. Derived from the artifact's fields, so it
/// takes no part in its equality.
#[derive(Clone, Default)]
pub(crate) struct LazyIndex(OnceLock<Index>);

impl From<Index> for LazyIndex {
    fn from(index: Index) -> LazyIndex {
        LazyIndex(OnceLock::from(index))
    }
}

impl PartialEq for LazyIndex {
    fn eq(&self, _other: &LazyIndex) -> bool {
        true
    }
}

impl Eq for LazyIndex {}

impl fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.0.get().is_some() {
            "built"
        } else {
            "not built"
        };
        write!(f, "LazyIndex({state})")
    }
}

// ── The questions ──────────────────────────────────────────────────────────────────────────

impl Artifact {
    /// The index, built at the first question when the artifact was not read with
    /// [`Artifact::from_json`] (which builds it while checking).
    fn index(&self) -> &Index {
        self.index.0.get_or_init(|| Index::build(self).0)
    }

    /// The artifact's schema identifier: [`SCHEMA`](super::SCHEMA) for every artifact read
    /// by [`Artifact::from_json`].
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The catalog the roles were resolved against: its name, groups and permissions.
    pub fn catalog(&self) -> &ArtifactCatalog {
        &self.catalog
    }

    /// Every role, in the artifact's order: the built-ins in catalog order, then the custom
    /// roles in byte order of their names.
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// let ids: Vec<&str> = artifact.roles().map(|role| role.id()).collect();
    /// assert_eq!(ids, ["owner", "guest", "sales-lead"]);
    /// ```
    pub fn roles(&self) -> impl ExactSizeIterator<Item = Role<'_>> + DoubleEndedIterator + '_ {
        let index = self.index();
        // `held` has one set per role.
        self.roles
            .iter()
            .zip(&index.held)
            .map(move |(record, held)| Role {
                index,
                record,
                held,
            })
    }

    /// The role named `name_or_id`, else the role whose id it is; `None` when there is
    /// neither. A name wins over an id: `@id` may give a role the id that another role's
    /// name spells (use [`Artifact::role_by_id`] for the ids an application stores).
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// let lead = artifact.role("Sales Lead").unwrap();
    /// assert_eq!(lead.id(), "sales-lead");
    /// assert_eq!(artifact.role("sales-lead").unwrap().name(), "Sales Lead");
    /// assert!(artifact.role("Sales Manager").is_none());
    /// ```
    pub fn role(&self, name_or_id: &str) -> Option<Role<'_>> {
        let index = self.index();
        let position = index
            .names
            .get(name_or_id)
            .or_else(|| index.ids.get(name_or_id))?;
        self.role_at(*position)
    }

    /// The role whose id is `id`.
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// assert_eq!(artifact.role_by_id("owner").unwrap().name(), "Owner");
    /// assert!(artifact.role_by_id("Owner").is_none());
    /// ```
    pub fn role_by_id(&self, id: &str) -> Option<Role<'_>> {
        let position = *self.index().ids.get(id)?;
        self.role_at(position)
    }

    fn role_at(&self, position: usize) -> Option<Role<'_>> {
        let index = self.index();
        Some(Role {
            index,
            record: self.roles.get(position)?,
            held: index.held.get(position)?,
        })
    }

    /// The roles that hold `permission` (a permission name, or `@group` for every permission
    /// of a group: see [`Role::can`]), in the artifact's order; none for a name the catalog
    /// does not have.
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// let ids: Vec<&str> = artifact.who_can("crm").map(|role| role.id()).collect();
    /// assert_eq!(ids, ["owner", "sales-lead"]);
    /// assert_eq!(artifact.who_can("@admin").count(), 1);
    /// assert_eq!(artifact.who_can("nonexistent").count(), 0);
    /// ```
    pub fn who_can<'a>(&'a self, permission: &str) -> impl Iterator<Item = Role<'a>> + 'a {
        let target = self.index().target(permission);
        self.roles()
            .filter(move |role| target.is_some_and(|target| target.held_by(role.held)))
    }

    /// Every permission of the catalog, in catalog order.
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// let names: Vec<&str> = artifact.permissions().map(|p| p.name.as_str()).collect();
    /// assert_eq!(names, ["profile", "crm", "webhooks"]);
    /// ```
    pub fn permissions(&self) -> impl ExactSizeIterator<Item = &ArtifactPermission> + '_ {
        self.catalog.permissions.iter()
    }

    /// The permission of the catalog named `name`.
    pub fn permission(&self, name: &str) -> Option<&ArtifactPermission> {
        let position = *self.index().permissions.get(name)?;
        self.catalog.permissions.get(position)
    }

    /// Every group of the catalog, in catalog order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &ArtifactGroup> + '_ {
        self.catalog.groups.iter()
    }
}

/// A role of an [`Artifact`], with the questions it answers. Cheap to copy; borrows the
/// artifact.
#[derive(Clone, Copy)]
pub struct Role<'a> {
    index: &'a Index,
    record: &'a ArtifactRole,
    held: &'a PermSet,
}

impl<'a> Role<'a> {
    /// Whether the role holds `permission`: a permission name, or `@group` for every
    /// permission of a group (as in `rolec can`). `false` for a name the catalog does not
    /// have, and for a group without permissions: `can` never grants what nothing names.
    /// One hash of the name and one bit test.
    ///
    /// ```
    /// # let artifact = rolec::Artifact::from_json(rolec::artifact::EXAMPLE).unwrap();
    /// let lead = artifact.role("sales-lead").unwrap();
    /// assert!(lead.can("crm"));
    /// assert!(!lead.can("webhooks"));
    /// assert!(lead.can("@basic"));
    /// assert!(!lead.can("@admin"));
    /// assert!(!lead.can("crn"));
    /// ```
    pub fn can(&self, permission: &str) -> bool {
        self.index
            .target(permission)
            .is_some_and(|target| target.held_by(self.held))
    }

    /// The role's stable id: the key an application stores.
    pub fn id(&self) -> &'a str {
        &self.record.id
    }

    /// The role's display name.
    pub fn name(&self) -> &'a str {
        &self.record.name
    }

    /// Whether the role is one of the catalog's built-ins.
    pub fn is_builtin(&self) -> bool {
        self.record.builtin
    }

    /// `copies R` or `inherits A, B`; `None` for a built-in or a role without a base.
    pub fn base(&self) -> Option<&'a ArtifactBase> {
        self.record.base.as_ref()
    }

    /// The author of the role's file; `None` for a built-in.
    pub fn author(&self) -> Option<&'a str> {
        self.record.author.as_deref()
    }

    /// Where the role is defined; `None` for a built-in.
    pub fn source(&self) -> Option<&'a ArtifactSource> {
        self.record.source.as_ref()
    }

    /// The role's annotations (`@doc("...")`, `@owner("...")`).
    pub fn annotations(&self) -> &'a std::collections::BTreeMap<String, String> {
        &self.record.annotations
    }

    /// The permissions the role holds, in catalog order.
    pub fn permissions(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.record.permissions.iter().map(String::as_str)
    }

    /// The role as it is written in the artifact.
    pub fn record(&self) -> &'a ArtifactRole {
        self.record
    }
}

impl fmt::Debug for Role<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Role")
            .field("id", &self.record.id)
            .field("name", &self.record.name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::EXAMPLE;

    /// [`EXAMPLE`] with `edit` applied to its JSON value, unchecked: deserialized as it is.
    fn example(edit: impl Fn(&mut serde_json::Value)) -> Artifact {
        let mut value: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        edit(&mut value);
        serde_json::from_value(value).unwrap()
    }

    /// Every question asked of `artifact` agrees with its records.
    fn assert_answers_match_records(artifact: &Artifact) {
        assert_eq!(artifact.roles().len(), artifact.roles.len());
        for (role, record) in artifact.roles().zip(&artifact.roles) {
            assert_eq!(role.record(), record);
            assert_eq!(artifact.role_by_id(&record.id).unwrap().name(), record.name);
            assert_eq!(artifact.role(&record.name).unwrap().id(), record.id);
            for permission in artifact.permissions() {
                let held = record.permissions.contains(&permission.name);
                assert_eq!(
                    role.can(&permission.name),
                    held,
                    "{record:?} {permission:?}"
                );
                let who: Vec<&str> = artifact.who_can(&permission.name).map(|r| r.id()).collect();
                assert_eq!(who.contains(&role.id()), held);
            }
            assert!(role
                .permissions()
                .eq(record.permissions.iter().map(String::as_str)));
        }
    }

    #[test]
    fn answers_match_the_records_read_or_built() {
        assert_answers_match_records(&Artifact::from_json(EXAMPLE).unwrap());
        // Built in memory, as a compile holds it: the index is built at the first question.
        let options = crate::compile::CompileOptions {
            emit_artifact: true,
            ..Default::default()
        };
        let file = crate::compile::InputFile {
            path: "a.roles".into(),
            bytes: b"author Administrator\nrole Seller copies User < +crm -calendar >\n".to_vec(),
            project_path: None,
        };
        let compiled = crate::compile::compile(None, vec![file], &options).unwrap();
        let artifact = compiled.artifact.unwrap();
        assert!(format!("{:?}", artifact.index).contains("not built"));
        assert_answers_match_records(&artifact);
        let seller = artifact.role("seller").unwrap();
        assert!(seller.can("crm") && !seller.can("calendar"));
        assert!(format!("{:?}", artifact.index).contains("(built)"));
        // The index takes no part in equality.
        assert_eq!(artifact, Artifact::from_json(&artifact.to_json()).unwrap());
    }

    #[test]
    fn a_name_wins_over_an_id() {
        // `Beta` pinned the id `gamma`, which is also the name of another role.
        let artifact = example(|v| {
            v["roles"][1]["name"] = "Beta".into();
            v["roles"][1]["id"] = "gamma".into();
            v["roles"][2]["name"] = "gamma".into();
            v["roles"][2]["id"] = "delta".into();
        });
        artifact.check().unwrap();
        assert_eq!(artifact.role("gamma").unwrap().id(), "delta");
        assert_eq!(artifact.role_by_id("gamma").unwrap().name(), "Beta");
        assert_eq!(artifact.role("delta").unwrap().name(), "gamma");
        assert!(artifact.role("").is_none());
    }

    #[test]
    fn groups_are_every_permission_of_the_group() {
        let artifact = Artifact::from_json(EXAMPLE).unwrap();
        let guest = artifact.role("guest").unwrap();
        let lead = artifact.role("sales-lead").unwrap();
        assert!(!guest.can("@basic") && lead.can("@basic"));
        assert!(!lead.can("basic"), "a group is written `@basic`");
        assert!(!lead.can("@nope") && !lead.can("@") && !lead.can(""));
        let ids =
            |target: &str| -> Vec<&str> { artifact.who_can(target).map(|r| r.id()).collect() };
        assert_eq!(ids("@basic"), ["owner", "sales-lead"]);
        assert_eq!(ids("@admin"), ["owner"]);
        // A group without permissions grants nothing, even to a role that holds everything.
        let artifact = example(|v| {
            v["catalog"]["groups"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"name": "empty", "title": "", "sensitive": false}));
        });
        artifact.check().unwrap();
        assert!(!artifact.role("owner").unwrap().can("@empty"));
        assert_eq!(artifact.who_can("@empty").count(), 0);
    }

    #[test]
    fn a_permission_named_like_a_group_is_a_permission() {
        let artifact = example(|v| {
            v["catalog"]["permissions"][0]["name"] = "@admin".into();
            for role in v["roles"].as_array_mut().unwrap() {
                let permissions = role["permissions"].as_array_mut().unwrap();
                if let Some(first) = permissions.first_mut().filter(|p| *p == "profile") {
                    *first = "@admin".into();
                }
            }
        });
        artifact.check().unwrap();
        assert!(artifact.role("guest").unwrap().can("@admin"));
        assert!(!artifact.role("guest").unwrap().can("webhooks"));
    }

    #[test]
    fn an_unchecked_artifact_still_answers() {
        // Deserialized without `from_json`: repeated names and ids, an undeclared permission,
        // a permission in an undeclared group. Nothing panics; the first of a name counts.
        let artifact = example(|v| {
            v["roles"][1]["name"] = "Owner".into();
            v["roles"][2]["id"] = "owner".into();
            v["roles"][2]["permissions"] = serde_json::json!(["crm", "crm", "ghost"]);
            v["catalog"]["permissions"][2]["group"] = "gone".into();
            v["catalog"]["permissions"][1]["name"] = "profile".into();
        });
        assert_eq!(
            artifact.check(),
            Err(ArtifactError::RepeatedPermission("profile".into()))
        );
        assert_eq!(artifact.role("Owner").unwrap().id(), "owner");
        assert_eq!(artifact.role_by_id("owner").unwrap().name(), "Owner");
        assert_eq!(artifact.roles().len(), 3);
        assert!(artifact.role("owner").unwrap().can("webhooks"));
        assert!(!artifact.roles().any(|role| role.can("ghost")));
        assert!(!artifact.roles().any(|role| role.can("@admin")));
    }

    #[test]
    fn the_first_problem_is_reported() {
        // A repeated role and, later in the order of the checks, a repeated id.
        let artifact = example(|v| {
            v["roles"][1]["name"] = "Owner".into();
            v["roles"][2]["id"] = "guest".into();
        });
        assert_eq!(
            artifact.check(),
            Err(ArtifactError::RepeatedRole("Owner".into()))
        );
        let text = serde_json::to_string(&artifact).unwrap();
        assert_eq!(
            Artifact::from_json(&text),
            Err(ArtifactError::RepeatedRole("Owner".into()))
        );
    }

    #[test]
    fn a_role_is_shown_by_id_and_name() {
        let artifact = Artifact::from_json(EXAMPLE).unwrap();
        let lead = artifact.role("Sales Lead").unwrap();
        assert_eq!(
            format!("{lead:?}"),
            r#"Role { id: "sales-lead", name: "Sales Lead", .. }"#
        );
        assert_eq!(lead.author(), Some("Owner"));
        assert_eq!(lead.base().unwrap().roles, ["Guest"]);
        assert_eq!(lead.source().unwrap().line, 3);
        assert_eq!(lead.annotations()["doc"], "Leads the sales team");
        assert!(!lead.is_builtin() && artifact.role("Owner").unwrap().is_builtin());
        assert_eq!(artifact.permission("crm").unwrap().group, "basic");
        assert!(artifact.permission("@basic").is_none());
        assert_eq!(artifact.groups().len(), 2);
        assert_eq!(artifact.schema(), crate::artifact::SCHEMA);
        assert_eq!(artifact.catalog().name, "example");
    }
}
