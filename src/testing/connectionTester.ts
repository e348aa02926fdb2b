/**
 * Test connection / Test all: reads the key only on the user's action, asks before
 * a key goes to an origin other than the one it was entered for (or over plain
 * HTTP to another machine), runs the core tester with the user's proxy and limits,
 * and records redacted results in extension storage.
 */
import * as vscode from 'vscode';
import { isProviderId } from '../core/providers/catalog';
import * as path from 'node:path';
import type { TestOptions } from '../core/providers/connectionTest';
import { vscodeIdentity } from '../credentials/entraAccount';
import { credentialKindsOf, needsCredential, targetBase } from '../core/providers/targets';
import { estimateTokens, providerCountsTokens } from '../core/chat/types';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import { checkBinding, isInsecureRemote, originOf, type BindingDecision } from '../core/net/origin';
import type { ConnectionTarget, Credential, EndpointOverrides, TestResult } from '../core/providers';
import { PROVIDER_IDS } from '../core/providers/catalog';
import type { Credentials, StoredCredential } from '../credentials/credentials';
import type { FolderManifest } from '../manifest/manifestStore';
import type { ChatEvent, ChatRequest } from '../core/chat/types';
import type { TestResults } from './testResults';

export interface ConnectionRef {
  state: FolderManifest;
  model: ModelInfo;
  connection: ConnectionInfo;
}

const INSECURE_KEY = 'agentConnections.insecureHttpConfirmed';

type ProviderRuntime = typeof import('./providerRuntime');
let runtime: ProviderRuntime | undefined;

/**
 * The HTTP client and provider clients live in their own bundle next to this one
 * (dist/providerRuntime.js; out/src/testing/providerRuntime.js in tests), loaded on the first test.
 */
function loadRuntime(): ProviderRuntime {
  // A computed path, so the bundler leaves this require to run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded sibling bundle
  return (runtime ??= require(path.join(__dirname, 'providerRuntime.js')) as ProviderRuntime);
}

/** The AWS profile names of this machine's shared config files (Set Key…), read by the provider runtime's AWS SDK loader. */
export function awsProfiles(): ReturnType<ProviderRuntime['listAwsProfiles']> {
  return loadRuntime().listAwsProfiles();
}

/**
 * The test found no key (nor identity, nor profile) stored on this machine. A token or
 * profile that gave nothing (stage `credential`) is a test that ran and failed, not this.
 */
export function keyMissing(result: Pick<TestResult, 'outcome' | 'stage'>): boolean {
  return result.outcome === 'missing_credentials' && result.stage !== 'credential';
}

export function refKey(r: ConnectionRef): string {
  return JSON.stringify([r.state.folder.uri.toString(), r.model.name, r.connection.name]);
}

export function targetOf(r: ConnectionRef): ConnectionTarget {
  if (!isProviderId(r.model.provider)) throw new Error(`Model “${r.model.name}” has no known provider; fix it in the manifest first.`);
  return { provider: r.model.provider, modelName: r.model.name, connectionName: r.connection.name, model: r.model.model ?? '', settings: r.connection.settings };
}

/** `agentConnections.providerEndpoints` from user settings only: a workspace must not redirect built-in providers. */
export function endpointOverrides(): EndpointOverrides {
  const inspected = vscode.workspace.getConfiguration('agentConnections').inspect<Record<string, unknown>>('providerEndpoints');
  const value = inspected?.globalValue ?? {};
  const out: EndpointOverrides = {};
  for (const id of PROVIDER_IDS) {
    const v = value[id];
    if (typeof v === 'string' && v.trim() && id !== 'azure-openai' && id !== 'generic') out[id] = v.trim();
  }
  return out;
}

export class ConnectionTester implements vscode.Disposable {
  private readonly running = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Confirmation dialogs one at a time, even during Test all. */
  private dialogs: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly credentials: Credentials,
    private readonly results: TestResults,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  isRunning(r: ConnectionRef): boolean {
    return this.running.has(refKey(r));
  }

