//! The language server's document sync, through the library's workspace (`rolec::ide`): an
//! `arbitrary`-derived sequence of opens, ranged edits, whole-text changes and closes of a few
//! files on arbitrary text, with every query of the server at arbitrary offsets in between.
//!
//! Checks, beyond "no panic":
//! - every span of every diagnostic and every answer lies inside its file's current text, on
//!   character boundaries;
//! - after the sequence, the diagnostics are those of a fresh workspace given the final texts
//!   at once: parsing an edit again in part (chunk by chunk) gives what a whole parse gives.
#![no_main]

use std::path::{Path, PathBuf};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rolec::ide::Workspace;

/// A folder that does not exist: the workspace holds only the buffers it is given.
const ROOT: &str = "/nonexistent-rolec-fuzz";

#[derive(Arbitrary, Debug)]
enum Op {
    Open { file: u8, text: String },
    Edit { file: u8, start: u16, end: u16, text: String },
    Change { file: u8, text: String },
    Close { file: u8 },
    Query { file: u8, offset: u16, which: u8, name: String },
}

fn path(file: u8) -> PathBuf {
    Path::new(ROOT).join(format!("f{}.roles", file % 3))
}

fn check_range(workspace: &Workspace, path: &Path, start: usize, end: usize, what: &str) {
    let text = workspace
        .text(path)
        .unwrap_or_else(|| panic!("{what}: no text for {}", path.display()));
    assert!(
        start <= end && text.get(start..end).is_some(),
        "{what}: {start}..{end} is not a character range of {} ({} bytes)",
        path.display(),
        text.len()
    );
}

/// Every diagnostic of the workspace, as (file, start, end, code, message).
fn diagnostics(workspace: &mut Workspace) -> Vec<(PathBuf, usize, usize, String, String)> {
    let reports = workspace.diagnostics();
    let mut all = Vec::new();
    for report in reports {
        for diagnostic in report.diagnostics {
            let span = diagnostic.span.unwrap_or_else(|| panic!("a diagnostic without a span: {diagnostic:?}"));
            check_range(workspace, &report.path, span.start, span.end, "diagnostic");
            all.push((
                report.path.clone(),
                span.start,
                span.end,
                diagnostic.code.as_str().to_string(),
                diagnostic.message,
            ));
        }
    }
    all.sort();
    all
}

fn query(workspace: &mut Workspace, path: &Path, offset: usize, which: u8, name: &str) {
    if workspace.text(path).is_none() {
        return;
    }
    match which % 9 {
        0 => {
            if let Some(hover) = workspace.hover(path, offset) {
                check_range(workspace, path, hover.range.start, hover.range.end, "hover");
            }
        }
        1 => {
            if let Some(location) = workspace.definition(path, offset) {
                check_range(workspace, &location.path, location.range.start, location.range.end, "definition");
            }
        }
        2 => {
            for location in workspace.references(path, offset, true) {
                check_range(workspace, &location.path, location.range.start, location.range.end, "reference");
            }
        }
        3 => {
            for item in workspace.completion(path, offset) {
                check_range(workspace, path, item.replace.start, item.replace.end, "completion");
            }
        }
        4 => {
            if let Some((range, _)) = workspace.prepare_rename(path, offset) {
                check_range(workspace, path, range.start, range.end, "prepare rename");
            }
        }
        5 => {
            if let Ok(edits) = workspace.rename(path, offset, name) {
                for (file, edits) in edits {
                    for edit in edits {
                        check_range(workspace, &file, edit.range.start, edit.range.end, "rename");
                    }
                }
            }
        }
        6 => {
            for fix in workspace.quick_fixes(path, offset..offset + 16) {
                check_range(workspace, path, fix.edit.range.start, fix.edit.range.end, "quick fix");
            }
        }
        7 => {
            for symbol in workspace.document_symbols(path) {
                check_range(workspace, path, symbol.range.start, symbol.range.end, "symbol");
                check_range(workspace, path, symbol.selection.start, symbol.selection.end, "symbol name");
            }
        }
        _ => {
            let _ = workspace.format(path);
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut workspace = Workspace::new(Path::new(ROOT));
    for op in ops.into_iter().take(24) {
        match op {
            Op::Open { file, text } => workspace.open(&path(file), text),
            Op::Edit { file, start, end, text } => {
                let (start, end) = (usize::from(start.min(end)), usize::from(start.max(end)));
                let _ = workspace.edit(&path(file), start..end, &text);
            }
            Op::Change { file, text } => {
                if workspace.text(&path(file)).is_some() {
                    workspace.change(&path(file), text);
                }
            }
            Op::Close { file } => workspace.close(&path(file)),
            Op::Query { file, offset, which, name } => {
                query(&mut workspace, &path(file), usize::from(offset), which, &name)
            }
        }
        let _ = diagnostics(&mut workspace);
    }
    let incremental = diagnostics(&mut workspace);
    let mut fresh = Workspace::new(Path::new(ROOT));
    let paths: Vec<PathBuf> = workspace.paths().map(Path::to_path_buf).collect();
    for path in &paths {
        if let Some(text) = workspace.text(path) {
            fresh.open(path, text.to_string());
        }
    }
    assert_eq!(incremental, diagnostics(&mut fresh), "edits in part differ from a fresh parse");
});
