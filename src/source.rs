//! Source files and spans: every input the compiler reads, and positions inside it.
//!
//! A [`Span`] is a byte range in one file of a [`SourceMap`]. Lines and columns are computed
//! only when a diagnostic is printed: 1-based, columns counted in characters, a leading
//! byte-order mark not counted.

use std::sync::Arc;

/// Index of a file in its [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    /// The id of the file at `index` in a [`SourceMap`] (saturating at `u32::MAX`, which
    /// no run comes near).
    pub fn from_index(index: usize) -> FileId {
        FileId(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// A byte range `start..end` in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start, end }
    }
}

/// A value together with where it was written. Spans do not take part in equality.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

/// A 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// One input file: the path as given or found, and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given or found (relative paths stay relative to the current folder):
    /// what diagnostics show.
    pub path: String,
    /// The path relative to the project root, `/`-separated, without `./` (the artifact's
    /// `source.file`): given by the caller who knows the root, else `path` normalized.
    pub project_path: String,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// `char_counts[i]`: how many characters begin in `text[..i * CHECKPOINT]`, so that a
    /// column costs at most one checkpoint's scan, even on a multi-megabyte line. Empty for
    /// an ASCII text, whose columns are byte counts.
    char_counts: Vec<usize>,
    /// Offset of the first byte that is not ASCII (the text's length when there is none):
    /// before it, a column is a byte count.
    first_non_ascii: usize,
}

/// Bytes between two entries of `SourceFile::char_counts`.
const CHECKPOINT: usize = 1024;

/// Whether `byte` begins a UTF-8 character (is not a continuation byte).
fn starts_char(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

impl SourceFile {
    pub fn new(path: String, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        let first_non_ascii = if text.is_ascii() {
            text.len()
        } else {
            text.bytes()
                .position(|byte| !byte.is_ascii())
                .unwrap_or(text.len())
        };
        // Only columns past the first non-ASCII byte count characters.
        let mut char_counts = Vec::new();
        if first_non_ascii < text.len() {
            char_counts.push(0);
            let mut count = 0;
            for chunk in text.as_bytes().chunks(CHECKPOINT) {
                count += chunk.iter().filter(|&&byte| starts_char(byte)).count();
                char_counts.push(count);
            }
        }
        SourceFile {
            project_path: normalize_path(&path),
            path,
            text,
            line_starts,
            char_counts,
            first_non_ascii,
        }
    }

    /// How many characters begin before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let checkpoint = offset / CHECKPOINT;
        let counted = self.char_counts.get(checkpoint).copied().unwrap_or(0);
        let tail = self
            .text
            .as_bytes()
            .get(checkpoint * CHECKPOINT..offset)
            .unwrap_or(&[]);
        counted + tail.iter().filter(|&&byte| starts_char(byte)).count()
    }

    /// The line and column of a byte offset (clamped to the text, rounded down to a character).
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(&self.text, offset);
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        if offset <= self.first_non_ascii {
            return LineColumn {
                line: line_index + 1,
                column: offset - line_start + 1,
            };
        }
        let bom = usize::from(line_start == 0 && offset > 0 && self.text.starts_with('\u{feff}'));
        LineColumn {
            line: line_index + 1,
            column: self.chars_before(offset) - self.chars_before(line_start) - bom + 1,
        }
    }
}

impl SourceFile {
    /// The length in bytes of the line that holds `offset`.
    pub fn line_bytes(&self, offset: usize) -> usize {
        let line_index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        end.saturating_sub(start)
    }
}

/// `path` with `/` separators, without `.` segments or repeated separators: `./a//b.roles`
/// is `a/b.roles`. Lexical: `..` and links are left alone.
pub fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The largest character boundary of `text` at or below `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file of a run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: String, text: Arc<str>) -> FileId {
        self.push(SourceFile::new(path, text))
    }

    /// Adds a file built beforehand (on another thread); its id is the number of files
    /// before it.
    pub fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId::from_index(self.files.len());
        self.files.push(file);
        id
    }

    /// How many files the map holds: the next file's id.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The text a span covers, or `""` when it lies outside its file.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|file| file.text.get(span.start..span.end))
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_and_skips_a_byte_order_mark() {
        let file = SourceFile::new("a".into(), "\u{feff}ab\nçé x\r\ny".into());
        assert_eq!(file.line_column(3), LineColumn { line: 1, column: 1 });
        assert_eq!(file.line_column(4), LineColumn { line: 1, column: 2 });
        let x = file.text.find('x').unwrap_or(0);
        assert_eq!(file.line_column(x), LineColumn { line: 2, column: 4 });
        let y = file.text.find('y').unwrap_or(0);
        assert_eq!(file.line_column(y), LineColumn { line: 3, column: 1 });
        assert_eq!(file.line_column(usize::MAX).line, 3);
    }

    #[test]
    fn paths_are_normalized() {
        for (given, normal) in [
            ("policies/a.roles", "policies/a.roles"),
            ("./policies/a.roles", "policies/a.roles"),
            (".//policies/./a.roles", "policies/a.roles"),
            ("policies\\a.roles", "policies/a.roles"),
            ("/abs/./x.roles", "/abs/x.roles"),
            ("../up/x.roles", "../up/x.roles"),
        ] {
            assert_eq!(normalize_path(given), normal, "{given}");
        }
    }

    #[test]
    fn columns_are_exact_across_checkpoints() {
        let text: String = (0..3000)
            .map(|i| if i % 7 == 0 { 'ż' } else { 'a' })
            .collect();
        let file = SourceFile::new("a".into(), text.as_str().into());
        for (count, (offset, _)) in text.char_indices().enumerate().step_by(97) {
            assert_eq!(file.line_column(offset).column, count + 1);
        }
    }
}
