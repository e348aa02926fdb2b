// Using a connection in the editor (issue 13 §2), in a real extension host: "Open
// Terminal with Connection…" gives one integrated terminal the agent's effective
// connection (a real shell prints the variables' names and the key's hash), another
// terminal gets nothing, a key bound to another origin goes through the Test modal and
// no terminal is opened; a launch configuration with "agentConnection" starts a real
// Node program (js-debug) with the variables; the Agents view, CodeLens and hover
// name the variables, never a value.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, extensionLog, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import type { AgentNode } from '../../src/views/agentsTree';
import { startMockProvider, type MockProvider } from '../mocks';

const KEY = 'sk-test-CANARY-terminal-5c1d9e7a20b4';
const OTHER_KEY = 'sk-test-CANARY-terminal-other-83f1';
const NAMES = ['AGENT_CONNECTION', 'AGENT_CONNECTION_MODEL', 'AGENT_CONNECTION_PROVIDER', 'OPENAI_API_KEY', 'OPENAI_BASE_URL'];
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const folder = () => vscode.workspace.workspaceFolders![0];

/** A fresh file path in the run's temp folder (removed after the suite). */
function outFile(tag: string): string {
  return path.join(os.tmpdir(), `ac-terminal-${tag}-${process.pid}-${Date.now()}.txt`);
}

/** The file's text once it ends with `END` (the shell or program finished writing it). */
async function finished(file: string, timeoutMs = 30_000): Promise<string> {
  return waitFor(`${file} written`, () => {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    return text.endsWith('END\n') ? text : undefined;
  }, timeoutMs);
}

/** The POSIX shell line that writes the names of the connection's variables and the key's hash, never the key. */
function probeCommand(file: string): string {
  return `env | grep -E '^(OPENAI|AGENT_CONNECTION)' | cut -d= -f1 | LC_ALL=C sort > '${file}'; printf 'base=%s\\n' "$OPENAI_BASE_URL" >> '${file}'; printf %s "$OPENAI_API_KEY" | sha256sum | cut -c1-64 >> '${file}'; echo END >> '${file}'`;
}

function findDefinition(a: AgentConnectionsApi, name: string): Extract<AgentNode, { kind: 'definition' }> {
  const walk = (node: AgentNode | undefined): Extract<AgentNode, { kind: 'definition' }> | undefined => {
    for (const child of a.agentsTree.getChildren(node)) {
      if (child.kind === 'definition' && child.assignment.name === name) return child;
      const found = walk(child);
      if (found) return found;
    }
    return undefined;
  };
  const found = walk(undefined);
  assert.ok(found, `no ${name} in the Agents view`);
  return found;
}

