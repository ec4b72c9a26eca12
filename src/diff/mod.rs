//! The semantic diff behind `rolec diff`: what a change does to who can do what. Two
//! artifacts ([`crate::artifact`]) in, a [`Diff`] out — roles added, removed, renamed and
//! changed, with the permissions each gains and loses, built-in roles changed by a catalog
//! change, and the catalog's own changes. [`render`] prints it for a terminal, a pull-request
//! comment (Markdown) or a machine (JSON). Pure: no I/O.

pub mod render;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::artifact::{
    Artifact, ArtifactBase, ArtifactCatalog, ArtifactGroup, ArtifactPermission, ArtifactRole,
};

/// A value before and after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Changed_{T}"))]
pub struct Changed<T> {
    pub before: T,
    pub after: T,
}

/// What happened to a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    /// The same id under another name; its other changes are listed with it.
    Renamed,
    Changed,
}

/// A permission gained or lost, with its group (in the new catalog for a gain, in the old
/// one for a loss) and whether it is sensitive. A gain is sensitive when the permission's
/// group in either catalog is marked sensitive in either catalog, so that a change cannot
/// hide a gain by also editing the catalog (section 6); a loss, when its old group was
/// sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PermissionChange {
    pub name: String,
    pub group: String,
    pub sensitive: bool,
    /// The group that makes the change sensitive: `group` itself, or for a permission moved
    /// out of a sensitive group, the group it left. `None` when not sensitive.
    pub sensitive_group: Option<String>,
}

/// An annotation added (`before` null), removed (`after` null) or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AnnotationChange {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One role that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RoleDiff {
    /// The role's id, the same on both sides.
    pub id: String,
    /// Its name (after the change, unless it was removed).
    pub name: String,
    pub builtin: bool,
    pub change: Change,
    /// The old name of a renamed role.
    pub renamed_from: Option<String>,
    /// In the new catalog's order.
    pub gained: Vec<PermissionChange>,
    /// In the old catalog's order.
    pub lost: Vec<PermissionChange>,
    /// Present when the base differs (always for an added or removed role).
    pub base: Option<Changed<Option<ArtifactBase>>>,
    /// Present when the author differs (always for an added or removed custom role).
    pub author: Option<Changed<Option<String>>>,
    pub annotations: Vec<AnnotationChange>,
}

impl RoleDiff {
    pub fn sensitive_gains(&self) -> usize {
        self.gained.iter().filter(|p| p.sensitive).count()
    }
}

/// A group whose title or sensitivity changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupDiff {
    pub name: String,
    pub title: Option<Changed<String>>,
    pub sensitive: Option<Changed<bool>>,
}

/// A permission that moved to another group or got another description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PermissionDiff {
    pub name: String,
    pub group: Option<Changed<String>>,
    pub description: Option<Changed<String>>,
}

/// Changes to the catalog itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogDiff {
    pub name: Option<Changed<String>>,
    pub groups_added: Vec<ArtifactGroup>,
    pub groups_removed: Vec<ArtifactGroup>,
    pub groups_changed: Vec<GroupDiff>,
    pub permissions_added: Vec<ArtifactPermission>,
    pub permissions_removed: Vec<ArtifactPermission>,
    pub permissions_changed: Vec<PermissionDiff>,
}

impl CatalogDiff {
    pub fn is_empty(&self) -> bool {
        self == &CatalogDiff::default()
    }
}

/// Everything that differs between two artifacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Diff {
    /// Built-in roles first (in the new catalog's order, then removed ones), then custom
    /// roles in byte order of their names.
    pub roles: Vec<RoleDiff>,
    pub catalog: CatalogDiff,
    /// How many permissions of sensitive groups were gained, over all roles.
    pub sensitive_gains: usize,
    /// The groups that are sensitive in the old catalog and are not in the new one (no
    /// longer marked, or removed), in the old catalog's order: a sensitive change in itself.
    pub unmarked_sensitive_groups: Vec<String>,
}