  private settings() {
    const cfg = vscode.workspace.getConfiguration('agentConnections.test');
    const seconds = Math.min(30, Math.max(1, cfg.get<number>('timeoutSeconds', 30)));
    const http = vscode.workspace.getConfiguration('http');
    const noProxy = http.get<string[]>('noProxy', []);
    return {
      depth: cfg.get<'full' | 'quick'>('depth', 'full') === 'quick' ? 'quick' as const : 'full' as const,
      deadlineMs: seconds * 1000,
      concurrency: Math.min(32, Math.max(1, cfg.get<number>('concurrency', 8))),
      perHost: Math.min(16, Math.max(1, cfg.get<number>('concurrencyPerHost', 4))),
      proxy: http.get<string>('proxy', '') || undefined,
      noProxy: noProxy.length ? noProxy.join(',') : undefined,
    };
  }

  private serialize<T>(ask: () => Thenable<T>): Promise<T> {
    const next = this.dialogs.then(ask, ask);
    this.dialogs = next.then(() => undefined, () => undefined);
    return next;
  }

  /** The host a test of this connection goes to, for the per-host limit. */
  private hostOf(r: ConnectionRef): string {
    try {
      return originOf(targetBase(targetOf(r), endpointOverrides()));
    } catch {
      return 'invalid';
    }
  }

  private async runOne(r: ConnectionRef, base: Omit<TestOptions, 'binding' | 'confirmInsecure'>): Promise<TestResult> {
    const target = targetOf(r);
    const folder = r.state.folder.uri;
    const ref = connectionReference(r.model.name, r.connection.name);
    const key = refKey(r);
    this.running.add(key);
    this.changed.fire();
    try {
      const stored = needsCredential(target) ? await this.credentials.get(folder, r.model.name, r.connection.name) : undefined;
      if (stored && !credentialKindsOf(target).includes(stored.credential.kind)) {
        throw new Error(`The key stored for ${ref} is of another kind than ${target.provider} needs: Replace key.`);
      }
      const options: TestOptions = {
        ...base,
        identity: vscodeIdentity,
        confirmInsecure: (origin) => this.confirmInsecure(r, origin),
        binding: stored ? { boundOrigin: stored.origin, confirm: (decision) => this.confirmBinding(r, decision, stored.credential) } : undefined,
      };
      const result = await loadRuntime().testConnection(target, stored?.credential, options);
      if (!keyMissing(result)) await this.results.record(folder, r.model.name, r.connection.name, result);
      const line = `${ref} → ${result.outcome}${result.status ? ` (${result.status})` : ''} in ${result.latencyMs} ms${result.origin ? ` at ${result.origin}` : ''}: ${result.message}${result.requestId ? ` [request id ${result.requestId}]` : ''}`;
      if (result.outcome === 'ok') this.log.info(line);
      else this.log.warn(`${line} — ${result.hint}`);
      return result;
    } finally {
      this.running.delete(key);
      this.changed.fire();
    }
  }

  /** The origin-changed (or unrecorded) modal of a test: Send Once, Always Send Here (rebinds the key), or nothing. */
  private confirmBinding(r: ConnectionRef, decision: Exclude<BindingDecision, { kind: 'same' }>, credential?: StoredCredential['credential']): Promise<boolean> {
    const folder = r.state.folder.uri;
    const ref = connectionReference(r.model.name, r.connection.name);
    // An Entra ID identity is bound like a key: its token would let that server call Azure as you.
    const what = credential?.kind === 'entraId' ? 'the Entra ID token' : 'the key';
    return this.serialize(async () => {
      const detail = decision.kind === 'changed'
        ? `${credential?.kind === 'entraId' ? `The Entra ID identity of ${ref} was chosen` : `The key of ${ref} was entered`} for\n${decision.bound}\n\nThe manifest now sends ${what} to\n${decision.target}\n\nA cloned or edited manifest can point a connection at someone else's server. Send ${what} only if you trust this origin.`
        : `No origin was recorded with ${what} of ${ref}. The manifest sends it to\n${decision.target}`;
      const choice = await vscode.window.showWarningMessage(`Send ${what} of ${ref} to ${decision.target}?`, { modal: true, detail }, 'Send Once', 'Always Send Here');
      if (choice === 'Always Send Here') await this.credentials.rebind(folder, r.model.name, r.connection.name, decision.target);
      this.log.info(`${ref}: ${choice ? `user confirmed sending the key to ${decision.target}` : `nothing sent: key bound to ${decision.kind === 'changed' ? decision.bound : 'no origin'}, manifest points at ${decision.target}`}`);
      return choice !== undefined;
    });
  }