describe('a connection in the terminal and the debugger', () => {
  let mock: MockProvider;
  const written: string[] = [];
  const opened: vscode.Terminal[] = [];

  before(async () => {
    mock = await startMockProvider('openai', { key: KEY });
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
    const a = await api();
    await a.credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: KEY }, origin: mock.origin });
    // prod-key-2's key was entered for another origin than the one the manifest now sends it to.
    await a.credentials.set(folder().uri, 'gpt-4o', 'prod-key-2', { credential: { kind: 'apiKey', apiKey: OTHER_KEY }, origin: 'https://api.openai.com' });
    await waitFor('the agents file read', () => a.agents.all.some((f) => f.resolution.assignments.some((x) => x.name === 'refunds')));
  });

  after(async () => {
    for (const t of opened) t.dispose();
    for (const f of written) fs.rmSync(f, { force: true });
    const a = await api();
    await a.credentials.forget(folder().uri, 'gpt-4o', 'prod-key-1');
    await a.credentials.forget(folder().uri, 'gpt-4o', 'prod-key-2');
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
  });

  it('opens a terminal named after the agent whose shell has the inherited connection', async () => {
    const a = await api();
    const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>('agentConnections.openTerminal', findDefinition(a, 'refunds'));
    assert.ok(terminal, 'no terminal was returned');
    opened.push(terminal);
    assert.strictEqual(terminal.name, 'Agent: refunds (gpt-4o/prod-key-1)');
    assert.ok(!terminal.name.includes(KEY));
    const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
    assert.strictEqual(env.OPENAI_API_KEY, KEY);
    assert.strictEqual(env.AGENT_CONNECTION, 'gpt-4o/prod-key-1');
    assert.strictEqual(env.OPENAI_BASE_URL, `${mock.origin}/v1`);
    // Another provider's key inherited from the editor's environment is removed in this terminal.
    assert.strictEqual(env.ANTHROPIC_API_KEY, null);

    const file = outFile('agent');
    written.push(file);
    terminal.sendText(probeCommand(file));
    const lines = (await finished(file)).trim().split('\n');
    assert.deepStrictEqual(lines.slice(0, -3), NAMES, lines.join('\n'));
    assert.strictEqual(lines.at(-3), `base=${mock.origin}/v1`);
    assert.strictEqual(lines.at(-2), sha256(KEY), 'the shell does not hold the stored key');
    await waitFor('the log line', () => extensionLog(a).includes('opened terminal "Agent: refunds (gpt-4o/prod-key-1)" with agent refunds (gpt-4o/prod-key-1, inherited from triage): AGENT_CONNECTION'));
  });

  it('gives another terminal none of it', async () => {
    const plain = vscode.window.createTerminal({ name: 'plain', cwd: folder().uri });
    opened.push(plain);
    const file = outFile('plain');
    written.push(file);
    plain.sendText(probeCommand(file));
    const lines = (await finished(file)).trim().split('\n');
    assert.deepStrictEqual(lines.slice(0, -3), [], lines.join('\n'));
    assert.strictEqual(lines.at(-3), 'base=');
    assert.strictEqual(lines.at(-2), sha256(''));
  });

  it('opens a terminal for a connection of the Models view by reference too', async () => {
    const a = await api();
    const state = a.store.folders[0];
    const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
    const connection = model.connections.find((c) => c.name === 'prod-key-1')!;
    const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>('agentConnections.openConnectionTerminal', { kind: 'connection', state, model, connection, key: 'present' });
    assert.ok(terminal);
    opened.push(terminal);
    assert.strictEqual(terminal.name, 'Connection: gpt-4o/prod-key-1');
    assert.strictEqual((terminal.creationOptions as vscode.TerminalOptions).env?.OPENAI_API_KEY, KEY);
  });

  it('hands a Bedrock API key on as AWS_BEARER_TOKEN_BEDROCK, without access-key variables', async () => {
    const a = await api();
    const bearer = 'bedrock-api-key-test-terminal-0123456789';
    await a.credentials.set(folder().uri, 'claude-bedrock', 'us-east', { credential: { kind: 'bedrockApiKey', apiKey: bearer }, origin: 'https://bedrock-runtime.us-east-1.amazonaws.com' });
    try {
      const state = a.store.folders[0];
      const model = state.analysis!.models.find((m) => m.name === 'claude-bedrock')!;
      const connection = model.connections.find((c) => c.name === 'us-east')!;
      const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>('agentConnections.openConnectionTerminal', { kind: 'connection', state, model, connection, key: 'present' });
      assert.ok(terminal, 'no terminal for a connection whose key is a Bedrock API key');
      opened.push(terminal);
      const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
      assert.strictEqual(env.AWS_BEARER_TOKEN_BEDROCK, bearer);
      assert.strictEqual(env.AWS_REGION, 'us-east-1');
      assert.ok(!env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY, 'access-key variables set for an API key');
    } finally {
      await a.credentials.forget(folder().uri, 'claude-bedrock', 'us-east');
    }
  });

  it('asks with the Test modal when the key is bound to another origin, and opens nothing', async () => {
    const a = await api();
    const before = vscode.window.terminals.length;
    const result = await vscode.commands.executeCommand('agentConnections.openTerminal', 'gpt-4o/prod-key-2');
    assert.strictEqual(result, undefined);
    assert.strictEqual(vscode.window.terminals.length, before, 'a terminal was opened');
    // The test host refuses every modal; what the modal would have asked is in the error.
    await waitFor('the modal in the log', () => extensionLog(a).includes(`agentConnections.openTerminal: DialogService: refused to show dialog in tests. Contents: Send the key of gpt-4o/prod-key-2 to ${mock.origin}?`));
    assert.strictEqual((await a.credentials.get(folder().uri, 'gpt-4o', 'prod-key-2'))?.origin, 'https://api.openai.com', 'the binding changed');
  });

  it('refuses a disabled connection, an unknown agent and a connection without a key', async () => {
    const a = await api();
    const before = vscode.window.terminals.length;
    await vscode.commands.executeCommand('agentConnections.openTerminal', 'gpt-4o/staging');
    await vscode.commands.executeCommand('agentConnections.openTerminal', 'refundz');
    await vscode.commands.executeCommand('agentConnections.openTerminal', 'research');
    assert.strictEqual(vscode.window.terminals.length, before);
    await waitFor('the refusals in the log', () => {
      const log = extensionLog(a);
      return log.includes('gpt-4o/staging is disabled for inference in the manifest')
        && log.includes('No agent or supervisor named “refundz” in the agents files (did you mean refunds?)')
        && log.includes('No key on this machine for gemini-pro/research');
    });
  });

  it('starts a Node program with the connection from a launch configuration', async () => {
    const file = outFile('debug');
    written.push(file);
    const program = path.join(os.tmpdir(), `ac-envdump-${process.pid}.js`);
    written.push(program);
    fs.writeFileSync(program, [
      "const fs = require('fs');",
      "const crypto = require('crypto');",
      "const names = Object.keys(process.env).filter((n) => /^(OPENAI|AGENT_CONNECTION)/.test(n)).sort();",
      "const hash = crypto.createHash('sha256').update(process.env.OPENAI_API_KEY || '', 'utf8').digest('hex');",
      'fs.writeFileSync(process.env.OUT_FILE, names.join("\\n") + "\\nbase=" + process.env.OPENAI_BASE_URL + "\\nown=" + process.env.MY_OWN + "\\n" + hash + "\\nEND\\n");',
    ].join('\n'));
    const started = await vscode.debug.startDebugging(folder(), {
      type: 'node',
      request: 'launch',
      name: 'agent env',
      program,
      runtimeExecutable: process.execPath,
      console: 'internalConsole',
      agentConnection: 'refunds',
      // The connection wins over a configuration's own endpoint; other entries are kept.
      env: { OUT_FILE: file, MY_OWN: 'kept', OPENAI_BASE_URL: 'http://127.0.0.1:9/elsewhere' },
    });
    assert.strictEqual(started, true);
    const lines = (await finished(file, 60_000)).trim().split('\n');
    assert.deepStrictEqual(lines.slice(0, -4), NAMES, lines.join('\n'));
    assert.strictEqual(lines.at(-4), `base=${mock.origin}/v1`);
    assert.strictEqual(lines.at(-3), 'own=kept');
    assert.strictEqual(lines.at(-2), sha256(KEY));
    const a = await api();
    // js-debug may have resolved the type to pwa-node before this provider runs.
    await waitFor('the log line', () => /debug "agent env" \((pwa-)?node\) with agent refunds \(gpt-4o\/prod-key-1, inherited from triage\): AGENT_CONNECTION/.test(extensionLog(a)));
    assert.ok(extensionLog(await api()).includes("replaced the configuration's own OPENAI_BASE_URL"));
  });

  it('cancels a launch whose agentConnection is unknown or whose key is bound elsewhere', async () => {
    const file = outFile('refused');
    written.push(file);
    const program = path.join(os.tmpdir(), `ac-touch-${process.pid}.js`);
    written.push(program);
    fs.writeFileSync(program, "require('fs').writeFileSync(process.env.OUT_FILE, 'ran\\n');");
    const base = { type: 'node', request: 'launch', program, runtimeExecutable: process.execPath, console: 'internalConsole', env: { OUT_FILE: file } };
    assert.strictEqual(await vscode.debug.startDebugging(folder(), { ...base, name: 'unknown agent', agentConnection: 'nobody' }), false);
    assert.strictEqual(await vscode.debug.startDebugging(folder(), { ...base, name: 'bound elsewhere', agentConnection: 'gpt-4o/prod-key-2' }), false);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!fs.existsSync(file), 'a refused launch ran the program');
    const log = extensionLog(await api());
    assert.ok(log.includes('debug "unknown agent": not started: No agent or supervisor named “nobody”'), log);
    assert.ok(log.includes(`debug "bound elsewhere": not started: DialogService: refused to show dialog in tests. Contents: Send the key of gpt-4o/prod-key-2 to ${mock.origin}?`), log);
  });

  it('names the variables, never a value, in the Agents view, the CodeLens and the hover', async () => {
    const a = await api();
    const item = a.agentsTree.getTreeItem(findDefinition(a, 'refunds'));
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.ok(tooltip.includes('**Sets:** AGENT\\_CONNECTION, AGENT\\_CONNECTION\\_PROVIDER, AGENT\\_CONNECTION\\_MODEL, OPENAI\\_BASE\\_URL, OPENAI\\_API\\_KEY'), tooltip);
    const uri = vscode.Uri.joinPath(folder().uri, 'agents', 'support.agents.yaml');
    const doc = await vscode.workspace.openTextDocument(uri); // CodeLens is asked of an open document
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const terminalLens = lenses.find((l) => l.command?.command === 'agentConnections.openTerminal' && (l.command.arguments?.[0] as { name?: string })?.name === 'refunds');
    assert.ok(terminalLens, lenses.map((l) => l.command?.title).join(' | '));
    assert.strictEqual(terminalLens.command!.tooltip, 'Open a terminal with gpt-4o/prod-key-1: sets AGENT_CONNECTION, AGENT_CONNECTION_PROVIDER, AGENT_CONNECTION_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY');
    const at = doc.positionAt(doc.getText().indexOf('name: refunds') + 'name: '.length + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/&nbsp;/g, ' ');
    assert.ok(text.includes('gets AGENT\\_CONNECTION'), text);
    for (const shown of [tooltip, text, terminalLens.command!.tooltip!]) assert.ok(!shown.includes(KEY));
  });
});
