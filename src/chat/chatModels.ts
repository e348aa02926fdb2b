/**
 * Every enabled connection with a key on this machine (or one that needs none) as a
 * chat model of VS Code's language-model API, vendor `agent-connections`, named
 * `model/connection`: any extension can pick it with `vscode.lm.selectChatModels`.
 * Replies stream through the core client (same origin gate and modal as a test);
 * the list changes as soon as the manifest or a key does. Nothing in Restricted Mode.
 */
import * as vscode from 'vscode';
import type { ChatMessage, ChatPart, ChatRequest } from '../core/chat/types';
import { estimateTokens, estimateTokensOfLength } from '../core/chat/types';
import type { Outcome } from '../core/providers/types';
import type { RequestRecord } from '../core/usage/usage';
import { PROVIDER_LABELS, isProviderId } from '../core/providers/catalog';
import { connectionReference } from '../core/manifest/names';
import { needsCredential } from '../core/providers/targets';
import type { Credentials } from '../credentials/credentials';
import type { ManifestStore } from '../manifest/manifestStore';
import { targetOf, type ConnectionRef, type ConnectionTester } from '../testing/connectionTester';

export const CHAT_VENDOR = 'agent-connections';

/** Where finished requests are counted (src/usage): counts and times only. */
export interface UsageRecorder {
  record(rec: RequestRecord): Promise<void>;
}

interface ConnectionModel extends vscode.LanguageModelChatInformation {
  readonly folder: string;
  readonly model: string;
  readonly connection: string;
  readonly provider: string;
}

const MAX_INPUT_TOKENS = 128_000;
const MAX_OUTPUT_TOKENS = 4_096;

function partsOf(message: vscode.LanguageModelChatRequestMessage): ChatPart[] {
  const parts: ChatPart[] = [];
  for (const p of message.content) {
    if (p instanceof vscode.LanguageModelTextPart) parts.push({ type: 'text', text: p.value });
    else if (p instanceof vscode.LanguageModelToolCallPart) parts.push({ type: 'tool_call', id: p.callId, name: p.name, input: (p.input ?? {}) as Record<string, unknown> });
    else if (p instanceof vscode.LanguageModelToolResultPart) {
      const content = p.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
      parts.push({ type: 'tool_result', callId: p.callId, content });
    }
  }
  return parts;
}

/** Characters of a request's text, tool calls and tool results (for the token estimate; the text itself is not kept). */
function requestChars(request: ChatRequest): number {
  let n = 0;
  for (const m of request.messages) {
    for (const p of m.parts) n += p.type === 'text' ? p.text.length : p.type === 'tool_result' ? p.content.length : p.name.length + JSON.stringify(p.input).length;
  }
  for (const t of request.tools ?? []) n += t.name.length + (t.description?.length ?? 0) + (t.inputSchema ? JSON.stringify(t.inputSchema).length : 0);
  return n;
}

