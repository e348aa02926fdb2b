// Named to run after the suites that edit the manifest through an open document (files run in name order).
// The language-model chat provider in a real extension host: the test runner, like any
// other extension, asks `vscode.lm.selectChatModels({ vendor: 'agent-connections' })`
// and gets a streamed reply from a mock provider through a registered connection; a
// connection without a key, a disabled one, and one whose key is removed are not offered.
// Errors, cancellation and tool calls take the same path; every request is counted in the
// connection's usage (tokens as the provider reported them), shown in its tooltip and in
// the Connection Usage panel.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { MOCK_STREAM_TEXT, MOCK_TOOL_INPUT, MOCK_USAGE, startMockProvider, type MockProvider } from '../mocks';
import { summarize, type UsageSummary } from '../../src/core/usage/summary';
import { usageKey } from '../../src/core/usage/usage';

const KEY = 'sk-test-chat-5d1e9a7b3c2f4e60';
const VENDOR = 'agent-connections';

const REF = 'gpt-4o/prod-key-1';

const names = async (): Promise<string[]> => (await vscode.lm.selectChatModels({ vendor: VENDOR })).map((m) => m.name).sort();

function connectionNode(a: AgentConnectionsApi, model: string, connection: string) {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  const c = m.connections.find((x) => x.name === connection)!;
  return { kind: 'connection' as const, state, model: m, connection: c, key: 'unknown' as const };
}

