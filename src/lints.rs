//! The lints (docs/language.md, "Lints"): the one registry (name, default level and documentation), and the
//! checks themselves, which `resolve` runs as it applies each role's edits.
//!
//! `rolec lints`, `docs/diagnostics.md` (checked by a test) and `rolec.yaml`'s `lints:`
//! key all read this table, so they never drift apart.

use crate::ast::{Edit, EditTarget, RoleDef, Sign};
use crate::catalog::Catalog;
use crate::diagnostics::{join_names, Code, Diagnostic, Severity};
use crate::permset::{PermSet, PermissionId};
use crate::source::{Span, Spanned};

/// Declares the lints once: the [`Lint`] enum, the [`LINTS`] table (name, default level,
/// summary) and [`Lint::info`], in the order of docs/diagnostics.md.
macro_rules! lints {
    ($($variant:ident = $name:literal: $default:ident, $summary:literal,)*) => {
        /// A lint (docs/language.md, "Lints").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Lint {
            $($variant,)*
        }

        /// Every lint, in the order of docs/diagnostics.md.
        pub const LINTS: &[LintInfo] = &[$(LintInfo {
            lint: Lint::$variant,
            name: $name,
            default: Level::$default,
            summary: $summary,
        },)*];

        impl Lint {
            pub fn info(self) -> &'static LintInfo {
                match self {
                    $(Lint::$variant => &LintInfo {
                        lint: Lint::$variant,
                        name: $name,
                        default: Level::$default,
                        summary: $summary,
                    },)*
                }
            }
        }
    };
}

lints! {
    IneffectiveRevoke = "ineffective-revoke": Warn,
        "`-p` removes a permission the role does not hold at that point",
    OverriddenEdit = "overridden-edit": Warn,
        "a later edit undoes an earlier edit of the same permission",
    RedundantGrant = "redundant-grant": Allow,
        "`+p` adds a permission the role already holds at that point",
    EmptyRole = "empty-role": Warn, "a role resolves to no permission",
    SameAsBase = "same-as-base": Warn,
        "a role resolves to exactly the set of its `copies` source",
}

/// How a lint is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// One row of the registry.
#[derive(Debug, PartialEq, Eq)]
pub struct LintInfo {
    pub lint: Lint,
    pub name: &'static str,
    pub default: Level,
    pub summary: &'static str,
}

impl Lint {
    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<Lint> {
        LINTS
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.lint)
    }
}

/// The level of every lint for one run: the defaults, then `rolec.yaml`'s `lints:`.
#[derive(Clone, Debug)]
pub struct LintLevels {
    levels: [Level; LINTS.len()],
}

impl Default for LintLevels {
    fn default() -> LintLevels {
        let mut levels = [Level::Allow; LINTS.len()];
        for (slot, info) in levels.iter_mut().zip(LINTS) {
            *slot = info.default;
        }
        LintLevels { levels }
    }
}

impl LintLevels {
    pub fn set(&mut self, lint: Lint, level: Level) {
        if let Some(slot) = self.levels.get_mut(lint as usize) {
            *slot = level;
        }
    }

    pub fn get(&self, lint: Lint) -> Level {
        self.levels
            .get(lint as usize)
            .copied()
            .unwrap_or(Level::Allow)
    }
}

/// The table of lints as Markdown, as it stands between `<!-- lints:begin -->` and
/// `<!-- lints:end -->` in `docs/diagnostics.md` (a test keeps the two equal).
pub fn markdown_table() -> String {
    let mut table = String::from("| lint | default | fires when |\n| --- | --- | --- |\n");
    for info in LINTS {
        table.push_str(&format!(
            "| [`{name}`](#{name}) | `{level}` | {summary} |\n",
            name = info.name,
            level = info.default.as_str(),
            summary = info.summary
        ));
    }
    table
}

