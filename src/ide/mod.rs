//! What an editor needs from the compiler (the language server `rolec lsp` is its one user),
//! in plain Rust and byte offsets, without any protocol type: a [`Workspace`] of policy
//! files by path, in which open buffers stand in for their files on disk, compiled as one run
//! as each change comes, and queries at a byte offset of a file (the role, permission or group
//! under it, definitions and references, completion, rename, symbols, quick fixes).
//!
//! The workspace is every `*.roles` file of the project (the `rolec.yaml` rules: `sources:`,
//! else `policies/`, else the whole folder), with the project's catalog and settings. A change
//! re-parses the changed file only; the resolution and validation of the whole project run
//! again (a few milliseconds for 10,000 roles), through the same stages as `rolec check`
//! ([`crate::compile::check_parsed`]). A `.roles` file opened from outside the sources is
//! compiled on its own, with the project's catalog and settings, so that it never changes the
//! diagnostics of the project's files.

mod analysis;
mod complete;
mod query;
mod reparse;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::catalog::Catalog;
use crate::compile::{self, InputFile};
use crate::config::{self, Config};
use crate::diagnostics::{Code, Diagnostic};
use crate::discover;
use crate::lints::LintLevels;
use crate::source::{floor_char_boundary, FileId, SourceMap, Span};

pub use analysis::{Analysis, RoleInfo};
pub use complete::{CompletionItem, CompletionKind};
pub use query::{DocumentSymbol, Hover, QuickFix, RenameError, TextEdit};

/// The largest file the workspace reads from disk, as the command line: 32 MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The id of the catalog file: its spans (a built-in's definition, a catalog error) carry it.
pub const CATALOG_FILE: FileId = FileId(0);

/// The id of `rolec.yaml`: its problems carry it.
pub const CONFIG_FILE: FileId = FileId(u32::MAX);

/// A place in a file of the workspace: a byte range of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub range: Range<usize>,
}

/// The diagnostics of one file: a policy file, the catalog or `rolec.yaml`.
#[derive(Clone, Debug)]
pub struct FileDiagnostics {
    pub file: FileId,
    pub path: PathBuf,
    /// Sorted by position, code and message, as `rolec check` reports them.
    pub diagnostics: Vec<Diagnostic>,
}

/// One policy file of the workspace.
#[derive(Debug)]
struct WorkspaceFile {
    /// Absolute, as the editor or the discovery of the sources gave it.
    path: PathBuf,
    id: FileId,
    text: Arc<str>,
    /// An editor buffer stands in for the file on disk.
    open: bool,
    /// Among the project's sources (else an open file compiled on its own).
    member: bool,
    /// Hidden characters, text that is not UTF-8, and syntax errors.
    parse_diagnostics: Vec<Diagnostic>,
    has_syntax_error: bool,
    /// What an edit needs to parse the text again in part.
    parse_state: reparse::ParseState,
}

/// The catalog of the workspace, as loaded.
#[derive(Debug)]
struct CatalogState {
    /// `None`: the embedded catalog.
    path: Option<PathBuf>,
    /// The text the catalog was loaded from (to tell whether it changed on disk).
    bytes: Option<Vec<u8>>,
    /// Holds the catalog's text, as [`CATALOG_FILE`].
    sources: SourceMap,
    /// `None` when it has errors (in `diagnostics`).
    catalog: Option<Catalog>,
    diagnostics: Vec<Diagnostic>,
}

/// The project settings of the workspace, from `rolec.yaml`.
#[derive(Debug, Default)]
struct Settings {
    /// The `rolec.yaml` in use, when there is one.
    path: Option<PathBuf>,
    /// Its text (to tell whether it changed on disk, and to place its problems).
    text: Option<Arc<str>>,
    /// Its settings, `sources:` and `catalog:` made absolute.
    config: Config,
    /// Its problems (an invalid file is read as no settings).
    diagnostics: Vec<Diagnostic>,
}

