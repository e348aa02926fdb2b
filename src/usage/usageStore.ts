/**
 * Usage of the connections as chat models, in the workspace's extension storage
 * (workspaceState): counts and times only, never a prompt, a reply or a key. What is read
 * back is checked (core/usage parseUsage); writes are queued so concurrent requests all count.
 * The usage core is in dist/usageRuntime.js, loaded only when there is usage to read or a
 * request to count.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ManifestStore } from '../manifest/manifestStore';
import type * as Summary from '../core/usage/summary';
import type * as Usage from '../core/usage/usage';
import type { RequestRecord, UsageState } from '../core/usage/usage';

type UsageCore = typeof Usage & typeof Summary;
let loaded: UsageCore | undefined;

/** The usage core, from the sibling bundle (dist/usageRuntime.js; out/src/usage/usageRuntime.js in tests). */
function usageCore(): UsageCore {
  // A computed path, so the bundler leaves this require to run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded sibling bundle
  return (loaded ??= require(path.join(__dirname, 'usageRuntime.js')) as UsageCore);
}

const KEY = 'agentConnections.usage';

/** What the usage commands and the panel need. */
export interface UsageDeps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  usage: UsageStore;
  log: vscode.LogOutputChannel;
}

export class UsageStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private cached: UsageState | undefined;
  /** The day `cached` was pruned for: the window moves at midnight. */
  private cachedDay = '';
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly memento: vscode.Memento, private readonly log?: vscode.LogOutputChannel) {}

  /** The usage now (pruned to the retention window). */
  get state(): UsageState {
    // Nothing stored and nothing counted yet: no need to load the usage core.
    if (!this.cached && this.memento.get<unknown>(KEY) === undefined) return { v: 1, connections: {} };
    const { dayKey, parseUsage, pruneUsage } = usageCore();
    const now = new Date();
    if (this.cached && this.cachedDay !== dayKey(now)) this.cached = pruneUsage(this.cached, now);
    this.cachedDay = dayKey(now);
    if (!this.cached) {
      const parsed = parseUsage(this.memento.get<unknown>(KEY), now);
      if (parsed.dropped > 0) this.log?.warn(`usage: ${parsed.dropped} stored entr${parsed.dropped === 1 ? 'y was' : 'ies were'} not valid and ignored`);
      this.cached = parsed.state;
    }
    return this.cached;
  }

  /** The tooltip line of a connection, or undefined without usage. */
  line(folder: vscode.Uri, model: string, connection: string): string | undefined {
    const connections = this.state.connections;
    if (Object.keys(connections).length === 0) return undefined;
    const { summarize, usageKey, usageLine } = usageCore();
    const key = usageKey(folder.toString(), model, connection);
    const c = Object.prototype.hasOwnProperty.call(connections, key) ? connections[key] : undefined;
    return c ? usageLine(summarize(c)) : undefined;
  }

  /** Counts one finished request. */
  record(rec: RequestRecord): Promise<void> {
    return this.enqueue(() => usageCore().recordRequest(this.state, rec, new Date()));
  }

  /** Forgets all usage of this workspace. */
  reset(): Promise<void> {
    return this.enqueue(() => ({ v: 1, connections: {} }));
  }

  private enqueue(next: () => UsageState): Promise<void> {
    const run = this.queue.then(async () => {
      const state = next();
      this.cached = state;
      await this.memento.update(KEY, Object.keys(state.connections).length ? state : undefined);
      this.changed.fire();
    });
    this.queue = run.catch((e: unknown) => this.log?.error(`usage: could not be saved: ${e instanceof Error ? e.message : String(e)}`));
    return run;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Asks, then forgets all usage of this workspace. True when it was reset. */
export async function confirmReset(usage: UsageStore): Promise<boolean> {
  if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: usage is shown read-only.');
  if (Object.keys(usage.state.connections).length === 0) {
    void vscode.window.showInformationMessage('No usage is recorded in this workspace: nothing to reset.');
    return false;
  }
  const choice = await vscode.window.showWarningMessage('Reset the usage of all connections in this workspace?', {
    modal: true,
    detail: 'Requests, tokens, errors and latencies recorded for the connections used as chat models are forgotten. Keys and the manifest are not touched.',
  }, 'Reset Usage');
  if (choice !== 'Reset Usage') return false;
  await usage.reset();
  return true;
}
