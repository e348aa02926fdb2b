// What every integration test file needs: the extension's API once its manifests are read,
// and a poll for conditions that follow file events.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AgentConnectionsApi } from '../../src/extension';

export const EXTENSION_ID = 'agent-connections.agent-connections';

/** Activates the extension (once) and waits for the first read of every manifest. */
export async function api(): Promise<AgentConnectionsApi> {
  const a = await vscode.extensions.getExtension<AgentConnectionsApi>(EXTENSION_ID)!.activate();
  await a.ready;
  return a;
}

/** Polls `probe` every 50 ms until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file under `dir` whose bytes contain `needle` (the canary sweeps). */
export function filesContaining(dir: string, needle: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesContaining(p, needle, out);
    else if (e.isFile()) {
      try {
        if (fs.statSync(p).size < 50 * 1024 * 1024 && fs.readFileSync(p).includes(needle)) out.push(p);
      } catch { /* unreadable: skip */ }
    }
  }
  return out;
}

/** VS Code's Memento, in memory, so that what a call left behind can be inspected. */
export class MemoryMemento implements vscode.Memento {
  readonly data = new Map<string, unknown>();
  keys(): readonly string[] { return [...this.data.keys()]; }
  get<T>(key: string, fallback?: T): T | undefined { return (this.data.has(key) ? this.data.get(key) : fallback) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.data.set(key, value); return Promise.resolve(); }
  setKeysForSync(): void { /* not synced */ }
}

/** Discards what a test left unsaved and closes every editor, so no save dialog or stale document remains. */
export async function discardEditors(): Promise<void> {
  // Not the user settings.json: it is dirty for a moment while VS Code writes a setting a test changed, and
  // showing it then races that write.
  const ours = (d: vscode.TextDocument) => d.isDirty && !/[\\/]User[\\/]settings\.json$/.test(d.uri.path);
  for (const doc of vscode.workspace.textDocuments.filter(ours)) {
    // "another editor opened in the meantime": show it again, a few times at most.
    for (let attempt = 1; doc.isDirty && attempt <= 4; attempt++) {
      try {
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      } catch (err) {
        if (attempt === 4) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Everything the extension logged so far (the "Agent Connections" log channel's files). */
export function extensionLog(a: AgentConnectionsApi): string {
  const logDir = a.storagePaths[a.storagePaths.length - 1];
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) files.push(p);
    }
  };
  walk(logDir);
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/**
 * Runs a command that asks through quick picks and answers them as the keyboard would: each step's commands
 * (e.g. quickOpenSelectNext, then acceptSelectedQuickOpenItem) after the next picker has had time to open.
 * Resolves with the command's result once it has finished.
 */
export async function answeringPicks<T>(run: () => Thenable<T>, steps: string[][]): Promise<T> {
  const done = Promise.resolve(run());
  let settled = false;
  void done.finally(() => { settled = true; }).catch(() => undefined);
  for (const commands of steps) {
    await new Promise((r) => setTimeout(r, 700));
    for (const c of commands) await vscode.commands.executeCommand(c);
  }
  await waitFor('the command to finish', () => settled, 10_000);
  return done;
}
