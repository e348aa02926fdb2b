/**
 * Forget Keys of This Workspace / Forget All Keys on This Machine: the entries come
 * from the credential index (credentials.ts), the user confirms a modal that names
 * the count, and only those SecretStorage entries go — manifests, test results and
 * other workspaces' keys stay.
 */
import * as vscode from 'vscode';
import type { Credentials, StoredEntry } from './credentials';

export type ForgetScope = 'workspace' | 'all';

/** Asks the user; resolves true to go ahead. */
export type Confirm = (message: string, detail: string, action: string) => Promise<boolean>;

export const modalConfirm: Confirm = async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;

/** Which stored entries a scope covers: this workspace's folders (whatever their connections are called now), or all. */
export function scopeFilter(scope: ForgetScope, folders: readonly vscode.Uri[] = vscode.workspace.workspaceFolders?.map((f) => f.uri) ?? []): (e: StoredEntry) => boolean {
  if (scope === 'all') return () => true;
  const mine = new Set(folders.map((f) => f.toString()));
  return (e) => mine.has(e.folder);
}

/** Asks, then forgets; returns how many keys were forgotten (0 when there were none or the user declined). */
export async function forgetKeys(credentials: Credentials, log: vscode.LogOutputChannel, scope: ForgetScope, confirm: Confirm = modalConfirm): Promise<number> {
  const filter = scopeFilter(scope);
  const n = credentials.entries().filter(filter).length;
  const keys = `${n} key${n === 1 ? '' : 's'}`;
  if (n === 0) {
    void vscode.window.showInformationMessage(scope === 'all' ? 'Agent Connections has no key stored on this machine.' : 'No key of this workspace is stored on this machine.');
    return 0;
  }
  const ok = scope === 'all'
    ? await confirm(`Forget all ${keys} Agent Connections stored on this machine?`, `Every workspace's connection keys are removed from this machine's SecretStorage. Manifests, test results and teammates' keys are untouched; nothing else is deleted.`, 'Forget All Keys')
    : await confirm(`Forget the ${keys} of this workspace on this machine?`, `The keys stored for the connections of this workspace's manifests are removed from this machine's SecretStorage. Manifests, test results and other workspaces' keys are untouched.`, 'Forget Keys');
  if (!ok) return 0;
  const removed = await credentials.forgetMany(filter);
  log.info(`forgot ${removed} key${removed === 1 ? '' : 's'} (${scope === 'all' ? 'all on this machine' : 'of this workspace'})`);
  void vscode.window.showInformationMessage(`Forgot ${removed} key${removed === 1 ? '' : 's'} on this machine.`);
  return removed;
}
