// The leak guard's quick fix and Import / Export in a real extension host (code-server):
// a leaked key in the manifest gets "Move to SecretStorage", which stores it for its
// connection bound to the connection's origin and removes it from the file on disk;
// import adds models with a minimal diff and, once the user confirms in the QuickPick,
// stores the file's inline key in SecretStorage — never in the manifest; export writes a
// LiteLLM config with os.environ/ references only. QuickPicks are answered the way a
// keyboard user does, through the workbench's own accept/close commands.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, filesContaining, waitFor, discardEditors } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';

const repoRoot = path.resolve(__dirname, '../../..');
const LITELLM = path.join(repoRoot, 'test', 'fixtures', 'import', 'litellm-config.yaml');
const CONTINUE = path.join(repoRoot, 'test', 'fixtures', 'import', 'continue-config.yaml');
// Obviously fake keys, in the shapes the leak guard looks for.
const LEAKED = 'sk-test-leakfix-integration-7c1d5e2a9f3b4086';
const LEAKED_COMMENT = 'sk-ant-test-leakfix-comment-3b7c1d5e2a4086f9';
const INLINE_LITELLM = 'sk-test-inline-anthropic-0123456789abcdefXYZ';
const AWS_ID = 'AKIA' + 'TESTLEAKFIX23456';
const AWS_SECRET = 'test/fake-secret-access-key/0000000000000';

const folder = () => vscode.workspace.workspaceFolders![0];
const manifestUri = () => vscode.Uri.joinPath(folder().uri, 'agent-connections.yaml');
const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
const write = (uri: vscode.Uri, text: string) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stored key without its `storedAt`, which must be the time it was just stored. */
async function storedKey(a: AgentConnectionsApi, uri: vscode.Uri, model: string, connection: string) {
  const stored = await a.credentials.get(uri, model, connection);
  if (!stored) return stored;
  const { storedAt, ...rest } = stored;
  assert.ok(storedAt && Math.abs(Date.parse(storedAt) - Date.now()) < 120_000, `storedAt: ${String(storedAt)}`);
  return rest;
}

/**
 * Runs a command that opens one QuickPick, and answers it as the keyboard would: Enter
 * (`workbench.action.acceptSelectedQuickOpenItem`, which accepts the checked items of a
 * multi-select pick too) or Escape (`workbench.action.closeQuickOpen`).
 */
async function answeringQuickPick<T>(run: () => Thenable<T>, answer: 'accept' | 'close'): Promise<T> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => { settled = true; });
  await sleep(400);
  while (!settled) {
    await vscode.commands.executeCommand(answer === 'accept' ? 'workbench.action.acceptSelectedQuickOpenItem' : 'workbench.action.closeQuickOpen');
    await Promise.race([result.then(() => undefined, () => undefined), sleep(500)]);
  }
  return result;
}

/** The leaked-key diagnostic of `uri` whose range covers `needle` in `text`. */
async function leakDiagnostic(uri: vscode.Uri, text: string, needle: string): Promise<vscode.Diagnostic> {
  const at = text.indexOf(needle);
  const line = text.slice(0, at).split('\n').length - 1;
  // Quick fixes read the open document: it must show what the test wrote before they are asked for.
  await waitFor('open documents to show what was written', () => vscode.workspace.textDocuments.filter((d) => d.uri.toString() === uri.toString()).every((d) => d.getText() === text));
  return waitFor(`a leaked-key diagnostic on line ${line + 1}`, () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'leaked-key' && d.range.start.line === line));
}

async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
}

