/**
 * The yaml-based core, loaded on first use from dist/core.js (see coreBundle.ts). Code
 * that runs at activation imports only yaml-free core modules (names, catalog, targets,
 * origin, redact, assignments …) and reaches the rest through `core()`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as CoreModule from './coreBundle';

export type Core = typeof CoreModule;

let loaded: Core | undefined;

export function core(): Core {
  // Paths esbuild cannot follow, so the core stays in its own file: dist/core.js beside
  // the bundle, or coreBundle.js beside this file when tests load the compiled sources.
  if (!loaded) {
    const bundled = path.join(__dirname, 'core.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(fs.existsSync(bundled) ? bundled : path.join(__dirname, 'coreBundle.js')) as Core;
  }
  return loaded;
}
