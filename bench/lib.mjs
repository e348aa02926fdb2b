// What the benchmarks share: the core bundled on the fly (no vscode) into a temp folder, and medians.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Bundles `exports` (TypeScript export lines, given paths relative to src/core) into
 * `<tmp>/core.cjs` in a new temp folder and loads it. Returns the folder (for other files
 * the benchmark shares with its children; the caller removes it), the bundle's path and its exports.
 */
export async function bundleCore(prefix, exports) {
  if (!fs.existsSync(path.join(ROOT, 'src/core/generated/validators.ts'))) {
    console.log('src/core/generated missing: running scripts/build-validators.mjs');
    spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-validators.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const corePath = path.join(tmp, 'core.cjs');
  const entryPath = path.join(tmp, 'entry.ts');
  const src = (f) => JSON.stringify(path.join(ROOT, 'src/core', f));
  fs.writeFileSync(entryPath, exports.map(([names, file]) => `export { ${names.join(', ')} } from ${src(file)};\n`).join(''));
  const built = await esbuild.build({ entryPoints: [entryPath], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'warning' });
  fs.writeFileSync(corePath, built.outputFiles[0].text);
  return { tmp, corePath, core: require(corePath) };
}

/** The median; NaN for no values. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}
