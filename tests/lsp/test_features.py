"""Every feature of `rolec lsp` (contract section 9) through a client the project did not
write: pytest-lsp's, with the capabilities of VS Code and Neovim 0.7, in UTF-16 and UTF-8."""

from __future__ import annotations

import pytest
from conftest import (
    ACCOUNTING,
    MARKETING,
    SALES,
    codes,
    open_document,
    position,
    replace_document,
    uri,
    wait_for,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient


def ident(client: LanguageClient, name: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri(client, name))


def at(client: LanguageClient, name: str, pos: types.Position) -> dict:
    return {"text_document": ident(client, name), "position": pos}


async def test_capabilities_and_encoding(client: LanguageClient):
    caps = client.server_capabilities
    assert caps.position_encoding == ("utf-8" if client.utf8 else "utf-16")
    assert caps.hover_provider and caps.definition_provider and caps.references_provider
    assert caps.document_formatting_provider and caps.document_symbol_provider
    assert caps.completion_provider is not None
    assert caps.code_action_provider is not None
    sync = caps.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.open_close


async def test_diagnostics_of_every_file_open_or_not(client: LanguageClient):
    # At start-up every file of the workspace is published, open or not.
    marketing = uri(client, "marketing.roles")
    await wait_for(lambda: marketing in client.diagnostics)
    assert codes(client, marketing) == []
    # Renaming the role in sales.roles breaks marketing.roles, which is not open.
    sales = open_document(client, "sales.roles", SALES)
    replace_document(client, sales, SALES.replace('"Sales Lead"', '"Sales Head"'), 2)
    await wait_for(lambda: codes(client, marketing) == ["unknown-role", "unknown-role"])
    first = client.diagnostics[marketing][0]
    assert first.severity == types.DiagnosticSeverity.Error
    assert first.source == "rolec"
    assert first.message.startswith("unknown role `Sales Lead`")
    assert "help: did you mean `Sales Head`?" in first.message
    line = MARKETING.splitlines()[1]
    assert first.range.start == types.Position(line=1, character=line.index('"Sales'))
    assert first.range.end.character == line.index('"Sales') + len('"Sales Lead"')
    # No documentation link is published, so none is given.
    assert first.code_description is None
    # Undone: the diagnostics clear.
    replace_document(client, sales, SALES, 3)
    await wait_for(lambda: codes(client, marketing) == [])


async def test_related_information_points_into_another_file(client: LanguageClient):
    # A file after sales.roles in byte order: its definition is the second.
    team = open_document(client, "team.roles", "author Administrator\nrole Auditor\n")
    await wait_for(lambda: "duplicate-role" in codes(client, team))
    duplicate = next(d for d in client.diagnostics[team] if d.code == "duplicate-role")
    related = duplicate.related_information
    assert related and related[0].location.uri == uri(client, "sales.roles")
    assert related[0].message == "first defined here"
    assert related[0].location.range.start == types.Position(line=4, character=5)


async def test_edits_are_incremental(client: LanguageClient):
    sales = open_document(client, "sales.roles", SALES)
    line = SALES.splitlines()[3]
    start = line.index("webhooks")
    # Replace `webhooks` with `webhok` by a ranged change.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=sales, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=3, character=start),
                        end=types.Position(line=3, character=start + len("webhooks")),
                    ),
                    text="webhok",
                )
            ],
        )
    )
    await wait_for(lambda: codes(client, sales) == ["unknown-permission"])
    assert "did you mean `webhooks`?" in client.diagnostics[sales][0].message


async def test_hover_on_a_role_a_permission_and_a_group(client: LanguageClient):
    text = SALES + "role Grouped < +@crm_and_sales >\n"
    open_document(client, "sales.roles", text)
    hover = await client.text_document_hover_async(
        types.HoverParams(**at(client, "sales.roles", position(client, text, "Sales Lead")))
    )
    value = hover.contents.value
    for part in ["Sales Lead", "custom role", "id `sales-lead`", "copies `User`",
                 "author `Administrator`", "Leads the sales team", "`crm`", "(`@crm_and_sales`"]:
        assert part in value, value
    assert "`webhooks`" not in value
    hover = await client.text_document_hover_async(
        types.HoverParams(**at(client, "sales.roles", position(client, text, "webhooks", shift=2)))
    )
    assert "permission" in hover.contents.value and "group:" in hover.contents.value
    assert "sensitive: no" in hover.contents.value
    hover = await client.text_document_hover_async(
        types.HoverParams(**at(client, "sales.roles", position(client, text, "@crm_and_sales")))
    )
    assert "group" in hover.contents.value and "members:" in hover.contents.value
    assert hover.range.start == position(client, text, "@crm_and_sales")
    none = await client.text_document_hover_async(
        types.HoverParams(**at(client, "sales.roles", types.Position(line=1, character=0)))
    )
    assert none is None


