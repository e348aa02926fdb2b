/**
 * The `yaml` library, loaded on first use. The fast parser reads common files without it, so
 * `agent-connections validate` on a clean manifest neither reads nor runs it (esbuild.mjs puts
 * it in a file of its own for the CLI, dist/cli-yaml.js). Modules on that path import its types
 * only and call `yamlLib()` where they need a function.
 */
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand on purpose
  return (lib ??= require('yaml') as typeof Yaml);
}

/**
 * The `yaml` library's `isDocument`, without loading the library for a plain object (our
 * position tree `{ contents }`): a Document is always an instance of its class.
 */
export function isYamlDocument(x: unknown): boolean {
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) === Object.prototype) return false;
  return yamlLib().isDocument(x);
}
