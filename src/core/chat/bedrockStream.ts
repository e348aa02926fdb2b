/**
 * Amazon Bedrock ConverseStream: `POST /model/{id}/converse-stream`, SigV4 as for a
 * test, answered in the binary `application/vnd.amazon.eventstream` framing (decoded
 * by the AWS SDK's own codec, CRCs checked). Events by `:event-type`: messageStart,
 * contentBlockStart (toolUse id and name), contentBlockDelta (text or toolUse input
 * JSON), contentBlockStop, messageStop (stopReason), metadata (usage); exceptions by
 * `:exception-type`.
 */
import { EventStreamCodec, getChunkedStream, type MessageHeaders } from '@smithy/core/event-streams';
import { HttpFailure } from '../net/http';
import { BEDROCK_KINDS, bedrockHeaders, classify, isBedrockCredential, profileRefused } from '../providers/bedrock';
import { isObject, str } from '../providers/common';
import { bedrockRegion } from '../providers/targets';
import { TargetError, type Outcome } from '../providers/types';
import { numberOr } from './openaiStream';
import { parseArguments, textOf, type ChatEvent, type ChatMessage, type StreamAdapter } from './types';


const EXCEPTIONS: Record<string, Exclude<Outcome, 'ok'>> = {
  throttlingException: 'rate_limited',
  serviceUnavailableException: 'overloaded',
  validationException: 'bad_request',
  modelStreamErrorException: 'server_error',
  internalServerException: 'server_error',
  modelTimeoutException: 'timeout',
};

function messages(list: ChatMessage[]): unknown[] {
  const out: unknown[] = [];
  for (const m of list) {
    if (m.role === 'system') continue;
    const content = m.parts.flatMap((p): unknown[] => {
      if (p.type === 'text') return p.text ? [{ text: p.text }] : [];
      if (p.type === 'tool_call') return [{ toolUse: { toolUseId: p.id, name: p.name, input: p.input } }];
      return [{ toolResult: { toolUseId: p.callId, content: [{ text: p.content }], ...(p.isError ? { status: 'error' } : {}) } }];
    });
    if (content.length) out.push({ role: m.role, content });
  }
  return out;
}

function header(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === 'string' ? h.value : undefined;
}

/** Largest event frame accepted; the codec allocates a frame's declared length before its bytes arrive. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Passes the chunks through unchanged, reading only each frame's 4-byte total length
 * so a frame declaring more than `max` bytes stops the stream before it is allocated.
 */
async function* capFrames(chunks: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let remaining = 0;
  let prelude: number[] = [];
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const step = Math.min(remaining, chunk.length - at);
        remaining -= step;
        at += step;
        continue;
      }
      prelude.push(chunk[at++]);
      if (prelude.length === 4) {
        const total = Buffer.from(prelude).readUInt32BE(0);
        if (total > max) throw new HttpFailure('invalid_response', `One event of the AWS event stream declared ${total} bytes (more than ${max}).`);
        remaining = Math.max(0, total - 4);
        prelude = [];
      }
    }
    yield chunk;
  }
}

const codec = new EventStreamCodec((bytes) => Buffer.from(bytes).toString('utf8'), (text) => Buffer.from(text, 'utf8'));

async function* events(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent> {
  const tools = new Map<number, { id: string; name: string; json: string }>();
  let stopReason: string | undefined;
  let usage: ChatEvent | undefined;
  let frames: AsyncIterable<Uint8Array>;
  try {
    frames = getChunkedStream(capFrames(chunks, MAX_FRAME_BYTES));
  } catch {
    yield { type: 'error', outcome: 'invalid_response', message: 'The answer is not an AWS event stream.' };
    return;
  }
  const iterator = frames[Symbol.asyncIterator]();
  for (;;) {
    let message: { headers: MessageHeaders; body: Uint8Array };
    try {
      const next = await iterator.next();
      if (next.done) break;
      message = codec.decode(next.value);
    } catch (err) {
      if (err instanceof HttpFailure) throw err;
      yield { type: 'error', outcome: 'invalid_response', message: `The AWS event stream could not be decoded (${err instanceof Error ? err.message : String(err)}).` };
      return;
    }
    const kind = header(message.headers, ':message-type');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(message.body).toString('utf8') || '{}');
    } catch {
      json = {};
    }
    const body = isObject(json) ? json : {};
    if (kind === 'exception' || kind === 'error') {
      const type = header(message.headers, ':exception-type') ?? header(message.headers, ':error-code') ?? '';
      const text = str(body.message) ?? str(body.Message) ?? header(message.headers, ':error-message');
      yield { type: 'error', outcome: EXCEPTIONS[type] ?? 'server_error', message: text ?? `Bedrock reported ${type || 'an error'} in the middle of the answer.` };
      return;
    }
    const index = typeof body.contentBlockIndex === 'number' ? body.contentBlockIndex : -1;
    switch (header(message.headers, ':event-type')) {
      case 'contentBlockStart': {
        const tu = isObject(body.start) && isObject(body.start.toolUse) ? body.start.toolUse : undefined;
        if (tu) tools.set(index, { id: str(tu.toolUseId) ?? '', name: str(tu.name) ?? '', json: '' });
        break;
      }
      case 'contentBlockDelta': {
        const delta = isObject(body.delta) ? body.delta : {};
        if (typeof delta.text === 'string' && delta.text) yield { type: 'text', text: delta.text };
        const t = tools.get(index);
        if (t && isObject(delta.toolUse) && typeof delta.toolUse.input === 'string') t.json += delta.toolUse.input;
        break;
      }
      case 'contentBlockStop': {
        const t = tools.get(index);
        if (t) {
          tools.delete(index);
          yield { type: 'tool_call', id: t.id, name: t.name, input: parseArguments(t.json) };
        }
        break;
      }
      case 'messageStop':
        stopReason = str(body.stopReason);
        break;
      case 'metadata': {
        const u = isObject(body.usage) ? body.usage : {};
        usage = { type: 'usage', inputTokens: numberOr(u.inputTokens), outputTokens: numberOr(u.outputTokens) };
        break;
      }
    }
  }
  if (stopReason === undefined) {
    yield { type: 'error', outcome: 'invalid_response', message: 'The stream ended before messageStop.' };
    return;
  }
  if (usage) yield usage;
  yield { type: 'done', stopReason };
}

export const bedrockStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    if (!isBedrockCredential(credential)) throw new TargetError(BEDROCK_KINDS);
    const region = bedrockRegion(target.settings);
    const url = new URL(`${base}/model/${encodeURIComponent(target.model)}/converse-stream`);
    const system = chat.messages.filter((m) => m.role === 'system').map(textOf).join('\n\n');
    const body = JSON.stringify({
      messages: messages(chat.messages),
      ...(system ? { system: [{ text: system }] } : {}),
      ...(chat.maxTokens !== undefined ? { inferenceConfig: { maxTokens: chat.maxTokens } } : {}),
      ...(chat.tools?.length ? {
        toolConfig: {
          tools: chat.tools.map((t) => ({ toolSpec: { name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: { json: t.inputSchema ?? { type: 'object', properties: {} } } } })),
          ...(chat.toolMode === 'required' ? { toolChoice: { any: {} } } : {}),
        },
      } : {}),
    });
    return { method: 'POST', url: url.toString(), headers: await bedrockHeaders(url, body, credential, region), body };
  },
  events,
  classify: (res, credential) => {
    const verdict = classify(res, credential.kind === 'bedrockApiKey');
    return credential.kind === 'awsProfile' ? profileRefused(verdict, credential.profile) : verdict;
  },
};
