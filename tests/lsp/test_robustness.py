"""A server that survives hostile input: an unknown method, params that do not parse, a
document of binary garbage, a 1 MB line. After each, it still answers and publishes."""

from __future__ import annotations

import json
import random

import pytest
from conftest import (
    SALES,
    answer_to_raw,
    codes,
    open_document,
    position,
    raw_request,
    replace_document,
    send_raw,
    uri,
    wait_for,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pytest_lsp import LanguageClient


async def still_answers(client: LanguageClient) -> None:
    """The server answers a hover on `sales.roles` and publishes a change."""
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, "sales.roles")),
            position=position(client, SALES, "Auditor"),
        )
    )
    assert "Auditor" in hover.contents.value
    # An unknown permission: reported even when another file has syntax errors (an unknown
    # role is not then, as with `rolec check`: it may be defined in the text that failed).
    document = open_document(client, "probe.roles", "author Administrator\nrole P < +nope >\n")
    await wait_for(lambda: codes(client, document) == ["unknown-permission"])


async def test_an_unknown_method_is_answered(client: LanguageClient):
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("rolec/nothing", {})
    # An unknown notification gets no answer, and changes nothing.
    client.protocol.notify("rolec/nothing", {"x": 1})
    await still_answers(client)


@pytest.mark.parametrize(
    "method,params",
    [
        ("textDocument/hover", {"textDocument": 5}),
        ("textDocument/hover", {"textDocument": {"uri": "file:///x.roles"}, "position": {"line": -1, "character": "a"}}),
        ("textDocument/completion", []),
        ("textDocument/rename", {"textDocument": {"uri": "not a uri at all"}, "position": {"line": 0, "character": 0}, "newName": 3}),
        ("textDocument/formatting", None),
        ("textDocument/definition", {"textDocument": {"uri": "file:///x.roles"}, "position": {"line": 4294967296, "character": 0}}),
    ],
)
async def test_params_that_do_not_parse_are_answered(client: LanguageClient, method, params):
    with pytest.raises(JsonRpcInvalidParams):
        await raw_request(client, method, params)
    # Notifications with bad params are dropped.
    for body in (
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": 7, "contentChanges": "x"}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": 1}}},
    ):
        send_raw(client, json.dumps(body).encode())
    await still_answers(client)


async def test_frames_that_are_not_json_rpc_are_answered(client: LanguageClient):
    error = await answer_to_raw(client, b"{this is not json")
    assert error.code == -32700
    error = await answer_to_raw(client, b'{"jsonrpc": "2.0", "id": 77}', msg_id=77)
    assert error.code == -32600
    error = await answer_to_raw(client, bytes(range(256)))
    assert error.code == -32700
    await still_answers(client)


async def test_positions_outside_the_text_are_clamped(client: LanguageClient):
    far = types.Position(line=10**6, character=10**6)
    for request, params in (
        (client.text_document_hover_async, types.HoverParams),
        (client.text_document_definition_async, types.DefinitionParams),
    ):
        result = await request(
            params(text_document=types.TextDocumentIdentifier(uri=uri(client, "sales.roles")), position=far)
        )
        assert result is None
    # A document the server never heard of.
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri="file:///nowhere/x.roles"), position=far)
    )
    assert result is None
    await still_answers(client)


async def test_a_document_of_binary_garbage(client: LanguageClient):
    generator = random.Random(16)
    garbage = "".join(chr(generator.randrange(0, 0x10FFFF)) for _ in range(20_000))
    garbage = garbage.encode("utf-8", "replace").decode("utf-8", "replace")
    garbage = "".join(c for c in garbage if not 0xD800 <= ord(c) <= 0xDFFF)
    document = open_document(client, "garbage.roles", garbage)
    await wait_for(lambda: document in client.diagnostics)
    assert "syntax" in codes(client, document) or "confusing-character" in codes(client, document)
    for line in (0, 5, 50):
        for request, params in (
            (client.text_document_hover_async, types.HoverParams),
            (client.text_document_completion_async, types.CompletionParams),
            (client.text_document_definition_async, types.DefinitionParams),
        ):
            await request(
                params(
                    text_document=types.TextDocumentIdentifier(uri=document),
                    position=types.Position(line=line, character=7),
                )
            )
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=document))
    )
    assert symbols == [] or symbols is not None
    replace_document(client, document, garbage[::-1], 2)
    await still_answers(client)


async def test_a_one_megabyte_line(client: LanguageClient):
    line = "role A < " + " ".join(f"+p{i}" for i in range(130_000)) + " >"
    assert len(line) > 1_000_000
    document = open_document(client, "long.roles", "author Administrator\n" + line + "\n")
    await wait_for(lambda: len(client.diagnostics.get(document, [])) > 1000, timeout=60)
    last = client.diagnostics[document][-1]
    assert last.code == "unknown-permission"
    assert last.range.start.line == 1 and last.range.start.character > 900_000
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=document), position=last.range.start)
    )
    assert hover is None
    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=document), position=last.range.start)
    )
    assert completion
    await still_answers(client)


async def test_shutdown_then_exit_ends_cleanly(client: LanguageClient):
    await client.shutdown_async(None)
    # After `shutdown`, requests are refused, not left unanswered.
    with pytest.raises(JsonRpcException, match="shutting down"):
        await raw_request(client, "textDocument/hover", {})
    client.exit(None)
    await client._server.wait()
    assert client._server.returncode == 0
    client.capabilities = None  # the fixture's own shutdown is already done