/** VS Code's messages and options → the core's provider-neutral request. */
export function toChatRequest(messages: readonly vscode.LanguageModelChatRequestMessage[], options: vscode.ProvideLanguageModelChatResponseOptions): ChatRequest {
  const out: ChatMessage[] = messages.map((m) => ({ role: m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user', parts: partsOf(m) }));
  const maxTokens = typeof options.modelOptions?.maxTokens === 'number' ? options.modelOptions.maxTokens : undefined;
  return {
    messages: out,
    ...(options.tools?.length ? {
      tools: options.tools.map((t) => ({ name: t.name, description: t.description, ...(t.inputSchema ? { inputSchema: t.inputSchema as Record<string, unknown> } : {}) })),
      toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto',
    } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };
}

export class ConnectionChatModels implements vscode.LanguageModelChatProvider<ConnectionModel>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: ManifestStore, private readonly credentials: Credentials, private readonly tester: ConnectionTester, private readonly log: vscode.LogOutputChannel, private readonly usage?: UsageRecorder) {
    const fire = () => this.changed.fire();
    this.subscriptions = [store.onDidChange(fire), credentials.onDidChange(fire), vscode.workspace.onDidGrantWorkspaceTrust(fire)];
  }

  /**
   * Enabled connections of known providers, with a stored key where one is needed. The key
   * statuses are read at once, from Credentials' per-key cache (cleared when a key changes).
   */
  async provideLanguageModelChatInformation(): Promise<ConnectionModel[]> {
    if (!vscode.workspace.isTrusted) return [];
    const candidates: Array<{ info: ConnectionModel; keyed: boolean; folder: vscode.Uri }> = [];
    for (const state of this.store.folders) {
      for (const model of state.analysis?.models ?? []) {
        if (!model.provider || !isProviderId(model.provider)) continue;
        for (const connection of model.connections) {
          if (!connection.enabled) continue;
          const r: ConnectionRef = { state, model, connection };
          let target;
          try {
            target = targetOf(r);
          } catch {
            continue;
          }
          const name = connectionReference(model.name, connection.name);
          candidates.push({
            keyed: needsCredential(target),
            folder: state.folder.uri,
            info: {
              id: JSON.stringify([state.folder.uri.toString(), model.name, connection.name]),
              name,
              family: model.model ?? model.name,
              version: model.model ?? '',
              detail: PROVIDER_LABELS[model.provider],
              tooltip: `${name} — ${PROVIDER_LABELS[model.provider]}${model.model ? ` ${model.model}` : ''}, from ${vscode.workspace.asRelativePath(state.uri)}`,
              maxInputTokens: MAX_INPUT_TOKENS,
              maxOutputTokens: MAX_OUTPUT_TOKENS,
              capabilities: { toolCalling: true },
              folder: state.folder.uri.toString(),
              model: model.name,
              connection: connection.name,
              provider: model.provider,
            },
          });
        }
      }
    }
    const offered = await Promise.all(candidates.map(async (c) => !c.keyed || (await this.credentials.status(c.folder, c.info.model, c.info.connection)) === 'present'));
    return candidates.filter((_, i) => offered[i]).map((c) => c.info);
  }

  private find(info: ConnectionModel): ConnectionRef {
    for (const state of this.store.folders) {
      if (state.folder.uri.toString() !== info.folder) continue;
      const model = state.analysis?.models.find((m) => m.name === info.model);
      const connection = model?.connections.find((c) => c.name === info.connection);
      if (model && connection) {
        if (!connection.enabled) break;
        return { state, model, connection };
      }
    }
    throw new Error(`${connectionReference(info.model, info.connection)} is no longer an enabled connection in the manifest.`);
  }

  /**
   * Streams the reply and counts the request (src/usage): tokens as the provider reported
   * them, else our estimate (input: only when the request succeeded or something came
   * back); latency from the call to the first text or tool call and to the end, for
   * successful requests. Errors count by outcome; a cancelled request as `cancelled`.
   */
  async provideLanguageModelChatResponse(info: ConnectionModel, messages: readonly vscode.LanguageModelChatRequestMessage[], options: vscode.ProvideLanguageModelChatResponseOptions, progress: vscode.Progress<vscode.LanguageModelResponsePart>, token: vscode.CancellationToken): Promise<void> {
    const started = performance.now();
    let firstMs: number | undefined;
    let outChars = 0;
    let inChars = 0;
    const reported: { input?: number; output?: number } = {};
    let outcome: Outcome | undefined;
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const r = this.find(info);
      const request = toChatRequest(messages, options);
      inChars = requestChars(request);
      for await (const ev of this.tester.chat(r, request, abort.signal)) {
        if (ev.type === 'text') {
          firstMs ??= performance.now() - started;
          outChars += ev.text.length;
          progress.report(new vscode.LanguageModelTextPart(ev.text));
        } else if (ev.type === 'tool_call') {
          firstMs ??= performance.now() - started;
          outChars += ev.name.length + JSON.stringify(ev.input).length;
          progress.report(new vscode.LanguageModelToolCallPart(ev.id, ev.name, ev.input));
        } else if (ev.type === 'usage') {
          if (ev.inputTokens !== undefined) reported.input = ev.inputTokens;
          if (ev.outputTokens !== undefined) reported.output = ev.outputTokens;
        } else if (ev.type === 'error') {
          outcome = ev.outcome;
          this.log.warn(`chat through ${info.name} → ${ev.outcome}${ev.status ? ` (${ev.status})` : ''}: ${ev.message}`);
          if (ev.outcome === 'cancelled') return;
          throw new Error(`${info.name}: ${ev.message} ${ev.hint ?? ''}`.trim());
        }
      }
      outcome = token.isCancellationRequested ? 'cancelled' : 'ok';
    } catch (err) {
      // Thrown before anything was sent (no longer enabled, Restricted Mode, a key of another kind …).
      outcome ??= token.isCancellationRequested ? 'cancelled' : 'blocked';
      throw err;
    } finally {
      sub.dispose();
      const final = outcome ?? 'blocked';
      const answered = final === 'ok' || outChars > 0;
      this.usage?.record({
        folder: info.folder, model: info.model, connection: info.connection, provider: info.provider, outcome: final,
        inputTokens: reported.input ?? (answered ? estimateTokensOfLength(inChars) : 0),
        inputSource: reported.input !== undefined ? 'provider' : 'estimate',
        outputTokens: reported.output ?? estimateTokensOfLength(outChars),
        outputSource: reported.output !== undefined ? 'provider' : 'estimate',
        ...(firstMs !== undefined ? { firstMs } : {}),
        totalMs: performance.now() - started,
      }).catch((e: unknown) => this.log.warn(`usage not recorded: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** The provider's count where it has a counting endpoint (Anthropic, Gemini), else an estimate. */
  async provideTokenCount(info: ConnectionModel, text: string | vscode.LanguageModelChatRequestMessage, token: vscode.CancellationToken): Promise<number> {
    const plain = typeof text === 'string' ? text : partsOf(text).map((p) => (p.type === 'text' ? p.text : p.type === 'tool_result' ? p.content : JSON.stringify(p.input))).join('');
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      return await this.tester.countTokens(this.find(info), plain, abort.signal);
    } catch {
      return estimateTokens(plain);
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** Registers the provider where the editor has the API (VS Code 1.104+). */
export function registerChatModels(context: vscode.ExtensionContext, store: ManifestStore, credentials: Credentials, tester: ConnectionTester, log: vscode.LogOutputChannel, usage?: UsageRecorder): void {
  if (typeof vscode.lm?.registerLanguageModelChatProvider !== 'function') return;
  const provider = new ConnectionChatModels(store, credentials, tester, log, usage);
  context.subscriptions.push(provider, vscode.lm.registerLanguageModelChatProvider(CHAT_VENDOR, provider));
}
