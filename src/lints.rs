//! The one registry of lints (section 2.3): name, default level and documentation.
//!
//! `rolec lints`, `docs/diagnostics.md` (checked by a test) and `rolec.yaml`'s `lints:`
//! key all read this table, so they never drift apart.

/// A lint of section 2.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lint {
    IneffectiveRevoke,
    OverriddenEdit,
    RedundantGrant,
    EmptyRole,
    SameAsBase,
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
pub struct LintInfo {
    pub lint: Lint,
    pub name: &'static str,
    pub default: Level,
    pub summary: &'static str,
}

/// Every lint, in the order of the contract.
pub const LINTS: &[LintInfo] = &[
    LintInfo {
        lint: Lint::IneffectiveRevoke,
        name: "ineffective-revoke",
        default: Level::Warn,
        summary: "`-p` removes a permission the role does not hold at that point",
    },
    LintInfo {
        lint: Lint::OverriddenEdit,
        name: "overridden-edit",
        default: Level::Warn,
        summary: "a later edit undoes an earlier edit of the same permission",
    },
    LintInfo {
        lint: Lint::RedundantGrant,
        name: "redundant-grant",
        default: Level::Allow,
        summary: "`+p` adds a permission the role already holds at that point",
    },
    LintInfo {
        lint: Lint::EmptyRole,
        name: "empty-role",
        default: Level::Warn,
        summary: "a role resolves to no permission",
    },
    LintInfo {
        lint: Lint::SameAsBase,
        name: "same-as-base",
        default: Level::Warn,
        summary: "a role resolves to exactly the set of its `copies` source",
    },
];

impl Lint {
    pub fn info(self) -> &'static LintInfo {
        // LINTS lists every variant, in declaration order.
        &LINTS[self as usize]
    }

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
    /// Every lint allowed: for code that must not report lints.
    pub fn all_allowed() -> LintLevels {
        LintLevels {
            levels: [Level::Allow; LINTS.len()],
        }
    }

    pub fn set(&mut self, lint: Lint, level: Level) {
        self.levels[lint as usize] = level;
    }

    pub fn get(&self, lint: Lint) -> Level {
        self.levels[lint as usize]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_in_declaration_order() {
        for (index, info) in LINTS.iter().enumerate() {
            assert_eq!(info.lint as usize, index, "{}", info.name);
            assert_eq!(Lint::from_name(info.name), Some(info.lint));
        }
    }
}
