//! Queries at a byte offset of a policy file: what stands there (a role, a permission, a
//! group), hover text, definitions and references of roles across files, rename, document
//! symbols, quick fixes for *did you mean*, and formatting.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::ast::{BaseKind, PolicyFile, RoleDef, Statement};
use crate::catalog::Catalog;
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{self, written_name};
use crate::resolve::ID_ANNOTATION;
use crate::source::{Span, Spanned};

use super::analysis::{RoleInfo, Unit};
use super::{Location, Workspace};

/// What stands at an offset of a policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Symbol {
    /// A role's name where it is defined (`role NAME`).
    RoleDefinition {
        name: String,
        span: Span,
    },
    /// A role's name where it is referred to (`author`, `copies`, `inherits`, `assert`).
    RoleReference {
        name: String,
        span: Span,
    },
    Permission {
        name: String,
        span: Span,
    },
    /// A group, its name without `@`; the span covers the `@`.
    Group {
        name: String,
        span: Span,
    },
}

impl Symbol {
    fn span(&self) -> Span {
        match self {
            Symbol::RoleDefinition { span, .. }
            | Symbol::RoleReference { span, .. }
            | Symbol::Permission { span, .. }
            | Symbol::Group { span, .. } => *span,
        }
    }

    fn role_name(&self) -> Option<&str> {
        match self {
            Symbol::RoleDefinition { name, .. } | Symbol::RoleReference { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Hover text: Markdown, and the range of the token it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: Range<usize>,
    pub markdown: String,
}

/// A replacement of a byte range of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// Why a rename cannot be done, in a user's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

/// A role of a file, for the editor's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    /// Its base: `copies User`, `inherits A, B`.
    pub detail: Option<String>,
    /// The whole statement, annotations included.
    pub range: Range<usize>,
    /// The name.
    pub selection: Range<usize>,
}

/// A fix for a diagnostic whose help is *did you mean*.
#[derive(Clone, Debug)]
pub struct QuickFix {
    pub title: String,
    pub edit: TextEdit,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
}

/// Whether `offset` falls on `span` (its end included: a cursor just after a name is on it).
fn on(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// What stands at `offset` of `file`.
pub(super) fn symbol_at(file: &PolicyFile, offset: usize) -> Option<Symbol> {
    let role = |name: &Spanned<String>, definition: bool| {
        on(name.span, offset).then(|| {
            let (name, span) = (name.value.clone(), name.span);
            if definition {
                Symbol::RoleDefinition { name, span }
            } else {
                Symbol::RoleReference { name, span }
            }
        })
    };
    for statement in &file.statements {
        let found = match statement {
            Statement::Author(author) => role(&author.name, false),
            Statement::Role(def) => role(&def.name, true)
                .or_else(|| {
                    def.base
                        .iter()
                        .flat_map(|base| &base.roles)
                        .find_map(|name| role(name, false))
                })
                .or_else(|| {
                    def.edits
                        .iter()
                        .find(|edit| on(edit.target_span, offset))
                        .map(|edit| target(&edit.target_span, &edit.target))
                }),
            Statement::Assert(assertion) => role(&assertion.role, false).or_else(|| {
                assertion
                    .permissions
                    .iter()
                    .find(|name| on(name.span, offset))
                    .map(|name| match name.value.strip_prefix('@') {
                        Some(group) => Symbol::Group {
                            name: group.to_string(),
                            span: name.span,
                        },
                        None => Symbol::Permission {
                            name: name.value.clone(),
                            span: name.span,
                        },
                    })
            }),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn target(span: &Span, target: &crate::ast::EditTarget) -> Symbol {
    match target {
        crate::ast::EditTarget::Permission(name) => Symbol::Permission {
            name: name.clone(),
            span: *span,
        },
        crate::ast::EditTarget::Group(name) => Symbol::Group {
            name: name.clone(),
            span: *span,
        },
    }
}

/// Every place of `files` where the role `name` is written: definitions (when
/// `with_definitions`) and references.
fn occurrences(files: &[PolicyFile], name: &str, with_definitions: bool) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut take = |written: &Spanned<String>| {
        if written.value == name {
            spans.push(written.span);
        }
    };
    for statement in files.iter().flat_map(|file| &file.statements) {
        if let (Statement::Role(def), true) = (statement, with_definitions) {
            take(&def.name);
        }
        statement.role_references().for_each(&mut take);
    }
    spans
}

/// A new name as the user typed it for a rename: bare, or quoted (with `\"` and `\\`).
fn typed_name(typed: &str) -> Result<String, RenameError> {
    let typed = typed.trim();
    let Some(inner) = typed.strip_prefix('"') else {
        return Ok(typed.to_string());
    };
    let Some(inner) = inner.strip_suffix('"') else {
        return Err(RenameError(format!(
            "the name `{}` has no closing `\"`",
            names::visible(typed)
        )));
    };
    let mut name = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('"' | '\\')) => name.push(escaped),
                _ => {
                    return Err(RenameError(
                        "a quoted name knows only the escapes `\\\"` and `\\\\`".into(),
                    ))
                }
            },
            '"' => {
                return Err(RenameError(
                    "a `\"` inside a quoted name is written `\\\"`".into(),
                ))
            }
            c => name.push(c),
        }
    }
    Ok(name)
}

/// The help's name when it says *did you mean `x`?*.
fn suggested(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

/// `range` of the statement `def`: from its first annotation to its `>` (or the last token
/// before it).
fn statement_range(text: &str, def: &RoleDef) -> Range<usize> {
    let start = def
        .annotations
        .first()
        .map_or(def.keyword.start, |annotation| annotation.key.span.start);
    let mut end = def.name.span.end;
    if let Some(base) = &def.base {
        end = end.max(
            base.roles
                .last()
                .map_or(base.keyword.end, |name| name.span.end),
        );
    }
    if let Some(edit) = def.edits.last() {
        end = end.max(edit.span.end);
    }
    // The `<` `>` of the edits are not in the AST: take the `>` that closes them.
    let after = text.get(end..).unwrap_or_default();
    let gap = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
    let rest = after.get(gap..).unwrap_or_default();
    if rest.starts_with('>') {
        end += gap + 1;
    } else if rest.starts_with('<') {
        if let Some(close) = rest.find('>') {
            let inside = rest.get(..close).unwrap_or_default();
            if !inside.contains('\n') || inside.lines().count() < 50 {
                end += gap + close + 1;
            }
        }
    }
    start..end
}

/// Markdown list of the permissions of `set`, by catalog group.
fn permissions_by_group(catalog: &Catalog, set: &crate::permset::PermSet) -> String {
    let mut text = String::new();
    for group in &catalog.groups {
        let held: Vec<&str> = set
            .iter()
            .filter(|&id| group.members.contains(id))
            .map(|id| catalog.permission_name(id))
            .collect();
        if held.is_empty() {
            continue;
        }
        let sensitive = if group.sensitive { ", sensitive" } else { "" };
        let all = if held.len() == group.members.len() {
            " (all)"
        } else {
            ""
        };
        text.push_str(&format!(
            "- **{}** (`@{}`{sensitive}){all}: {}\n",
            group.title,
            group.name,
            held.iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}

fn role_hover(catalog: &Catalog, role: &RoleInfo) -> String {
    let kind = if role.builtin {
        "built-in role"
    } else {
        "custom role"
    };
    let mut text = format!("**{}** · {kind}\n\n", names::visible(&role.name));
    let mut facts = Vec::new();
    if !role.id.is_empty() {
        facts.push(format!("id `{}`", role.id));
    }
    if let Some((kind, bases)) = &role.base {
        let bases: Vec<String> = bases
            .iter()
            .map(|base| format!("`{}`", names::visible(base)))
            .collect();
        facts.push(format!("{} {}", kind.keyword(), bases.join(", ")));
    }
    if let Some(author) = &role.author {
        facts.push(format!("author `{}`", names::visible(author)));
    }
    if !facts.is_empty() {
        text.push_str(&facts.join(" · "));
        text.push_str("\n\n");
    }
    if let Some(doc) = &role.doc {
        text.push_str(&names::visible(doc));
        text.push_str("\n\n");
    }
    match &role.permissions {
        Some(set) => {
            let count = set.len();
            let noun = if count == 1 {
                "permission"
            } else {
                "permissions"
            };
            text.push_str(&format!("{count} {noun}:\n\n"));
            text.push_str(&permissions_by_group(catalog, set));
        }
        None => text.push_str("not resolved: see the problems reported\n"),
    }
    text
}

fn permission_hover(catalog: &Catalog, name: &str) -> Option<String> {
    let id = catalog.permission_id(name)?;
    let permission = catalog.permissions.get(id)?;
    let group = catalog.groups.get(permission.group)?;
    let sensitive = if group.sensitive { "yes" } else { "no" };
    Some(format!(
        "**`{name}`** · permission\n\n{}\n\ngroup: {} (`@{}`) · sensitive: {sensitive}\n",
        permission.description, group.title, group.name
    ))
}

fn group_hover(catalog: &Catalog, name: &str) -> Option<String> {
    let group = catalog.groups.get(catalog.group_id(name)?)?;
    let sensitive = if group.sensitive { " · sensitive" } else { "" };
    let members: Vec<String> = group
        .members
        .iter()
        .map(|id| format!("`{}`", catalog.permission_name(id)))
        .collect();
    Some(format!(
        "**`@{}`** · group: {}{sensitive}\n\n{} members: {}\n",
        group.name,
        group.title,
        members.len(),
        members.join(", ")
    ))
}

impl Workspace {
    /// The policy file at `path`, its unit's roles and the catalog, as last analysed (see
    /// [`Workspace::analysis`]).
    pub(super) fn context(&self, path: &Path) -> Option<(usize, &Unit, &Catalog)> {
        let index = self.file_index(path)?;
        let analysis = self.analysis.as_ref()?;
        let catalog = self.catalog.catalog.as_ref()?;
        Some((index, analysis.unit_of(index)?, catalog))
    }

    fn symbol(&self, index: usize, offset: usize) -> Option<Symbol> {
        symbol_at(self.parsed.get(index)?, offset)
    }

    /// Hover text for what stands at `offset` of `path`.
    pub fn hover(&mut self, path: &Path, offset: usize) -> Option<Hover> {
        let index = self.file_index(path)?;
        let symbol = self.symbol(index, offset)?;
        self.analysis();
        let (_, unit, catalog) = self.context(path)?;
        let markdown = match &symbol {
            Symbol::RoleDefinition { name, .. } | Symbol::RoleReference { name, .. } => {
                role_hover(catalog, unit.role(name)?)
            }
            Symbol::Permission { name, .. } => permission_hover(catalog, name)?,
            Symbol::Group { name, .. } => group_hover(catalog, name)?,
        };
        let span = symbol.span();
        Some(Hover {
            range: span.start..span.end,
            markdown,
        })
    }

    /// Where the role at `offset` of `path` is defined (a built-in: in the catalog file).
    pub fn definition(&mut self, path: &Path, offset: usize) -> Option<Location> {
        let index = self.file_index(path)?;
        let symbol = self.symbol(index, offset)?;
        let name = symbol.role_name()?.to_string();
        self.analysis();
        let (_, unit, _) = self.context(path)?;
        let span = unit.role(&name)?.definition?;
        self.location(span)
    }

    /// Every place where the role at `offset` of `path` is written, in its run's files.
    pub fn references(
        &mut self,
        path: &Path,
        offset: usize,
        include_declaration: bool,
    ) -> Vec<Location> {
        let Some(index) = self.file_index(path) else {
            return Vec::new();
        };
        let Some(name) = self
            .symbol(index, offset)
            .and_then(|symbol| symbol.role_name().map(str::to_string))
        else {
            return Vec::new();
        };
        self.analysis();
        let Some((_, unit, _)) = self.context(path) else {
            return Vec::new();
        };
        let files = self.parsed.get(unit.files.clone()).unwrap_or_default();
        occurrences(files, &name, include_declaration)
            .into_iter()
            .filter_map(|span| self.location(span))
            .collect()
    }

    /// The range of the custom role's name at `offset` of `path`, and the name, when it can
    /// be renamed; `None` on a built-in, an unknown role or anything else.
    pub fn prepare_rename(&mut self, path: &Path, offset: usize) -> Option<(Range<usize>, String)> {
        let index = self.file_index(path)?;
        let symbol = self.symbol(index, offset)?;
        let name = symbol.role_name()?.to_string();
        self.analysis();
        let (_, unit, _) = self.context(path)?;
        let role = unit.role(&name)?;
        if role.builtin {
            return None;
        }
        let span = symbol.span();
        Some((span.start..span.end, name))
    }

    /// The edits, by file, that rename the custom role at `offset` of `path` to `typed` (bare
    /// or quoted; written quoted when it is no valid bare name). A role whose id is derived
    /// from its name keeps it: the rename pins it with `@id`, so that applications keep
    /// their assignments.
    pub fn rename(
        &mut self,
        path: &Path,
        offset: usize,
        typed: &str,
    ) -> Result<Vec<(PathBuf, Vec<TextEdit>)>, RenameError> {
        let index = self
            .file_index(path)
            .ok_or_else(|| RenameError("the file is not part of the workspace".into()))?;
        let symbol = self
            .symbol(index, offset)
            .ok_or_else(|| RenameError("no role here".into()))?;
        let name = symbol
            .role_name()
            .ok_or_else(|| RenameError("only roles can be renamed".into()))?
            .to_string();
        let new_name = typed_name(typed)?;
        if let Err(problem) = names::check_role_name(&new_name) {
            return Err(RenameError(format!("{}: {}", problem.problem, problem.fix)));
        }
        self.analysis();
        let (_, unit, _) = self
            .context(path)
            .ok_or_else(|| RenameError("the policies cannot be analysed".into()))?;
        let role = unit
            .role(&name)
            .ok_or_else(|| RenameError(format!("unknown role `{}`", names::visible(&name))))?;
        if role.builtin {
            return Err(RenameError(format!(
                "`{name}` is a built-in role of the catalog: it cannot be renamed"
            )));
        }
        if new_name == name {
            return Ok(Vec::new());
        }
        let key = names::collision_key(&new_name);
        let old_key = names::collision_key(&name);
        if key != old_key {
            if let Some(other) = unit
                .roles
                .iter()
                .find(|other| names::collision_key(&other.name) == key)
            {
                return Err(RenameError(format!(
                    "`{}` would collide with the role `{}`",
                    names::visible(&new_name),
                    names::visible(&other.name)
                )));
            }
        }
        let pin = (!role.id.is_empty() && names::derive_id(&new_name) != role.id)
            .then(|| (role.id.clone(), role.definition));
        let files = self.parsed.get(unit.files.clone()).unwrap_or_default();
        let written = written_name(&new_name);
        let mut edits: Vec<(Span, String)> = occurrences(files, &name, true)
            .into_iter()
            .map(|span| (span, written.clone()))
            .collect();
        if let Some((id, Some(definition))) = pin {
            let pinned = files
                .iter()
                .flat_map(|file| &file.statements)
                .filter_map(|statement| match statement {
                    Statement::Role(def) if def.name.span == definition => Some(def),
                    _ => None,
                })
                .any(|def| def.annotations.iter().any(|a| a.key.value == ID_ANNOTATION));
            if let (false, Some(def)) = (
                pinned,
                files.iter().flat_map(|file| &file.statements).find_map(
                    |statement| match statement {
                        Statement::Role(def) if def.name.span == definition => Some(def),
                        _ => None,
                    },
                ),
            ) {
                let at = def
                    .annotations
                    .first()
                    .map_or(def.keyword, |annotation| annotation.key.span);
                let indent = self.indent_before(at);
                edits.push((
                    Span::new(at.file, at.start, at.start),
                    format!("@{ID_ANNOTATION}(\"{id}\")\n{indent}"),
                ));
            }
        }
        let mut by_path: Vec<(PathBuf, Vec<TextEdit>)> = Vec::new();
        for (span, new_text) in edits {
            let Some(location) = self.location(span) else {
                continue;
            };
            let edit = TextEdit {
                range: location.range,
                new_text,
            };
            match by_path.iter_mut().find(|(path, _)| *path == location.path) {
                Some((_, list)) => list.push(edit),
                None => by_path.push((location.path, vec![edit])),
            }
        }
        for (_, list) in &mut by_path {
            list.sort_by_key(|edit| (edit.range.start, edit.range.end));
        }
        Ok(by_path)
    }

    /// The spaces and tabs before `span` on its line, when only they stand there.
    fn indent_before(&self, span: Span) -> String {
        let Some((_, text)) = self.file_by_id(span.file) else {
            return String::new();
        };
        let before = text.get(..span.start).unwrap_or_default();
        let line = before.rsplit('\n').next().unwrap_or_default();
        if line.chars().all(|c| c == ' ' || c == '\t') {
            line.to_string()
        } else {
            String::new()
        }
    }

    /// The roles of `path`, in order, for the editor's outline.
    pub fn document_symbols(&mut self, path: &Path) -> Vec<DocumentSymbol> {
        let Some(index) = self.file_index(path) else {
            return Vec::new();
        };
        let (Some(file), Some(state)) = (self.parsed.get(index), self.files.get(index)) else {
            return Vec::new();
        };
        file.statements
            .iter()
            .filter_map(|statement| match statement {
                Statement::Role(def) => Some(def),
                _ => None,
            })
            .map(|def| DocumentSymbol {
                name: def.name.value.clone(),
                detail: def.base.as_ref().map(|base| {
                    let names: Vec<&str> = base.roles.iter().map(|r| r.value.as_str()).collect();
                    let separator = if base.kind == BaseKind::Inherits {
                        ", "
                    } else {
                        " "
                    };
                    format!("{} {}", base.kind.keyword(), names.join(separator))
                }),
                range: statement_range(&state.text, def),
                selection: def.name.span.start..def.name.span.end,
            })
            .collect()
    }

    /// Quick fixes for the diagnostics of `path` that touch `range` and whose help is *did
    /// you mean*: the suggestion in place of what the diagnostic points at.
    pub fn quick_fixes(&mut self, path: &Path, range: Range<usize>) -> Vec<QuickFix> {
        let Some(index) = self.file_index(path) else {
            return Vec::new();
        };
        self.analysis();
        let Some(diagnostics) = self
            .analysis
            .as_ref()
            .and_then(|analysis| analysis.by_file.get(index))
        else {
            return Vec::new();
        };
        diagnostics
            .iter()
            .filter_map(|diagnostic| {
                let span = diagnostic.span?;
                if span.end < range.start || span.start > range.end {
                    return None;
                }
                let name = suggested(diagnostic.help.as_deref()?)?;
                let new_text = if diagnostic.code == Code::UnknownRole {
                    written_name(name)
                } else {
                    name.to_string()
                };
                Some(QuickFix {
                    title: format!("replace with `{new_text}`"),
                    edit: TextEdit {
                        range: span.start..span.end,
                        new_text,
                    },
                    diagnostic: diagnostic.clone(),
                })
            })
            .collect()
    }

    /// `rolec fmt` of the buffer of `path`: the whole formatted text when it differs, `None`
    /// when it is formatted already or cannot be formatted (a syntax error).
    pub fn format(&self, path: &Path) -> Option<String> {
        let text = self.text(path)?;
        let formatted = crate::fmt::format_source(&text).ok()?;
        (formatted != *text).then_some(formatted)
    }
}

// `suggest::help` writes what `suggested` reads: a test keeps the two together.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest;

    #[test]
    fn the_help_of_did_you_mean_is_read_back() {
        for name in ["webhooks", "@crm_and_sales", "Sales Lead", "a`b", "\"x\""] {
            assert_eq!(suggested(&suggest::help(name)), Some(name));
        }
        assert_eq!(suggested("write `+@crm_and_sales`"), None);
    }

    #[test]
    fn names_are_written_bare_when_they_may_be() {
        assert_eq!(written_name("Auditor"), "Auditor");
        assert_eq!(written_name("_x9"), "_x9");
        assert_eq!(written_name("Sales Lead"), "\"Sales Lead\"");
        assert_eq!(written_name("role"), "\"role\"");
        assert_eq!(written_name("9lives"), "\"9lives\"");
        assert_eq!(written_name("Księgowa"), "\"Księgowa\"");
        assert_eq!(written_name("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn typed_names_are_bare_or_quoted() {
        assert_eq!(typed_name("Auditor"), Ok("Auditor".into()));
        assert_eq!(typed_name("Sales Lead"), Ok("Sales Lead".into()));
        assert_eq!(typed_name("\"Sales Lead\""), Ok("Sales Lead".into()));
        assert_eq!(typed_name("\"a\\\"b\\\\c\""), Ok("a\"b\\c".into()));
        assert!(typed_name("\"open").is_err());
        assert!(typed_name("\"a\\nb\"").is_err());
        assert!(typed_name("\"a\"b\"").is_err());
    }
}