/// The policy files of a project, its catalog and settings, with the editor's buffers in
/// place of their files, compiled again after each change.
#[derive(Debug)]
pub struct Workspace {
    /// The folder the editor opened.
    folder: PathBuf,
    /// The project root: the folder of `rolec.yaml`, else `folder`.
    root: PathBuf,
    settings: Settings,
    catalog: CatalogState,
    /// The project's files in byte order of their paths, then the files opened from outside
    /// it, in the same order.
    files: Vec<WorkspaceFile>,
    /// The parse of each file of `files`, at the same index: the stages after the parse take
    /// a slice of them.
    parsed: Vec<PolicyFile>,
    /// How many files of `files` are the project's.
    member_count: usize,
    next_id: u32,
    analysis: Option<Analysis>,
    /// Problems that are no diagnostic of a file (a source that cannot be read), for the
    /// editor to show once.
    messages: Vec<String>,
}

impl Workspace {
    /// The workspace of the project in `folder` (or above it, where its `rolec.yaml` is), read
    /// from disk.
    pub fn new(folder: &Path) -> Workspace {
        let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
        let mut workspace = Workspace {
            root: folder.clone(),
            folder,
            settings: Settings::default(),
            catalog: load_catalog(None, &mut Vec::new()),
            files: Vec::new(),
            parsed: Vec::new(),
            member_count: 0,
            next_id: 1,
            analysis: None,
            messages: Vec::new(),
        };
        workspace.reload_settings();
        workspace.reload_catalog();
        workspace.rediscover();
        workspace
    }

