//! One function per request and notification of the language server: each reads its params,
//! asks the workspace ([`rolec::ide`]) in byte offsets, and converts the answer.

use std::collections::HashMap;

use lsp_server::{ErrorCode, Notification, Request, ResponseError};
use lsp_types::notification::{self as notification, Notification as _};
use lsp_types::request::{self as request, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    FileSystemWatcher, GlobPattern, HoverProviderCapability, OneOf, PositionEncodingKind,
    RenameOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::line_index::Encoding;
use super::{error, from_proto, to_proto, Server};

/// What the server offers.
pub fn capabilities(encoding: Encoding, prepare_rename: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["@", "+", "-", "\""].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(if prepare_rename {
            OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })
        } else {
            OneOf::Left(true)
        }),
        ..ServerCapabilities::default()
    }
}

type Answer = Result<serde_json::Value, ResponseError>;

/// Reads the params of `request` as `P` (-32602 when they do not parse), runs `handler` and
/// serializes its answer.
fn with_params<P: DeserializeOwned, R: Serialize>(
    server: &mut Server,
    request: Request,
    handler: fn(&mut Server, P) -> Result<R, ResponseError>,
) -> Answer {
    let params: P = serde_json::from_value(request.params).map_err(|problem| {
        error(
            ErrorCode::InvalidParams,
            format!("invalid params for `{}`: {problem}", request.method),
        )
    })?;
    let answer = handler(server, params)?;
    serde_json::to_value(answer)
        .map_err(|problem| error(ErrorCode::InternalError, problem.to_string()))
}

/// Answers a request.
pub fn request(server: &mut Server, request: Request) -> Answer {
    match request.method.as_str() {
        request::HoverRequest::METHOD => with_params(server, request, hover),
        request::GotoDefinition::METHOD => with_params(server, request, definition),
        request::References::METHOD => with_params(server, request, references),
        request::Completion::METHOD => with_params(server, request, completion),
        request::PrepareRenameRequest::METHOD => with_params(server, request, prepare_rename),
        request::Rename::METHOD => with_params(server, request, rename),
        request::Formatting::METHOD => with_params(server, request, formatting),
        request::CodeActionRequest::METHOD => with_params(server, request, code_action),
        request::DocumentSymbolRequest::METHOD => with_params(server, request, document_symbol),
        method => Err(error(
            ErrorCode::MethodNotFound,
            format!("unknown method `{method}`"),
        )),
    }
}

/// Handles a notification; unknown ones are ignored, as the protocol asks.
pub fn notification(server: &mut Server, notification: Notification) -> Result<(), ResponseError> {
    fn params<P: DeserializeOwned>(notification: Notification) -> Result<P, ResponseError> {
        serde_json::from_value(notification.params).map_err(|problem| {
            error(
                ErrorCode::InvalidParams,
                format!("invalid params for `{}`: {problem}", notification.method),
            )
        })
    }
    match notification.method.as_str() {
        notification::Initialized::METHOD => {
            initialized(server);
            Ok(())
        }
        notification::DidOpenTextDocument::METHOD => {
            did_open(server, params(notification)?);
            Ok(())
        }
        notification::DidChangeTextDocument::METHOD => {
            did_change(server, params(notification)?);
            Ok(())
        }
        notification::DidCloseTextDocument::METHOD => {
            did_close(server, params(notification)?);
            Ok(())
        }
        notification::DidSaveTextDocument::METHOD => {
            did_save(server, params(notification)?);
            Ok(())
        }
        notification::DidChangeWatchedFiles::METHOD => {
            did_change_watched_files(server, params(notification)?);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Asks the client to watch the policy files, `rolec.yaml` and the catalog, and publishes
/// the diagnostics of the whole workspace.
fn initialized(server: &mut Server) {
    if server.dynamic_watchers {
        let mut watchers = vec![
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.roles".into()),
                kind: None,
            },
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/rolec.yaml".into()),
                kind: None,
            },
        ];
        for path in server.workspace.watched_files() {
            let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
                continue;
            };
            if name == "rolec.yaml" {
                continue;
            }
            let name = name.to_string_lossy().into_owned();
            let pattern = match (server.relative_patterns, to_proto::uri(folder)) {
                (true, Some(base)) => GlobPattern::Relative(lsp_types::RelativePattern {
                    base_uri: OneOf::Right(base),
                    pattern: name,
                }),
                _ => GlobPattern::String(format!("**/{name}")),
            };
            watchers.push(FileSystemWatcher {
                glob_pattern: pattern,
                kind: None,
            });
        }
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers };
        server.request::<request::RegisterCapability>(lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "rolec-watched-files".into(),
                method: notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        });
    }
    server.publish(None);
}

