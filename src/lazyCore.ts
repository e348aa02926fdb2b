/**
 * The yaml-based core, loaded on first use from dist/core.js (see coreBundle.ts). Code
 * that runs at activation imports only yaml-free core modules (names, catalog, targets,
 * origin, redact, assignments …) and reaches the rest through `core()`.
 */
import * as path from 'path';
import type * as CoreModule from './coreBundle';

export type Core = typeof CoreModule;

let loaded: Core | undefined;

export function core(): Core {
  // A path esbuild cannot follow, so the core stays in its own file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, 'core.js')) as Core;
  return loaded;
}