/// A condition of `rolec diff --fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// A role gains a permission of a group that is sensitive in either catalog, or a group
    /// loses its sensitive mark.
    Sensitive,
    /// A role disappears (its users would lose it).
    Removed,
    /// A role keeps its id under another name.
    Renamed,
    /// A role gains a permission (an added role gains all it holds).
    Gained,
    /// Anything at all changes (the json diff is not empty).
    Any,
}

impl Diff {
    /// Whether the change does anything that `--fail-on sensitive` fails on.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive_gains > 0 || !self.unmarked_sensitive_groups.is_empty()
    }

    /// Why `condition` fires for this change from `base` to `head` (the sides' labels), one
    /// line each, in users' words (names made visible, in backticks); empty when it does not.
    pub fn fired(&self, condition: Condition, base: &str, head: &str) -> Vec<String> {
        let name = |role: &RoleDiff| format!("`{}`", crate::names::visible(&role.name));
        match condition {
            Condition::Sensitive => {
                let mut reasons = Vec::new();
                if self.sensitive_gains > 0 {
                    let count = self.sensitive_gains;
                    let plural = if count == 1 { "" } else { "s" };
                    reasons.push(format!(
                        "{count} permission{plural} of sensitive groups gained"
                    ));
                }
                for group in &self.unmarked_sensitive_groups {
                    let (group, base, head) = (
                        crate::names::visible(group),
                        crate::names::visible(base),
                        crate::names::visible(head),
                    );
                    reasons.push(format!(
                        "the group `{group}` is sensitive in `{base}` and not in `{head}`"
                    ));
                }
                reasons
            }
            Condition::Removed => self
                .roles
                .iter()
                .filter(|role| role.change == Change::Removed)
                .map(|role| format!("role {} is removed", name(role)))
                .collect(),
            Condition::Renamed => self
                .roles
                .iter()
                .filter(|role| role.change == Change::Renamed)
                .map(|role| {
                    let old = role.renamed_from.as_deref().unwrap_or_default();
                    let old = crate::names::visible(old);
                    format!("role `{old}` is renamed to {}", name(role))
                })
                .collect(),
            Condition::Gained => self
                .roles
                .iter()
                .filter(|role| !role.gained.is_empty())
                .map(|role| {
                    let count = role.gained.len();
                    let plural = if count == 1 { "" } else { "s" };
                    format!("role {} gains {count} permission{plural}", name(role))
                })
                .collect(),
            Condition::Any if self.is_empty() => Vec::new(),
            Condition::Any => vec!["the diff is not empty".to_string()],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.catalog.is_empty()
    }
}

/// Facts about a catalog's permissions: group by name, and which groups are sensitive.
struct PermissionFacts<'a> {
    groups: HashMap<&'a str, &'a str>,
    sensitive: HashSet<&'a str>,
}

impl<'a> PermissionFacts<'a> {
    fn new(catalog: &'a ArtifactCatalog) -> PermissionFacts<'a> {
        PermissionFacts {
            groups: catalog
                .permissions
                .iter()
                .map(|p| (p.name.as_str(), p.group.as_str()))
                .collect(),
            sensitive: catalog
                .groups
                .iter()
                .filter(|g| g.sensitive)
                .map(|g| g.name.as_str())
                .collect(),
        }
    }

    fn group(&self, permission: &str) -> Option<&'a str> {
        self.groups.get(permission).copied()
    }

    fn is_sensitive(&self, group: &str) -> bool {
        self.sensitive.contains(group)
    }
}

/// A permission a role lost, judged in the old catalog.
fn describe_loss(base: &PermissionFacts<'_>, name: &str) -> PermissionChange {
    let group = base.group(name).unwrap_or("");
    let sensitive = base.is_sensitive(group);
    PermissionChange {
        name: name.to_string(),
        group: group.to_string(),
        sensitive,
        sensitive_group: sensitive.then(|| group.to_string()),
    }
}

