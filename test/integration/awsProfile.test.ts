// An AWS profile as a Bedrock credential in a real extension host: Set Key… answered as
// the keyboard would (the kind pick, then the profile pick offering the profiles of
// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, which the AWS SDK reads at call time in
// this process), Test reaching the Bedrock mock signed with the profile's keys, the
// unknown-profile message, and a terminal handed AWS_PROFILE (and those files) instead of keys.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { startMockProvider, type MockProvider } from '../mocks';

const MODEL = 'claude-bedrock';
const CONN = 'us-east';
const KEYS = { accessKeyId: 'AKIDINTEGRATIONPROF1', secretAccessKey: 'test-secret-integration-profile' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function node(a: AgentConnectionsApi) {
  const state = a.store.folders[0];
  const model = state.analysis!.models.find((m) => m.name === MODEL)!;
  const connection = model.connections.find((c) => c.name === CONN)!;
  return { kind: 'connection' as const, state, model, connection, key: 'unknown' as const };
}

/** Runs a command that opens quick picks one after the other, choosing the last item of each (End, Enter) until it settles. */
async function choosingLast<T>(run: () => Thenable<T>): Promise<T> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => { settled = true; });
  await sleep(400);
  while (!settled) {
    await vscode.commands.executeCommand('quickInput.last');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([result.then(() => undefined, () => undefined), sleep(500)]);
  }
  return result;
}

describe('AWS profiles for Bedrock in a real extension host', function () {
  this.timeout(60_000);
  let mock: MockProvider;
  let dir: string;
  const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
  const folderUri = () => vscode.workspace.workspaceFolders![0].uri;
  const config = () => vscode.workspace.getConfiguration('agentConnections');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-awsprofile-int-'));
    fs.writeFileSync(path.join(dir, 'config'), '[profile integration-profile]\nregion = us-east-1\n');
    fs.writeFileSync(path.join(dir, 'credentials'), `[integration-profile]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    // This process is the extension host: the AWS SDK reads these when a profile is listed or resolved.
    process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    mock = await startMockProvider('amazon-bedrock', { aws: KEYS });
    await config().update('providerEndpoints', { 'amazon-bedrock': mock.origin }, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), MODEL, CONN);
    await config().update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
    else process.env.AWS_CONFIG_FILE = saved.config;
    if (saved.credentials === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
  });

  it('Set Key… → AWS profile → the profile of the config files; Test is signed with its keys', async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), MODEL, CONN);
    await choosingLast(() => vscode.commands.executeCommand('agentConnections.setKey', node(a)));
    const stored = await a.credentials.get(folderUri(), MODEL, CONN);
    assert.deepStrictEqual(stored?.credential, { kind: 'awsProfile', profile: 'integration-profile' });
    assert.strictEqual(stored?.origin, mock.origin, 'the profile is bound to the origin like a key');

    mock.reset();
    await vscode.commands.executeCommand('agentConnections.testConnection', { ...node(a), key: 'present' });
    const last = a.results.get(folderUri(), MODEL, CONN)?.last;
    assert.strictEqual(last?.outcome, 'ok', JSON.stringify(last));
    assert.strictEqual(mock.requests.length, 1);
    assert.match(String(mock.requests[0].headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/\\d{8}/us-east-1/bedrock/aws4_request`));
  });

  it('a profile that is not in the files: auth_failed naming the profile and the files read; nothing sent', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'awsProfile', profile: 'gone-profile' }, origin: mock.origin });
    mock.reset();
    await vscode.commands.executeCommand('agentConnections.testConnection', { ...node(a), key: 'present' });
    const last = a.results.get(folderUri(), MODEL, CONN)?.last;
    assert.strictEqual(last?.outcome, 'auth_failed', JSON.stringify(last));
    assert.strictEqual(last?.message, `There is no AWS profile "gone-profile" on this machine: read ${path.join(dir, 'config')} (as [profile gone-profile]) and ${path.join(dir, 'credentials')} (as [gone-profile]).`);
    assert.strictEqual(mock.requests.length, 0);
  });

  it('the row names the profile and never marks it old (keyMaxAgeDays is for keys)', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'awsProfile', profile: 'integration-profile' }, origin: mock.origin, storedAt: new Date(Date.now() - 100 * 86_400_000).toISOString() });
    await config().update('keyMaxAgeDays', 30, vscode.ConfigurationTarget.Workspace);
    try {
      const state = a.store.folders[0];
      const children = await a.tree.getChildren({ kind: 'model', state, model: node(a).model });
      const item = a.tree.getTreeItem(children.find((n) => n.kind === 'connection' && n.connection.name === CONN)!);
      assert.match(String(item.description), /AWS profile: integration-profile/);
      assert.doesNotMatch(String(item.description), /days old/);
      const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()[\]*_.#+-])/g, '$1');
      assert.match(tooltip, /\*\*Credential:\*\* AWS profile integration-profile \(its keys are resolved by the AWS SDK/);
    } finally {
      await config().update('keyMaxAgeDays', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a profile refused twice in a row is marked naming the profile, not a key', async () => {
    const a = await api();
    await a.results.forget(folderUri(), MODEL, CONN);
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'awsProfile', profile: 'integration-profile' }, origin: mock.origin });
    mock.setScenario('auth_failed');
    try {
      for (let i = 0; i < 2; i++) await vscode.commands.executeCommand('agentConnections.testConnection', { ...node(a), key: 'present' });
    } finally {
      mock.setScenario('default');
    }
    assert.strictEqual(a.results.get(folderUri(), MODEL, CONN)?.last.outcome, 'auth_failed');
    const state = a.store.folders[0];
    const children = await a.tree.getChildren({ kind: 'model', state, model: node(a).model });
    const item = a.tree.getTreeItem(children.find((n) => n.kind === 'connection' && n.connection.name === CONN)!);
    assert.match(String(item.description), /AWS profile integration-profile refused 2× in a row — Replace Key…/);
    assert.match(String(item.contextValue), /\breplaceKey\b.*\bkeyRefused\b/);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()[\]*_.#+`-])/g, '$1');
    assert.match(tooltip, /refused the credentials of AWS profile integration-profile \(auth failed\) in the last 2 tests in a row \(an SSO profile may need `aws sso login --profile integration-profile`\)/);
    await a.results.forget(folderUri(), MODEL, CONN);
  });

  it('a terminal for the connection gets AWS_PROFILE and the region, no access-key variables', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'awsProfile', profile: 'integration-profile' }, origin: mock.origin });
    const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>('agentConnections.openConnectionTerminal', { ...node(a), key: 'present' });
    assert.ok(terminal, 'no terminal for a connection whose credential is an AWS profile');
    try {
      const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
      assert.strictEqual(env.AWS_PROFILE, 'integration-profile');
      assert.strictEqual(env.AWS_REGION, 'us-east-1');
      assert.strictEqual(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, mock.origin);
      // The files the profile was resolved from when tested go with it.
      assert.strictEqual(env.AWS_CONFIG_FILE, path.join(dir, 'config'));
      assert.strictEqual(env.AWS_SHARED_CREDENTIALS_FILE, path.join(dir, 'credentials'));
      assert.ok(!env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY && !env.AWS_BEARER_TOKEN_BEDROCK, 'key variables set for a profile');
    } finally {
      terminal.dispose();
    }
  });
});