    /// The project root: the folder of the `rolec.yaml` in use, else the folder opened.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files whose changes on disk matter besides the policy files: `rolec.yaml` (the one
    /// in use, or where it would be) and the catalog, when it is a file.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let config = self
            .settings
            .path
            .clone()
            .unwrap_or_else(|| self.root.join(config::CONFIG_FILE));
        std::iter::once(config)
            .chain(self.catalog.path.clone())
            .collect()
    }

    /// Problems to show once that are no diagnostic of a file; taking them empties the list.
    pub fn take_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.messages)
    }

    /// The paths of the policy files of the workspace, the project's then the others.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|file| file.path.as_path())
    }

    /// The text of a file of the workspace (a policy file, the catalog, `rolec.yaml`).
    pub fn text(&self, path: &Path) -> Option<Arc<str>> {
        if let Some(file) = self
            .file_index(path)
            .and_then(|index| self.files.get(index))
        {
            return Some(file.text.clone());
        }
        self.file_by_id(self.id_of_path(path)?)
            .map(|(_, text)| text)
    }

    /// The path and text of the file `id` (a policy file, the catalog when it is a file,
    /// `rolec.yaml`).
    pub fn file_by_id(&self, id: FileId) -> Option<(PathBuf, Arc<str>)> {
        if id == CATALOG_FILE {
            let path = self.catalog.path.clone()?;
            let text = self.catalog.sources.get(CATALOG_FILE)?.text.clone();
            return Some((path, text));
        }
        if id == CONFIG_FILE {
            return Some((self.settings.path.clone()?, self.settings.text.clone()?));
        }
        self.files
            .iter()
            .find(|file| file.id == id)
            .map(|file| (file.path.clone(), file.text.clone()))
    }

    fn id_of_path(&self, path: &Path) -> Option<FileId> {
        if self.catalog.path.as_deref() == Some(path) {
            return Some(CATALOG_FILE);
        }
        if self.settings.path.as_deref() == Some(path) {
            return Some(CONFIG_FILE);
        }
        self.file_index(path)
            .and_then(|index| self.files.get(index))
            .map(|file| file.id)
    }

    /// The location of `span`, when its file is one of the workspace's on disk.
    pub fn location(&self, span: Span) -> Option<Location> {
        let (path, text) = self.file_by_id(span.file)?;
        let end = floor_char_boundary(&text, span.end);
        let start = floor_char_boundary(&text, span.start.min(end));
        Some(Location {
            path,
            range: start..end,
        })
    }

    /// An editor opened `path` with `text`: the buffer stands in for the file from now on.
    pub fn open(&mut self, path: &Path, text: String) {
        self.set_text(path, Arc::from(text), true);
    }

    /// The buffer of `path` now holds `text`.
    pub fn change(&mut self, path: &Path, text: String) {
        self.set_text(path, Arc::from(text), true);
    }

    /// Replaces `range` (byte offsets, clamped to the text and rounded down to character
    /// boundaries) of the buffer of `path` with `new_text`. False when `path` is no file of the
    /// workspace.
    pub fn edit(&mut self, path: &Path, range: Range<usize>, new_text: &str) -> bool {
        let Some(old) = self.text(path) else {
            return false;
        };
        let end = floor_char_boundary(&old, range.end);
        let start = floor_char_boundary(&old, range.start.min(end));
        let mut text = String::with_capacity(old.len() - (end - start) + new_text.len());
        text.push_str(old.get(..start).unwrap_or_default());
        text.push_str(new_text);
        text.push_str(old.get(end..).unwrap_or_default());
        self.set_text(path, Arc::from(text), true);
        true
    }

    /// The editor closed `path`: the file on disk counts again (a file from outside the
    /// project leaves the workspace).
    pub fn close(&mut self, path: &Path) {
        let Some(index) = self.file_index(path) else {
            return;
        };
        let member = self.files.get(index).is_some_and(|file| file.member);
        if let Some(file) = self.files.get_mut(index) {
            file.open = false;
        }
        if !member {
            self.remove_file(index);
            return;
        }
        match read_file(path) {
            Ok(bytes) => self.set_bytes(path, bytes, false),
            Err(_) => self.remove_file(index),
        }
    }

    /// A file changed, appeared or disappeared on disk (a checkout, a pull, a save): policy
    /// files that no buffer holds are read again, and a change of `rolec.yaml` or of the
    /// catalog reloads them.
    pub fn changed_on_disk(&mut self, path: &Path) {
        if self.watched_files().iter().any(|watched| watched == path) {
            self.reload();
            return;
        }
        if path
            .extension()
            .is_none_or(|extension| extension != "roles")
        {
            return;
        }
        let open = self
            .file_index(path)
            .and_then(|index| self.files.get(index))
            .is_some_and(|file| file.open);
        if open {
            return;
        }
        match read_file(path) {
            Ok(bytes) if self.is_source(path) => self.set_bytes(path, bytes, false),
            Ok(_) => {}
            Err(_) => {
                if let Some(index) = self.file_index(path) {
                    self.remove_file(index);
                }
            }
        }
    }

    /// Reads `rolec.yaml`, the catalog and the sources from disk again, keeping the buffers:
    /// what changed is taken in, what did not is left as it is.
    pub fn reload(&mut self) {
        let sources_before = (self.settings.config.sources.clone(), self.root.clone());
        let catalog_before = self.catalog.path.clone();
        let settings_changed = self.reload_settings();
        let catalog_changed = self.reload_catalog();
        if settings_changed || catalog_changed {
            self.analysis = None;
        }
        if sources_before != (self.settings.config.sources.clone(), self.root.clone())
            || catalog_before != self.catalog.path
        {
            self.analysis = None;
        }
        self.rediscover();
    }

    /// Reads `rolec.yaml` again; whether it changed.
    fn reload_settings(&mut self) -> bool {
        let found = config::find(&self.folder);
        let text = found
            .as_ref()
            .and_then(|path| read_file(path).ok())
            .map(|bytes| Arc::<str>::from(String::from_utf8_lossy(&bytes).into_owned()));
        if found == self.settings.path && text == self.settings.text && found.is_some() {
            return false;
        }
        self.root = found
            .as_ref()
            .and_then(|path| path.parent())
            .map_or_else(|| self.folder.clone(), Path::to_path_buf);
        let mut settings = Settings {
            path: found.clone(),
            text: text.clone(),
            ..Settings::default()
        };
        if let (Some(path), Some(text)) = (&found, &text) {
            let display = discover::relative_to(&self.root, path);
            match config::parse(&display, text) {
                Ok(mut config) => {
                    let absolute =
                        |given: &String| self.root.join(given).to_string_lossy().into_owned();
                    config.sources = config
                        .sources
                        .map(|sources| sources.iter().map(absolute).collect());
                    config.catalog = config.catalog.as_ref().map(absolute);
                    config.root = Some(self.root.clone());
                    settings.config = config;
                }
                Err((_, diagnostics)) => {
                    settings.diagnostics = diagnostics
                        .into_iter()
                        .map(|diagnostic| in_file(diagnostic, CONFIG_FILE))
                        .collect();
                }
            }
        }
        self.settings = settings;
        self.analysis = None;
        true
    }

    /// Reads the catalog again; whether it changed.
    fn reload_catalog(&mut self) -> bool {
        let path = self.settings.config.catalog.as_ref().map(PathBuf::from);
        let mut problems = Vec::new();
        let bytes = path.as_ref().and_then(|path| match read_file(path) {
            Ok(bytes) => Some(bytes),
            Err(problem) => {
                problems.push(format!(
                    "cannot read the catalog `{}`: {problem}; the embedded catalog is used",
                    path.display()
                ));
                None
            }
        });
        if path == self.catalog.path && bytes == self.catalog.bytes {
            return false;
        }
        let state = match (path, bytes) {
            (Some(path), Some(bytes)) => load_catalog(Some((path, bytes)), &mut problems),
            _ => load_catalog(None, &mut problems),
        };
        for problem in problems {
            self.settings.diagnostics.push(settings_problem(problem));
        }
        self.catalog = state;
        self.analysis = None;
        true
    }

    /// Whether `path` is among the project's sources.
    fn is_source(&self, path: &Path) -> bool {
        self.source_folders()
            .iter()
            .any(|source| path == source || path.starts_with(source))
    }

    /// The sources of the project: `sources:` of `rolec.yaml`, else `policies/` when it
    /// exists, else the project root.
    fn source_folders(&self) -> Vec<PathBuf> {
        if let Some(sources) = &self.settings.config.sources {
            return sources.iter().map(PathBuf::from).collect();
        }
        let policies = self.root.join("policies");
        if policies.is_dir() {
            vec![policies]
        } else {
            vec![self.root.clone()]
        }
    }

    /// Finds the sources on disk again: files that appeared join the workspace, files that
    /// disappeared leave it (unless a buffer holds them), files changed on disk that no
    /// buffer holds are read again.
    fn rediscover(&mut self) {
        let mut found: Vec<PathBuf> = Vec::new();
        for source in self.source_folders() {
            let given = source.to_string_lossy().into_owned();
            match discover::discover(&[given]) {
                Ok(files) => found.extend(files.into_iter().map(|file| file.path)),
                // A folder without `.roles` files yet is an empty part of the project.
                Err(_) if source.is_dir() => {}
                Err(discover::DiscoverError(problem)) => self.messages.push(problem),
            }
        }
        let found: Vec<PathBuf> = found
            .into_iter()
            .map(|path| std::fs::canonicalize(&path).unwrap_or(path))
            .collect();
        // Files no longer found, and not open, leave; open ones stay, as members or not.
        let mut index = 0;
        while let Some(file) = self.files.get(index) {
            let is_found = found.contains(&file.path);
            if !is_found && !file.open {
                self.remove_file(index);
                continue;
            }
            if is_found != file.member {
                let path = file.path.clone();
                if let Some(file) = self.files.get_mut(index) {
                    file.member = is_found;
                }
                self.reorder(&path);
                index = 0;
                continue;
            }
            index += 1;
        }
        let mut new_files = Vec::new();
        for path in found {
            let known = self.file_index(&path);
            let open = known
                .and_then(|index| self.files.get(index))
                .is_some_and(|file| file.open);
            if open {
                continue;
            }
            match read_file(&path) {
                Ok(bytes) => {
                    let unchanged = known
                        .and_then(|index| self.files.get(index))
                        .is_some_and(|file| file.text.as_bytes() == bytes.as_slice());
                    if !unchanged {
                        new_files.push((path, bytes));
                    }
                }
                Err(problem) => self
                    .messages
                    .push(format!("cannot read `{}`: {problem}", path.display())),
            }
        }
        self.add_files(new_files);
    }

    /// Puts the files read from disk in place, parsed.
    fn add_files(&mut self, new_files: Vec<(PathBuf, Vec<u8>)>) {
        for (path, bytes) in new_files {
            self.set_bytes(&path, bytes, false);
        }
    }

    fn new_id(&mut self) -> FileId {
        let id = FileId(self.next_id);
        self.next_id = self.next_id.saturating_add(1).min(u32::MAX - 1);
        id
    }

    /// The index of `path` in `files`.
    fn file_index(&self, path: &Path) -> Option<usize> {
        self.files.iter().position(|file| file.path == path)
    }

    /// Sets the text of `path` from bytes read from disk (not UTF-8: replaced and reported).
    fn set_bytes(&mut self, path: &Path, bytes: Vec<u8>, open: bool) {
        let known = self
            .file_index(path)
            .and_then(|index| self.files.get(index))
            .map(|file| file.id);
        let id = known.unwrap_or_else(|| self.new_id());
        let input = InputFile::new(path.to_string_lossy().into_owned(), bytes);
        let (source, not_utf8) = compile::decode(id, input, Code::Syntax);
        let mut parsed = reparse::parse(id, &source.text);
        if let Some(not_utf8) = not_utf8 {
            parsed.diagnostics.insert(0, not_utf8);
            parsed.has_syntax_error = true;
            // Parsed from a text with replacement characters: never edited in part.
            parsed.state = reparse::ParseState::default();
        }
        self.put_file(path, id, source.text, open, parsed);
    }

    /// Sets the text of `path` to `text` and parses it again: the part that changed (see
    /// [`reparse`]).
    fn set_text(&mut self, path: &Path, text: Arc<str>, open: bool) {
        let Some(index) = self.file_index(path) else {
            let id = self.new_id();
            let parsed = reparse::parse(id, &text);
            self.put_file(path, id, text, open, parsed);
            return;
        };
        let (Some(file), Some(slot)) = (self.files.get_mut(index), self.parsed.get_mut(index))
        else {
            return;
        };
        if file.text == text && file.open == open {
            return;
        }
        let id = file.id;
        let old_file = std::mem::replace(
            slot,
            PolicyFile {
                file: id,
                statements: Vec::new(),
            },
        );
        let old_state = std::mem::take(&mut file.parse_state);
        let old_text = file.text.clone();
        let parsed = reparse::reparse(old_file, old_state, &old_text, id, &text);
        self.put_file(path, id, text, open, parsed);
    }

    /// Puts a parsed file in its place in `files` and `parsed`.
    fn put_file(
        &mut self,
        path: &Path,
        id: FileId,
        text: Arc<str>,
        open: bool,
        parsed: reparse::ParsedText,
    ) {
        self.analysis = None;
        if let Some(index) = self.file_index(path) {
            if let (Some(file), Some(slot)) =
                (self.files.get_mut(index), self.parsed.get_mut(index))
            {
                file.text = text;
                file.open = open || file.open;
                file.parse_diagnostics = parsed.diagnostics;
                file.has_syntax_error = parsed.has_syntax_error;
                file.parse_state = parsed.state;
                *slot = parsed.file;
            }
            return;
        }
        let member = self.is_source(path);
        let file = WorkspaceFile {
            path: path.to_path_buf(),
            id,
            text,
            open,
            member,
            parse_diagnostics: parsed.diagnostics,
            has_syntax_error: parsed.has_syntax_error,
            parse_state: parsed.state,
        };
        let index = self.insertion_index(path, member);
        if member {
            self.member_count += 1;
        }
        self.files.insert(index, file);
        self.parsed.insert(index, parsed.file);
    }

    /// Where a file of `path` goes in `files`: the project's files, then the others, each in
    /// byte order of their paths (the order `rolec check` compiles them in).
    fn insertion_index(&self, path: &Path, member: bool) -> usize {
        let key = path.as_os_str().as_encoded_bytes();
        let (start, end) = if member {
            (0, self.member_count)
        } else {
            (self.member_count, self.files.len())
        };
        let slice = self.files.get(start..end).unwrap_or_default();
        start + slice.partition_point(|file| file.path.as_os_str().as_encoded_bytes() < key)
    }

    /// Moves the file of `path` to where its membership puts it.
    fn reorder(&mut self, path: &Path) {
        let Some(index) = self.file_index(path) else {
            return;
        };
        if index >= self.files.len() {
            return;
        }
        let was_member = index < self.member_count;
        let file = self.files.remove(index);
        let parsed = self.parsed.remove(index);
        if was_member {
            self.member_count -= 1;
        }
        let member = file.member;
        let at = self.insertion_index(path, member);
        if member {
            self.member_count += 1;
        }
        self.files.insert(at, file);
        self.parsed.insert(at, parsed);
        self.analysis = None;
    }

    fn remove_file(&mut self, index: usize) {
        if index >= self.files.len() {
            return;
        }
        if index < self.member_count {
            self.member_count -= 1;
        }
        self.files.remove(index);
        self.parsed.remove(index);
        self.analysis = None;
    }

    /// The analysis of the current texts, computed when something changed since the last.
    pub fn analysis(&mut self) -> &Analysis {
        if self.analysis.is_none() {
            self.analysis = Some(analysis::analyze(self));
        }
        // Computed just above when missing.
        self.analysis.get_or_insert_with(Analysis::default)
    }

    /// The diagnostics of every file of the workspace: each policy file (an empty list when
    /// it has none), the catalog file and `rolec.yaml` (when they are files).
    pub fn diagnostics(&mut self) -> Vec<FileDiagnostics> {
        self.analysis();
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        let mut reports: Vec<FileDiagnostics> = self
            .files
            .iter()
            .zip(&analysis.by_file)
            .map(|(file, diagnostics)| FileDiagnostics {
                file: file.id,
                path: file.path.clone(),
                diagnostics: diagnostics.clone(),
            })
            .collect();
        if let Some(path) = &self.catalog.path {
            reports.push(FileDiagnostics {
                file: CATALOG_FILE,
                path: path.clone(),
                diagnostics: analysis.catalog.clone(),
            });
        }
        if let Some(path) = &self.settings.path {
            reports.push(FileDiagnostics {
                file: CONFIG_FILE,
                path: path.clone(),
                diagnostics: analysis.settings.clone(),
            });
        }
        reports
    }

    /// The lint levels of the project (`lints:` of `rolec.yaml`).
    fn lint_levels(&self) -> LintLevels {
        let mut levels = LintLevels::default();
        for &(lint, level) in &self.settings.config.lints {
            levels.set(lint, level);
        }
        levels
    }
}