/// The table of lints for a terminal (`rolec lints`).
pub fn text_table() -> String {
    let width = LINTS.iter().map(|info| info.name.len()).max().unwrap_or(0);
    let mut table = String::new();
    for info in LINTS {
        table.push_str(&format!(
            "{name:<width$}  {level:<5}  {summary}\n",
            name = info.name,
            level = info.default.as_str(),
            summary = info.summary.replace('`', "")
        ));
    }
    table
}

/// The lints as one JSON document (`rolec lints --format json`): `{"lints": [{"name",
/// "default", "summary"}]}`, in the order of the table.
pub fn json_table() -> String {
    let lints: Vec<serde_json::Value> = LINTS
        .iter()
        .map(|info| {
            serde_json::json!({
                "name": info.name,
                "default": info.default.as_str(),
                "summary": info.summary,
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "lints": lints })).unwrap_or_default();
    text.push('\n');
    text
}

// ── The checks ─────────────────────────────────────────────────────────────────────────────

/// A lint diagnostic at the level the run gives it, or `None` when it is allowed.
pub fn lint(
    levels: &LintLevels,
    lint: Lint,
    span: Span,
    message: impl FnOnce() -> String,
) -> Option<Diagnostic> {
    let severity = match levels.get(lint) {
        Level::Allow => return None,
        Level::Warn => Severity::Warning,
        Level::Deny => Severity::Error,
    };
    let mut diagnostic = Diagnostic::error(Code::Lint(lint), span, message());
    diagnostic.severity = severity;
    Some(diagnostic)
}

/// The words of a role's `@allow("...")` annotations: each word, where it is written, and
/// the lint it names (`None`: no such lint). The place is the word's own when the string has
/// no escape, else the whole string.
pub fn allowed_by(def: &RoleDef) -> Vec<(&str, Span, Option<Lint>)> {
    let mut words = Vec::new();
    for annotation in &def.annotations {
        if annotation.key.value != crate::resolve::ALLOW_ANNOTATION {
            continue;
        }
        let span = annotation.value_span;
        // Without escapes the value is the text between the quotes, byte for byte.
        let plain = span.end.saturating_sub(span.start) == annotation.value.len() + 2;
        let mut offset = 0;
        for word in annotation
            .value
            .split(|c: char| c.is_whitespace() || c == ',')
        {
            let start = offset;
            offset += word.len() + 1;
            if word.is_empty() {
                continue;
            }
            let word_span = if plain {
                Span::new(
                    span.file,
                    span.start + 1 + start,
                    span.start + 1 + start + word.len(),
                )
            } else {
                span
            };
            words.push((word, word_span, Lint::from_name(word)));
        }
    }
    words
}

/// `unknown-lint`: `name`, written at `span` (in `@allow` or under `lints:`), is no lint.
pub fn unknown_lint(name: &str, span: Span) -> Diagnostic {
    let names: Vec<&str> = LINTS.iter().map(|info| info.name).collect();
    let help = crate::suggest::did_you_mean(name, names.iter().copied())
        .unwrap_or_else(|| format!("the lints are {}", join_names(&names)));
    Diagnostic::error(
        Code::UnknownLint,
        span,
        format!("unknown lint `{}`", crate::names::visible(name)),
    )
    .with_label("not a lint")
    .with_help(help)
}

/// The lints of a role's edits and of its resolved set, checked while `resolve` applies the
/// edits, one role at a time; the scratch space is kept from role to role.
pub struct RoleLints<'l> {
    levels: &'l LintLevels,
    /// The levels for the current role: the run's, less what its `@allow` names; or all
    /// allowed for a role whose edits name something unknown (already an error there; lints
    /// would only repeat it).
    role_levels: LintLevels,
    /// Whether the current role's `overridden-edit` bookkeeping is kept.
    track_overrides: bool,
    overrides: Overrides,
}

/// Every lint allowed: the levels of a role that reports none.
static ALL_ALLOWED: LintLevels = LintLevels {
    levels: [Level::Allow; LINTS.len()],
};

