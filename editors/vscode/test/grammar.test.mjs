// Tests of the TextMate grammar (syntaxes/roles.tmLanguage.json) with the engine VS Code uses:
// vscode-textmate on the Oniguruma regular expressions of vscode-oniguruma.
//
// Two kinds of test:
// - every token of the example policies (policies/**/*.roles) and of the `roles` examples of
//   docs/language.md and README.md is classified by a small reference reader written here,
//   independently of the grammar (keyword, role defined, role referred to, permission, group,
//   annotation, string, comment, sign, punctuation), and must carry the matching scope;
// - hand-written tricky inputs, each checking the scopes of named tokens.
//
// Run: `npm ci && npm test` in editors/vscode (CI does, in .ci/run).

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = join(here, "..");
const repoDir = join(extensionDir, "..", "..");
const manifest = JSON.parse(readFileSync(join(extensionDir, "package.json"), "utf8"));
const grammarPath = join(extensionDir, manifest.contributes.grammars[0].path);

const grammar = await loadGrammar(grammarPath, "source.roles");

// ── The engine ────────────────────────────────────────────────────────────────────────────

async function loadGrammar(path, scopeName) {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
            createOnigString: (text) => new oniguruma.OnigString(text),
        }),
        loadGrammar: async (name) =>
            name === scopeName ? textmate.parseRawGrammar(readFileSync(path, "utf8"), path) : null,
    });
    const loaded = await registry.loadGrammar(scopeName);
    assert.ok(loaded, `the grammar ${scopeName} did not load`);
    return loaded;
}

/** Tokenizes `text` line by line, as VS Code does: `{ lines, tokens: [{ line, start, end, scopes }] }`. */
function tokenize(text) {
    const lines = text.split(/\r?\n/);
    const tokens = [];
    let stack = textmate.INITIAL;
    lines.forEach((lineText, line) => {
        const result = grammar.tokenizeLine(lineText, stack);
        for (const token of result.tokens) {
            const end = Math.min(token.endIndex, lineText.length);
            if (token.startIndex < end) {
                tokens.push({ line, start: token.startIndex, end, scopes: token.scopes });
            }
        }
        stack = result.ruleStack;
    });
    return { text, lines, tokens };
}

/** Whether one of `scopes` is `selector` or below it (`keyword.other` matches `keyword.other.can.roles`). */
function hasScope(scopes, selector) {
    return scopes.some((scope) => scope === selector || scope.startsWith(`${selector}.`));
}

/**
 * The line and column of the `nth` (1-based) occurrence of `needle` in `text`. `needle` is a
 * string, or `[context, part]`: the first `part` inside the `nth` occurrence of `context`.
 */
function locate(text, needle, nth = 1) {
    const [context, part] = Array.isArray(needle) ? needle : [needle, needle];
    let offset = -1;
    for (let i = 0; i < nth; i++) {
        offset = text.indexOf(context, offset + 1);
        assert.ok(offset >= 0, `\`${context}\` occurs fewer than ${nth} times in:\n${text}`);
    }
    const within = context.indexOf(part);
    assert.ok(within >= 0, `\`${part}\` is not in \`${context}\``);
    const before = text.slice(0, offset + within).split(/\r?\n/);
    return { line: before.length - 1, start: before[before.length - 1].length, length: part.length };
}

/** The tokens that cover `line`, `start` .. `start + length`; asserts that the range is a whole number of tokens. */
function tokensOf(doc, { line, start, length }, what) {
    const end = start + length;
    const covering = doc.tokens.filter((t) => t.line === line && t.start < end && t.end > start);
    const shown = describe(doc, line);
    assert.ok(
        covering.length > 0 && covering[0].start === start && covering[covering.length - 1].end === end,
        `${what} is not a whole token on line ${line + 1}:\n${shown}`,
    );
    return covering;
}

function describe(doc, line) {
    const lineText = doc.lines[line];
    return doc.tokens
        .filter((t) => t.line === line)
        .map((t) => `  ${JSON.stringify(lineText.slice(t.start, t.end))}: ${t.scopes.slice(1).join(" ")}`)
        .join("\n");
}

function label(needle) {
    return Array.isArray(needle) ? `\`${needle[1]}\` in \`${needle[0]}\`` : `\`${needle}\``;
}

/**
 * Asserts that the `nth` `needle` in `doc` is a whole number of tokens (`can` in `canary` is
 * not), each in `selector`.
 */