  /**
   * The decision a test takes before a stored key leaves this machine, for anything
   * else that hands the key on (a terminal, a debug session): plain HTTP to another
   * machine and the origin binding, in the same order and with the same modals.
   * `base` is where the key would go. Returns why not, or undefined when it may go.
   */
  async keyMayGo(r: ConnectionRef, stored: StoredCredential, base: string): Promise<string | undefined> {
    const origin = originOf(base);
    if (isInsecureRemote(base) && !(await this.confirmInsecure(r, origin))) {
      return `${origin} is plain HTTP on another machine: the key would travel unencrypted.`;
    }
    const decision = checkBinding(stored.origin, base);
    if (decision.kind !== 'same' && !(await this.confirmBinding(r, decision, stored.credential))) {
      return `The key was entered for ${decision.kind === 'changed' ? decision.bound : 'an unrecorded origin'}, and the manifest now sends it to ${decision.target}.`;
    }
    return undefined;
  }

  /**
   * Streams a chat request through a connection (the language-model chat provider):
   * the key is read at this moment, and the same origin gate and modals as a test apply.
   */
  async *chat(r: ConnectionRef, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: no key is read and nothing is sent.');
    const target = targetOf(r);
    const ref = connectionReference(r.model.name, r.connection.name);
    const stored = needsCredential(target) ? await this.credentials.get(r.state.folder.uri, r.model.name, r.connection.name) : undefined;
    if (stored && !credentialKindsOf(target).includes(stored.credential.kind)) throw new Error(`The key stored for ${ref} is of another kind than ${target.provider} needs: Replace key.`);
    const s = this.settings();
    const { createDispatcher, streamChat } = loadRuntime();
    const dispatcher = createDispatcher({ proxy: s.proxy, noProxy: s.noProxy });
    try {
      yield* streamChat(target, stored?.credential, request, {
        endpoints: endpointOverrides(), dispatcher, signal, identity: vscodeIdentity,
        confirmInsecure: (origin) => this.confirmInsecure(r, origin),
        binding: stored ? { boundOrigin: stored.origin, confirm: (decision) => this.confirmBinding(r, decision, stored.credential) } : undefined,
      });
    } finally {
      void dispatcher.close();
    }
  }

  /** Tokens in `text` for this connection: the provider's count where it has one and the key may go there unasked, else an estimate. */
  async countTokens(r: ConnectionRef, text: string, signal: AbortSignal): Promise<number> {
    const target = targetOf(r);
    // No counting endpoint: the estimate, without reading the key or loading the HTTP client.
    if (!providerCountsTokens(target.provider)) return estimateTokens(text);
    const stored = vscode.workspace.isTrusted && needsCredential(target) ? await this.credentials.get(r.state.folder.uri, r.model.name, r.connection.name) : undefined;
    const s = this.settings();
    const { createDispatcher, countTokens } = loadRuntime();
    const dispatcher = createDispatcher({ proxy: s.proxy, noProxy: s.noProxy });
    try {
      return (await countTokens(target, stored?.credential, text, { endpoints: endpointOverrides(), boundOrigin: stored?.origin, deadlineMs: 3_000, signal, dispatcher })).tokens;
    } finally {
      void dispatcher.close();
    }
  }

  private async confirmInsecure(r: ConnectionRef, origin: string): Promise<boolean> {
    const confirmedKey = JSON.stringify([refKey(r), origin]);
    const confirmed = this.context.globalState.get<string[]>(INSECURE_KEY, []);
    if (confirmed.includes(confirmedKey)) return true;
    return this.serialize(async () => {
      const ref = connectionReference(r.model.name, r.connection.name);
      const choice = await vscode.window.showWarningMessage(`Send the key of ${ref} over plain HTTP to ${origin}?`, {
        modal: true,
        detail: `${origin} is not this machine and does not use https: the key would travel unencrypted and anyone on the network path could read it.`,
      }, 'Allow for This Connection');
      if (choice !== 'Allow for This Connection') return false;
      await this.context.globalState.update(INSECURE_KEY, [...this.context.globalState.get<string[]>(INSECURE_KEY, []), confirmedKey]);
      return true;
    });
  }

