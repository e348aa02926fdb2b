#!/usr/bin/env node
// Makes sure the tools of the real-VS-Code tiers are there (Node 24 and
// code-server in .tools/ or AC_TOOLS_DIR, Debian's chromium): when one is
// missing it runs scripts/setup-tools.sh — the script .ci/run runs — and
// otherwise prints one line, without starting any process.
// `npm test`, `npm run test:integration`, `npm run test:ui` and `npm run bench`
// run it first; `npm start` calls ensureTools({ needChromium: false }).
//
//   node scripts/ensure-tools.mjs [--no-chromium]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumPath, missingTools, node24, repoRoot, toolsDir } from './lib/codeServer.mjs';

const say = (msg) => console.log(`tools: ${msg}`);

function versionOf(packageJson) {
  try {
    return JSON.parse(fs.readFileSync(packageJson, 'utf8')).version;
  } catch {
    return '?';
  }
}

/** Installs what is missing through scripts/setup-tools.sh; exits the process when that fails. */
export function ensureTools({ needChromium = true } = {}) {
  const where = toolsDir.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, toolsDir) : toolsDir;
  const missing = missingTools({ needChromium });
  if (missing.length > 0) {
    say(`missing ${missing.join(', ')}`);
    say('installing them with scripts/setup-tools.sh (once; code-server takes a few minutes to build)');
    const started = Date.now();
    const res = spawnSync('bash', [path.join(repoRoot, 'scripts', 'setup-tools.sh')], { cwd: repoRoot, stdio: 'inherit' });
    const still = missingTools({ needChromium });
    if (res.status !== 0 || still.length > 0) {
      console.error(`tools: scripts/setup-tools.sh ${res.status !== 0 ? `failed (${res.status ?? res.signal})` : 'finished'}` +
        `${still.length ? `; still missing ${still.join(', ')}` : ''}. See its messages above.`);
      process.exit(res.status || 1);
    }
    say(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const nodeVersion = versionOf(path.join(path.dirname(path.dirname(node24)), 'package.json'));
  const codeServerVersion = versionOf(path.join(toolsDir, 'code-server', 'node_modules', 'code-server', 'package.json'));
  say(`ready: Node ${nodeVersion}, code-server ${codeServerVersion} (${where}/)${needChromium ? `, chromium (${chromiumPath})` : ''}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureTools({ needChromium: !process.argv.includes('--no-chromium') });
}