fn is_policy(uri: &Uri) -> Option<std::path::PathBuf> {
    from_proto::path(uri).filter(|path| path.extension().is_some_and(|ext| ext == "roles"))
}

fn did_open(server: &mut Server, params: lsp_types::DidOpenTextDocumentParams) {
    let Some(path) = is_policy(&params.text_document.uri) else {
        return;
    };
    server
        .uris
        .insert(path.clone(), params.text_document.uri.clone());
    server.workspace.open(&path, params.text_document.text);
    server.publish(Some(&path));
}

fn did_change(server: &mut Server, params: lsp_types::DidChangeTextDocumentParams) {
    let Some(path) = is_policy(&params.text_document.uri) else {
        return;
    };
    for change in params.content_changes {
        match change.range {
            Some(range) => {
                let Some((text, index)) = server.document(&path) else {
                    return;
                };
                let bytes = from_proto::range(&text, &index, range, server.encoding);
                server.workspace.edit(&path, bytes, &change.text);
            }
            None => server.workspace.change(&path, change.text),
        }
    }
    server.publish(Some(&path));
}

fn did_close(server: &mut Server, params: lsp_types::DidCloseTextDocumentParams) {
    let Some(path) = is_policy(&params.text_document.uri) else {
        return;
    };
    server.workspace.close(&path);
    server.uris.remove(&path);
    server.publish(None);
}

/// A save: the client may not watch files, so `rolec.yaml`, the catalog and the sources are
/// read again from disk (what did not change costs a comparison).
fn did_save(server: &mut Server, _params: lsp_types::DidSaveTextDocumentParams) {
    server.workspace.reload();
    server.publish(None);
}

fn did_change_watched_files(server: &mut Server, params: lsp_types::DidChangeWatchedFilesParams) {
    for change in params.changes {
        if let Some(path) = from_proto::path(&change.uri) {
            server.workspace.changed_on_disk(&path);
        }
    }
    server.publish(None);
}

fn hover(
    server: &mut Server,
    params: lsp_types::HoverParams,
) -> Result<Option<lsp_types::Hover>, ResponseError> {
    let Some((path, offset)) = server.offset(&params.text_document_position_params) else {
        return Ok(None);
    };
    let Some(hover) = server.workspace.hover(&path, offset) else {
        return Ok(None);
    };
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    Ok(Some(lsp_types::Hover {
        contents: lsp_types::HoverContents::Markup(to_proto::markup(
            hover.markdown,
            server.markdown_hover,
        )),
        range: Some(to_proto::range(&text, &index, hover.range, server.encoding)),
    }))
}

fn definition(
    server: &mut Server,
    params: lsp_types::GotoDefinitionParams,
) -> Result<Option<lsp_types::GotoDefinitionResponse>, ResponseError> {
    let Some((path, offset)) = server.offset(&params.text_document_position_params) else {
        return Ok(None);
    };
    Ok(server
        .workspace
        .definition(&path, offset)
        .and_then(|location| server.location(&location))
        .map(lsp_types::GotoDefinitionResponse::Scalar))
}

fn references(
    server: &mut Server,
    params: lsp_types::ReferenceParams,
) -> Result<Option<Vec<lsp_types::Location>>, ResponseError> {
    let Some((path, offset)) = server.offset(&params.text_document_position) else {
        return Ok(None);
    };
    let locations = server
        .workspace
        .references(&path, offset, params.context.include_declaration);
    Ok(Some(
        locations
            .iter()
            .filter_map(|location| server.location(location))
            .collect(),
    ))
}

fn completion(
    server: &mut Server,
    params: lsp_types::CompletionParams,
) -> Result<Option<lsp_types::CompletionResponse>, ResponseError> {
    let Some((path, offset)) = server.offset(&params.text_document_position) else {
        return Ok(None);
    };
    let items = server.workspace.completion(&path, offset);
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    Ok(Some(lsp_types::CompletionResponse::Array(
        items
            .into_iter()
            .map(|item| {
                to_proto::completion_item(
                    &text,
                    &index,
                    server.encoding,
                    item,
                    server.markdown_completion,
                )
            })
            .collect(),
    )))
}

