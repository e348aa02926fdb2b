/**
 * Streaming for the OpenAI chat-completions shape (OpenAI, Azure OpenAI, generic
 * OpenAI-compatible servers): `stream: true` with `stream_options.include_usage`,
 * answered as server-sent events of `chat.completion.chunk` objects, usage in a last
 * chunk with no choices, then `data: [DONE]`. Tool calls arrive as deltas keyed by index.
 */
import type { HttpResponse } from '../net/http';
import { isObject, JSON_HEADERS, setting, str } from '../providers/common';
import { azureAuthHeaders, refineAzureAuth } from '../providers/azure';
import { authHeaders, extraHeaders } from '../providers/generic';
import { classifyOpenAiStyle } from '../providers/openaiShape';
import { TargetError, type Credential, type ProviderVerdict } from '../providers/types';
import { NOT_JSON, parseSseJson } from './sse';
import { parseArguments, textOf, type ChatEvent, type ChatMessage, type ChatRequest, type StreamAdapter } from './types';

const SSE_HEADERS = { ...JSON_HEADERS, accept: 'text/event-stream' };

function messages(list: ChatMessage[]): unknown[] {
  const out: unknown[] = [];
  for (const m of list) {
    if (m.role === 'system') {
      out.push({ role: 'system', content: textOf(m) });
    } else if (m.role === 'assistant') {
      const calls = m.parts.flatMap((p) => (p.type === 'tool_call' ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: JSON.stringify(p.input) } }] : []));
      out.push({ role: 'assistant', content: textOf(m) || null, ...(calls.length ? { tool_calls: calls } : {}) });
    } else {
      for (const p of m.parts) if (p.type === 'tool_result') out.push({ role: 'tool', tool_call_id: p.callId, content: p.content });
      const text = textOf(m);
      if (text || !m.parts.some((p) => p.type === 'tool_result')) out.push({ role: 'user', content: text });
    }
  }
  return out;
}

/** The JSON body of a streamed chat completion; `model` is absent for Azure deployment routes. */
export function openAiChatBody(model: string | undefined, chat: ChatRequest, tokenField: 'max_tokens' | 'max_completion_tokens'): string {
  return JSON.stringify({
    ...(model !== undefined ? { model } : {}),
    messages: messages(chat.messages),
    stream: true,
    stream_options: { include_usage: true },
    ...(chat.maxTokens !== undefined ? { [tokenField]: chat.maxTokens } : {}),
    ...(chat.tools?.length ? {
      tools: chat.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema ?? { type: 'object', properties: {} } } })),
      ...(chat.toolMode === 'required' ? { tool_choice: 'required' } : {}),
    } : {}),
  });
}

/** What a mid-stream `{"error": …}` object means. */
export function streamErrorOutcome(code: string | undefined, message: string | undefined): Exclude<ProviderVerdict['outcome'], 'ok'> {
  const text = `${code ?? ''} ${message ?? ''}`;
  if (/rate.?limit|too many requests|throttl/i.test(text)) return 'rate_limited';
  if (/overload|unavailable|capacity/i.test(text)) return 'overloaded';
  if (/invalid_request|bad.?request|validation/i.test(text)) return 'bad_request';
  return 'server_error';
}

async function* openAiEvents(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent> {
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let stopReason: string | undefined;
  const flush = function* (): Generator<ChatEvent> {
    for (const c of [...calls.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])) yield { type: 'tool_call', id: c.id, name: c.name, input: parseArguments(c.args) };
    calls.clear();
  };
  for await (const ev of parseSseJson(chunks)) {
    if (!ev) {
      yield NOT_JSON;
      return;
    }
    const { json } = ev;
    if (isObject(json.error) || typeof json.error === 'string') {
      const e = isObject(json.error) ? json.error : { message: json.error };
      yield { type: 'error', outcome: streamErrorOutcome(str(e.code) ?? str(e.type), str(e.message)), message: str(e.message) ?? 'The provider reported an error in the middle of the answer.' };
      return;
    }
    for (const choice of Array.isArray(json.choices) ? json.choices : []) {
      if (!isObject(choice)) continue;
      const delta = isObject(choice.delta) ? choice.delta : {};
      if (typeof delta.content === 'string' && delta.content) yield { type: 'text', text: delta.content };
      for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isObject(tc)) continue;
        const index = typeof tc.index === 'number' ? tc.index : calls.size;
        const fn = isObject(tc.function) ? tc.function : {};
        const cur = calls.get(index) ?? { id: '', name: '', args: '' };
        if (typeof tc.id === 'string') cur.id = tc.id;
        if (typeof fn.name === 'string') cur.name += fn.name;
        if (typeof fn.arguments === 'string') cur.args += fn.arguments;
        calls.set(index, cur);
      }
      if (typeof choice.finish_reason === 'string') {
        stopReason = choice.finish_reason;
        yield* flush();
      }
    }
    if (isObject(json.usage)) {
      yield { type: 'usage', inputTokens: numberOr(json.usage.prompt_tokens), outputTokens: numberOr(json.usage.completion_tokens) };
    }
  }
  yield* flush();
  yield { type: 'done', ...(stopReason ? { stopReason } : {}) };
}

export function numberOr(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const classifyWith = (ids: string[]) => (res: HttpResponse): ProviderVerdict => classifyOpenAiStyle(res, 'completion', ids);

function bearer(credential: Credential): Record<string, string> {
  return credential.kind === 'apiKey' ? { authorization: `Bearer ${credential.apiKey}` } : {};
}

export const openaiStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    return { method: 'POST', url: `${base}/chat/completions`, headers: { ...SSE_HEADERS, ...bearer(credential) }, body: openAiChatBody(target.model, chat, 'max_completion_tokens') };
  },
  events: openAiEvents,
  classify: classifyWith(['x-request-id']),
};

/** Reasoning deployments (gpt-5, o-series) refuse max_tokens; matched on the deployment or model name. */
const REASONING = /(^|[^a-z0-9])(gpt-5|o[1-9])/i;

export const azureStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    const deployment = setting(target.settings, 'deployment');
    if (!deployment) throw new TargetError('The connection has no Deployment Name.');
    const apiVersion = setting(target.settings, 'apiVersion') ?? 'v1';
    const v1 = apiVersion === 'v1';
    const url = v1
      ? `${base}/openai/v1/chat/completions`
      : `${base}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`;
    const field = REASONING.test(deployment) || REASONING.test(target.model) ? 'max_completion_tokens' : 'max_tokens';
    const headers = { ...SSE_HEADERS, ...azureAuthHeaders(credential) };
    return { method: 'POST', url, headers, body: openAiChatBody(v1 ? deployment : undefined, chat, field) };
  },
  events: openAiEvents,
  classify: (res, credential) => refineAzureAuth(classifyOpenAiStyle(res, 'completion', ['apim-request-id', 'x-request-id', 'x-ms-request-id']), credential),
};

export const genericStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    const format = setting(target.settings, 'apiFormat') ?? 'openai';
    if (format.toLowerCase() !== 'openai') throw new TargetError(`Chat supports the openai API format; this connection uses ${JSON.stringify(format)}.`);
    const headers = { ...SSE_HEADERS, ...extraHeaders(target), ...authHeaders(target, credential) };
    return { method: 'POST', url: `${base}/chat/completions`, headers, body: openAiChatBody(target.model, chat, 'max_tokens') };
  },
  events: openAiEvents,
  classify: classifyWith(['x-request-id', 'request-id', 'x-groq-id']),
};
