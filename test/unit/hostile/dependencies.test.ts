/**
 * SECURITY.md §6: "Keep `yaml` ≥ 2.8.3 and `ajv` ≥ 8.18.0" (earlier versions have advisories for hostile input), for
 * what package.json allows and for what is installed (the yaml library ships in dist/; ajv compiles the validators
 * at build time).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './report';

/** [major, minor, patch] of a version or of the lowest version a `^x.y.z` / `~x.y.z` / `x.y.z` range allows. */
function lowest(range: string): number[] {
  const m = /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  assert.ok(m, `a range this test does not read: ${range}`);
  return m.slice(1, 4).map(Number);
}

function atLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

describe('hostile input: parser and validator versions (§6)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const installed = (name: string) => (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

  for (const [name, min, where] of [['yaml', [2, 8, 3], 'dependencies'], ['ajv', [8, 18, 0], 'devDependencies']] as const) {
    it(`${name} ≥ ${min.join('.')}: the range in package.json and the installed version`, () => {
      const range = pkg[where][name];
      assert.ok(range, `${name} is not in ${where}`);
      assert.ok(atLeast(lowest(range), [...min]), `package.json allows ${name} ${range}`);
      assert.ok(atLeast(lowest(installed(name)), [...min]), `installed ${name} ${installed(name)}`);
    });
  }
});
