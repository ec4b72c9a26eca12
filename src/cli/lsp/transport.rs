//! JSON-RPC over standard input and output: `Content-Length` frames read on one thread and
//! written on another. A frame whose body is not JSON, or not a JSON-RPC message, is answered
//! here with the JSON-RPC error (-32700 parse error, -32600 invalid request) and the server
//! reads on: lsp-server's own reader stops at the first such frame, and the server with it.

use std::io::{BufRead, Read, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use lsp_server::Message;

/// The largest message the server reads: far above any document a person edits (the
/// compiler refuses files over 32 MiB), small enough that a hostile length costs nothing.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// The channels of the transport (messages read, frames to write) and its writer thread,
/// which ends once every frame sent is written. The reader thread ends with the input, or
/// after `exit`, and is not waited for.
pub struct Transport {
    pub incoming: Receiver<Message>,
    pub outgoing: Sender<Vec<u8>>,
    pub writer: JoinHandle<()>,
}

/// A message framed for the wire.
pub fn frame(message: &Message) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to a vector fails only if serializing fails, which the types rule out.
    let _ = message.write(&mut bytes);
    bytes
}

fn frame_raw(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The JSON-RPC error response `code` with `message` to a message whose id could not be
/// read (`null`), or was `id`.
fn error_frame(id: Option<&serde_json::Value>, code: i32, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.cloned().unwrap_or(serde_json::Value::Null),
        "error": {"code": code, "message": message},
    });
    frame_raw(&body.to_string())
}

/// Starts the reader (standard input) and writer (standard output) threads.
pub fn stdio() -> std::io::Result<Transport> {
    let (incoming_sender, incoming) = mpsc::channel::<Message>();
    let (outgoing, outgoing_receiver) = mpsc::channel::<Vec<u8>>();
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut stdout = stdout.lock();
            for bytes in outgoing_receiver {
                if stdout
                    .write_all(&bytes)
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    // The client is gone: nothing more can be said.
                    break;
                }
            }
        })?;
    let errors = outgoing.clone();
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut stdin = stdin.lock();
            read_messages(&mut stdin, &incoming_sender, &errors);
        })?;
    Ok(Transport {
        incoming,
        outgoing,
        writer,
    })
}

/// Reads frames until the input ends (or an `exit` notification), sending each message on
/// `messages` and answering a malformed one on `errors`.
pub fn read_messages(
    input: &mut impl BufRead,
    messages: &Sender<Message>,
    errors: &Sender<Vec<u8>>,
) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(FrameError::Fatal) => return,
            Err(FrameError::Malformed(problem)) => {
                let _ = errors.send(error_frame(None, -32700, &problem));
                continue;
            }
        };
        let value: serde_json::Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(error) => {
                let problem = format!("the message is not JSON: {error}");
                let _ = errors.send(error_frame(None, -32700, &problem));
                continue;
            }
        };
        let id = value.get("id").cloned();
        let message: Message = match serde_json::from_value(value) {
            Ok(message) => message,
            Err(error) => {
                // A request we cannot read is answered; a notification cannot be.
                let problem = format!("not a JSON-RPC request, response or notification: {error}");
                if id.is_some() {
                    let _ = errors.send(error_frame(id.as_ref(), -32600, &problem));
                }
                continue;
            }
        };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if messages.send(message).is_err() || exit {
            return;
        }
    }
}

enum FrameError {
    /// The input cannot be read any further.
    Fatal,
    /// This frame is malformed; the next one may be fine.
    Malformed(String),
}

/// One frame's body, `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, FrameError> {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        // A header line is short; a longer one is read no further than this.
        let read = input
            .by_ref()
            .take(1024)
            .read_until(b'\n', &mut line)
            .map_err(|_| FrameError::Fatal)?;
        if read == 0 {
            return if saw_header {
                Err(FrameError::Fatal)
            } else {
                Ok(None)
            };
        }
        saw_header = true;
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(value) => length = Some(value),
                    Err(_) => {
                        bad_header = Some(format!("invalid Content-Length `{}`", value.trim()))
                    }
                }
            }
            Some(_) => {}
            None => {
                bad_header = Some(format!(
                    "malformed header line `{}`",
                    line.chars().take(80).collect::<String>()
                ))
            }
        }
    }
    if let Some(problem) = bad_header {
        return Err(FrameError::Malformed(problem));
    }
    let Some(length) = length else {
        return Err(FrameError::Malformed(
            "a message without Content-Length".into(),
        ));
    };
    if length > MAX_MESSAGE_BYTES {
        // Skip the body, so that the next frame is read from its start.
        let skipped = std::io::copy(
            &mut input.by_ref().take(length as u64),
            &mut std::io::sink(),
        )
        .map_err(|_| FrameError::Fatal)?;
        if skipped < length as u64 {
            return Err(FrameError::Fatal);
        }
        return Err(FrameError::Malformed(format!(
            "a message of {length} bytes, more than the {MAX_MESSAGE_BYTES} the server reads"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(|_| FrameError::Fatal)?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> (Vec<String>, Vec<String>) {
        let (messages, received) = mpsc::channel();
        let (errors, answered) = mpsc::channel();
        read_messages(&mut std::io::Cursor::new(input), &messages, &errors);
        drop((messages, errors));
        let methods = received
            .iter()
            .map(|message| match message {
                Message::Request(request) => request.method,
                Message::Notification(notification) => notification.method,
                Message::Response(_) => "response".into(),
            })
            .collect();
        let answers = answered
            .iter()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        (methods, answers)
    }

    #[test]
    fn malformed_frames_are_answered_and_reading_goes_on() {
        let good = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let input = [
            good(r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#),
            good("{not json"),
            good(r#"{"jsonrpc":"2.0","id":2}"#),
            good(r#"{"jsonrpc":"2.0","method":3}"#),
            "Content-Length: nope\r\n\r\n".into(),
            "Content-Length: 99999999999\r\n\r\n".into(),
        ]
        .concat();
        let (methods, answers) = frames(input.as_bytes());
        assert_eq!(methods, ["a"]);
        assert_eq!(answers.len(), 3, "{answers:?}");
        assert!(answers[0].contains("-32700"), "{answers:?}");
        assert!(
            answers[1].contains("-32600") && answers[1].contains("\"id\":2"),
            "{answers:?}"
        );
        assert!(answers[2].contains("-32700"), "{answers:?}");
        let (methods, _) = frames(
            [good("{bad"), good(r#"{"jsonrpc":"2.0","method":"b"}"#)]
                .concat()
                .as_bytes(),
        );
        assert_eq!(methods, ["b"]);
    }
}