impl<'l> RoleLints<'l> {
    pub fn new(levels: &'l LintLevels) -> RoleLints<'l> {
        RoleLints {
            levels,
            role_levels: levels.clone(),
            track_overrides: false,
            overrides: Overrides::default(),
        }
    }

    fn levels(&self) -> &LintLevels {
        &self.role_levels
    }

    /// Starts the role `def`; with `quiet`, nothing is reported for it.
    pub fn start_role(&mut self, def: &RoleDef, quiet: bool) {
        self.role_levels = if quiet {
            ALL_ALLOWED.clone()
        } else {
            self.levels.clone()
        };
        if !def.annotations.is_empty() {
            for (_, _, lint) in allowed_by(def) {
                if let Some(lint) = lint {
                    self.role_levels.set(lint, Level::Allow);
                }
            }
        }
        self.overrides.start(def.edits.len());
        // Only an edit after another can undo it, and the work is skipped when nobody listens.
        self.track_overrides =
            def.edits.len() > 1 && self.levels().get(Lint::OverriddenEdit) != Level::Allow;
    }

    /// Edit `index` of role `role` (`+targets` or `-targets`) was applied; `had_effect`: it
    /// added something, or removed something (or tried to remove an inherited permission).
    /// Without an effect it is `redundant-grant` or `ineffective-revoke`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn applied(
        &mut self,
        catalog: &Catalog,
        role: &str,
        index: usize,
        edit: &Edit,
        targets: &PermSet,
        had_effect: bool,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        if !had_effect {
            let reported = match edit.sign {
                Sign::Add => self
                    .no_effect(Lint::RedundantGrant, index, edit, || {
                        let described = describe_targets(catalog, edit, targets);
                        format!("adds nothing: `{role}` already holds {described}")
                    })
                    .map(|diagnostic| {
                        diagnostic
                            .with_label("already held at this point")
                            .with_help("remove this edit")
                    }),
                Sign::Remove => self
                    .no_effect(Lint::IneffectiveRevoke, index, edit, || {
                        let described = describe_targets(catalog, edit, targets);
                        format!("removes nothing: `{role}` does not hold {described} at this point")
                    })
                    .map(|diagnostic| {
                        diagnostic.with_label("nothing to remove").with_help(
                            "remove this edit, or move it after the edit that adds the permission",
                        )
                    }),
            };
            diagnostics.extend(reported);
        }
        if self.track_overrides {
            self.overrides.touch(index, edit.sign, targets);
        }
    }

    /// `lint` for edit `index`, which had no effect ("`EDIT` " + `what`), when reported; the
    /// edit is then not reported as overridden too.
    fn no_effect(
        &mut self,
        lint_of_edit: Lint,
        index: usize,
        edit: &Edit,
        what: impl FnOnce() -> String,
    ) -> Option<Diagnostic> {
        let reported = lint(self.levels(), lint_of_edit, edit.span, || {
            format!("`{}` {}", edit.text(), what())
        });
        if reported.is_some() {
            self.overrides.had_no_effect(index);
        }
        reported
    }

    /// The role `def` resolved to `set` (`overridden-edit`, `empty-role`, and `same-as-base`
    /// against `copied`, the role it copies and that role's set).
    pub fn finish_role(
        &mut self,
        def: &RoleDef,
        set: &PermSet,
        copied: Option<(&Spanned<String>, &PermSet)>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let levels = self.levels();
        let name = def.name.value.as_str();
        for (earlier, later) in self.overrides.overridden() {
            let (Some(first), Some(second)) = (def.edits.get(earlier), def.edits.get(later)) else {
                continue;
            };
            diagnostics.extend(
                lint(levels, Lint::OverriddenEdit, first.span, || {
                    format!(
                        "`{}` is undone by the later `{}`",
                        first.text(),
                        second.text()
                    )
                })
                .map(|d| {
                    d.with_label("has no effect")
                        .with_secondary(second.span, "undone here")
                        .with_help("remove one of the two edits")
                }),
            );
        }
        if set.is_empty() {
            diagnostics.extend(
                lint(levels, Lint::EmptyRole, def.name.span, || {
                    format!("role `{name}` has no permissions")
                })
                .map(|d| {
                    d.with_label("resolves to no permission")
                        .with_help("add permissions with `< +permission >`, or remove the role")
                }),
            );
        }
        if let Some((reference, _)) = copied.filter(|(_, base)| base.same_members(set)) {
            diagnostics.extend(
                lint(levels, Lint::SameAsBase, def.name.span, || {
                    format!(
                        "role `{name}` has exactly the permissions of `{}`, which it copies",
                        reference.value
                    )
                })
                .map(|d| {
                    d.with_label("same permissions as its base")
                        .with_help(format!(
                            "use `{}` itself, or add the edits that make this role different",
                            reference.value
                        ))
                }),
            );
        }
    }
}

