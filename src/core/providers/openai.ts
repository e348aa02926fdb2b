/** OpenAI: `Authorization: Bearer`; stage 1 `GET /models/{model}`, stage 2 a one-message chat completion. */
import type { HttpResponse } from '../net/http';
import { JSON_HEADERS } from './common';
import { chatBody, classifyOpenAiStyle, isTokenParamError } from './openaiShape';
import type { Credential, ProviderClient } from './types';

const IDS = ['x-request-id'];

function auth(credential: Credential): Record<string, string> {
  return credential.kind === 'apiKey' ? { authorization: `Bearer ${credential.apiKey}` } : {};
}

export const openai: ProviderClient = {
  id: 'openai',
  async test(target, credential, base, ctx) {
    const headers = { ...JSON_HEADERS, ...auth(credential) };
    if (ctx.depth === 'quick') {
      const res = await ctx.send({ method: 'GET', url: `${base}/models/${encodeURIComponent(target.model)}`, headers });
      return classifyOpenAiStyle(res, 'metadata', IDS);
    }
    // gpt-5 and o-series refuse max_tokens; older chat models accept max_completion_tokens too.
    const post = (field: 'max_tokens' | 'max_completion_tokens', value: number): Promise<HttpResponse> =>
      ctx.send({ method: 'POST', url: `${base}/chat/completions`, headers, body: chatBody(target.model, { field, value }) });
    let res = await post('max_completion_tokens', 16);
    if (isTokenParamError(res, 'max_completion_tokens')) res = await post('max_tokens', 1);
    return classifyOpenAiStyle(res, 'completion', IDS);
  },
};
