/**
 * Where each connection's key lives: one opaque SecretStorage entry per connection.
 * A random id kept in extension state maps folder + model + connection to it, so no
 * secret name is ever built from manifest text. This module only answers "is a key
 * stored on this machine?" for the tree; the editor issue adds setting keys.
 */
import * as vscode from 'vscode';

export type KeyStatus = 'present' | 'missing' | 'unknown';

const INDEX_KEY = 'agentConnections.credentialIndex';
const SECRET_TIMEOUT_MS = 3000;

export class Credentials {
  constructor(private readonly context: vscode.ExtensionContext) {}

  private indexKey(folder: vscode.Uri, model: string, connection: string): string {
    return JSON.stringify([folder.toString(), model, connection]);
  }

  private secretId(folder: vscode.Uri, model: string, connection: string): string | undefined {
    const index = this.context.globalState.get<Record<string, string>>(INDEX_KEY, {});
    const key = this.indexKey(folder, model, connection);
    return Object.prototype.hasOwnProperty.call(index, key) ? index[key] : undefined;
  }

  /** In Restricted Mode no secret is read: the status is unknown. */
  async status(folder: vscode.Uri, model: string, connection: string): Promise<KeyStatus> {
    if (!vscode.workspace.isTrusted) return 'unknown';
    const id = this.secretId(folder, model, connection);
    if (!id) return 'missing';
    const value = await Promise.race([
      Promise.resolve(this.context.secrets.get(`agentConnections.secret.${id}`)).then((v) => (v ? 'present' : 'missing') as KeyStatus, () => 'unknown' as KeyStatus),
      new Promise<KeyStatus>((resolve) => setTimeout(() => resolve('unknown'), SECRET_TIMEOUT_MS)),
    ]);
    return value;
  }

  /** Forgets the stored key of a deleted connection. */
  async forget(folder: vscode.Uri, model: string, connection: string): Promise<void> {
    const id = this.secretId(folder, model, connection);
    if (!id) return;
    const index = { ...this.context.globalState.get<Record<string, string>>(INDEX_KEY, {}) };
    delete index[this.indexKey(folder, model, connection)];
    await this.context.globalState.update(INDEX_KEY, index);
    await this.context.secrets.delete(`agentConnections.secret.${id}`);
  }
}
