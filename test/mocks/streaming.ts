/**
 * Streamed answers of the mock providers, each in its provider's own wire format:
 * OpenAI-style chat.completion.chunk events ending in `data: [DONE]` (OpenAI, Azure,
 * generic), Anthropic message/content_block events, Gemini GenerateContentResponse
 * events (`alt=sse`), Cohere v2 typed events, and Bedrock ConverseStream frames in the
 * binary AWS event-stream encoding. A request offering tools is answered with a call
 * of the first tool; a request whose last message carries a tool result is answered
 * with text quoting it. The scenarios 'stream_error' (an error event after the first
 * delta) and 'stream_stall' (silence after the first delta) are applied by the server.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { isObject } from './server';

/** The text every streamed answer spells out, in these deltas. */
export const MOCK_STREAM_DELTAS = ['Hello', ' from', ' the', ' mock', ' stream.'] as const;
export const MOCK_STREAM_TEXT = MOCK_STREAM_DELTAS.join('');
/** The input of the mock's tool call. */
export const MOCK_TOOL_INPUT = { query: 'mock weather', days: 2 } as const;
export const MOCK_USAGE = { input: 11, output: 5 } as const;

export interface StreamReply {
  contentType: string;
  /** Written one by one with a short pause between them. */
  chunks: Array<string | Buffer>;
  /** What the 'stream_error' scenario sends after the first delta, in the provider's format. */
  errorChunk: string | Buffer;
  /** How many chunks the 'stream_error' and 'stream_stall' scenarios send before failing (the first text delta included). */
  prefix: number;
}

/** What the mock answers: text deltas, or one tool call. */
export interface Script {
  deltas: string[];
  tool?: { id: string; name: string; args: string };
}

/** A tool call for the first tool offered, or text (quoting the last tool result when there is one). */
export function script(toolNames: string[], toolResult: string | undefined, callId: string): Script {
  if (toolResult !== undefined) return { deltas: ['Tool said: ', toolResult] };
  if (toolNames.length) return { deltas: [], tool: { id: callId, name: toolNames[0], args: JSON.stringify(MOCK_TOOL_INPUT) } };
  return { deltas: [...MOCK_STREAM_DELTAS] };
}

/** The mocks' token count: one token per word of every string in the request body. */
export function mockTokenCount(body: unknown): number {
  if (typeof body === 'string') return body.split(/\s+/).filter(Boolean).length;
  if (Array.isArray(body)) return body.reduce((n: number, v) => n + mockTokenCount(v), 0);
  if (isObject(body)) return Object.entries(body).reduce((n, [k, v]) => n + (k === 'model' || k === 'role' || k === 'type' ? 0 : mockTokenCount(v)), 0);
  return 0;
}

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const halves = (s: string): [string, string] => [s.slice(0, Math.ceil(s.length / 2)), s.slice(Math.ceil(s.length / 2))];

// ---------------------------------------------------------------------------------------------------------------
// OpenAI chat completions (OpenAI, Azure OpenAI, generic)

export function openAiToolNames(body: Record<string, unknown>): string[] {
  return (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => (isObject(t) && isObject(t.function) && typeof t.function.name === 'string' ? [t.function.name] : []));
}

export function openAiToolResult(body: Record<string, unknown>): string | undefined {
  const last = Array.isArray(body.messages) ? body.messages.filter((m) => isObject(m) && m.role !== 'system').at(-1) : undefined;
  return isObject(last) && last.role === 'tool' ? String(last.content) : undefined;
}

export function openAiStream(model: string, body: Record<string, unknown>, s: Script): StreamReply {
  const base = { id: 'chatcmpl-mockstream', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_mock' };
  const withUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string => sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) });
  const chunks: string[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const d of s.deltas) chunks.push(chunk({ content: d }));
  if (s.tool) {
    const [a, b] = halves(s.tool.args);
    chunks.push(chunk({ tool_calls: [{ index: 0, id: s.tool.id, type: 'function', function: { name: s.tool.name, arguments: '' } }] }));
    chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }));
    chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: b } }] }));
  }
  chunks.push(chunk({}, s.tool ? 'tool_calls' : 'stop'));
  if (withUsage) chunks.push(sse({ ...base, choices: [], usage: { prompt_tokens: MOCK_USAGE.input, completion_tokens: MOCK_USAGE.output, total_tokens: MOCK_USAGE.input + MOCK_USAGE.output } }));
  chunks.push(sse('[DONE]'));
  return {
    contentType: 'text/event-stream; charset=utf-8',
    chunks,
    errorChunk: sse({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } }),
    prefix: 2,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Anthropic messages

