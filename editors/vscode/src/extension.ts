// The VS Code client of rolec's language server: starts `rolec lsp` over standard input and
// output for `*.roles` files, and restarts it when `rolec.path` changes or on request.
// Everything else (diagnostics, hover, completion, ...) comes from the server.

import * as vscode from "vscode";
import {
    LanguageClient,
    LanguageClientOptions,
    ServerOptions,
    TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    context.subscriptions.push(
        vscode.commands.registerCommand("rolec.restartServer", restartServer),
        vscode.workspace.onDidChangeConfiguration(async (event) => {
            if (event.affectsConfiguration("rolec.path")) {
                await restartServer();
            }
        }),
    );
    await startServer();
}

export async function deactivate(): Promise<void> {
    await stopServer();
}

async function startServer(): Promise<void> {
    // A user setting only (`"scope": "machine"` in package.json): a workspace cannot make the
    // editor run a program of its choosing.
    const command = vscode.workspace.getConfiguration("rolec").get<string>("path") || "rolec";
    const serverOptions: ServerOptions = {
        command,
        args: ["lsp"],
        transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: "file", language: "roles" }],
        synchronize: {
            // Files changed outside the editor (a checkout, a pull): the server re-reads them.
            // The catalog may live anywhere `rolec.yaml` says: the server watches it itself.
            fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.roles,rolec.yaml}"),
        },
    };
    client = new LanguageClient("rolec", "rolec", serverOptions, clientOptions);
    try {
        await client.start();
    } catch (error) {
        client = undefined;
        const message = error instanceof Error ? error.message : String(error);
        void vscode.window.showErrorMessage(
            `rolec: could not start \`${command} lsp\` (${message}); set rolec.path in the user settings`,
        );
    }
}

async function stopServer(): Promise<void> {
    const running = client;
    client = undefined;
    if (running !== undefined) {
        await running.stop();
    }
}

async function restartServer(): Promise<void> {
    await stopServer();
    await startServer();
}
