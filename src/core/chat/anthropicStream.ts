/**
 * Anthropic Messages streaming: `stream: true`, server-sent events message_start
 * (input tokens), content_block_start / _delta (text_delta, input_json_delta) / _stop,
 * message_delta (stop reason, output tokens), message_stop; `ping` ignored; an `error`
 * event mid-stream (e.g. overloaded_error).
 */
import { classify, ERROR_OUTCOMES } from '../providers/anthropic';
import { isObject, JSON_HEADERS, str } from '../providers/common';
import { NOT_JSON, parseSseJson } from './sse';
import { numberOr, streamErrorOutcome } from './openaiStream';
import { parseArguments, textOf, type ChatEvent, type ChatMessage, type StreamAdapter } from './types';

/** Anthropic requires max_tokens. */
export const DEFAULT_MAX_TOKENS = 4096;

function messages(list: ChatMessage[]): unknown[] {
  const out: unknown[] = [];
  for (const m of list) {
    if (m.role === 'system') continue;
    const content = m.parts.flatMap((p): unknown[] => {
      if (p.type === 'text') return p.text ? [{ type: 'text', text: p.text }] : [];
      if (p.type === 'tool_call') return m.role === 'assistant' ? [{ type: 'tool_use', id: p.id, name: p.name, input: p.input }] : [];
      return [{ type: 'tool_result', tool_use_id: p.callId, content: p.content, ...(p.isError ? { is_error: true } : {}) }];
    });
    if (content.length) out.push({ role: m.role, content });
  }
  return out;
}

async function* events(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent> {
  const tools = new Map<number, { id: string; name: string; json: string }>();
  let input: number | undefined;
  let output: number | undefined;
  let stopReason: string | undefined;
  for await (const ev of parseSseJson(chunks)) {
    if (!ev) {
      yield NOT_JSON;
      return;
    }
    const { json } = ev;
    const type = str(json.type) ?? ev.event;
    const index = typeof json.index === 'number' ? json.index : -1;
    switch (type) {
      case 'message_start': {
        const usage = isObject(json.message) && isObject(json.message.usage) ? json.message.usage : {};
        input = numberOr(usage.input_tokens);
        output = numberOr(usage.output_tokens);
        break;
      }
      case 'content_block_start': {
        const block = isObject(json.content_block) ? json.content_block : {};
        if (block.type === 'tool_use') tools.set(index, { id: str(block.id) ?? '', name: str(block.name) ?? '', json: '' });
        else if (block.type === 'text' && typeof block.text === 'string' && block.text) yield { type: 'text', text: block.text };
        break;
      }
      case 'content_block_delta': {
        const delta = isObject(json.delta) ? json.delta : {};
        if (delta.type === 'text_delta' && typeof delta.text === 'string') yield { type: 'text', text: delta.text };
        else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          const t = tools.get(index);
          if (t) t.json += delta.partial_json;
        }
        break;
      }
      case 'content_block_stop': {
        const t = tools.get(index);
        if (t) {
          tools.delete(index);
          yield { type: 'tool_call', id: t.id, name: t.name, input: parseArguments(t.json) };
        }
        break;
      }
      case 'message_delta': {
        const delta = isObject(json.delta) ? json.delta : {};
        stopReason = str(delta.stop_reason) ?? stopReason;
        if (isObject(json.usage)) output = numberOr(json.usage.output_tokens) ?? output;
        break;
      }
      case 'message_stop':
        yield { type: 'usage', inputTokens: input, outputTokens: output };
        yield { type: 'done', ...(stopReason ? { stopReason } : {}) };
        return;
      case 'error': {
        const err = isObject(json.error) ? json.error : {};
        const code = str(err.type);
        const outcome = (code ? ERROR_OUTCOMES[code] : undefined) ?? streamErrorOutcome(code, str(err.message));
        yield { type: 'error', outcome: outcome === 'ok' ? 'server_error' : outcome, message: str(err.message) ?? 'Anthropic reported an error in the middle of the answer.' };
        return;
      }
    }
  }
  yield { type: 'error', outcome: 'invalid_response', message: 'The stream ended before message_stop.' };
}

export const anthropicStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    const system = chat.messages.filter((m) => m.role === 'system').map(textOf).join('\n\n');
    const body = {
      model: target.model,
      max_tokens: chat.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(system ? { system } : {}),
      messages: messages(chat.messages),
      stream: true,
      ...(chat.tools?.length ? {
        tools: chat.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: t.inputSchema ?? { type: 'object', properties: {} } })),
        ...(chat.toolMode === 'required' ? { tool_choice: { type: 'any' } } : {}),
      } : {}),
    };
    const headers = { ...JSON_HEADERS, accept: 'text/event-stream', 'anthropic-version': '2023-06-01', ...(credential.kind === 'apiKey' ? { 'x-api-key': credential.apiKey } : {}) };
    return { method: 'POST', url: `${base}/v1/messages`, headers, body: JSON.stringify(body) };
  },
  events,
  classify: (res) => classify(res, 'completion'),
};
