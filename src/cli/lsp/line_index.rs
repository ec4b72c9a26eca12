//! Lines and columns of a text as the protocol counts them: lines end at `\n`, `\r\n` or `\r`;
//! a column is counted in UTF-16 code units (the protocol's default) or in bytes (`utf-8`,
//! when the client offers it). The compiler works in byte offsets; this index converts both
//! ways in a binary search and at most one checkpoint's scan, even on a multi-megabyte line.

/// How columns are counted, as negotiated at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A position: 0-based line and column (in the negotiated encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Bytes between two entries of `LineIndex::utf16_counts`.
const CHECKPOINT: usize = 1024;

/// UTF-16 code units a byte of UTF-8 contributes: a character's units are counted at its
/// first byte (four-byte characters take two units), continuation bytes count none.
fn utf16_weight(byte: u8) -> usize {
    match byte {
        0x00..=0x7F | 0xC0..=0xEF => 1,
        0xF0..=0xFF => 2,
        0x80..=0xBF => 0,
    }
}

/// Where the lines of a text start, and UTF-16 checkpoints for a text that is not ASCII.
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offsets of line starts; the first is 0.
    line_starts: Vec<usize>,
    /// `utf16_counts[i]`: UTF-16 units in `text[..i * CHECKPOINT]`; empty for an ASCII
    /// text, whose UTF-16 columns are byte counts.
    utf16_counts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut index = 0;
        while let Some(found) = bytes
            .get(index..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        {
            let at = index + found;
            let crlf = bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n');
            index = at + if crlf { 2 } else { 1 };
            line_starts.push(index);
        }
        let mut utf16_counts = Vec::new();
        if !text.is_ascii() {
            utf16_counts.push(0);
            let mut count = 0;
            for chunk in bytes.chunks(CHECKPOINT) {
                count += chunk.iter().map(|&byte| utf16_weight(byte)).sum::<usize>();
                utf16_counts.push(count);
            }
        }
        LineIndex {
            line_starts,
            utf16_counts,
            len: text.len(),
        }
    }

    /// UTF-16 units in `text[..offset]` (`offset` on a character boundary).
    fn utf16_before(&self, text: &str, offset: usize) -> usize {
        if self.utf16_counts.is_empty() {
            return offset;
        }
        let checkpoint = offset / CHECKPOINT;
        let counted = self.utf16_counts.get(checkpoint).copied().unwrap_or(0);
        let tail = text
            .as_bytes()
            .get(checkpoint * CHECKPOINT..offset)
            .unwrap_or_default();
        counted + tail.iter().map(|&byte| utf16_weight(byte)).sum::<usize>()
    }

    /// The start and end (before its line break) of line `line`, clamped to the text.
    fn line_bounds(&self, text: &str, line: usize) -> (usize, usize) {
        let Some(&start) = self.line_starts.get(line) else {
            return (self.len, self.len);
        };
        let next = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let content = text.get(start..next).unwrap_or_default();
        let end = start + content.trim_end_matches(['\n', '\r']).len();
        (start, end.max(start))
    }

    /// The position of byte `offset` (clamped to the text, rounded down to a character).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = rolec::source::floor_char_boundary(text, offset);
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = match encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => self.utf16_before(text, offset) - self.utf16_before(text, start),
        };
        LineCol {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a position: a line past the end is the end of the text, a column
    /// past the end of its line is the end of the line (as the protocol asks), a column inside
    /// a character (between the two halves of a surrogate pair) is the character's start.
    pub fn offset(&self, text: &str, position: LineCol, encoding: Encoding) -> usize {
        let (start, end) = self.line_bounds(text, position.line as usize);
        let col = position.col as usize;
        match encoding {
            Encoding::Utf8 => {
                rolec::source::floor_char_boundary(text, start + col.min(end - start))
            }
            Encoding::Utf16 if self.utf16_counts.is_empty() => start + col.min(end - start),
            Encoding::Utf16 => {
                let target = self.utf16_before(text, start) + col;
                if target >= self.utf16_before(text, end) {
                    return end;
                }
                // The last checkpoint at or before the target, not before the line start.
                let checkpoint = self
                    .utf16_counts
                    .partition_point(|&count| count <= target)
                    .saturating_sub(1);
                let from = (checkpoint * CHECKPOINT).max(start);
                let from = rolec::source::floor_char_boundary(text, from);
                let mut units = self.utf16_before(text, from);
                let line = text.get(from..end).unwrap_or_default();
                for (index, c) in line.char_indices() {
                    let next = units + c.len_utf16();
                    if next > target {
                        return from + index;
                    }
                    units = next;
                }
                end
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str, offset: usize) -> (LineCol, LineCol) {
        let index = LineIndex::new(text);
        (
            index.position(text, offset, Encoding::Utf8),
            index.position(text, offset, Encoding::Utf16),
        )
    }

    fn at(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn utf16_and_utf8_columns_differ_after_non_ascii_names() {
        // `ł` is 2 bytes and 1 UTF-16 unit; `𝔸` is 4 bytes and 2 units.
        let text = "role \"Księgowa\" copies User\nrole \"𝔸\" copies X\n";
        let user = text.find("User").unwrap();
        assert_eq!(both(text, user), (at(0, 24), at(0, 23)));
        let x = text.find('X').unwrap();
        assert_eq!(both(text, x), (at(1, 19), at(1, 17)));
        let index = LineIndex::new(text);
        for offset in [0, user, x, text.len()] {
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let position = index.position(text, offset, encoding);
                assert_eq!(index.offset(text, position, encoding), offset, "{offset}");
            }
        }
    }

    #[test]
    fn positions_are_clamped_and_rounded_down() {
        let text = "a\r\nb𝔸c\rd\n";
        let index = LineIndex::new(text);
        // Lines end at CRLF, CR and LF.
        assert_eq!(
            index.position(text, text.find('d').unwrap(), Encoding::Utf16),
            at(2, 0)
        );
        // A column past the end of the line is its end, before the line break.
        assert_eq!(index.offset(text, at(0, 99), Encoding::Utf16), 1);
        assert_eq!(index.offset(text, at(0, 99), Encoding::Utf8), 1);
        // Between the two halves of a surrogate pair: the character's start.
        let b = text.find('b').unwrap();
        assert_eq!(index.offset(text, at(1, 2), Encoding::Utf16), b + 1);
        assert_eq!(index.offset(text, at(1, 3), Encoding::Utf16), b + 5);
        // Inside a UTF-8 sequence: its start.
        assert_eq!(index.offset(text, at(1, 3), Encoding::Utf8), b + 1);
        // A line past the end is the end of the text.
        assert_eq!(index.offset(text, at(9, 0), Encoding::Utf16), text.len());
        assert_eq!(index.position(text, usize::MAX, Encoding::Utf16), at(3, 0));
    }

    #[test]
    fn a_long_line_converts_exactly_across_checkpoints() {
        let text: String = (0..5000)
            .map(|i| match i % 7 {
                0 => '𝔸',
                3 => 'ż',
                _ => 'a',
            })
            .collect();
        let index = LineIndex::new(&text);
        let mut units = 0;
        for (offset, c) in text.char_indices() {
            let position = index.position(&text, offset, Encoding::Utf16);
            assert_eq!(position, at(0, units));
            assert_eq!(index.offset(&text, position, Encoding::Utf16), offset);
            units += c.len_utf16() as u32;
        }
    }
}