/// A permission a role gained: its group is the new catalog's (the old one's for a
/// permission the new catalog lacks), and it is sensitive when its group in either catalog
/// is marked sensitive in either catalog. Judging by the new catalog alone would let a
/// change that also edits the catalog hide the gain, by unmarking the group or by moving
/// the permission to an ordinary one.
fn describe_gain(
    base: &PermissionFacts<'_>,
    head: &PermissionFacts<'_>,
    name: &str,
) -> PermissionChange {
    let head_group = head.group(name);
    let base_group = base.group(name);
    let group = head_group.or(base_group).unwrap_or("");
    let marked = |g: &str| head.is_sensitive(g) || base.is_sensitive(g);
    let sensitive_group = [head_group, base_group]
        .into_iter()
        .flatten()
        .find(|g| marked(g));
    PermissionChange {
        name: name.to_string(),
        group: group.to_string(),
        sensitive: sensitive_group.is_some(),
        sensitive_group: sensitive_group.map(str::to_string),
    }
}

/// Compares two artifacts, matching roles by id: a role whose id is on both sides under
/// another name is renamed, with its other changes.
pub fn diff(base: &Artifact, head: &Artifact) -> Diff {
    let base_facts = PermissionFacts::new(&base.catalog);
    let head_facts = PermissionFacts::new(&head.catalog);
    let base_roles = roles_by_id(base);
    let head_roles = roles_by_id(head);

    // Built-ins in the new catalog's order, then removed ones; custom roles in byte order of
    // their names (the new name of a renamed role).
    let mut builtin_ids: Vec<&str> = Vec::new();
    let mut custom: Vec<(&str, &str)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for role in head.roles.iter().chain(&base.roles) {
        if !seen.insert(role.id.as_str()) {
            continue;
        }
        if role.builtin {
            builtin_ids.push(&role.id);
        } else {
            custom.push((&role.name, &role.id));
        }
    }
    custom.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let compare = |id: &str| -> Option<RoleDiff> {
        let before = base_roles.get(id).copied();
        let after = head_roles.get(id).copied();
        role_diff(before, after, &base_facts, &head_facts)
    };
    let roles: Vec<RoleDiff> = builtin_ids
        .iter()
        .copied()
        .chain(custom.iter().map(|&(_, id)| id))
        .filter_map(compare)
        .collect();

    let sensitive_gains = roles.iter().map(RoleDiff::sensitive_gains).sum();
    let unmarked_sensitive_groups = base
        .catalog
        .groups
        .iter()
        .filter(|g| g.sensitive && !head_facts.is_sensitive(&g.name))
        .map(|g| g.name.clone())
        .collect();
    Diff {
        roles,
        catalog: catalog_diff(&base.catalog, &head.catalog),
        sensitive_gains,
        unmarked_sensitive_groups,
    }
}

/// The roles of an artifact by id.
fn roles_by_id(artifact: &Artifact) -> HashMap<&str, &ArtifactRole> {
    artifact
        .roles
        .iter()
        .map(|role| (role.id.as_str(), role))
        .collect()
}