/// A problem with the settings that has no place in `rolec.yaml`: reported at its start.
fn settings_problem(message: String) -> Diagnostic {
    Diagnostic::error(Code::InvalidConfig, Span::new(CONFIG_FILE, 0, 0), message)
}

/// `diagnostic` moved to the file `id` (its spans were numbered by another map).
fn in_file(mut diagnostic: Diagnostic, id: FileId) -> Diagnostic {
    if let Some(span) = &mut diagnostic.span {
        span.file = id;
    }
    for label in &mut diagnostic.secondary {
        label.span.file = id;
    }
    diagnostic
}

/// Reads a file of at most [`MAX_FILE_BYTES`]; the problem in words otherwise.
fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|error| discover::describe(&error))?;
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    let file = std::fs::File::open(path).map_err(|error| discover::describe(&error))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| discover::describe(&error))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "more than the {} MiB such a file may have",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// The catalog of `file` (path and bytes), or the embedded one; problems reading it go to
/// `problems`.
fn load_catalog(file: Option<(PathBuf, Vec<u8>)>, problems: &mut Vec<String>) -> CatalogState {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let (path, bytes) = match file {
        Some((path, bytes)) => (Some(path), Some(bytes)),
        None => (None, None),
    };
    let input = path
        .as_ref()
        .zip(bytes.as_ref())
        .map(|(path, bytes)| InputFile::new(path.to_string_lossy().into_owned(), bytes.clone()));
    let catalog = compile::load_catalog(input, &mut sources, &mut diagnostics);
    if catalog.is_none() && path.is_none() {
        problems.push("the embedded catalog does not load".into());
    }
    CatalogState {
        path,
        bytes,
        sources,
        catalog,
        diagnostics,
    }
}

#[cfg(test)]
mod tests;
