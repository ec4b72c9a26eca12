"""Fixtures of the language server's tests: the release (or debug) `rolec` binary, a
project folder of policy files, and clients that start `rolec lsp` with the capabilities of
real editors (recorded by pytest-lsp: VS Code and Neovim 0.7), negotiating UTF-16 or UTF-8.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import pathlib
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = pathlib.Path(__file__).resolve().parents[2]


def rolec_binary() -> str:
    """`ROLEC` from the environment, else the release build, else the debug build."""
    given = os.environ.get("ROLEC")
    if given:
        return given
    for profile in ("release", "debug"):
        candidate = REPO / "target" / profile / "rolec"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("build rolec first (cargo build --release) or set ROLEC")


ROLEC = rolec_binary()

SALES = """\
author Administrator

@doc("Leads the sales team")
role "Sales Lead" copies User < +crm -webhooks >
role Auditor < +reports >
"""

MARKETING = """\
author Administrator
role Marketer inherits "Sales Lead" < +mail >
assert "Sales Lead" can crm
"""

# A role whose name holds characters of two and four bytes in UTF-8 (one and two UTF-16
# units), with references after it on the same line.
ACCOUNTING = """\
author Administrator
role "Księgowa 𝔸" copies User < +payments >
role "Główna 𝔸" inherits "Księgowa 𝔸", Auditor < +reports >
"""


def write_project(root: pathlib.Path) -> pathlib.Path:
    """A project: `rolec.yaml` naming `policies/` and a catalog file (the embedded one, as
    `rolec catalog` prints it), and three policy files."""
    (root / "policies").mkdir(parents=True, exist_ok=True)
    catalog = subprocess.run([ROLEC, "catalog"], check=True, capture_output=True, text=True)
    (root / "catalog.yaml").write_text(catalog.stdout)
    (root / "rolec.yaml").write_text("sources: [policies]\ncatalog: catalog.yaml\n")
    (root / "policies" / "sales.roles").write_text(SALES)
    (root / "policies" / "marketing.roles").write_text(MARKETING)
    (root / "policies" / "accounting.roles").write_text(ACCOUNTING, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    return write_project(tmp_path / "project")


def capabilities(client: str, utf8: bool) -> types.ClientCapabilities:
    caps = client_capabilities(client)
    general = caps.general or types.GeneralClientCapabilities()
    general.position_encodings = (
        [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
        if utf8
        else [types.PositionEncodingKind.Utf16]
    )
    caps.general = general
    return caps


CLIENTS = [
    ("visual-studio-code", False),
    ("neovim@v0.7.0", False),
    ("visual-studio-code", True),
]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[ROLEC, "lsp"]),
    params=CLIENTS,
    ids=["vscode-utf16", "neovim07-utf16", "vscode-utf8"],
)
async def client(lsp_client: LanguageClient, request, project: pathlib.Path):
    name, utf8 = request.param
    lsp_client.project = project
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)
    lsp_client.utf8 = utf8
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(name, utf8),
            root_uri=project.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")],
        )
    )
    lsp_client.server_capabilities = result.capabilities
    yield
    await lsp_client.shutdown_session()


def uri(client: LanguageClient, name: str) -> str:
    return (client.project / "policies" / name).as_uri()


def column(client: LanguageClient, line: str, index: int) -> int:
    """The column of `line[index]` in the encoding the client negotiated."""
    before = line[:index]
    if client.utf8:
        return len(before.encode("utf-8"))
    return len(before.encode("utf-16-le")) // 2


def position(client: LanguageClient, text: str, needle: str, nth: int = 0, shift: int = 0):
    """The position of the `nth` occurrence of `needle` in `text`, `shift` characters on."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    index = start + shift
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=column(client, text[line_start:], index - line_start))


def open_document(client: LanguageClient, name: str, text: str, version: int = 1) -> str:
    document = uri(client, name)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document, language_id="roles", version=version, text=text
            )
        )
    )
    return document


def replace_document(client: LanguageClient, document: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_for(predicate, timeout: float = 10.0):
    """Waits until `predicate()` is true (the server's notifications arrive meanwhile)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(0.02)


def codes(client: LanguageClient, document: str) -> list[str]:
    return [d.code for d in client.diagnostics.get(document, [])]


def send_raw(client: LanguageClient, body: bytes) -> None:
    """Writes one frame of `body` to the server as it is, past the client's own checks."""
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def raw_request(client: LanguageClient, method: str, params, msg_id="raw"):
    """Sends a request whose params the client's types would refuse; returns the result or
    raises the error the server answered with."""
    future = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = future
    message = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
    send_raw(client, json.dumps(message).encode())
    return await asyncio.wrap_future(future)


async def answer_to_raw(client: LanguageClient, body: bytes, msg_id=None):
    """Sends a frame the server cannot read, and returns the error it answers with (to
    `msg_id`, or to `null` when the frame's id cannot be read)."""
    future = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = future
    send_raw(client, body)
    try:
        await asyncio.wait_for(asyncio.wrap_future(future), 10)
    except JsonRpcException as error:
        return error
    raise AssertionError("the server answered a malformed frame with a result")