/// What differs between a role `before` and `after` the change (the same id; `None` on the
/// side where it does not exist), or `None` when nothing does.
fn role_diff(
    before: Option<&ArtifactRole>,
    after: Option<&ArtifactRole>,
    base_facts: &PermissionFacts<'_>,
    head_facts: &PermissionFacts<'_>,
) -> Option<RoleDiff> {
    let empty = Vec::new();
    let before_permissions = before.map_or(&empty, |r| &r.permissions);
    let after_permissions = after.map_or(&empty, |r| &r.permissions);
    let (gained, lost) = if before_permissions == after_permissions {
        (Vec::new(), Vec::new())
    } else {
        let before_set: HashSet<&str> = before_permissions.iter().map(String::as_str).collect();
        let after_set: HashSet<&str> = after_permissions.iter().map(String::as_str).collect();
        let gained: Vec<PermissionChange> = after_permissions
            .iter()
            .filter(|p| !before_set.contains(p.as_str()))
            .map(|p| describe_gain(base_facts, head_facts, p))
            .collect();
        let lost: Vec<PermissionChange> = before_permissions
            .iter()
            .filter(|p| !after_set.contains(p.as_str()))
            .map(|p| describe_loss(base_facts, p))
            .collect();
        (gained, lost)
    };
    let (change, role) = match (before, after) {
        (None, None) => return None,
        (None, Some(after)) => (Change::Added, after),
        (Some(before), None) => (Change::Removed, before),
        (Some(before), Some(after)) if before.name != after.name => (Change::Renamed, after),
        (Some(_), Some(after)) => (Change::Changed, after),
    };
    let before_base = before.and_then(|r| r.base.clone());
    let after_base = after.and_then(|r| r.base.clone());
    let before_author = before.and_then(|r| r.author.clone());
    let after_author = after.and_then(|r| r.author.clone());
    let whole = matches!(change, Change::Added | Change::Removed);
    let builtin = role.builtin;
    let diff = RoleDiff {
        id: role.id.clone(),
        name: role.name.clone(),
        builtin,
        change,
        renamed_from: (change == Change::Renamed)
            .then(|| before.map(|r| r.name.clone()))
            .flatten(),
        gained,
        lost,
        base: (whole || before_base != after_base).then_some(Changed {
            before: before_base,
            after: after_base,
        }),
        author: ((whole && !builtin) || before_author != after_author).then_some(Changed {
            before: before_author,
            after: after_author,
        }),
        annotations: annotation_changes(before, after),
    };
    let unchanged = change == Change::Changed
        && diff.gained.is_empty()
        && diff.lost.is_empty()
        && diff.base.is_none()
        && diff.author.is_none()
        && diff.annotations.is_empty();
    (!unchanged).then_some(diff)
}

fn annotation_changes(
    before: Option<&ArtifactRole>,
    after: Option<&ArtifactRole>,
) -> Vec<AnnotationChange> {
    let empty = BTreeMap::new();
    let before = before.map_or(&empty, |r| &r.annotations);
    let after = after.map_or(&empty, |r| &r.annotations);
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|key| before.get(*key) != after.get(*key))
        .map(|key| AnnotationChange {
            key: key.clone(),
            before: before.get(key).cloned(),
            after: after.get(key).cloned(),
        })
        .collect()
}

pub(crate) fn catalog_diff(base: &ArtifactCatalog, head: &ArtifactCatalog) -> CatalogDiff {
    let group_name = |group: &ArtifactGroup| group.name.clone();
    let (groups_added, groups_removed, groups_changed) =
        compare_by_name(&base.groups, &head.groups, group_name, |before, after| {
            let diff = GroupDiff {
                name: after.name.clone(),
                title: changed(&before.title, &after.title),
                sensitive: (before.sensitive != after.sensitive).then_some(Changed {
                    before: before.sensitive,
                    after: after.sensitive,
                }),
            };
            (diff.title.is_some() || diff.sensitive.is_some()).then_some(diff)
        });
    let permission_name = |permission: &ArtifactPermission| permission.name.clone();
    let (permissions_added, permissions_removed, permissions_changed) = compare_by_name(
        &base.permissions,
        &head.permissions,
        permission_name,
        |before, after| {
            let diff = PermissionDiff {
                name: after.name.clone(),
                group: changed(&before.group, &after.group),
                description: changed(&before.description, &after.description),
            };
            (diff.group.is_some() || diff.description.is_some()).then_some(diff)
        },
    );
    CatalogDiff {
        name: changed(&base.name, &head.name),
        groups_added,
        groups_removed,
        groups_changed,
        permissions_added,
        permissions_removed,
        permissions_changed,
    }
}

/// `before` and `after` when they differ.
fn changed(before: &str, after: &str) -> Option<Changed<String>> {
    (before != after).then(|| Changed {
        before: before.to_string(),
        after: after.to_string(),
    })
}