/// The bookkeeping of `overridden-edit` for one role at a time, kept from role to role so
/// that a run allocates it once: the last edit that touched each permission, and for each
/// edit how many of its permissions later edits of the opposite sign took back.
#[derive(Default)]
struct Overrides {
    /// By permission: the last edit of the current role (index, sign) that touched it.
    last_touch: Vec<Option<(usize, Sign)>>,
    /// The permissions `last_touch` holds something for, to clear it for the next role.
    touched: Vec<PermissionId>,
    /// By edit: how many permissions it touches, how many of them a later edit of the
    /// opposite sign took back, the last edit that took one back, and whether the edit was
    /// already reported as having no effect (then it is not reported as overridden too).
    edits: Vec<EditOverrides>,
}

#[derive(Clone, Copy, Default)]
struct EditOverrides {
    size: usize,
    undone: usize,
    undone_by: usize,
    no_effect: bool,
}

impl Overrides {
    /// Clears what the previous role left, for a role of `edits` edits.
    fn start(&mut self, edits: usize) {
        for permission in self.touched.drain(..) {
            if let Some(slot) = self.last_touch.get_mut(permission) {
                *slot = None;
            }
        }
        self.edits.clear();
        self.edits.resize(edits, EditOverrides::default());
    }

    fn had_no_effect(&mut self, index: usize) {
        if let Some(edit) = self.edits.get_mut(index) {
            edit.no_effect = true;
        }
    }

    /// Edit `index`, of sign `sign`, touches `targets`.
    fn touch(&mut self, index: usize, sign: Sign, targets: &PermSet) {
        if let Some(edit) = self.edits.get_mut(index) {
            edit.size = targets.len();
        }
        for permission in targets.iter() {
            if self.last_touch.len() <= permission {
                self.last_touch.resize(permission + 1, None);
            }
            let Some(slot) = self.last_touch.get_mut(permission) else {
                continue;
            };
            match slot.replace((index, sign)) {
                None => self.touched.push(permission),
                Some((earlier, earlier_sign)) if earlier_sign != sign => {
                    if let Some(edit) = self.edits.get_mut(earlier) {
                        edit.undone += 1;
                        edit.undone_by = index;
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// (earlier, later): each edit every permission of which a later edit took back, and
    /// the last edit that took one back, in the order of the edits.
    fn overridden(&self) -> Vec<(usize, usize)> {
        self.edits
            .iter()
            .enumerate()
            .filter(|(_, edit)| !edit.no_effect && edit.size > 0 && edit.undone == edit.size)
            .map(|(earlier, edit)| (earlier, edit.undone_by))
            .collect()
    }
}

fn describe_targets(catalog: &Catalog, edit: &Edit, targets: &PermSet) -> String {
    match edit.target {
        EditTarget::Group(ref group) if edit.sign == Sign::Add => {
            format!("every permission of `@{group}`")
        }
        EditTarget::Group(ref group) => format!("any permission of `@{group}`"),
        EditTarget::Permission(_) => join_names(&catalog.permission_names(targets)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_in_declaration_order() {
        for (index, info) in LINTS.iter().enumerate() {
            assert_eq!(info.lint as usize, index, "{}", info.name);
            assert_eq!(info.lint.info(), info);
            assert_eq!(Lint::from_name(info.name), Some(info.lint));
        }
    }
}
