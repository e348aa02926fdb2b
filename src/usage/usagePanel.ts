/**
 * "Agent Connections: Show Connection Usage": a webview panel with requests or tokens per
 * day (an SVG the page draws) and a table per connection, from UsageStore; it updates as
 * soon as a request finishes. Reset Usage asks first. In Restricted Mode it is read-only
 * (no chat model is offered there, so nothing new is recorded, and nothing is reset).
 * Bundled into dist/usageRuntime.js, loaded by usageCommands.ts on the first Show Connection
 * Usage; the page's code is dist/usage.js; the strict CSP is the editor's.
 */
import * as vscode from 'vscode';
import { PROVIDER_LABELS, isProviderId } from '../core/providers/catalog';
import { parseUsageInbound, type UsageViewData } from '../core/usage/protocol';
import type { ConnectionUsage } from '../core/usage/usage';
import { usageView } from '../core/usage/view';
import { localResourceRoots, webviewHtml } from '../editor/html';
import { confirmReset, type UsageDeps } from './usageStore';

export const USAGE_VIEW_TYPE = 'agentConnections.usage';


function providerLabel(provider: string): string {
  return isProviderId(provider) ? PROVIDER_LABELS[provider] : provider;
}

export class UsagePanel implements vscode.Disposable {
  static current: UsagePanel | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  static show(deps: UsageDeps): UsagePanel {
    if (UsagePanel.current) {
      UsagePanel.current.panel.reveal();
      return UsagePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(USAGE_VIEW_TYPE, 'Connection Usage', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localResourceRoots(deps.context.extensionUri),
    });
    UsagePanel.current = new UsagePanel(panel, deps);
    return UsagePanel.current;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: UsageDeps) {
    panel.webview.html = usageHtml(panel.webview, deps.context.extensionUri);
    const post = () => this.post();
    this.subscriptions.push(
      deps.usage.onDidChange(post),
      deps.store.onDidChange(post),
      vscode.workspace.onDidGrantWorkspaceTrust(post),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the page shows now (also for tests). */
  data(): UsageViewData {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const present = (c: ConnectionUsage): boolean => {
      const state = this.deps.store.folders.find((f) => f.folder.uri.toString() === c.folder);
      if (!state) return false;
      if (!state.analysis) return true; // not read yet: do not call it removed
      return state.analysis.models.some((m) => m.name === c.model && m.connections.some((x) => x.name === c.connection));
    };
    const view = usageView(this.deps.usage.state, {
      now: new Date(),
      present,
      folderName: (c) => (folders.length > 1 ? folders.find((f) => f.uri.toString() === c.folder)?.name ?? vscode.Uri.parse(c.folder).path.split('/').pop() ?? '' : ''),
      readOnly: !vscode.workspace.isTrusted,
    });
    return { ...view, rows: view.rows.map((r) => ({ ...r, provider: providerLabel(r.provider) })) };
  }

  private post(): void {
    if (this.ready) void this.panel.webview.postMessage(this.data());
  }

  private receive(raw: unknown): void {
    const message = parseUsageInbound(raw);
    if (!message) {
      this.deps.log.warn('usage view: a message of unknown shape was ignored');
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.post();
    } else if (message.type === 'reset') {
      confirmReset(this.deps.usage).catch((e: unknown) => void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e)));
    }
  }

  dispose(): void {
    if (UsagePanel.current === this) UsagePanel.current = undefined;
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
  }
}

export function usageHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, { bundle: 'usage', title: 'Connection Usage' });
}
