/**
 * Server-sent events (the HTML living standard's event-stream format) from a byte
 * stream: `event:` and `data:` fields, events ended by a blank line, comments and
 * other fields ignored. UTF-8 is decoded across chunk boundaries; one event larger
 * than `maxEventBytes` stops the stream.
 */
import { HttpFailure } from '../net/http';
import { isObject } from '../providers/common';
import type { ChatEvent } from './types';

export interface SseEvent {
  event?: string;
  data: string;
}

export const MAX_EVENT_CHARS = 1024 * 1024;

export async function* parseSse(chunks: AsyncIterable<Buffer>, maxEventChars = MAX_EVENT_CHARS): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  let dataChars = 0;
  const take = function* (line: string): Generator<SseEvent> {
    if (line === '') {
      if (data.length) yield { ...(event !== undefined ? { event } : {}), data: data.join('\n') };
      event = undefined;
      data = [];
      dataChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') {
      dataChars += value.length;
      if (dataChars > maxEventChars) throw new HttpFailure('invalid_response', `One streamed event was larger than ${Math.round(maxEventChars / 1024)} KB.`);
      data.push(value);
    }
  };
  const drain = function* (final: boolean): Generator<SseEvent> {
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buffer);
      // A lone \r at the end may be the first half of \r\n.
      if (!m || (!final && m[0] === '\r' && m.index === buffer.length - 1)) break;
      const line = buffer.slice(0, m.index);
      buffer = buffer.slice(m.index + m[0].length);
      yield* take(line);
    }
    if (buffer.length > maxEventChars) throw new HttpFailure('invalid_response', `One streamed line was larger than ${Math.round(maxEventChars / 1024)} KB.`);
  };
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* drain(false);
  }
  buffer += decoder.decode();
  yield* drain(true);
  if (buffer) yield* take(buffer);
  yield* take('');
}

/** An event of a JSON-over-SSE stream: its data, parsed, is an object. */
export interface SseJsonEvent {
  event?: string;
  json: Record<string, unknown>;
}

/** What a stream adapter reports when an event's data is not JSON. */
export const NOT_JSON: ChatEvent = { type: 'error', outcome: 'invalid_response', message: 'A streamed event was not JSON.' };

/**
 * The events of a JSON-over-SSE stream, as every provider here sends them: data that is a
 * JSON object, other JSON values skipped, `[DONE]` (OpenAI's end marker) the end. Data that
 * is not JSON yields `undefined`, after which the stream is broken: the adapter reports
 * NOT_JSON and stops.
 */
export async function* parseSseJson(chunks: AsyncIterable<Buffer>): AsyncGenerator<SseJsonEvent | undefined> {
  for await (const ev of parseSse(chunks)) {
    if (ev.data.trim() === '[DONE]') return;
    let json: unknown;
    try {
      json = JSON.parse(ev.data);
    } catch {
      yield undefined;
      return;
    }
    if (isObject(json)) yield { ...(ev.event !== undefined ? { event: ev.event } : {}), json };
  }
}