async def test_definition_and_references_across_files(client: LanguageClient):
    target = await client.text_document_definition_async(
        types.DefinitionParams(
            **at(client, "marketing.roles", position(client, MARKETING, "Sales Lead"))
        )
    )
    assert target.uri == uri(client, "sales.roles")
    assert target.range.start == position(client, SALES, '"Sales Lead"')
    references = await client.text_document_references_async(
        types.ReferenceParams(
            **at(client, "sales.roles", position(client, SALES, "Sales Lead")),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    places = sorted((r.uri.rsplit("/", 1)[-1], r.range.start.line) for r in references)
    assert places == [("marketing.roles", 1), ("marketing.roles", 2), ("sales.roles", 3)]


async def test_positions_after_non_ascii_names(client: LanguageClient):
    # `Auditor` stands after two non-ASCII names on its line: its column differs between
    # UTF-8 (bytes) and UTF-16 (code units).
    pos = position(client, ACCOUNTING, "Auditor", shift=2)
    line = ACCOUNTING.splitlines()[2]
    expected = len(line[: line.index("Auditor") + 2].encode("utf-8" if client.utf8 else "utf-16-le"))
    assert pos.character == (expected if client.utf8 else expected // 2)
    target = await client.text_document_definition_async(
        types.DefinitionParams(**at(client, "accounting.roles", pos))
    )
    assert target.uri == uri(client, "sales.roles")
    assert target.range.start == position(client, SALES, "Auditor")
    # The second `Księgowa 𝔸`, after a four-byte character on the same line.
    inner = position(client, ACCOUNTING, "Księgowa", nth=1, shift=1)
    hover = await client.text_document_hover_async(
        types.HoverParams(**at(client, "accounting.roles", inner))
    )
    assert "Księgowa 𝔸" in hover.contents.value
    assert hover.range.start == position(client, ACCOUNTING, '"Księgowa', nth=1)
    assert hover.range.end == position(client, ACCOUNTING, ", Auditor")


async def test_completion_where_each_name_may_stand(client: LanguageClient):
    text = "author Administrator\nrole X copies \nrole Y < +we >\nrole Z < -@ >\nassert X cannot \n"
    open_document(client, "new.roles", text)

    async def complete(pos):
        result = await client.text_document_completion_async(
            types.CompletionParams(**at(client, "new.roles", pos))
        )
        items = result.items if isinstance(result, types.CompletionList) else result
        return {item.label: item for item in items}

    roles = await complete(types.Position(line=1, character=len("role X copies ")))
    assert {"Sales Lead", "Owner", "Księgowa 𝔸"} <= roles.keys()
    assert roles["Sales Lead"].text_edit.new_text == '"Sales Lead"'
    assert roles["Owner"].detail == "built-in role"
    assert roles["Sales Lead"].documentation.value == "Leads the sales team"
    permissions = await complete(types.Position(line=2, character=len("role Y < +we")))
    assert "webhooks" in permissions and "@crm_and_sales" in permissions
    webhooks = permissions["webhooks"]
    assert webhooks.documentation.value and webhooks.detail
    assert webhooks.text_edit.range.start == types.Position(line=2, character=len("role Y < +"))
    groups = await complete(types.Position(line=3, character=len("role Z < -@")))
    assert groups and all(label.startswith("@") for label in groups)
    asserted = await complete(types.Position(line=4, character=len("assert X cannot ")))
    assert "mail" in asserted


async def test_rename_across_files(client: LanguageClient):
    pos = position(client, MARKETING, "Sales Lead", shift=1)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(**at(client, "marketing.roles", pos))
    )
    assert prepared.placeholder == "Sales Lead"
    assert prepared.range.start == position(client, MARKETING, '"Sales Lead"')
    edit = await client.text_document_rename_async(
        types.RenameParams(**at(client, "marketing.roles", pos), new_name="Sales Head")
    )
    changes = edit.changes
    assert set(changes) == {uri(client, "sales.roles"), uri(client, "marketing.roles")}
    texts = {e.new_text for edits in changes.values() for e in edits}
    # Written quoted (not a bare name); the id stays `sales-lead`.
    assert texts == {'"Sales Head"', '@id("sales-lead")\n'}
    assert len(changes[uri(client, "marketing.roles")]) == 2


async def test_rename_refuses_built_ins_and_collisions(client: LanguageClient):
    user = position(client, SALES, "User")
    assert await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(**at(client, "sales.roles", user))
    ) is None
    with pytest.raises(JsonRpcException, match="built-in"):
        await client.text_document_rename_async(
            types.RenameParams(**at(client, "sales.roles", user), new_name="Member")
        )
    auditor = position(client, SALES, "Auditor")
    with pytest.raises(JsonRpcException, match="collide"):
        await client.text_document_rename_async(
            types.RenameParams(**at(client, "sales.roles", auditor), new_name="administrator")
        )
    edit = await client.text_document_rename_async(
        types.RenameParams(**at(client, "sales.roles", auditor), new_name='"Chief Auditor"')
    )
    texts = sorted(e.new_text for edits in edit.changes.values() for e in edits)
    assert texts == ['"Chief Auditor"', '"Chief Auditor"', '@id("auditor")\n']


async def test_formatting_is_rolec_fmt(client: LanguageClient):
    messy = "author   Administrator\nrole  A   copies User<+crm   -webhooks>\n"
    document = open_document(client, "messy.roles", messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert len(edits) == 1
    assert edits[0].range.start == types.Position(line=0, character=0)
    assert edits[0].range.end == types.Position(line=2, character=0)
    assert edits[0].new_text == "author Administrator\n\nrole A copies User < +crm -webhooks >\n"
    replace_document(client, document, "role A <\n", 2)
    none = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert none is None


async def test_quick_fixes_for_did_you_mean(client: LanguageClient):
    text = "author Administrator\nrole A copies Sales_Lead < +webhok -@crm_and_sale >\n"
    document = open_document(client, "typos.roles", text)
    await wait_for(lambda: len(codes(client, document)) == 3)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=60)),
            context=types.CodeActionContext(diagnostics=client.diagnostics[document]),
        )
    )
    fixes = {a.title: a for a in actions}
    assert set(fixes) == {
        'replace with `"Sales Lead"`', "replace with `webhooks`", "replace with `@crm_and_sales`",
    }
    fix = fixes["replace with `webhooks`"]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.diagnostics[0].code == "unknown-permission"
    (edit,) = fix.edit.changes[document]
    assert edit.range.start == types.Position(line=1, character=text.splitlines()[1].index("webhok"))


