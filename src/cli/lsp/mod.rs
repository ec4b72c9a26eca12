//! `rolec lsp`: the language server (LSP 3.17, JSON-RPC on standard input and output), shaped
//! like rust-analyzer's. This file owns the main loop: the handshake, one message at a time,
//! a response to every request (an unknown method -32601, params that do not parse -32602,
//! never a stop), and diagnostics published as soon as a change is analysed.
//! [`handlers`] has one function per request and notification; [`to_proto`] and
//! [`from_proto`] convert between the protocol and the compiler, whose queries are plain Rust
//! in the library ([`rolec::ide`]), which never sees a protocol type.

mod from_proto;
mod handlers;
mod line_index;
mod to_proto;
mod transport;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::Notification as _;
use lsp_types::{InitializeParams, PositionEncodingKind, Uri};
use rolec::ide::Workspace;
use rolec::source::Span;

use super::ExitStatus;
use line_index::{Encoding, LineIndex};

/// A text and its line index.
type Indexed = (Arc<str>, Arc<LineIndex>);

/// The server's state between messages.
pub struct Server {
    workspace: Workspace,
    encoding: Encoding,
    /// The URIs the client named the files it opened with: answers about them use the same.
    uris: HashMap<PathBuf, Uri>,
    /// What was last published for each file.
    published: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// Line indexes of the texts last converted, kept while the text is the same.
    indexes: RefCell<HashMap<PathBuf, Indexed>>,
    out: Sender<Vec<u8>>,
    /// Whether the client registers file watchers when asked (`didChangeWatchedFiles`).
    dynamic_watchers: bool,
    /// Whether the client's watchers take a base folder (`RelativePattern`).
    relative_patterns: bool,
    /// Whether the client reads Markdown in hovers, and in completion items' documentation
    /// (else they are sent as plain text).
    markdown_hover: bool,
    markdown_completion: bool,
    next_request: i32,
}

impl Server {
    fn send(&self, message: Message) {
        // A send fails only when the writer is gone (the client closed its input): nothing
        // can be said any more, and the reader ends the loop.
        let _ = self.out.send(transport::frame(&message));
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_request += 1;
        let id = RequestId::from(format!("rolec-{}", self.next_request));
        self.send(Message::Request(Request::new(
            id,
            R::METHOD.to_string(),
            params,
        )));
    }

    fn log(&self, message: String) {
        self.notify::<lsp_types::notification::LogMessage>(lsp_types::LogMessageParams {
            typ: lsp_types::MessageType::WARNING,
            message,
        });
    }

    /// The URI of `path`: the client's own when it opened the file, else a `file:` URI.
    fn uri_of(&self, path: &Path) -> Option<Uri> {
        self.uris.get(path).cloned().or_else(|| to_proto::uri(path))
    }

    /// The text of `path` in the workspace, and its line index.
    fn document(&self, path: &Path) -> Option<Indexed> {
        let text = self.workspace.text(path)?;
        let mut indexes = self.indexes.borrow_mut();
        if let Some((indexed, index)) = indexes.get(path) {
            if Arc::ptr_eq(indexed, &text) {
                return Some((text, index.clone()));
            }
        }
        let index = Arc::new(LineIndex::new(&text));
        indexes.insert(path.to_path_buf(), (text.clone(), index.clone()));
        Some((text, index))
    }

    /// The path and byte offset of a position in a document.
    fn offset(&self, position: &lsp_types::TextDocumentPositionParams) -> Option<(PathBuf, usize)> {
        let path = from_proto::path(&position.text_document.uri)?;
        let (text, index) = self.document(&path)?;
        let offset = from_proto::offset(&text, &index, position.position, self.encoding);
        Some((path, offset))
    }

    /// A location of the workspace in the protocol's terms.
    fn location(&self, location: &rolec::ide::Location) -> Option<lsp_types::Location> {
        let (text, index) = self.document(&location.path)?;
        Some(lsp_types::Location {
            uri: self.uri_of(&location.path)?,
            range: to_proto::range(&text, &index, location.range.clone(), self.encoding),
        })
    }

    fn span_location(&self, span: Span) -> Option<lsp_types::Location> {
        self.location(&self.workspace.location(span)?)
    }

    /// Publishes the diagnostics of every file whose diagnostics changed since they were last
    /// published, and always those of `changed` (the file the client just edited); a file
    /// that left the workspace gets an empty list.
    fn publish(&mut self, changed: Option<&Path>) {
        for message in self.workspace.take_messages() {
            self.log(message);
        }
        let reports = self.workspace.diagnostics();
        let mut seen = HashSet::with_capacity(reports.len());
        for report in reports {
            let Some((text, index)) = self.document(&report.path) else {
                continue;
            };
            let diagnostics: Vec<lsp_types::Diagnostic> = report
                .diagnostics
                .iter()
                .map(|diagnostic| {
                    to_proto::diagnostic(&text, &index, self.encoding, diagnostic, &mut |span| {
                        self.span_location(span)
                    })
                })
                .collect();
            seen.insert(report.path.clone());
            let same = self.published.get(&report.path) == Some(&diagnostics);
            if same && changed != Some(report.path.as_path()) {
                continue;
            }
            self.send_diagnostics(&report.path, diagnostics);
        }
        let gone: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|path| !seen.contains(*path))
            .cloned()
            .collect();
        for path in gone {
            self.send_diagnostics(&path, Vec::new());
            self.published.remove(&path);
        }
    }

    fn send_diagnostics(&mut self, path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) {
        let Some(uri) = self.uri_of(path) else {
            return;
        };
        self.notify::<lsp_types::notification::PublishDiagnostics>(
            lsp_types::PublishDiagnosticsParams {
                uri,
                diagnostics: diagnostics.clone(),
                version: None,
            },
        );
        self.published.insert(path.to_path_buf(), diagnostics);
    }
}

