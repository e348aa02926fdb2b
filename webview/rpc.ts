/**
 * The webview's end of the protocol (src/core/form/formProtocol.ts): requests with
 * increasing ids, matched with the host's replies; notifications passed on. The id
 * counter survives a reload of the page through the webview state — nothing else is
 * kept there, and never a key.
 */
import type { HostMessage, ReplyResult, RestoreNote, WebviewMessage } from '../src/core/form/formProtocol';

type Outgoing = WebviewMessage extends infer M ? (M extends WebviewMessage ? Omit<M, 'id'> : never) : never;

interface Pending {
  resolve(result: ReplyResult): void;
  reject(error: Error): void;
}

export class HostChannel {
  private readonly api = acquireVsCodeApi();
  private nextId: number;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly onNotification: (message: Exclude<HostMessage, { type: 'reply' }>) => void) {
    const saved = this.api.getState() as { lastId?: unknown } | undefined;
    this.nextId = typeof saved?.lastId === 'number' && Number.isSafeInteger(saved.lastId) ? saved.lastId + 1 : 1;
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
  }

  private restore: RestoreNote | undefined;

  /** Keeps what the form is for, so VS Code can bring it back after a window reload. */
  remember(restore: RestoreNote): void {
    this.restore = restore;
    this.api.setState({ lastId: this.nextId - 1, restore });
  }

  request(message: Outgoing): Promise<ReplyResult> {
    const id = this.nextId++;
    this.api.setState({ lastId: id, restore: this.restore });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.api.postMessage({ ...message, id });
    });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
    const message = data as HostMessage;
    if (message.type === 'reply') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new Error(message.error));
      return;
    }
    this.onNotification(message);
  }
}