async def test_document_symbols(client: LanguageClient):
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(client, "sales.roles"))
    )
    shown = [(s.name, s.detail, s.selection_range.start.line) for s in symbols]
    assert shown == [("Sales Lead", "copies User", 3), ("Auditor", None, 4)]
    assert symbols[0].range.start == types.Position(line=2, character=0)


async def test_catalog_and_settings_are_watched(client: LanguageClient):
    sales = uri(client, "sales.roles")
    await wait_for(lambda: sales in client.diagnostics)
    catalog = client.project / "catalog.yaml"
    text = catalog.read_text()
    # The catalog loses the permission `reports`, which sales.roles grants.
    lines = [line for line in text.splitlines() if "{ name: reports," not in line]
    assert len(lines) == len(text.splitlines()) - 1
    catalog.write_text("\n".join(lines) + "\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=catalog.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await wait_for(lambda: codes(client, sales) == ["unknown-permission"])
    catalog.write_text(text)
    # A client that watches nothing: a save reads the settings and the catalog again.
    (client.project / "rolec.yaml").write_text(
        "sources: [policies]\ncatalog: catalog.yaml\nlints:\n  empty-role: deny\n"
    )
    document = open_document(client, "empty.roles", "author Administrator\nrole E\n")
    await wait_for(lambda: codes(client, document) == ["empty-role"])
    assert client.diagnostics[document][0].severity == types.DiagnosticSeverity.Warning
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=document)))
    await wait_for(lambda: client.diagnostics[document] and client.diagnostics[document][0].severity == types.DiagnosticSeverity.Error)
    assert codes(client, sales) == []