/// `utf-8` when the client offers it, else the protocol's default, UTF-16.
fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// The folder the client opened: its first workspace folder, else its root, else the
/// current folder.
fn root_folder(params: &InitializeParams) -> PathBuf {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|folder| from_proto::path(&folder.uri));
    #[allow(deprecated)] // `root_uri`, which older clients still send alone.
    let root = params.root_uri.as_ref().and_then(from_proto::path);
    folder
        .or(root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

/// Runs the server on standard input and output until the client says `exit`.
pub fn run() -> ExitStatus {
    let transport = match transport::stdio() {
        Ok(transport) => transport,
        Err(problem) => {
            return super::output::usage_error(&format!(
                "cannot start the language server: {problem}"
            ))
        }
    };
    let status = serve(&transport.incoming, transport.outgoing.clone());
    drop(transport.outgoing);
    let _ = transport.writer.join();
    status
}

/// The handshake, then the main loop.
fn serve(incoming: &std::sync::mpsc::Receiver<Message>, out: Sender<Vec<u8>>) -> ExitStatus {
    let respond = |response: Response| {
        let _ = out.send(transport::frame(&Message::Response(response)));
    };
    let (id, params) = loop {
        let Ok(message) = incoming.recv() else {
            return ExitStatus::Errors;
        };
        match message {
            Message::Request(request) if request.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => break (request.id, params),
                    Err(problem) => respond(Response {
                        id: request.id,
                        response_result: Err(error(
                            ErrorCode::InvalidParams,
                            format!("invalid `initialize` params: {problem}"),
                        )),
                    }),
                }
            }
            Message::Request(request) => respond(Response {
                id: request.id,
                response_result: Err(error(
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized: send `initialize` first",
                )),
            }),
            Message::Notification(notification) if notification.method == "exit" => {
                return ExitStatus::Errors
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    };
    let encoding = negotiate_encoding(&params);
    let text_document = params.capabilities.text_document.as_ref();
    let prepare_rename = text_document
        .and_then(|caps| caps.rename.as_ref())
        .and_then(|rename| rename.prepare_support)
        .unwrap_or(false);
    let markdown = |formats: Option<&Vec<lsp_types::MarkupKind>>| {
        formats.is_some_and(|formats| formats.contains(&lsp_types::MarkupKind::Markdown))
    };
    let markdown_hover = markdown(
        text_document
            .and_then(|caps| caps.hover.as_ref())
            .and_then(|hover| hover.content_format.as_ref()),
    );
    let markdown_completion = markdown(
        text_document
            .and_then(|caps| caps.completion.as_ref())
            .and_then(|completion| completion.completion_item.as_ref())
            .and_then(|item| item.documentation_format.as_ref()),
    );
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref());
    let mut server = Server {
        workspace: Workspace::new(&root_folder(&params)),
        encoding,
        uris: HashMap::new(),
        published: HashMap::new(),
        indexes: RefCell::new(HashMap::new()),
        out,
        dynamic_watchers: watch
            .and_then(|watch| watch.dynamic_registration)
            .unwrap_or(false),
        relative_patterns: watch
            .and_then(|watch| watch.relative_pattern_support)
            .unwrap_or(false),
        markdown_hover,
        markdown_completion,
        next_request: 0,
    };
    let result = lsp_types::InitializeResult {
        capabilities: handlers::capabilities(encoding, prepare_rename),
        server_info: Some(lsp_types::ServerInfo {
            name: "rolec".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    server.send(Message::Response(Response::new_ok(id, result)));
    let mut shutdown = false;
    while let Ok(message) = incoming.recv() {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let response = if shutdown {
                    Err(error(
                        ErrorCode::InvalidRequest,
                        "the server is shutting down",
                    ))
                } else if request.method == "shutdown" {
                    shutdown = true;
                    Ok(serde_json::Value::Null)
                } else {
                    let method = request.method.clone();
                    guarded(&method, || handlers::request(&mut server, request))
                };
                server.send(Message::Response(Response {
                    id,
                    response_result: response,
                }));
            }
            Message::Notification(notification) => {
                if notification.method == lsp_types::notification::Exit::METHOD {
                    return if shutdown {
                        ExitStatus::Ok
                    } else {
                        ExitStatus::Errors
                    };
                }
                let method = notification.method.clone();
                if let Err(problem) = guarded(&method, || {
                    handlers::notification(&mut server, notification)
                }) {
                    server.log(problem.message);
                }
            }
            Message::Response(_) => {}
        }
    }
    ExitStatus::Errors
}

/// Runs a handler; a panic (a bug: input never reaches one) becomes an internal error
/// response instead of ending the server.
fn guarded<T>(
    method: &str,
    handler: impl FnOnce() -> Result<T, ResponseError>,
) -> Result<T, ResponseError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(handler)).unwrap_or_else(|_| {
        Err(error(
            ErrorCode::InternalError,
            format!("internal error while handling `{method}` (a bug in rolec: please report it)"),
        ))
    })
}
