/**
 * Gemini streaming: `POST /{version}/models/{model}:streamGenerateContent?alt=sse`,
 * each event a GenerateContentResponse (candidates' parts: text or a complete
 * functionCall; finishReason; usageMetadata, cumulative). Function results go back
 * as functionResponse parts named after the call.
 */
import { isObject, JSON_HEADERS, str } from '../providers/common';
import { classify } from '../providers/gemini';
import { geminiApiVersion } from '../providers/targets';
import type { ConnectionTarget } from '../providers/types';
import { numberOr, streamErrorOutcome } from './openaiStream';
import { NOT_JSON, parseSseJson } from './sse';
import { textOf, type ChatEvent, type ChatMessage, type StreamAdapter } from './types';

function contents(list: ChatMessage[]): unknown[] {
  const names = new Map<string, string>();
  for (const m of list) for (const p of m.parts) if (p.type === 'tool_call') names.set(p.id, p.name);
  const out: unknown[] = [];
  for (const m of list) {
    if (m.role === 'system') continue;
    const parts = m.parts.flatMap((p): unknown[] => {
      if (p.type === 'text') return p.text ? [{ text: p.text }] : [];
      if (p.type === 'tool_call') return [{ functionCall: { name: p.name, args: p.input } }];
      return [{ functionResponse: { name: names.get(p.callId) ?? p.callId, response: p.isError ? { error: p.content } : { content: p.content } } }];
    });
    if (parts.length) out.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }
  return out;
}

async function* events(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent> {
  let input: number | undefined;
  let output: number | undefined;
  let stopReason: string | undefined;
  let calls = 0;
  for await (const ev of parseSseJson(chunks)) {
    if (!ev) {
      yield NOT_JSON;
      return;
    }
    const { json } = ev;
    if (isObject(json.error)) {
      const e = json.error;
      const status = str(e.status);
      yield { type: 'error', outcome: status === 'RESOURCE_EXHAUSTED' ? 'rate_limited' : streamErrorOutcome(status, str(e.message)), message: str(e.message) ?? 'Gemini reported an error in the middle of the answer.' };
      return;
    }
    const candidate = Array.isArray(json.candidates) && isObject(json.candidates[0]) ? json.candidates[0] : {};
    const parts = isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
    for (const p of parts) {
      if (!isObject(p) || p.thought === true) continue;
      if (typeof p.text === 'string' && p.text) yield { type: 'text', text: p.text };
      if (isObject(p.functionCall)) {
        const fc = p.functionCall;
        calls++;
        yield { type: 'tool_call', id: str(fc.id) ?? `call_${calls}`, name: str(fc.name) ?? '', input: isObject(fc.args) ? fc.args : {} };
      }
    }
    stopReason = str(candidate.finishReason) ?? stopReason;
    if (isObject(json.promptFeedback) && str(json.promptFeedback.blockReason)) stopReason = `blocked: ${str(json.promptFeedback.blockReason)}`;
    if (isObject(json.usageMetadata)) {
      input = numberOr(json.usageMetadata.promptTokenCount) ?? input;
      output = numberOr(json.usageMetadata.candidatesTokenCount) ?? output;
    }
  }
  if (input !== undefined || output !== undefined) yield { type: 'usage', inputTokens: input, outputTokens: output };
  yield { type: 'done', ...(stopReason ? { stopReason } : {}) };
}

/** `{base}/{version}/models/{model}` for the connection's API version (checked: it becomes part of the path). */
export function geminiModelUrl(target: ConnectionTarget, base: string): string {
  return `${base}/${geminiApiVersion(target)}/models/${encodeURIComponent(target.model.replace(/^models\//, ''))}`;
}

export const geminiStream: StreamAdapter = {
  async request(target, credential, base, chat) {
    const system = chat.messages.filter((m) => m.role === 'system').map(textOf).join('\n\n');
    const body = {
      contents: contents(chat.messages),
      ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
      ...(chat.maxTokens !== undefined ? { generationConfig: { maxOutputTokens: chat.maxTokens } } : {}),
      ...(chat.tools?.length ? {
        tools: [{ functionDeclarations: chat.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.inputSchema ? { parameters: t.inputSchema } : {}) })) }],
        ...(chat.toolMode === 'required' ? { toolConfig: { functionCallingConfig: { mode: 'ANY' } } } : {}),
      } : {}),
    };
    const headers = { ...JSON_HEADERS, accept: 'text/event-stream', ...(credential.kind === 'apiKey' ? { 'x-goog-api-key': credential.apiKey } : {}) };
    return { method: 'POST', url: `${geminiModelUrl(target, base)}:streamGenerateContent?alt=sse`, headers, body: JSON.stringify(body) };
  },
  events,
  classify: (res) => classify(res, 'completion'),
};