function expectScope(doc, needle, selector, nth = 1) {
    const where = locate(doc.text, needle, nth);
    for (const token of tokensOf(doc, where, label(needle))) {
        assert.ok(
            hasScope(token.scopes, selector),
            `${label(needle)} (occurrence ${nth}) should be ${selector}; line ${where.line + 1}:\n${describe(doc, where.line)}`,
        );
    }
}

/** Asserts that every character of the `nth` `needle` in `doc` is in `selector`, whatever the tokens. */
function expectWithin(doc, needle, selector, nth = 1) {
    const { line, start, length } = locate(doc.text, needle, nth);
    const end = start + length;
    const covering = doc.tokens.filter((t) => t.line === line && t.start < end && t.end > start);
    assert.ok(covering.length > 0, `${label(needle)}: no token on line ${line + 1}`);
    for (const token of covering) {
        assert.ok(
            hasScope(token.scopes, selector),
            `${label(needle)} (occurrence ${nth}) should be within ${selector}; line ${line + 1}:\n${describe(doc, line)}`,
        );
    }
}

/** Asserts that no character of the `nth` `needle` in `doc` is in `selector`. */
function expectNotScope(doc, needle, selector, nth = 1) {
    const { line, start, length } = locate(doc.text, needle, nth);
    const end = start + length;
    for (const token of doc.tokens.filter((t) => t.line === line && t.start < end && t.end > start)) {
        assert.ok(
            !hasScope(token.scopes, selector),
            `${label(needle)} (occurrence ${nth}) should not be ${selector}; line ${line + 1}:\n${describe(doc, line)}`,
        );
    }
}

// ── A reference reader, independent of the grammar ──────────────────────────────────────────
// It follows grammar/roles.pest for valid files: the tokens of the language, and which of them
// is a keyword, a role name (defined after `role`, referred to elsewhere), a permission (in
// `< >` and after `can`/`cannot`), a group, an annotation or its value.

const KEYWORDS = keywordsOfPestGrammar();

function keywordsOfPestGrammar() {
    const pest = readFileSync(join(repoDir, "grammar", "roles.pest"), "utf8");
    const rule = pest.match(/^keyword\s*=\s*@\{\s*\(([^)]*)\)/m);
    assert.ok(rule, "grammar/roles.pest has no `keyword` rule of the expected form");
    return [...rule[1].matchAll(/"([a-z]+)"/g)].map((m) => m[1]);
}

/** The tokens of `text`: `{ kind, offset, text }`, kind one of comment, string, word, at, punct. */
function lex(text) {
    const tokens = [];
    const pattern = /[ \t\r\n]+|#[^\n]*|"(?:[^"\\\n]|\\[^\n])*"|[A-Za-z0-9_/]+|@[A-Za-z0-9_]*|[-+<>(),]/y;
    while (pattern.lastIndex < text.length) {
        const offset = pattern.lastIndex;
        const match = pattern.exec(text);
        assert.ok(match, `the reference reader cannot read ${JSON.stringify(text.slice(offset, offset + 20))}`);
        const value = match[0];
        const kind = /^[ \t\r\n]/.test(value)
            ? null
            : value.startsWith("#")
              ? "comment"
              : value.startsWith('"')
                ? "string"
                : value.startsWith("@")
                  ? "at"
                  : /^[A-Za-z0-9_/]/.test(value)
                    ? "word"
                    : "punct";
        if (kind) tokens.push({ kind, offset, text: value });
    }
    return tokens;
}

