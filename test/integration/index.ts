// Runs inside the VS Code extension host (see scripts/vscode-test.mjs): the
// workbench loads this file as `extensionTestsPath` and calls run(); its
// settling becomes the test run's exit code.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

const SUITES: Record<string, string> = { trusted: '.test.js', restricted: '.restricted.js', bench: '.bench.js' };

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    // Restricted-Mode tests run in their own pass (scripts/vscode-test.mjs integration --restricted),
    // and the activation figures in theirs (--bench, from bench/activation.mjs).
    .filter((file) => file.endsWith(SUITES[process.env.AC_INTEGRATION_SUITE ?? 'trusted'] ?? '.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
}