describe('leak quick fix, import and export in a real extension host', () => {
  let original: string;
  const forget: Array<[string, string]> = [];

  before(async () => {
    original = await read(manifestUri());
    await api();
  });

  afterEach(async () => {
    await discardEditors();
    await write(manifestUri(), original);
    // A closed editor's document lingers: wait until it has the disk's text again, so the next edit through it can be saved.
    await waitFor('open documents follow the disk', () => vscode.workspace.textDocuments.filter((d) => d.uri.toString() === manifestUri().toString()).every((d) => d.getText() === original));
    const a = await api();
    for (const [m, c] of forget.splice(0)) await a.credentials.forget(folder().uri, m, c);
    await a.store.reload(folder());
  });

  it('Move to SecretStorage: stores a leaked key for its connection, bound to its origin, and removes it from the file on disk', async () => {
    const a = await api();
    const leaky = original.replace('      - name: prod-key-1\n        enabled: true\n', `      - name: prod-key-1\n        enabled: true\n        apiKey: ${LEAKED}\n`);
    assert.notStrictEqual(leaky, original);
    await write(manifestUri(), leaky);
    const doc = await vscode.workspace.openTextDocument(manifestUri());
    await vscode.window.showTextDocument(doc);
    const diag = await leakDiagnostic(manifestUri(), leaky, LEAKED);
    assert.ok(!diag.message.includes(LEAKED), 'the diagnostic repeats the key');
    assert.strictEqual(diag.severity, vscode.DiagnosticSeverity.Error);

    const actions = await codeActions(manifestUri(), diag.range);
    const titles = actions.map((x) => x.title);
    assert.ok(titles.includes('Move to SecretStorage'), titles.join(', '));
    assert.ok(titles.includes('Remove the key from the file (not stored)'), titles.join(', '));
    const move = actions.find((x) => x.title === 'Move to SecretStorage')!;
    assert.ok(move.isPreferred);
    assert.ok(!JSON.stringify(move.command?.arguments).includes(LEAKED), 'the code action carries the key');

    forget.push(['gpt-4o', 'prod-key-1']);
    await vscode.commands.executeCommand(move.command!.command, ...(move.command!.arguments ?? []));
    const stored = await storedKey(a, folder().uri, 'gpt-4o', 'prod-key-1');
    assert.deepStrictEqual(stored, { credential: { kind: 'apiKey', apiKey: LEAKED }, origin: 'https://api.openai.com' });
    // The whole `apiKey:` line is gone, on disk too: exactly the original file again.
    assert.strictEqual(await read(manifestUri()), original);
    assert.strictEqual(doc.isDirty, false);
    await waitFor('no leaked-key diagnostic', () => !vscode.languages.getDiagnostics(manifestUri()).some((d) => d.code === 'leaked-key'));
    const lines = await a.snapshot();
    assert.ok(lines.some((l) => /^\s+prod-key-1 — enabled · key stored/.test(l)), lines.join('\n'));
  });

  it('a key in a comment asks which connection it is for (QuickPick), and the unique-key rule holds', async () => {
    const a = await api();
    forget.push(['claude', 'team-key'], ['claude', 'batch-key']);
    const leaky = original.replace('      - name: team-key\n', `      - name: team-key\n        # old: ${LEAKED_COMMENT}\n`);
    await write(manifestUri(), leaky);
    const shown = await vscode.workspace.openTextDocument(manifestUri());
    await vscode.window.showTextDocument(shown);
    await waitFor('the editor to show what was written to the disk', () => shown.getText() === leaky);
    const diag = await leakDiagnostic(manifestUri(), leaky, LEAKED_COMMENT);
    const move = (await codeActions(manifestUri(), diag.range)).find((x) => x.title === 'Move to SecretStorage…');
    assert.ok(move, 'a key in a comment gets "Move to SecretStorage…" (it asks)');
    // The connection whose block holds the comment is offered first: Enter takes it.
    await answeringQuickPick(() => vscode.commands.executeCommand(move.command!.command, ...(move.command!.arguments ?? [])), 'accept');
    assert.strictEqual((await a.credentials.get(folder().uri, 'claude', 'team-key'))?.credential.kind, 'apiKey');
    assert.strictEqual((await a.credentials.get(folder().uri, 'claude', 'team-key'))?.origin, 'https://api.anthropic.com');
    const fixed = await read(manifestUri());
    assert.ok(!fixed.includes(LEAKED_COMMENT), 'the key is still in the file');
    assert.ok(fixed.includes('        # old: \n'), 'the rest of the comment stays');

    // The same key pasted into the model's other connection: it cannot be stored there too.
    const again = original.replace('      - name: batch-key\n', `      - name: batch-key\n        apiKey: ${LEAKED_COMMENT}\n`);
    await write(manifestUri(), again);
    const d2 = await leakDiagnostic(manifestUri(), again, LEAKED_COMMENT);
    const move2 = (await codeActions(manifestUri(), d2.range)).find((x) => x.title === 'Move to SecretStorage')!;
    await vscode.commands.executeCommand(move2.command!.command, ...(move2.command!.arguments ?? []));
    assert.strictEqual(await a.credentials.status(folder().uri, 'claude', 'batch-key'), 'missing', 'a duplicate key was stored');
    assert.strictEqual(await read(manifestUri()), again, 'the file changed although nothing was stored');
  });

  it('agents files: the key is reported and "Move to SecretStorage…" asks for the connection', async () => {
    const a = await api();
    forget.push(['gpt-4o', 'prod-key-1']);
    const agentsUri = vscode.Uri.joinPath(folder().uri, 'agents', 'leaky.agents.yaml');
    const text = `agents:\n  - name: leaky\n    description: ${LEAKED}\n    connection: gpt-4o/prod-key-1\n`;
    await write(agentsUri, text);
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(agentsUri));
      const diag = await leakDiagnostic(agentsUri, text, LEAKED);
      const move = (await codeActions(agentsUri, diag.range)).find((x) => x.title === 'Move to SecretStorage…');
      assert.ok(move);
      // OpenAI-shaped key: OpenAI (and generic) connections come first, in manifest order; Enter takes gpt-4o/prod-key-1.
      await answeringQuickPick(() => vscode.commands.executeCommand(move.command!.command, ...(move.command!.arguments ?? [])), 'accept');
      assert.deepStrictEqual(await storedKey(a, folder().uri, 'gpt-4o', 'prod-key-1'), { credential: { kind: 'apiKey', apiKey: LEAKED }, origin: 'https://api.openai.com' });
      assert.strictEqual(await read(agentsUri), "agents:\n  - name: leaky\n    description: ''\n    connection: gpt-4o/prod-key-1\n");
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(agentsUri);
    }
  });

  it('Import from LiteLLM… of a file with nothing to import: the notification says why at once; the manifest is unchanged', async () => {
    const source = path.join(os.tmpdir(), `ac-import-nothing-${process.pid}.yaml`);
    fs.writeFileSync(source, 'model_list:\n  - model_name: embed\n    litellm_params:\n      model: openai/text-embedding-3-small\n  - model_name: whisper\n    litellm_params:\n      model: openai/whisper-1\n');
    const before = await read(manifestUri());
    const win = vscode.window as { showWarningMessage: typeof vscode.window.showWarningMessage };
    const real = win.showWarningMessage;
    const shown: string[] = [];
    win.showWarningMessage = ((message: string) => { shown.push(message); return Promise.resolve(undefined); }) as typeof vscode.window.showWarningMessage;
    try {
      await vscode.commands.executeCommand('agentConnections.importLiteLLM', vscode.Uri.file(source));
    } finally {
      win.showWarningMessage = real;
      fs.rmSync(source, { force: true });
    }
    assert.strictEqual(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0], /^Nothing was imported: ac-import-nothing-\d+\.yaml has no model to import\. Line 2: `embed` \(model_list entry 1\): `text-embedding-3-small` is an embedding model, not a chat model.* \(and 1 more in the log\)$/);
    assert.strictEqual(await read(manifestUri()), before);
  });

  it('Import from LiteLLM…: models added with a minimal diff, the confirmed inline key in SecretStorage and not in the file', async () => {
    const a = await api();
    forget.push(['claude-sonnet', 'default']);
    const result = await answeringQuickPick(() => vscode.commands.executeCommand<{ added: string[]; skipped: string[]; stored: string[] }>('agentConnections.importLiteLLM', vscode.Uri.file(LITELLM)), 'accept');
    assert.ok(result, 'the import finished');
    assert.deepStrictEqual(result.stored, ['claude-sonnet/default']);
    assert.deepStrictEqual([...result.skipped].sort(), ['command-r', 'gemini-flash', 'gpt-4o']);
    const after = await read(manifestUri());
    assert.ok(after.startsWith(original.trimEnd()), 'the original lines are unchanged');
    assert.ok(!after.includes(INLINE_LITELLM), 'the inline key was written to the manifest');
    assert.ok(after.includes('  - name: claude-sonnet\n'));
    assert.ok(after.includes('  - name: claude-bedrock-imported\n'), 'the taken name was renamed');
    assert.strictEqual(a.store.folders[0].analysis?.errorCount, 0, JSON.stringify(a.store.folders[0].analysis?.problems.filter((p) => p.severity === 'error')));
    const stored = await storedKey(a, folder().uri, 'claude-sonnet', 'default');
    assert.deepStrictEqual(stored, { credential: { kind: 'apiKey', apiKey: INLINE_LITELLM }, origin: 'https://api.anthropic.com' });
    const lines = await a.snapshot();
    assert.ok(lines.includes('claude-sonnet — Anthropic · easy'), lines.join('\n'));
    assert.ok(lines.some((l) => /^\s+default — enabled · key stored/.test(l)), lines.join('\n'));
  });

  it('an AWS access key ID in a Bedrock connection asks for its secret half; Escape stores and changes nothing', async () => {
    const a = await api();
    const leaky = original.replace('      - name: us-east\n', `      - name: us-east\n        accessKeyId: ${AWS_ID}\n`);
    assert.notStrictEqual(leaky, original);
    await write(manifestUri(), leaky);
    const shown = await vscode.workspace.openTextDocument(manifestUri());
    await vscode.window.showTextDocument(shown);
    await waitFor('the editor to show what was written to the disk', () => shown.getText() === leaky);
    const diag = await leakDiagnostic(manifestUri(), leaky, AWS_ID);
    const titles = (await codeActions(manifestUri(), diag.range)).map((x) => x.title);
    assert.ok(titles.includes('Move to SecretStorage…'), titles.join(', '));
    const move = (await codeActions(manifestUri(), diag.range)).find((x) => x.title === 'Move to SecretStorage…')!;
    await answeringQuickPick(() => vscode.commands.executeCommand(move.command!.command, ...(move.command!.arguments ?? [])), 'close');
    assert.strictEqual(await a.credentials.status(folder().uri, 'claude-bedrock', 'us-east'), 'missing');
    assert.strictEqual(await read(manifestUri()), leaky, 'the file changed although nothing was stored');
  });

  it('Import: an inline AWS key pair is stored as one credential, bound to the regional Bedrock origin', async () => {
    const a = await api();
    forget.push(['nova-lite-test', 'eu-west-1']);
    const source = path.join(os.tmpdir(), `litellm-aws-${process.pid}.yaml`);
    fs.writeFileSync(source, [
      'model_list:',
      '  - model_name: nova-lite-test',
      '    litellm_params:',
      '      model: bedrock/amazon.nova-lite-v1:0',
      `      aws_access_key_id: ${AWS_ID}`,
      `      aws_secret_access_key: ${AWS_SECRET}`,
      '      aws_region_name: eu-west-1',
      '',
    ].join('\n'));
    try {
      const result = await answeringQuickPick(() => vscode.commands.executeCommand<{ stored: string[] }>('agentConnections.importLiteLLM', vscode.Uri.file(source)), 'accept');
      assert.deepStrictEqual(result?.stored, ['nova-lite-test/eu-west-1']);
    } finally {
      fs.rmSync(source, { force: true });
    }
    assert.deepStrictEqual(await storedKey(a, folder().uri, 'nova-lite-test', 'eu-west-1'), {
      credential: { kind: 'aws', accessKeyId: AWS_ID, secretAccessKey: AWS_SECRET },
      origin: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
    });
    const after = await read(manifestUri());
    assert.ok(!after.includes(AWS_ID) && !after.includes(AWS_SECRET), 'a key went into the manifest');
  });

  it('Import from Continue…: Escape on the confirmation stores no key', async () => {
    const a = await api();
    const result = await answeringQuickPick(() => vscode.commands.executeCommand<{ added: string[]; stored: string[]; notStored: string[] }>('agentConnections.importContinue', vscode.Uri.file(CONTINUE)), 'close');
    assert.ok(result);
    assert.deepStrictEqual(result.stored, []);
    assert.strictEqual(result.notStored.length, 1);
    assert.ok(result.added.includes('Claude Sonnet 4.5'));
    assert.strictEqual(await a.credentials.status(folder().uri, 'Claude Sonnet 4.5', 'default'), 'missing');
    assert.ok((await read(manifestUri())).startsWith(original.trimEnd()));
  });

  it('Export to LiteLLM…: writes os.environ/ references only and opens the file', async () => {
    const a = await api();
    forget.push(['gpt-4o', 'prod-key-1']);
    await a.credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: LEAKED }, origin: 'https://api.openai.com' });
    const target = vscode.Uri.joinPath(folder().uri, 'litellm-config.yaml');
    try {
      const result = await vscode.commands.executeCommand<{ connections: number }>('agentConnections.exportLiteLLM', target);
      assert.ok(result && result.connections > 0);
      const text = await read(target);
      assert.match(text, /^model_list:$/m);
      assert.match(text, /api_key: os\.environ\/AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1__API_KEY/);
      assert.ok(!text.includes(LEAKED), 'a stored key was exported');
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), target.toString(), 'the export is opened');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(target);
    }
  });

  it('no key is in any file of the workspace, extension storage, logs or temp folder', async () => {
    const a = await api();
    const roots = [folder().uri.fsPath, ...a.storagePaths, os.tmpdir()];
    for (const key of [LEAKED, LEAKED_COMMENT, INLINE_LITELLM, AWS_ID, AWS_SECRET]) {
      const hits = roots.flatMap((r) => filesContaining(r, key));
      assert.deepStrictEqual(hits, [], `a key was found in: ${hits.join(', ')}`);
    }
  });
});