/** Each token of `text` with the scope it must have. */
function expectedScopes(text) {
    const result = [];
    let mode = "top"; // top | edits | list (after can/cannot) | annotation (up to its `)`)
    let defining = false;
    for (const token of lex(text)) {
        const expect = (scope) => result.push({ ...token, scope });
        if (token.kind === "comment") {
            expect("comment.line.number-sign.roles");
            continue;
        }
        if (mode === "edits") {
            if (token.text === "+") expect("keyword.operator.add.roles");
            else if (token.text === "-") expect("keyword.operator.remove.roles");
            else if (token.kind === "at") expect("constant.other.group.roles");
            else if (token.kind === "word") expect("constant.other.permission.roles");
            else if (token.text === ">") {
                expect("punctuation.section.edits.end.roles");
                mode = "top";
            } else assert.fail(`unexpected ${token.text} in an edit list`);
            continue;
        }
        if (mode === "list") {
            if (token.kind === "word" && !KEYWORDS.includes(token.text)) {
                expect("constant.other.permission.roles");
                continue;
            }
            mode = "top";
        }
        if (mode === "annotation") {
            if (token.text === "(") expect("punctuation.section.parens.begin.roles");
            else if (token.kind === "string") expect("string.quoted.double.roles");
            else if (token.text === ")") {
                expect("punctuation.section.parens.end.roles");
                mode = "top";
            } else assert.fail(`unexpected ${token.text} in an annotation`);
            continue;
        }
        if (token.kind === "at") {
            expect("storage.type.annotation.roles");
            mode = "annotation";
        } else if (token.kind === "word" && KEYWORDS.includes(token.text)) {
            expect(`keyword.other.${token.text}.roles`);
            defining = token.text === "role";
            if (token.text === "can" || token.text === "cannot") mode = "list";
        } else if (token.kind === "word" || token.kind === "string") {
            expect(`entity.name.type.role.${defining ? "definition" : "reference"}.roles`);
            defining = false;
        } else if (token.text === "<") {
            expect("punctuation.section.edits.begin.roles");
            mode = "edits";
        } else if (token.text === ",") {
            expect("punctuation.separator.comma.roles");
        } else {
            assert.fail(`unexpected ${token.text} at the top level`);
        }
    }
    return result;
}

/** Compares every token of `text` with the reference reader; returns how many were checked. */
function checkAgainstReference(text, name) {
    const doc = tokenize(text);
    const expected = expectedScopes(text);
    for (const token of expected) {
        const before = text.slice(0, token.offset).split(/\r?\n/);
        const where = { line: before.length - 1, start: before[before.length - 1].length, length: token.text.length };
        for (const covering of tokensOf(doc, where, `${name}: \`${token.text}\``)) {
            assert.ok(
                hasScope(covering.scopes, token.scope),
                `${name}:${where.line + 1}: \`${token.text}\` should be ${token.scope}:\n${describe(doc, where.line)}`,
            );
        }
    }
    return expected;
}

function policyFiles(dir) {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return policyFiles(path);
        return entry.name.endsWith(".roles") ? [path] : [];
    });
}

