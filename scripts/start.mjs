#!/usr/bin/env node
// `npm start`: try the extension on examples/workspace.
//
// - With a desktop VS Code (`code` on PATH): builds, then opens the example
//   workspace in an Extension Development Host.
// - Otherwise (servers, containers, CI machines): runs code-server from
//   .tools/ (installed by scripts/setup-tools.sh when missing) on 127.0.0.1 and prints the
//   URL to open. The extension is packaged (`npm run package`, which builds)
//   and installed from out/agent-connections.vsix — exactly what a user
//   installs, without the smoke-test driver that loading an extension from
//   source in the browser needs. Its profile lives in .tools/start-profile/ and
//   persists between runs (SecretStorage keys too, as long as you use the same
//   browser); workspace trust stays on, as a user first sees it.
//
// Options: --port=N (default 8080, or a free one), --code-server (skip desktop VS Code).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  repoRoot, makeIsolatedDirs, writeUserSettings, cleanUserSettings,
  freePort, startCodeServer, installExtension, workbenchUrl,
} from './lib/codeServer.mjs';
import { ensureTools } from './ensure-tools.mjs';

const argv = process.argv.slice(2);
const portArg = argv.find((a) => a.startsWith('--port='));
const forceCodeServer = argv.includes('--code-server');
const workspace = path.join(repoRoot, 'examples', 'workspace');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, opts = {}) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    console.error(`start: \`${cmd} ${args.join(' ')}\` failed (${res.status ?? res.signal})`);
    process.exit(res.status ?? 1);
  }
}

function onPath(bin) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try { fs.accessSync(path.join(dir, bin), fs.constants.X_OK); return true; } catch { return false; }
  });
}

if (!forceCodeServer && onPath('code')) {
  run(npm, ['run', 'build']);
  const child = spawn('code', [`--extensionDevelopmentPath=${repoRoot}`, workspace], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  ensureTools({ needChromium: false }); // scripts/setup-tools.sh when something is missing
  run(npm, ['run', 'package']); // runs `npm run build -- --production` first

  const dirs = await makeIsolatedDirs(path.join(repoRoot, '.tools', 'start-profile'));
  // Workspace trust is left at its default (on): the folder opens in Restricted Mode until you trust it.
  await writeUserSettings(dirs, { ...cleanUserSettings });
  installExtension(dirs, path.join(repoRoot, 'out', 'agent-connections.vsix'));

  const port = await freePort(Number(portArg?.split('=')[1] ?? process.env.PORT ?? 8080));
  const server = await startCodeServer(dirs, {
    port,
    folder: workspace,
    outputFile: path.join(dirs.base, 'code-server.out.log'),
  });
  const url = workbenchUrl(server.origin, workspace);
  console.log('\n==============================================================');
  console.log(`Open ${url}`);
  console.log('(code-server, no password, bound to 127.0.0.1 only; forward the port to reach it from elsewhere)');
  console.log(`Log: ${path.relative(repoRoot, server.outputFile)}.  Ctrl-C stops it.`);
  console.log('==============================================================\n');

  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nstart: ${sig}, stopping code-server (pid ${server.pid})`);
    await server.stop();
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
  const exited = await server.exitPromise;
  if (!stopping) {
    console.error(`start: code-server exited (${JSON.stringify(exited)}); see ${server.outputFile}`);
    await server.stop();
    process.exit(1);
  }
}
