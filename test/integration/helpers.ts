// What every integration test file needs: the extension's API once its manifests are read,
// and a poll for conditions that follow file events.
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
