/**
 * Imported first by extension.ts, so this runs before any other module of
 * dist/extension.js: the start of the clock for the activation figures.
 */
export const moduleLoadStartedAt = performance.now();
