/**
 * The parts of undici the HTTP helper uses, loaded from their own modules. undici's
 * index also loads fetch, WebSocket, EventSource, the cache stores and the mock agents:
 * about 225 KB more in the provider runtime bundle for nothing we call.
 * undici 7 has no `exports` map, so these paths are part of what it ships; the unit
 * tests load the very same modules.
 */
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports -- deep modules of undici have no typings of their own */
export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js');
export const EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js');
const Dispatcher: { prototype: object } = require('undici/lib/dispatcher/dispatcher.js');
const api: { request: (this: Undici.Dispatcher, opts: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData> } = require('undici/lib/api/index.js');
/* eslint-enable @typescript-eslint/no-require-imports */

// What undici's index does on load: dispatchers get request/stream/pipeline/upgrade/connect
// as methods (the proxy agent opens its CONNECT tunnel through `connect`).
if (!('connect' in Dispatcher.prototype)) Object.assign(Dispatcher.prototype, api);

export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'>;

/** `undici.request(url, opts)` through an explicit dispatcher: origin and path from the URL. */
export function request(dispatcher: Undici.Dispatcher, url: URL, opts: RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  return api.request.call(dispatcher, { ...opts, origin: url.origin, path: `${url.pathname}${url.search}` });
}
