//! From the compiler to the protocol: paths to `file:` URIs, byte offsets to positions, and
//! the workspace's answers (diagnostics, hover, completion, symbols, edits) to their LSP
//! types.

use std::ops::Range;
use std::path::Path;

use lsp_types::{
    CodeDescription, CompletionItemKind, DiagnosticRelatedInformation, DiagnosticSeverity,
    Documentation, MarkupContent, MarkupKind, NumberOrString, SymbolKind, Uri,
};
use rolec::diagnostics::{Diagnostic, Severity};
use rolec::ide;

use super::line_index::{Encoding, LineIndex};

/// Characters a path keeps in a `file:` URI; every other byte is percent-encoded (as VS Code
/// writes them).
fn keeps(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
}

/// The `file:` URI of an absolute path.
pub fn uri(path: &Path) -> Option<Uri> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = {
        let text = path.to_string_lossy().replace('\\', "/");
        let text = if text.starts_with('/') {
            text
        } else {
            format!("/{text}")
        };
        text.into_bytes()
    };
    let mut text = String::from("file://");
    for byte in bytes {
        if keeps(byte) {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.parse().ok()
}

pub fn position(
    text: &str,
    index: &LineIndex,
    offset: usize,
    encoding: Encoding,
) -> lsp_types::Position {
    let position = index.position(text, offset, encoding);
    lsp_types::Position::new(position.line, position.col)
}

pub fn range(
    text: &str,
    index: &LineIndex,
    range: Range<usize>,
    encoding: Encoding,
) -> lsp_types::Range {
    lsp_types::Range::new(
        position(text, index, range.start, encoding),
        position(text, index, range.end, encoding),
    )
}

/// An LSP diagnostic: the code, the severity, the message with its help on a second line,
/// the secondary labels as related information (placed by `locate`), and a link to the
/// code's documentation only where one is published.
pub fn diagnostic(
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    diagnostic: &Diagnostic,
    locate: &mut dyn FnMut(rolec::source::Span) -> Option<lsp_types::Location>,
) -> lsp_types::Diagnostic {
    let span = diagnostic.span.map_or(0..0, |span| span.start..span.end);
    let code = diagnostic.code.as_str();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: locate(label.span)?,
                message: label.text.clone().unwrap_or_default(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(text, index, span, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(code.to_string())),
        code_description: rolec::diagnostics::docs_url(code)
            .and_then(|url| url.parse().ok())
            .map(|href| CodeDescription { href }),
        source: Some("rolec".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Markdown, as Markdown when the client reads it, else as plain text.
pub fn markup(value: String, markdown: bool) -> MarkupContent {
    MarkupContent {
        kind: if markdown {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        },
        value,
    }
}

pub fn completion_item(
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    item: ide::CompletionItem,
    markdown: bool,
) -> lsp_types::CompletionItem {
    let kind = match item.kind {
        ide::CompletionKind::Role => CompletionItemKind::CLASS,
        ide::CompletionKind::Permission => CompletionItemKind::CONSTANT,
        ide::CompletionKind::Group => CompletionItemKind::MODULE,
        ide::CompletionKind::Keyword => CompletionItemKind::KEYWORD,
    };
    let edit = lsp_types::TextEdit {
        range: range(text, index, item.replace, encoding),
        new_text: item.insert.clone(),
    };
    lsp_types::CompletionItem {
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|value| Documentation::MarkupContent(markup(value, markdown))),
        filter_text: Some(item.insert),
        text_edit: Some(lsp_types::CompletionTextEdit::Edit(edit)),
        ..lsp_types::CompletionItem::default()
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated`, which the type still has.
pub fn document_symbol(
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    symbol: ide::DocumentSymbol,
) -> lsp_types::DocumentSymbol {
    lsp_types::DocumentSymbol {
        name: rolec::names::visible(&symbol.name),
        detail: symbol.detail,
        kind: SymbolKind::CLASS,
        tags: None,
        deprecated: None,
        range: range(text, index, symbol.range, encoding),
        selection_range: range(text, index, symbol.selection, encoding),
        children: None,
    }
}

pub fn text_edit(
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    edit: ide::TextEdit,
) -> lsp_types::TextEdit {
    lsp_types::TextEdit {
        range: range(text, index, edit.range, encoding),
        new_text: edit.new_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_file_uris_and_back() {
        for path in ["/tmp/a b/x.roles", "/tmp/ż%#?.roles", "/a/b.roles"] {
            let uri = uri(Path::new(path)).unwrap();
            assert!(uri.as_str().starts_with("file:///"), "{}", uri.as_str());
            assert_eq!(
                super::super::from_proto::path(&uri).unwrap(),
                Path::new(path)
            );
        }
        assert_eq!(
            uri(Path::new("/tmp/a b.roles")).unwrap().as_str(),
            "file:///tmp/a%20b.roles"
        );
    }
}
