/** A provider-neutral chat request and the events a streamed reply is turned into. */
import type { HttpRequest, HttpResponse } from '../net/http';
import type { ConnectionTarget, Credential, Outcome, ProviderVerdict } from '../providers/types';

export type ChatRole = 'system' | 'user' | 'assistant';

export type ChatPart =
  | { type: 'text'; text: string }
  /** The model asked for a tool (an assistant message). */
  | { type: 'tool_call'; id: string; name: string; input: Record<string, unknown> }
  /** The tool's answer to a call (a user message). */
  | { type: 'tool_result'; callId: string; content: string; isError?: boolean };

export interface ChatMessage {
  role: ChatRole;
  parts: ChatPart[];
}

export interface ChatTool {
  name: string;
  description?: string;
  /** JSON Schema of the input object. */
  inputSchema?: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatTool[];
  /** `required`: the model must call one of the tools. */
  toolMode?: 'auto' | 'required';
  maxTokens?: number;
}

export type ChatEvent =
  | { type: 'text'; text: string }
  /** A complete tool call, assembled from the provider's deltas. */
  | { type: 'tool_call'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'usage'; inputTokens?: number; outputTokens?: number }
  | { type: 'done'; stopReason?: string }
  /** The request failed or the stream broke off; always the last event. Redacted. */
  | { type: 'error'; outcome: Exclude<Outcome, 'ok'>; message: string; hint?: string; status?: number };

/** What one provider contributes to streaming: its request, its wire format, its error shapes. */
export interface StreamAdapter {
  /** `base` was checked against the key's bound origin; the request must stay on its origin. */
  request(target: ConnectionTarget, credential: Credential, base: string, chat: ChatRequest): Promise<HttpRequest>;
  /** The 2xx body's chunks → neutral events (text, tool calls, usage, done, or an error event from the stream). */
  events(chunks: AsyncIterable<Buffer>): AsyncGenerator<ChatEvent>;
  /** A non-2xx answer → outcome (the credential's kind can matter: a Bedrock API key is refused differently). */
  classify(res: HttpResponse, credential: Credential): ProviderVerdict;
}

/** Whether the provider has a token-counting endpoint (Anthropic, Gemini); elsewhere counts are estimates. */
export function providerCountsTokens(provider: string): boolean {
  return provider === 'anthropic' || provider === 'google-gemini';
}

/** A rough token count for providers without a counting endpoint: about four characters a token. */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** The same estimate from a count of characters (usage counts keep no text). */
export function estimateTokensOfLength(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Text of a message's text parts. */
export function textOf(message: ChatMessage): string {
  return message.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** Parses a tool call's JSON arguments; anything but an object becomes `{}` (what the model sent is kept under `_raw`). */
export function parseArguments(json: string): Record<string, unknown> {
  if (!json.trim()) return {};
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { _raw: json };
  } catch {
    return { _raw: json };
  }
}