/// The items of `head` not in `base` (in `head`'s order), those of `base` not in `head` (in
/// `base`'s order), and what `compare` says of each item on both sides, matched by `name`.
fn compare_by_name<T: Clone, D>(
    base: &[T],
    head: &[T],
    name: impl Fn(&T) -> String,
    compare: impl Fn(&T, &T) -> Option<D>,
) -> (Vec<T>, Vec<T>, Vec<D>) {
    let base_by_name: HashMap<String, &T> = base.iter().map(|item| (name(item), item)).collect();
    let head_names: HashSet<String> = head.iter().map(&name).collect();
    let added = head
        .iter()
        .filter(|item| !base_by_name.contains_key(&name(item)))
        .cloned()
        .collect();
    let removed = base
        .iter()
        .filter(|item| !head_names.contains(&name(item)))
        .cloned()
        .collect();
    let changes = head
        .iter()
        .filter_map(|after| compare(base_by_name.get(&name(after))?, after))
        .collect();
    (added, removed, changes)
}

#[cfg(test)]
mod tests {
    use super::render::{human, summary};
    use super::*;
    use crate::artifact::SCHEMA;

    /// The name and change of each role of `diff` that `keep` keeps.
    fn changes(diff: &Diff, keep: impl Fn(&RoleDiff) -> bool) -> Vec<(&str, Change)> {
        diff.roles
            .iter()
            .filter(|r| keep(r))
            .map(|r| (r.name.as_str(), r.change))
            .collect()
    }

    fn role(name: &str, permissions: &[&str]) -> ArtifactRole {
        ArtifactRole {
            id: crate::names::derive_id(name),
            name: name.into(),
            author: Some("Administrator".into()),
            permissions: permissions.iter().map(|p| (*p).to_string()).collect(),
            ..ArtifactRole::default()
        }
    }

    fn artifact(roles: Vec<ArtifactRole>) -> Artifact {
        let group = |name: &str, sensitive| ArtifactGroup {
            name: name.into(),
            title: name.into(),
            sensitive,
        };
        let permission = |name: &str, group: &str| ArtifactPermission {
            name: name.into(),
            group: group.into(),
            description: name.into(),
        };
        Artifact {
            schema: SCHEMA.into(),
            catalog: ArtifactCatalog {
                name: "test".into(),
                groups: vec![group("basic", false), group("admin", true)],
                permissions: vec![
                    permission("a", "basic"),
                    permission("b", "basic"),
                    permission("s", "admin"),
                ],
            },
            roles,
            ..Artifact::default()
        }
    }

    #[test]
    fn gains_losses_and_sensitive_marks() {
        let base = artifact(vec![role("X", &["a", "b"]), role("Gone", &["a"])]);
        let head = artifact(vec![role("X", &["a", "s"]), role("New", &["b", "s"])]);
        let diff = diff(&base, &head);
        assert_eq!(
            changes(&diff, |_| true),
            [
                ("Gone", Change::Removed),
                ("New", Change::Added),
                ("X", Change::Changed)
            ]
        );
        let x = &diff.roles[2];
        assert_eq!(x.gained.len(), 1);
        assert!(x.gained[0].sensitive);
        assert_eq!(x.lost[0].name, "b");
        assert_eq!(diff.sensitive_gains, 2);
        assert!(diff.catalog.is_empty());
    }

    #[test]
    fn roles_are_matched_by_id_and_a_new_name_is_a_rename() {
        // `Old` keeps its id under the name `New`, and gains `b`; `Twin1` and `Twin2` have
        // the same permissions but different ids: a removal and an addition, not a rename.
        let mut renamed = role("New", &["a", "s", "b"]);
        renamed.id = "old".into();
        let base = artifact(vec![role("Old", &["a", "s"]), role("Twin1", &["b"])]);
        let head = artifact(vec![renamed, role("Twin2", &["b"])]);
        let diff = diff(&base, &head);
        assert_eq!(
            changes(&diff, |_| true),
            [
                ("New", Change::Renamed),
                ("Twin1", Change::Removed),
                ("Twin2", Change::Added)
            ],
            "{diff:#?}"
        );
        let new = &diff.roles[0];
        assert_eq!(
            (new.id.as_str(), new.renamed_from.as_deref()),
            ("old", Some("Old"))
        );
        assert_eq!(new.gained.len(), 1, "a rename shows its other changes");
        let fired = |condition| diff.fired(condition, "base", "head");
        assert_eq!(
            fired(Condition::Renamed),
            ["role `Old` is renamed to `New`"]
        );
        assert_eq!(fired(Condition::Removed), ["role `Twin1` is removed"]);
        assert_eq!(fired(Condition::Gained).len(), 2);
        assert_eq!(fired(Condition::Any), ["the diff is not empty"]);
        assert!(fired(Condition::Sensitive).is_empty());
    }

