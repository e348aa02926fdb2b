/**
 * Last test result and a short latency history per connection, kept in the
 * workspace's extension storage — never in the manifest or git. Results are
 * already redacted when they arrive here.
 */
import * as vscode from 'vscode';
import type { Outcome, TestResult } from '../core/providers';

const KEY = 'agentConnections.testResults';
export const HISTORY_LENGTH = 10;

export interface HistoryEntry {
  at: string;
  outcome: Outcome;
  latencyMs: number;
}

export interface ConnectionResults {
  last: TestResult;
  history: HistoryEntry[];
}

export class TestResults implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  private key(folder: vscode.Uri, model: string, connection: string): string {
    return JSON.stringify([folder.toString(), model, connection]);
  }

  private all(): Record<string, ConnectionResults> {
    return this.memento.get<Record<string, ConnectionResults>>(KEY, {});
  }

  get(folder: vscode.Uri, model: string, connection: string): ConnectionResults | undefined {
    const all = this.all();
    const k = this.key(folder, model, connection);
    return Object.prototype.hasOwnProperty.call(all, k) ? all[k] : undefined;
  }

  async record(folder: vscode.Uri, model: string, connection: string, result: TestResult): Promise<void> {
    if (result.outcome === 'cancelled') return;
    const all = { ...this.all() };
    const k = this.key(folder, model, connection);
    const previous = Object.prototype.hasOwnProperty.call(all, k) ? all[k].history : [];
    all[k] = { last: result, history: [...previous, { at: result.at, outcome: result.outcome, latencyMs: result.latencyMs }].slice(-HISTORY_LENGTH) };
    await this.memento.update(KEY, all);
    this.changed.fire();
  }

  async forget(folder: vscode.Uri, model: string, connection: string): Promise<void> {
    const all = { ...this.all() };
    delete all[this.key(folder, model, connection)];
    await this.memento.update(KEY, all);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