  /**
   * Tests a connection as the editor form holds it, possibly unsaved. A key typed in
   * the form is sent only to the draft's own origin, which is where it will be bound
   * on save; otherwise the stored key of `stored` is used, with its origin binding.
   */
  async testDraft(draft: { folder: vscode.Uri; target: ConnectionTarget; typedCredential?: Credential; stored?: { model: string; connection: string } }): Promise<TestResult> {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: no key is read and nothing is sent.');
    const s = this.settings();
    const { createDispatcher, testConnection } = loadRuntime();
    const dispatcher = createDispatcher({ proxy: s.proxy, noProxy: s.noProxy });
    const ref = connectionReference(draft.target.modelName, draft.target.connectionName);
    try {
      const stored = !draft.typedCredential && draft.stored && needsCredential(draft.target)
        ? await this.credentials.get(draft.folder, draft.stored.model, draft.stored.connection)
        : undefined;
      const result = await testConnection(draft.target, draft.typedCredential ?? stored?.credential, {
        depth: s.depth, deadlineMs: s.deadlineMs, endpoints: endpointOverrides(), dispatcher, identity: vscodeIdentity,
        confirmInsecure: async (origin) => (await vscode.window.showWarningMessage(`Send the key of ${ref} over plain HTTP to ${origin}?`, { modal: true, detail: 'The key would travel unencrypted.' }, 'Send')) === 'Send',
        binding: stored ? {
          boundOrigin: stored.origin,
          confirm: async (d) => (await vscode.window.showWarningMessage(`Send the stored key of ${ref} to ${d.target}?`, { modal: true, detail: d.kind === 'changed' ? `It was entered for ${d.bound}.` : 'No origin was recorded with it.' }, 'Send Once')) === 'Send Once',
        } : undefined,
      });
      this.log.info(`form test of ${ref} → ${result.outcome}${result.status ? ` (${result.status})` : ''} in ${result.latencyMs} ms: ${result.message}`);
      return result;
    } finally {
      void dispatcher.close();
    }
  }

  /** Tests one connection, showing progress on the view. */
  async testOne(r: ConnectionRef): Promise<TestResult> {
    const s = this.settings();
    const { createDispatcher } = loadRuntime();
    const dispatcher = createDispatcher({ proxy: s.proxy, noProxy: s.noProxy });
    try {
      return await vscode.window.withProgress({ location: { viewId: 'agentConnections.models' } }, () =>
        this.runOne(r, { depth: s.depth, deadlineMs: s.deadlineMs, endpoints: endpointOverrides(), dispatcher }));
    } finally {
      void dispatcher.close();
    }
  }

  /** Tests many connections with bounded concurrency, cancellable from the notification. */
  async testMany(refs: ConnectionRef[], title: string): Promise<Map<ConnectionRef, TestResult>> {
    const s = this.settings();
    const results = new Map<ConnectionRef, TestResult>();
    const { createDispatcher, runBounded } = loadRuntime();
    const dispatcher = createDispatcher({ proxy: s.proxy, noProxy: s.noProxy });
    const endpoints = endpointOverrides();
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let done = 0;
        try {
          await runBounded(refs, (r) => this.hostOf(r), { concurrency: s.concurrency, perHost: s.perHost },
            (r) => this.runOne(r, { depth: s.depth, deadlineMs: s.deadlineMs, endpoints, dispatcher, signal: abort.signal }).catch((err: unknown): TestResult => ({
              outcome: 'blocked', message: err instanceof Error ? err.message : String(err), hint: 'Nothing was sent.', latencyMs: 0, at: new Date().toISOString(),
            })),
            (r, result) => {
              results.set(r, result);
              done++;
              progress.report({ increment: 100 / refs.length, message: `${done}/${refs.length} · ${connectionReference(r.model.name, r.connection.name)}: ${result.outcome}` });
            }, abort.signal);
        } finally {
          sub.dispose();
        }
      });
    } finally {
      void dispatcher.close();
    }
    return results;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