function rolesBlocks(markdownPath) {
    const text = readFileSync(markdownPath, "utf8");
    return [...text.matchAll(/^```roles\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

// ── The corpus ──────────────────────────────────────────────────────────────────────────────

test("every token of the example policies has the scope of its kind", () => {
    const files = policyFiles(join(repoDir, "policies")).sort();
    assert.ok(files.length >= 6, `expected the six example policies, found ${files.length}`);
    const seen = new Set();
    for (const path of files) {
        const name = relative(repoDir, path);
        const checked = checkAgainstReference(readFileSync(path, "utf8"), name);
        assert.ok(checked.length > 20, `${name}: only ${checked.length} tokens`);
        checked.forEach((token) => seen.add(token.scope));
    }
    // The examples between them show every kind of token.
    for (const scope of [
        "comment.line.number-sign.roles",
        "keyword.other.author.roles",
        "keyword.other.role.roles",
        "keyword.other.copies.roles",
        "keyword.other.inherits.roles",
        "keyword.other.assert.roles",
        "keyword.other.can.roles",
        "keyword.other.cannot.roles",
        "entity.name.type.role.definition.roles",
        "entity.name.type.role.reference.roles",
        "constant.other.permission.roles",
        "constant.other.group.roles",
        "keyword.operator.add.roles",
        "keyword.operator.remove.roles",
        "storage.type.annotation.roles",
        "string.quoted.double.roles",
        "punctuation.section.edits.begin.roles",
        "punctuation.section.edits.end.roles",
        "punctuation.section.parens.begin.roles",
        "punctuation.section.parens.end.roles",
        "punctuation.separator.comma.roles",
    ]) {
        assert.ok(seen.has(scope), `no token of the example policies is ${scope}`);
    }
});

test("every token of the roles examples of docs/language.md and README.md has the scope of its kind", () => {
    for (const doc of ["docs/language.md", "README.md"]) {
        const blocks = rolesBlocks(join(repoDir, doc));
        assert.ok(blocks.length > 0, `${doc} has no roles example`);
        blocks.forEach((block, index) => checkAgainstReference(block, `${doc} example ${index + 1}`));
    }
});

test("spot checks in policies/sales.roles", () => {
    const doc = tokenize(readFileSync(join(repoDir, "policies", "sales.roles"), "utf8"));
    expectScope(doc, "# Sales team roles.", "comment.line.number-sign");
    expectWithin(doc, ["# Every file starts with `author`", "author"], "comment.line.number-sign");
    expectNotScope(doc, ["# Every file starts with `author`", "author"], "keyword");
    expectScope(doc, ["author Administrator", "author"], "keyword.other.author");
    expectScope(doc, ["author Administrator", "Administrator"], "entity.name.type.role.reference");
    expectScope(doc, "@doc", "storage.type.annotation");
    expectScope(doc, ["@doc", "@"], "punctuation.definition.annotation");
    expectScope(doc, '"sales-ops@example.com"', "string.quoted.double");
    expectNotScope(doc, "@example", "storage.type.annotation");
    expectScope(doc, ['role "Sales Rep"', '"Sales Rep"'], "entity.name.type.role.definition");
    expectScope(doc, ['inherits "Sales Rep"', '"Sales Rep"'], "entity.name.type.role.reference");
    expectScope(doc, "-@integrations_and_automations", "meta.edits");
    expectScope(doc, ["-@integrations_and_automations", "-"], "keyword.operator.remove");
    expectScope(doc, "@integrations_and_automations", "constant.other.group");
    expectScope(doc, ["-design", "design"], "constant.other.permission");
    expectScope(doc, ["+@crm_and_sales", "+"], "keyword.operator.add");
    expectScope(doc, ["+@crm_and_sales", "@"], "punctuation.definition.group");
    expectScope(doc, ["can crm commerce payments mail", "commerce"], "constant.other.permission");
    expectScope(doc, ["cannot roles fiskator", "cannot"], "keyword.other.cannot");
    expectScope(doc, ["cannot roles fiskator", "roles"], "constant.other.permission");
});

// ── Tricky inputs ───────────────────────────────────────────────────────────────────────────

test("keywords are whole, case-sensitive words, as grammar/roles.pest spells them", () => {
    assert.deepEqual(KEYWORDS.toSorted(), ["assert", "author", "can", "cannot", "copies", "inherits", "role"]);
    for (const keyword of KEYWORDS) {
        const doc = tokenize(`${keyword}\n${keyword}x ${keyword}_2 x${keyword} ${keyword[0].toUpperCase()}${keyword.slice(1)}\n`);
        expectScope(doc, keyword, `keyword.other.${keyword}.roles`);
        for (const name of [`${keyword}x`, `${keyword}_2`, `x${keyword}`, `${keyword[0].toUpperCase()}${keyword.slice(1)}`]) {
            expectNotScope(doc, name, "keyword");
        }
    }
});

test("keyword-like bare names are names, not keywords", () => {
    const doc = tokenize(
        ["role roles copies canary", "role Author inherits authority, _role", "assert canary can roles cannery authors", ""].join("\n"),
    );
    expectScope(doc, ["role roles", "roles"], "entity.name.type.role.definition");
    expectNotScope(doc, ["role roles", "roles"], "keyword");
    expectScope(doc, "copies", "keyword.other.copies");
    expectScope(doc, ["copies canary", "canary"], "entity.name.type.role.reference");
    expectNotScope(doc, ["copies canary", "canary"], "keyword");
    expectScope(doc, "Author", "entity.name.type.role.definition");
    expectScope(doc, "authority", "entity.name.type.role.reference");
    expectScope(doc, "_role", "entity.name.type.role.reference");
    expectScope(doc, ["assert canary", "canary"], "entity.name.type.role.reference");
    expectScope(doc, [" can ", "can"], "keyword.other.can");
    expectScope(doc, ["can roles", "roles"], "constant.other.permission");
    expectScope(doc, "cannery", "constant.other.permission");
    expectNotScope(doc, "cannery", "keyword");
    expectScope(doc, "authors", "constant.other.permission");
});

test("quoted names: escaped quotes and backslashes, keywords in quotes, `#` is text", () => {
    const name = '"Say \\"hi\\" \\\\ now"'; // "Say \"hi\" \\ now"
    const doc = tokenize(
        [
            `role ${name} copies "role"`,
            'role "A # B" < +crm > # a real comment',
            `assert ${name} can crm`,
            'role "bad \\n escape"',
            "",
        ].join("\n"),
    );
    expectScope(doc, [`role ${name}`, name], "entity.name.type.role.definition");
    expectScope(doc, [`role ${name}`, '"'], "punctuation.definition.role-name.begin");
    expectWithin(doc, [`role ${name}`, 'w"'], "entity.name.type.role.definition");
    expectScope(doc, ['" copies', '"'], "punctuation.definition.role-name.end");
    expectScope(doc, ['\\"hi', '\\"'], "constant.character.escape");
    expectScope(doc, ['\\" ', '\\"'], "constant.character.escape");
    expectScope(doc, [`role ${name}`, "\\\\"], "constant.character.escape");
    expectNotScope(doc, [`role ${name}`, "hi"], "constant.character.escape");
    expectScope(doc, ['copies "role"', '"role"'], "entity.name.type.role.reference");
    expectNotScope(doc, ['copies "role"', '"role"'], "keyword");
    expectScope(doc, '"A # B"', "entity.name.type.role.definition");
    expectNotScope(doc, "# B", "comment");
    expectScope(doc, "# a real comment", "comment.line.number-sign");
    expectScope(doc, [`assert ${name}`, name], "entity.name.type.role.reference");
    expectScope(doc, ["can crm", "crm"], "constant.other.permission");
    expectScope(doc, "\\n", "invalid.illegal.escape");
    expectScope(doc, '"bad \\n escape"', "entity.name.type.role.definition");
});

test("annotations: key, parentheses, value; `#` inside the value is text", () => {
    const doc = tokenize(
        ['@doc("x")', '@owner("a # b \\"c\\"") # owner', "@note", '  ("on the next line")', 'role "Q" < >', ""].join("\n"),
    );
    expectScope(doc, "@doc", "storage.type.annotation");
    expectScope(doc, "@", "punctuation.definition.annotation");
    expectScope(doc, "(", "punctuation.section.parens.begin");
    expectScope(doc, '"x"', "string.quoted.double");
    expectScope(doc, ")", "punctuation.section.parens.end");
    expectScope(doc, '"a # b \\"c\\""', "string.quoted.double");
    expectNotScope(doc, "# b", "comment");
    expectScope(doc, '\\"', "constant.character.escape");
    expectScope(doc, "# owner", "comment.line.number-sign");
    expectNotScope(doc, "owner", "comment", 1);
    expectScope(doc, "@note", "meta.annotation");
    expectScope(doc, '"on the next line"', "string.quoted.double");
    expectScope(doc, "role", "keyword.other.role");
    expectScope(doc, '"Q"', "entity.name.type.role.definition");
    expectScope(doc, "<", "punctuation.section.edits.begin");
    expectScope(doc, ">", "punctuation.section.edits.end");
});

test("edits: signs, groups, permissions with `/`, with and without spaces", () => {
    const doc = tokenize(
        [
            "role Auditor < +reports +@crm_and_sales -@owner_only -mail/private +noe/widgets >",
            "role A<+crm-mail>",
            "role B inherits A, \"Sales Lead\" <",
            "  +    # a sign and its group may stand on two lines",
            "  @communication",
            "  -Webhooks",
            ">",
            "assert B can noe/widgets mail",
            "",
        ].join("\n"),
    );
    expectScope(doc, "+", "keyword.operator.add", 1);
    expectScope(doc, "reports", "constant.other.permission");
    expectScope(doc, "@crm_and_sales", "constant.other.group");
    expectScope(doc, "@", "punctuation.definition.group", 1);
    expectScope(doc, "crm_and_sales", "constant.other.group");
    expectScope(doc, "-", "keyword.operator.remove", 1);
    expectScope(doc, "@owner_only", "constant.other.group");
    expectScope(doc, "mail/private", "constant.other.permission");
    expectScope(doc, "-mail/private", "meta.edits");
    expectScope(doc, "noe/widgets", "constant.other.permission", 1);
    expectScope(doc, "A", "entity.name.type.role.definition", 2); // `Auditor`'s A first
    expectScope(doc, "<", "punctuation.section.edits.begin", 2);
    expectScope(doc, "crm", "constant.other.permission", 2); // `@crm_and_sales` first
    expectScope(doc, "-mail>", "meta.edits");
    expectScope(doc, "-", "keyword.operator.remove", 3);
    expectScope(doc, ">", "punctuation.section.edits.end", 2);
    expectScope(doc, ["A,", "A"], "entity.name.type.role.reference");
    expectScope(doc, ",", "punctuation.separator.comma");
    expectScope(doc, '"Sales Lead"', "entity.name.type.role.reference");
    expectWithin(doc, "# a sign and its group", "comment.line.number-sign");
    expectScope(doc, "@communication", "constant.other.group");
    expectScope(doc, "Webhooks", "constant.other.permission");
    expectScope(doc, "noe/widgets", "constant.other.permission", 2);
    expectScope(doc, ["noe/widgets mail", "mail"], "constant.other.permission");
});

test("permission lists span lines and end at the next keyword or statement", () => {
    const doc = tokenize(
        ["assert X cannot", "  webhooks   # not these", "  billing", "role Z copies X", "assert Z can crm role Y", ""].join("\n"),
    );
    expectScope(doc, "cannot", "keyword.other.cannot");
    expectScope(doc, "webhooks", "constant.other.permission");
    expectScope(doc, "# not these", "comment.line.number-sign");
    expectScope(doc, "billing", "constant.other.permission");
    expectScope(doc, "role", "keyword.other.role", 1);
    expectScope(doc, "Z", "entity.name.type.role.definition");
    expectScope(doc, "X", "entity.name.type.role.reference", 2);
    expectScope(doc, "role", "keyword.other.role", 2);
    expectNotScope(doc, "role", "constant.other.permission", 2);
});

test("a line that starts a statement closes an unclosed `<`, as the parser's recovery does", () => {
    const doc = tokenize(
        ["role A < +crm", "role B < +mail >", "@doc(\"x\") role C < +x", "  @crm_and_sales", "assert A can crm", ""].join("\n"),
    );
    expectScope(doc, "role", "keyword.other.role", 2);
    expectScope(doc, "B", "entity.name.type.role.definition");
    expectScope(doc, "@doc", "storage.type.annotation");
    // `@group` alone on a line is still part of the edits (decision 38)
    expectScope(doc, "@crm_and_sales", "constant.other.group");
    expectScope(doc, "assert", "keyword.other.assert");
    expectScope(doc, "A", "entity.name.type.role.reference", 2);
});

test("a name on the line after `role` is still the name defined", () => {
    const doc = tokenize(["role", '  # the name comes next', '  "Late Name" copies User', "role", "  Bare", ""].join("\n"));
    expectScope(doc, '"Late Name"', "entity.name.type.role.definition");
    expectScope(doc, "# the name comes next", "comment.line.number-sign");
    expectScope(doc, "User", "entity.name.type.role.reference");
    expectScope(doc, "Bare", "entity.name.type.role.definition");
});

test("characters a reviewer cannot see are marked, in comments, names and strings too", () => {
    const doc = tokenize(
        ["# see \u202E here", 'role "A\u200BB" < +crm >', '@doc("x\u2066y")', "role C < +crm\u00AD >", ""].join("\n"),
    );
    expectScope(doc, "\u202E", "invalid.illegal.confusing-character");
    expectScope(doc, "\u202E", "comment.line.number-sign");
    expectScope(doc, "\u200B", "invalid.illegal.confusing-character");
    expectScope(doc, "\u200B", "entity.name.type.role.definition");
    expectScope(doc, "\u2066", "invalid.illegal.confusing-character");
    expectScope(doc, "\u2066", "string.quoted.double");
    expectScope(doc, "\u00AD", "invalid.illegal.confusing-character");
    expectNotScope(doc, "here", "invalid");
});

// ── The extension's manifest ────────────────────────────────────────────────────────────────

test("package.json wires the language, the grammar and the language configuration", () => {
    const [language] = manifest.contributes.languages;
    assert.equal(language.id, "roles");
    assert.deepEqual(language.extensions, [".roles"]);
    const [grammarEntry] = manifest.contributes.grammars;
    assert.equal(grammarEntry.language, "roles");
    assert.equal(grammarEntry.scopeName, JSON.parse(readFileSync(grammarPath, "utf8")).scopeName);
    const configuration = JSON.parse(readFileSync(join(extensionDir, language.configuration), "utf8"));
    assert.equal(configuration.comments.lineComment, "#");
    assert.deepEqual(configuration.brackets, [["<", ">"], ["(", ")"]]);
    assert.ok(configuration.autoClosingPairs.some((pair) => pair.open === '"' && pair.close === '"'));
    assert.equal(manifest.contributes.configuration.properties["rolec.path"].scope, "machine");
});