    #[test]
    fn identical_artifacts_have_no_diff() {
        let one = artifact(vec![role("X", &["a"])]);
        let diff = diff(&one, &one);
        assert!(diff.is_empty());
        assert_eq!(summary(&diff), "no changes to roles or the catalog");
    }

    /// The same change with a catalog edited by it: `s` of the sensitive group `admin` is
    /// gained, and HEAD's catalog hides it by `edit`.
    fn catalog_bypass(edit: impl Fn(&mut ArtifactCatalog)) -> Diff {
        let base = artifact(vec![role("X", &["a"])]);
        let mut head = artifact(vec![role("X", &["a", "s"])]);
        edit(&mut head.catalog);
        diff(&base, &head)
    }

    #[test]
    fn a_gain_is_sensitive_when_its_group_is_unmarked_by_the_same_change() {
        let diff = catalog_bypass(|catalog| catalog.groups[1].sensitive = false);
        let gained = &diff.roles[0].gained;
        assert_eq!(
            gained,
            &[PermissionChange {
                name: "s".into(),
                group: "admin".into(),
                sensitive: true,
                sensitive_group: Some("admin".into()),
            }]
        );
        assert_eq!(diff.sensitive_gains, 1);
        assert_eq!(diff.unmarked_sensitive_groups, ["admin"]);
        assert!(diff.is_sensitive());
        assert!(summary(&diff)
            .ends_with("; 1 sensitive permission gained; 1 group no longer sensitive"));
    }

    #[test]
    fn a_gain_is_sensitive_when_the_same_change_moves_it_to_an_ordinary_group() {
        let diff = catalog_bypass(|catalog| catalog.permissions[2].group = "basic".into());
        let gained = &diff.roles[0].gained;
        assert_eq!(gained.len(), 1);
        assert!(gained[0].sensitive);
        assert_eq!(gained[0].group, "basic");
        assert_eq!(gained[0].sensitive_group.as_deref(), Some("admin"));
        assert_eq!(diff.sensitive_gains, 1);
        assert!(diff.unmarked_sensitive_groups.is_empty());
        assert!(
            human(&diff, "a", "b", false).contains("  + s  ! sensitive (admin, moved to basic)\n")
        );
    }

    #[test]
    fn a_group_that_loses_its_mark_is_sensitive_even_without_a_gain() {
        let base = artifact(vec![role("X", &["a"])]);
        let mut head = base.clone();
        head.catalog.groups[1].sensitive = false;
        let unmarked = diff(&base, &head);
        assert_eq!(unmarked.sensitive_gains, 0);
        assert_eq!(unmarked.unmarked_sensitive_groups, ["admin"]);
        assert!(unmarked.is_sensitive());
        // Removing a sensitive group removes its mark too; marking a group is no loss.
        let mut removed = artifact(vec![role("X", &["a"])]);
        removed.catalog.groups.pop();
        removed.catalog.permissions.pop();
        assert_eq!(diff(&base, &removed).unmarked_sensitive_groups, ["admin"]);
        assert!(!diff(&head, &base).is_sensitive());
    }

    #[test]
    fn a_permission_new_in_head_is_judged_by_its_new_group() {
        let base = artifact(vec![role("X", &["a"])]);
        let mut head = artifact(vec![role("X", &["a", "n"])]);
        head.catalog.permissions.push(ArtifactPermission {
            name: "n".into(),
            group: "admin".into(),
            description: "n".into(),
        });
        let diff = diff(&base, &head);
        assert_eq!(
            diff.roles[0].gained[0].sensitive_group.as_deref(),
            Some("admin")
        );
        assert_eq!(diff.sensitive_gains, 1);
    }
}