fn prepare_rename(
    server: &mut Server,
    params: lsp_types::TextDocumentPositionParams,
) -> Result<Option<lsp_types::PrepareRenameResponse>, ResponseError> {
    let Some((path, offset)) = server.offset(&params) else {
        return Ok(None);
    };
    let Some((range, name)) = server.workspace.prepare_rename(&path, offset) else {
        return Ok(None);
    };
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    Ok(Some(
        lsp_types::PrepareRenameResponse::RangeWithPlaceholder {
            range: to_proto::range(&text, &index, range, server.encoding),
            placeholder: name,
        },
    ))
}

// `WorkspaceEdit` is keyed by lsp-types' `Uri`, which hashes its text: never changed.
#[allow(clippy::mutable_key_type)]
fn rename(
    server: &mut Server,
    params: lsp_types::RenameParams,
) -> Result<Option<WorkspaceEdit>, ResponseError> {
    let Some((path, offset)) = server.offset(&params.text_document_position) else {
        return Err(error(
            ErrorCode::RequestFailed,
            "the file is not part of the workspace",
        ));
    };
    let edits = server
        .workspace
        .rename(&path, offset, &params.new_name)
        .map_err(|problem| error(ErrorCode::RequestFailed, problem.0))?;
    let mut changes: HashMap<Uri, Vec<lsp_types::TextEdit>> = HashMap::new();
    for (path, edits) in edits {
        let (Some(uri), Some((text, index))) = (server.uri_of(&path), server.document(&path))
        else {
            continue;
        };
        changes.insert(
            uri,
            edits
                .into_iter()
                .map(|edit| to_proto::text_edit(&text, &index, server.encoding, edit))
                .collect(),
        );
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

fn formatting(
    server: &mut Server,
    params: lsp_types::DocumentFormattingParams,
) -> Result<Option<Vec<lsp_types::TextEdit>>, ResponseError> {
    let Some(path) = from_proto::path(&params.text_document.uri) else {
        return Ok(None);
    };
    let Some(formatted) = server.workspace.format(&path) else {
        return Ok(None);
    };
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    Ok(Some(vec![lsp_types::TextEdit {
        range: to_proto::range(&text, &index, 0..text.len(), server.encoding),
        new_text: formatted,
    }]))
}

// `WorkspaceEdit` is keyed by lsp-types' `Uri`, which hashes its text: never changed.
#[allow(clippy::mutable_key_type)]
fn code_action(
    server: &mut Server,
    params: lsp_types::CodeActionParams,
) -> Result<Option<lsp_types::CodeActionResponse>, ResponseError> {
    let Some(path) = from_proto::path(&params.text_document.uri) else {
        return Ok(None);
    };
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    let range = from_proto::range(&text, &index, params.range, server.encoding);
    let fixes = server.workspace.quick_fixes(&path, range);
    let uri = params.text_document.uri;
    let actions = fixes
        .into_iter()
        .map(|fix| {
            let diagnostic = to_proto::diagnostic(
                &text,
                &index,
                server.encoding,
                &fix.diagnostic,
                &mut |span| server.span_location(span),
            );
            let edit = to_proto::text_edit(&text, &index, server.encoding, fix.edit);
            lsp_types::CodeActionOrCommand::CodeAction(lsp_types::CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit],
                )]))),
                is_preferred: Some(true),
                ..lsp_types::CodeAction::default()
            })
        })
        .collect();
    Ok(Some(actions))
}

fn document_symbol(
    server: &mut Server,
    params: lsp_types::DocumentSymbolParams,
) -> Result<Option<lsp_types::DocumentSymbolResponse>, ResponseError> {
    let Some(path) = from_proto::path(&params.text_document.uri) else {
        return Ok(None);
    };
    let symbols = server.workspace.document_symbols(&path);
    let Some((text, index)) = server.document(&path) else {
        return Ok(None);
    };
    Ok(Some(lsp_types::DocumentSymbolResponse::Nested(
        symbols
            .into_iter()
            .map(|symbol| to_proto::document_symbol(&text, &index, server.encoding, symbol))
            .collect(),
    )))
}