export function anthropicToolNames(body: Record<string, unknown>): string[] {
  return (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => (isObject(t) && typeof t.name === 'string' ? [t.name] : []));
}

export function anthropicToolResult(body: Record<string, unknown>): string | undefined {
  const last = Array.isArray(body.messages) ? body.messages.at(-1) : undefined;
  const content = isObject(last) && Array.isArray(last.content) ? last.content : [];
  const result = content.find((c) => isObject(c) && c.type === 'tool_result');
  return isObject(result) ? String(result.content) : undefined;
}

export function anthropicStream(model: string, s: Script): StreamReply {
  const ev = (type: string, data: Record<string, unknown>): string => sse({ type, ...data }, type);
  const chunks: string[] = [
    ev('message_start', { message: { id: 'msg_mockstream', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: MOCK_USAGE.input, output_tokens: 1 } } }),
  ];
  if (s.deltas.length) {
    chunks.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    chunks.push(ev('ping', {}));
    for (const d of s.deltas) chunks.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: d } }));
    chunks.push(ev('content_block_stop', { index: 0 }));
  }
  if (s.tool) {
    const [a, b] = halves(s.tool.args);
    chunks.push(ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: s.tool.id, name: s.tool.name, input: {} } }));
    chunks.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }));
    chunks.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: a } }));
    chunks.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: b } }));
    chunks.push(ev('content_block_stop', { index: 0 }));
  }
  chunks.push(ev('message_delta', { delta: { stop_reason: s.tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: MOCK_USAGE.output } }));
  chunks.push(ev('message_stop', {}));
  return { contentType: 'text/event-stream; charset=utf-8', chunks, errorChunk: ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }), prefix: 4 };
}

// ---------------------------------------------------------------------------------------------------------------
// Gemini streamGenerateContent?alt=sse

export function geminiToolNames(body: Record<string, unknown>): string[] {
  return (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => (isObject(t) && Array.isArray(t.functionDeclarations) ? t.functionDeclarations : []))
    .flatMap((f) => (isObject(f) && typeof f.name === 'string' ? [f.name] : []));
}

export function geminiToolResult(body: Record<string, unknown>): string | undefined {
  const last = Array.isArray(body.contents) ? body.contents.at(-1) : undefined;
  const parts = isObject(last) && Array.isArray(last.parts) ? last.parts : [];
  const fr = parts.find((p) => isObject(p) && isObject(p.functionResponse));
  const response = isObject(fr) && isObject(fr.functionResponse) && isObject(fr.functionResponse.response) ? fr.functionResponse.response : undefined;
  return response ? String(response.content ?? response.error) : undefined;
}

