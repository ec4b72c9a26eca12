//! From the protocol to the compiler: `file:` URIs to paths, positions and ranges to byte
//! offsets of a text.

use std::ops::Range;
use std::path::PathBuf;

use lsp_types::Uri;

use super::line_index::{Encoding, LineCol, LineIndex};

/// The path of a `file:` URI (`file:///a/b`, `file://localhost/a/b`), percent-decoded;
/// `None` for another scheme or a remote host.
pub fn path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("file://"))
        .and_then(|_| text.get(7..))?;
    let (host, path) = match rest.find('/') {
        Some(slash) => (rest.get(..slash)?, rest.get(slash..)?),
        None => return None,
    };
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        let decoded = String::from_utf8(bytes).ok()?;
        // `/C:/x` is `C:/x` on Windows.
        let trimmed = match decoded.as_bytes() {
            [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => decoded.get(1..)?,
            _ => decoded.as_str(),
        };
        Some(PathBuf::from(trimmed))
    }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(byte);
            index += 1;
        }
    }
    Some(decoded)
}

/// The byte offset of `position` in `text`.
pub fn offset(
    text: &str,
    index: &LineIndex,
    position: lsp_types::Position,
    encoding: Encoding,
) -> usize {
    index.offset(
        text,
        LineCol {
            line: position.line,
            col: position.character,
        },
        encoding,
    )
}

/// The byte range of `range` in `text` (an inverted range is read from its end to its start).
pub fn range(
    text: &str,
    index: &LineIndex,
    range: lsp_types::Range,
    encoding: Encoding,
) -> Range<usize> {
    let start = offset(text, index, range.start, encoding);
    let end = offset(text, index, range.end, encoding);
    start.min(end)..start.max(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_are_paths() {
        let path_of = |uri: &str| path(&uri.parse::<Uri>().unwrap());
        assert_eq!(
            path_of("file:///tmp/a%20b/x.roles"),
            Some(PathBuf::from("/tmp/a b/x.roles"))
        );
        assert_eq!(
            path_of("file://localhost/tmp/x.roles"),
            Some(PathBuf::from("/tmp/x.roles"))
        );
        assert_eq!(
            path_of("file:///tmp/%C5%BC.roles"),
            Some(PathBuf::from("/tmp/ż.roles"))
        );
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(path_of("file://server/share/x.roles"), None);
        assert_eq!(percent_decode("/tmp/%zz"), None);
        assert_eq!(percent_decode("/tmp/%4"), None);
    }
}
