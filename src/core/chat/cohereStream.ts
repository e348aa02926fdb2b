/**
 * Cohere v2 chat streaming: `POST /v2/chat` with `stream: true`; server-sent events
 * whose JSON `type` is message-start, content-start / content-delta
 * (delta.message.content.text) / content-end, tool-plan-delta, tool-call-start /
 * tool-call-delta (delta.message.tool_calls) / tool-call-end, and message-end
 * (finish_reason, usage.tokens / billed_units).
 */
import { classify } from '../providers/cohere';
import { isObject, JSON_HEADERS, str } from '../providers/common';
import { numberOr, streamErrorOutcome } from './openaiStream';
import { NOT_JSON, parseSseJson } from './sse';
import { parseArguments, textOf, type ChatEvent, type ChatMessage, type StreamAdapter } from './types';

function messages(list: ChatMessage[]): unknown[] {
  const out: unknown[] = [];
  for (const m of list) {
    if (m.role === 'assistant') {
      const calls = m.parts.flatMap((p) => (p.type === 'tool_call' ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: JSON.stringify(p.input) } }] : []));
      const text = textOf(m);
      out.push({ role: 'assistant', ...(text ? { content: text } : {}), ...(calls.length ? { tool_calls: calls } : {}) });
    } else if (m.role === 'user') {
      for (const p of m.parts) if (p.type === 'tool_result') out.push({ role: 'tool', tool_call_id: p.callId, content: p.content });
      const text = textOf(m);
      if (text || !m.parts.some((p) => p.type === 'tool_result')) out.push({ role: 'user', content: text });
    } else {
      out.push({ role: 'system', content: textOf(m) });
    }
  }
  return out;
}

function messageOf(json: Record<string, unknown>): Record<string, unknown> {
  return isObject(json.delta) && isObject(json.delta.message) ? json.delta.message : {};
}

async function* events(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent> {
  let call: { id: string; name: string; args: string } | undefined;
  for await (const ev of parseSseJson(chunks)) {
    if (!ev) {
      yield NOT_JSON;
      return;
    }
    const { json } = ev;
    const type = str(json.type) ?? ev.event;
    const msg = messageOf(json);
    switch (type) {
      case 'content-delta': {
        const text = isObject(msg.content) ? msg.content.text : undefined;
        if (typeof text === 'string' && text) yield { type: 'text', text };
        break;
      }
      case 'tool-call-start': {
        const tc = isObject(msg.tool_calls) ? msg.tool_calls : {};
        const fn = isObject(tc.function) ? tc.function : {};
        call = { id: str(tc.id) ?? '', name: str(fn.name) ?? '', args: str(fn.arguments) ?? '' };
        break;
      }
      case 'tool-call-delta': {
        const tc = isObject(msg.tool_calls) ? msg.tool_calls : {};
        const fn = isObject(tc.function) ? tc.function : {};
        if (call && typeof fn.arguments === 'string') call.args += fn.arguments;
        break;
      }
      case 'tool-call-end':
        if (call) yield { type: 'tool_call', id: call.id, name: call.name, input: parseArguments(call.args) };
        call = undefined;
        break;
      case 'message-end': {
        const delta = isObject(json.delta) ? json.delta : {};
        const usage = isObject(delta.usage) ? delta.usage : {};
        const tokens = isObject(usage.tokens) ? usage.tokens : isObject(usage.billed_units) ? usage.billed_units : {};
        const finish = str(delta.finish_reason);
        if (finish === 'ERROR' || finish === 'TIMEOUT') {
          yield { type: 'error', outcome: finish === 'TIMEOUT' ? 'timeout' : 'server_error', message: str(delta.error) ?? `Cohere ended the answer with ${finish}.` };
          return;
        }
        yield { type: 'usage', inputTokens: numberOr(tokens.input_tokens), outputTokens: numberOr(tokens.output_tokens) };
        yield { type: 'done', ...(finish ? { stopReason: finish } : {}) };
        return;
      }
      default:
        // Cohere reports a failure inside the stream as an event carrying a message and no known type.
        if (type === 'error' || (type === undefined && typeof json.message === 'string')) {
          yield { type: 'error', outcome: streamErrorOutcome(undefined, str(json.message)), message: str(json.message) ?? 'Cohere reported an error in the middle of the answer.' };
          return;
        }
    }
  }
  yield { type: 'error', outcome: 'invalid_response', message: 'The stream ended before message-end.' };
}

export const cohereStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    const body = {
      model: target.model,
      messages: messages(chat.messages),
      stream: true,
      ...(chat.maxTokens !== undefined ? { max_tokens: chat.maxTokens } : {}),
      ...(chat.tools?.length ? {
        tools: chat.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema ?? { type: 'object', properties: {} } } })),
        ...(chat.toolMode === 'required' ? { tool_choice: 'REQUIRED' } : {}),
      } : {}),
    };
    const headers = { ...JSON_HEADERS, accept: 'text/event-stream', ...(credential.kind === 'apiKey' ? { authorization: `Bearer ${credential.apiKey}` } : {}) };
    return { method: 'POST', url: `${base}/v2/chat`, headers, body: JSON.stringify(body) };
  },
  events,
  classify: (res) => classify(res, 'completion', (b) => isObject(b.message) || typeof b.id === 'string', 'a Cohere chat answer'),
};