export function geminiStream(model: string, s: Script): StreamReply {
  const usage = (out: number) => ({ promptTokenCount: MOCK_USAGE.input, candidatesTokenCount: out, totalTokenCount: MOCK_USAGE.input + out });
  const chunks: string[] = s.deltas.map((d, i) => sse({
    candidates: [{ content: { parts: [{ text: d }], role: 'model' }, index: 0, ...(i === s.deltas.length - 1 && !s.tool ? { finishReason: 'STOP' } : {}) }],
    usageMetadata: usage(i + 1), modelVersion: model, responseId: 'mockstream',
  }));
  if (s.tool) {
    chunks.push(sse({ candidates: [{ content: { parts: [{ functionCall: { name: s.tool.name, args: JSON.parse(s.tool.args) as unknown } }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: usage(MOCK_USAGE.output), modelVersion: model, responseId: 'mockstream' }));
  } else {
    chunks.push(sse({ candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: usage(MOCK_USAGE.output), modelVersion: model, responseId: 'mockstream' }));
  }
  return { contentType: 'text/event-stream', chunks, errorChunk: sse({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }), prefix: 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Cohere v2 chat

export function cohereToolResult(body: Record<string, unknown>): string | undefined {
  const last = Array.isArray(body.messages) ? body.messages.at(-1) : undefined;
  return isObject(last) && last.role === 'tool' ? String(last.content) : undefined;
}

export function cohereStream(s: Script): StreamReply {
  const ev = (type: string, data: Record<string, unknown> = {}): string => sse({ type, ...data }, type);
  const chunks: string[] = [ev('message-start', { id: 'mockstream', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })];
  if (s.deltas.length) {
    chunks.push(ev('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }));
    for (const d of s.deltas) chunks.push(ev('content-delta', { index: 0, delta: { message: { content: { text: d } } } }));
    chunks.push(ev('content-end', { index: 0 }));
  }
  if (s.tool) {
    const [a, b] = halves(s.tool.args);
    chunks.push(ev('tool-plan-delta', { delta: { message: { tool_plan: 'I will call the tool.' } } }));
    chunks.push(ev('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: s.tool.id, type: 'function', function: { name: s.tool.name, arguments: '' } } } } }));
    chunks.push(ev('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: a } } } } }));
    chunks.push(ev('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: b } } } } }));
    chunks.push(ev('tool-call-end', { index: 0 }));
  }
  chunks.push(ev('message-end', { delta: { finish_reason: s.tool ? 'TOOL_CALL' : 'COMPLETE', usage: { billed_units: { input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output }, tokens: { input_tokens: MOCK_USAGE.input + 100, output_tokens: MOCK_USAGE.output } } } }));
  return { contentType: 'text/event-stream', chunks, errorChunk: ev('message-end', { delta: { finish_reason: 'ERROR', error: 'internal server error, this has been reported to our developers' } }), prefix: 3 };
}

// ---------------------------------------------------------------------------------------------------------------
// Bedrock ConverseStream (application/vnd.amazon.eventstream)

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (t) => Buffer.from(t, 'utf8'));

function frame(kind: 'event' | 'exception', type: string, payload: unknown): Buffer {
  const typeHeader = kind === 'event' ? ':event-type' : ':exception-type';
  return Buffer.from(codec.encode({
    headers: {
      [typeHeader]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: kind },
    },
    body: Buffer.from(JSON.stringify(payload), 'utf8'),
  }));
}

export function bedrockToolNames(body: Record<string, unknown>): string[] {
  const tools = isObject(body.toolConfig) && Array.isArray(body.toolConfig.tools) ? body.toolConfig.tools : [];
  return tools.flatMap((t) => (isObject(t) && isObject(t.toolSpec) && typeof t.toolSpec.name === 'string' ? [t.toolSpec.name] : []));
}

export function bedrockToolResult(body: Record<string, unknown>): string | undefined {
  const last = Array.isArray(body.messages) ? body.messages.at(-1) : undefined;
  const content = isObject(last) && Array.isArray(last.content) ? last.content : [];
  const tr = content.find((c) => isObject(c) && isObject(c.toolResult));
  const parts = isObject(tr) && isObject(tr.toolResult) && Array.isArray(tr.toolResult.content) ? tr.toolResult.content : undefined;
  return parts ? parts.map((p) => (isObject(p) ? String(p.text ?? '') : '')).join('') : undefined;
}

export function bedrockStream(s: Script): StreamReply {
  const p = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 8);
  const chunks: Buffer[] = [frame('event', 'messageStart', { role: 'assistant', p })];
  s.deltas.forEach((d) => chunks.push(frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: d }, p })));
  if (s.deltas.length) chunks.push(frame('event', 'contentBlockStop', { contentBlockIndex: 0, p }));
  if (s.tool) {
    const [a, b] = halves(s.tool.args);
    chunks.push(frame('event', 'contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: s.tool.id, name: s.tool.name } }, p }));
    chunks.push(frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: a } }, p }));
    chunks.push(frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: b } }, p }));
    chunks.push(frame('event', 'contentBlockStop', { contentBlockIndex: 0, p }));
  }
  chunks.push(frame('event', 'messageStop', { stopReason: s.tool ? 'tool_use' : 'end_turn', p }));
  chunks.push(frame('event', 'metadata', { usage: { inputTokens: MOCK_USAGE.input, outputTokens: MOCK_USAGE.output, totalTokens: MOCK_USAGE.input + MOCK_USAGE.output }, metrics: { latencyMs: 120 }, p }));
  return {
    contentType: 'application/vnd.amazon.eventstream',
    chunks,
    errorChunk: frame('exception', 'throttlingException', { message: 'Too many tokens, please wait before trying again.' }),
    prefix: 2,
  };
}
