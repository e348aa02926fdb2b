/**
 * Entry of dist/usageRuntime.js, loaded on first need (a request to count, stored usage to
 * show, the panel): the usage core and the Connection Usage panel stay out of
 * dist/extension.js. Required by path (usageStore.ts, usageCommands.ts), never imported.
 */
export { UsagePanel } from './usagePanel';
export { dayKey, emptyUsage, parseUsage, pruneUsage, recordRequest, usageKey } from '../core/usage/usage';
export { summarize, usageLine } from '../core/usage/summary';
