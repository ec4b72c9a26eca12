//! The parse stage, on several threads: each policy file is decoded, scanned for hidden
//! characters and line-indexed, then cut into chunks that begin where statements begin, and
//! the chunks are parsed on up to 8 threads. The result is the same, in the same order, as
//! parsing each file in turn (a test checks it); small runs stay on one thread.

use std::collections::HashSet;
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::compile::{confusing_characters, decode, InputFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::{self, FileText, LineIndex};

/// The policy files of a run, parsed.
pub struct Parsed {
    /// Every file that is valid UTF-8, in input order, with the statements that parsed.
    pub files: Vec<PolicyFile>,
    /// The files with syntax errors.
    pub files_with_syntax_errors: HashSet<FileId>,
    /// Whether any file has a syntax error, or is not valid UTF-8: a role that looks unknown
    /// may then be defined in the text that did not parse.
    pub any_syntax_error: bool,
}

/// Adds every policy file to `sources` (after those already there) and parses it; syntax
/// errors and hidden characters go to `diagnostics`.
pub fn parse_policies(
    policies: Vec<InputFile>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Parsed {
    let total: usize = policies.iter().map(|policy| policy.bytes.len()).sum();
    let threads = threads_for(total);
    let first_id = sources.len();
    let numbered: Vec<(FileId, InputFile)> = policies
        .into_iter()
        .enumerate()
        .map(|(index, policy)| (FileId::from_index(first_id + index), policy))
        .collect();
    let prepared = parallel_map(numbered, threads, |(id, policy)| prepare(id, policy));
    let mut texts = Vec::with_capacity(prepared.len());
    let mut any_syntax_error = false;
    for file in prepared {
        any_syntax_error |= file.not_utf8.is_some();
        diagnostics.extend(file.not_utf8);
        diagnostics.extend(file.confusing);
        let text = file.source.text.clone();
        let id = sources.push(file.source);
        if let Some(lines) = file.lines {
            texts.push((id, text, lines));
        }
    }
    let (files, parse_diagnostics) = parse_in_parallel(&texts, threads);
    // One pass over the diagnostics, not one per file: a run may have many files.
    let files_with_syntax_errors: HashSet<FileId> = parse_diagnostics
        .iter()
        .filter(|d| d.code == Code::Syntax)
        .filter_map(|d| d.span.map(|span| span.file))
        .collect();
    any_syntax_error |= !files_with_syntax_errors.is_empty();
    diagnostics.extend(parse_diagnostics);
    Parsed {
        files,
        files_with_syntax_errors,
        any_syntax_error,
    }
}

/// How many threads parse `bytes` of policy text: one below [`PARALLEL_BYTES`], else up to 8.
pub(crate) fn threads_for(bytes: usize) -> usize {
    if bytes < PARALLEL_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    }
}

/// Below this many bytes of policy text, a run stays on one thread.
const PARALLEL_BYTES: usize = 256 * 1024;

/// Chunks of a parse are at most this long: pest's token queue for a chunk (about ten times
/// its text) lives until the chunk is lowered, so the queues stay small and in cache.
const MAX_CHUNK_BYTES: usize = 128 * 1024;

/// `f` applied to every item, on `threads` threads, results in the order of the items. Each
/// thread takes the next item as soon as it is free, so one slow item does not leave the
/// other threads idle.
pub(crate) fn parallel_map<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let count = items.len();
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    // A poisoned lock means another worker panicked: that panic is surfaced below.
    let next = || queue.lock().ok().and_then(|mut items| items.next());
    let (f, next) = (&f, &next);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(count))
            .map(|_| {
                scope.spawn(move || {
                    std::iter::from_fn(next)
                        .map(|(index, item)| (index, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // A panic in a worker is a bug: surface it as the sequential run would.
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_unstable_by_key(|&(index, _)| index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// A policy file made ready to parse: decoded, scanned for hidden characters, and (when it
/// is valid UTF-8) with the index of its lines.
struct Prepared {
    source: SourceFile,
    not_utf8: Option<Diagnostic>,
    confusing: Vec<Diagnostic>,
    lines: Option<LineIndex>,
}

fn prepare(id: FileId, policy: InputFile) -> Prepared {
    let (source, not_utf8) = decode(id, policy, Code::Syntax);
    let confusing = confusing_characters(id, &source.text);
    let lines = not_utf8.is_none().then(|| LineIndex::new(&source.text));
    Prepared {
        source,
        not_utf8,
        confusing,
        lines,
    }
}

/// Parses every file, splitting the text into chunks that start where statements start and
/// parsing them on `threads` threads; the result is the same, in the same order, as
/// parsing each file in turn.
fn parse_in_parallel(
    texts: &[(FileId, Arc<str>, LineIndex)],
    threads: usize,
) -> (Vec<PolicyFile>, Vec<Diagnostic>) {
    let total: usize = texts.iter().map(|(_, text, _)| text.len()).sum();
    let target = total.div_ceil(threads * 4).clamp(1, MAX_CHUNK_BYTES);
    // Work units: (file position, chunk start, chunk end), in file and text order.
    let units: Vec<(usize, usize, usize)> = texts
        .iter()
        .enumerate()
        .flat_map(|(position, (_, text, lines))| {
            syntax::chunk_ranges(text, lines, target)
                .into_iter()
                .map(move |(start, end)| (position, start, end))
        })
        .collect();
    let results = parallel_map(units.clone(), threads, |(position, start, end)| {
        texts
            .get(position)
            .map(|(id, text, lines)| {
                let source = FileText {
                    file: *id,
                    text,
                    lines,
                };
                syntax::parse_chunk(&source, start, end)
            })
            .unwrap_or_default()
    });
    // Units and their results are in file order: each file takes the run of them that is
    // its own, in one pass over all of them (a run may have many files).
    let mut parsed = units.iter().zip(results).peekable();
    let mut files = Vec::with_capacity(texts.len());
    let mut diagnostics = Vec::new();
    for (position, (id, text, lines)) in texts.iter().enumerate() {
        let mut ranges = Vec::new();
        let mut chunks = Vec::new();
        while let Some((&(_, start, end), chunk)) =
            parsed.next_if(|((unit_position, _, _), _)| *unit_position == position)
        {
            ranges.push((start, end));
            chunks.push(chunk);
        }
        let source = FileText {
            file: *id,
            text,
            lines,
        };
        let chunks = syntax::mend_chunks(&source, &ranges, chunks);
        // Sized once: a statement is a large value, and growing the vector would copy them.
        let mut file = PolicyFile {
            file: *id,
            statements: Vec::with_capacity(chunks.iter().map(|c| c.statements.len()).sum()),
        };
        for chunk in chunks {
            file.statements.extend(chunk.statements);
            diagnostics.extend(chunk.diagnostics);
        }
        files.push(file);
    }
    (files, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Statement;

    fn summary(files: &[PolicyFile], diagnostics: &[Diagnostic]) -> Vec<String> {
        let mut lines: Vec<String> = files
            .iter()
            .flat_map(|file| file.statements.iter())
            .map(|statement| match statement {
                Statement::Role(role) => format!(
                    "role {} {} {}",
                    role.name.value,
                    role.annotations.len(),
                    role.edits.len()
                ),
                Statement::Author(author) => format!("author {}", author.name.value),
                Statement::Assert(assertion) => format!("assert {}", assertion.role.value),
            })
            .collect();
        lines.extend(
            diagnostics
                .iter()
                .map(|d| format!("{} {:?} {}", d.code.as_str(), d.span, d.message)),
        );
        lines
    }

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<usize> = (0..1001).collect();
        for threads in [1, 2, 3, 8] {
            let doubled = parallel_map(items.clone(), threads, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(parallel_map(Vec::<u8>::new(), 4, |n| n).is_empty());
    }

    #[test]
    fn parallel_parsing_gives_what_parsing_in_turn_gives() {
        let mut text = String::from("\u{feff}author Administrator\n");
        for i in 0..12_000 {
            match i % 7 {
                0 => text.push_str(&format!(
                    "@doc(\"r{i}\")\n@owner(\"x\")\nrole R{i} copies User < -webhooks >\n"
                )),
                1 => text.push_str(&format!("role R{i} < +crm\n")),
                2 => text.push_str(&format!("# comment {i}\nassert R{} can crm\n", i - 1)),
                3 => text.push_str(&format!("@doc(\"x\") role R{i} inherits Guest, User\n")),
                4 => text.push_str(&format!("role R{i} copies\n  User < +insight\n  -mail >\n")),
                5 => text.push_str(&format!("role \"R {i}\" copies < >\n")),
                6 if i % 2 == 0 => {
                    text.push_str(&format!("assert Guest\ncannot crm @k(\"v\")\nrole Q{i}\n"))
                }
                _ => text.push_str(&format!("author Owner role R{i}\n")),
            }
        }
        let second = "author Administrator\nrole Z < +crm >\n".repeat(2000);
        let texts = vec![
            (
                FileId(1),
                Arc::<str>::from(text.as_str()),
                LineIndex::new(&text),
            ),
            (
                FileId(2),
                Arc::<str>::from(second.as_str()),
                LineIndex::new(&second),
            ),
        ];
        assert!(text.len() > PARALLEL_BYTES);
        let (parallel_files, parallel_diagnostics) = parse_in_parallel(&texts, 3);
        let mut sequential_files = Vec::new();
        let mut sequential_diagnostics = Vec::new();
        for (id, text, _) in &texts {
            let (file, diagnostics) = syntax::parse_file(*id, text);
            sequential_files.push(file);
            sequential_diagnostics.extend(diagnostics);
        }
        assert!(sequential_diagnostics.len() > 1000);
        assert_eq!(
            summary(&parallel_files, &parallel_diagnostics),
            summary(&sequential_files, &sequential_diagnostics)
        );
    }
}