describe('connections as VS Code chat models', () => {
  let mock: MockProvider;
  let original: Uint8Array;
  const folderUri = () => vscode.workspace.workspaceFolders![0].uri;
  const manifestUri = () => vscode.Uri.joinPath(folderUri(), 'agent-connections.yaml');

  before(async () => {
    original = await vscode.workspace.fs.readFile(manifestUri());
    mock = await startMockProvider('openai', { key: KEY });
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
    const a = await api();
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: KEY }, origin: mock.origin });
  });

  after(async () => {
    const a = await api();
    await a.usage.reset();
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-1');
    // Leave the manifest as the next suites expect it: its original bytes, read again, no notification left over.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.fs.writeFile(manifestUri(), original);
    await a.store.reload(vscode.workspace.workspaceFolders![0]);
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
  });

  it('Reset Connection Usage… with nothing recorded says so and asks nothing', async () => {
    const a = await api();
    await a.usage.reset();
    const win = vscode.window as { showWarningMessage: typeof vscode.window.showWarningMessage; showInformationMessage: typeof vscode.window.showInformationMessage };
    const real = { warn: win.showWarningMessage, info: win.showInformationMessage };
    const asked: string[] = [];
    const told: string[] = [];
    win.showWarningMessage = ((m: string) => { asked.push(m); return Promise.resolve(undefined); }) as typeof vscode.window.showWarningMessage;
    win.showInformationMessage = ((m: string) => { told.push(m); return Promise.resolve(undefined); }) as typeof vscode.window.showInformationMessage;
    try {
      const reset = await vscode.commands.executeCommand<boolean>('agentConnections.resetUsage');
      assert.strictEqual(reset, false);
    } finally {
      win.showWarningMessage = real.warn;
      win.showInformationMessage = real.info;
    }
    assert.deepStrictEqual(asked, [], 'a confirmation was asked for with nothing to reset');
    assert.deepStrictEqual(told, ['No usage is recorded in this workspace: nothing to reset.']);
  });

  it('offers the enabled connection with a key as model/connection, with provider and family; not the one without a key, not the disabled one', async () => {
    await waitFor('gpt-4o/prod-key-1 among the chat models', async () => (await names()).includes('gpt-4o/prod-key-1'));
    const list = await names();
    assert.ok(!list.includes('gpt-4o/prod-key-2'), `no key on this machine: ${list.join(', ')}`);
    assert.ok(!list.includes('gpt-4o/staging'), `disabled: ${list.join(', ')}`);
    const [model] = await vscode.lm.selectChatModels({ vendor: VENDOR, family: 'gpt-4o' });
    assert.ok(model, 'selectable by family');
    assert.strictEqual(model.vendor, VENDOR);
    assert.strictEqual(model.family, 'gpt-4o');
    assert.ok(model.maxInputTokens > 0);
  });

  it('streams a reply from the provider through the connection, with the stored key', async () => {
    const [model] = (await vscode.lm.selectChatModels({ vendor: VENDOR })).filter((m) => m.name === 'gpt-4o/prod-key-1');
    mock.reset();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
    const pieces: string[] = [];
    for await (const piece of response.text) pieces.push(piece);
    assert.strictEqual(pieces.join(''), MOCK_STREAM_TEXT);
    assert.ok(pieces.length > 1, 'arrived in pieces');
    const sent = mock.requests.find((r) => r.path === '/v1/chat/completions');
    assert.ok(sent);
    assert.strictEqual(sent.headers.authorization, `Bearer ${KEY}`);
    assert.strictEqual(JSON.parse(sent.body).stream, true);
    assert.ok(await model.countTokens('four score and seven') > 0);
  });

  it('disabling the connection removes it at once; enabling brings it back', async () => {
    const a = await api();
    await vscode.commands.executeCommand('agentConnections.disableConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    try {
      await waitFor('gpt-4o/prod-key-1 gone after disabling', async () => !(await names()).includes('gpt-4o/prod-key-1'));
    } finally {
      await vscode.commands.executeCommand('agentConnections.enableConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    }
    await waitFor('gpt-4o/prod-key-1 back after enabling', async () => (await names()).includes('gpt-4o/prod-key-1'));
  });

  it('removing the key removes the model; storing it again brings it back', async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-1');
    await waitFor('gpt-4o/prod-key-1 gone without its key', async () => !(await names()).includes('gpt-4o/prod-key-1'));
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: KEY }, origin: mock.origin });
    await waitFor('gpt-4o/prod-key-1 back with its key', async () => (await names()).includes('gpt-4o/prod-key-1'));
  });

  const selected = async (): Promise<vscode.LanguageModelChat> => {
    await waitFor(`${REF} among the chat models`, async () => (await names()).includes(REF));
    return (await vscode.lm.selectChatModels({ vendor: VENDOR })).find((m) => m.name === REF)!;
  };
  /** The connection's usage once `requests` requests are counted (recording follows the reply's end). */
  const usageAfter = async (requests: number): Promise<UsageSummary> => {
    const a = await api();
    const key = usageKey(folderUri().toString(), 'gpt-4o', 'prod-key-1');
    return waitFor(`${requests} request(s) counted for ${REF}`, () => {
      const c = a.usage.state.connections[key];
      const s = c ? summarize(c) : undefined;
      return s && s.requests >= requests ? s : undefined;
    });
  };

  describe('errors, cancellation, tool calls, and the usage they leave', () => {
    beforeEach(async () => {
      mock.reset();
      await (await api()).usage.reset();
    });

    it('counts a streamed reply as one request with the tokens the provider reported, and its latency', async () => {
      const model = await selected();
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const piece of response.text) text += piece;
      assert.strictEqual(text, MOCK_STREAM_TEXT);
      const s = await usageAfter(1);
      assert.strictEqual(s.requests, 1);
      assert.strictEqual(s.errors + s.cancelled, 0);
      assert.strictEqual(s.inputTokens, MOCK_USAGE.input);
      assert.strictEqual(s.outputTokens, MOCK_USAGE.output);
      assert.strictEqual(s.estimatedTokens, 0, 'the provider reported the counts');
      assert.strictEqual(s.firstToken?.samples, 1);
      assert.ok(s.total && s.firstToken && s.total.p50 >= s.firstToken.p50, `first token ${s.firstToken?.p50} ms, total ${s.total?.p50} ms`);
    });

    it('fails with the provider\'s refusal and counts it as auth_failed; the tooltip shows the usage line', async () => {
      const model = await selected();
      mock.scenario = 'auth_failed';
      await assert.rejects(async () => {
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
        for await (const piece of response.text) void piece;
      }, (err: Error) => /gpt-4o\/prod-key-1/.test(err.message) && !err.message.includes(KEY));
      const s = await usageAfter(1);
      assert.deepStrictEqual(s.byOutcome, [{ outcome: 'auth_failed', count: 1 }]);
      assert.strictEqual(s.inputTokens + s.outputTokens, 0, 'nothing came back: no tokens counted');
      assert.strictEqual(s.total, undefined, 'no latency sample from a failed request');

      const a = await api();
      // The tooltip's text as a person reads it (appendText escapes spaces and brackets).
      const tooltipText = (connection: string): string => (a.tree.getTreeItem(connectionNode(a, 'gpt-4o', connection)).tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()])/g, '$1');
      assert.match(tooltipText('prod-key-1'), /\*\*Usage \(30 days\):\*\* 1 request · 0 tokens in, 0 out · 1 error \(auth failed\) {2}\n/);
      assert.ok(!tooltipText('prod-key-2').includes('Usage'), 'no usage line without usage');
    });

    it('fails when the stream reports an error mid-way; counted by outcome, with the tokens of what came back', async () => {
      const model = await selected();
      mock.scenario = 'stream_error';
      const pieces: string[] = [];
      await assert.rejects(async () => {
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
        for await (const piece of response.text) pieces.push(piece);
      }, (err: Error) => /gpt-4o\/prod-key-1/.test(err.message));
      assert.notStrictEqual(pieces.join(''), MOCK_STREAM_TEXT, 'not the whole reply');
      const s = await usageAfter(1);
      assert.strictEqual(s.errors, 1, JSON.stringify(s.byOutcome));
      assert.ok(s.outputTokens > 0, 'what came back is counted (estimated)');
    });

    it('stops when the caller cancels, and counts the request as cancelled', async () => {
      const model = await selected();
      mock.scenario = 'stream_stall';
      const cts = new vscode.CancellationTokenSource();
      const pieces: string[] = [];
      try {
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, cts.token);
        for await (const piece of response.text) {
          pieces.push(piece);
          cts.cancel();
        }
      } catch (err) {
        assert.ok(err instanceof vscode.CancellationError || /cancel/i.test(String(err)), `cancelled, not ${String(err)}`);
      }
      assert.ok(pieces.length >= 1, 'the first piece arrived before the stall');
      const s = await usageAfter(1);
      assert.strictEqual(s.cancelled, 1);
      assert.strictEqual(s.errors, 0);
      await waitFor('the mock sees the stream closed', () => mock.streamsClosedByClient >= 1);
    });

    it('passes tools to the provider, returns its tool call, and sends the tool result back', async () => {
      const model = await selected();
      const tools: vscode.LanguageModelChatTool[] = [{ name: 'get_weather', description: 'The weather', inputSchema: { type: 'object', properties: { query: { type: 'string' } } } }];
      const first = await model.sendRequest([vscode.LanguageModelChatMessage.User('Weather?')], { tools }, new vscode.CancellationTokenSource().token);
      const calls: vscode.LanguageModelToolCallPart[] = [];
      for await (const part of first.stream) if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
      assert.strictEqual(calls.length, 1);
      assert.strictEqual(calls[0].name, 'get_weather');
      assert.deepStrictEqual(calls[0].input, MOCK_TOOL_INPUT);
      const sentTools = JSON.parse(mock.requests.at(-1)!.body).tools as Array<{ function: { name: string } }>;
      assert.deepStrictEqual(sentTools.map((t) => t.function.name), ['get_weather']);

      const second = await model.sendRequest([
        vscode.LanguageModelChatMessage.User('Weather?'),
        vscode.LanguageModelChatMessage.Assistant([calls[0]]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(calls[0].callId, [new vscode.LanguageModelTextPart('sunny')])]),
      ], { tools }, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const piece of second.text) text += piece;
      assert.strictEqual(text, 'Tool said: sunny');
      const s = await usageAfter(2);
      assert.strictEqual(s.requests, 2);
      assert.strictEqual(s.firstToken?.samples, 2, 'a tool call is the first token too');
    });

    it('shows usage in the Connection Usage panel, live; usage of a connection no longer in the manifest is marked removed', async () => {
      const a = await api();
      await a.usage.record({ folder: folderUri().toString(), model: 'gpt-4o', connection: 'renamed-away', provider: 'openai', outcome: 'ok', inputTokens: 3, inputSource: 'estimate', outputTokens: 2, outputSource: 'estimate', firstMs: 5, totalMs: 9 });
      await vscode.commands.executeCommand('agentConnections.showUsage');
      try {
        const tab = await waitFor('the Connection Usage tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Connection Usage'));
        assert.ok(tab.isActive);
        const view = await waitFor('the panel\'s data', () => a.usagePanelData());
        assert.deepStrictEqual(view.rows.map((r) => [r.reference, r.removed, r.requests, r.estimated]), [['gpt-4o/renamed-away', true, 1, true]]);
        const model = await selected();
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
        for await (const piece of response.text) void piece;
        const live = await waitFor('the new request in the panel', () => a.usagePanelData()?.rows.find((r) => r.reference === REF));
        assert.deepStrictEqual([live.removed, live.requests, live.inputTokens, live.provider], [false, 1, MOCK_USAGE.input, 'OpenAI']);
        assert.strictEqual(a.usagePanelData()!.days.at(-1)!.requests, 2);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    });
  });
});
