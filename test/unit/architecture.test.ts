/**
 * The layout rules of docs/ARCHITECTURE.md, checked on the sources:
 * - no import cycle between modules of src/ (every relative `import`, `import type`,
 *   `export … from`, `import('…')` and `require('…')` counts, type-only ones too);
 * - the rooms: no .ts file directly in src/core/; directly in src/ only the bundle entry
 *   points below and at most MAX_OTHERS_AT_TOP other files; everything else in a folder;
 * - `yaml` stays out of dist/extension.js (activation loads it otherwise);
 * - the AWS SDK (`@aws-sdk/*`, AWS profiles) stays out of dist/extension.js and dist/cli.js.
 */
import * as assert from 'assert';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers';

const SRC = path.join(repoRoot, 'src');

/** Files allowed directly in src/ because esbuild starts a bundle there (named in esbuild.mjs). */
const ENTRY_POINTS = ['extension.ts', 'coreBundle.ts'];
/** Besides the entry points, at most this many files directly in src/ (today activationClock.ts and lazyCore.ts). */
const MAX_OTHERS_AT_TOP = 2;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\1/gm;

/** The relative imports of every .ts file under `root`: file → the files it imports (absolute paths). */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = [...text.matchAll(SPECIFIER)].map((m) => {
      const base = path.resolve(path.dirname(file), m[2]);
      const found = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      assert.ok(found, `${path.relative(repoRoot, file)} imports ${m[2]}, which is no file`);
      return found;
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every strongly connected component with more than one file (or a file importing itself), each as one cycle a → b → … → a. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size > 1 || (graph.get(v) ?? []).includes(v)) found.push(cycleThrough(v, component, graph));
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** A shortest path v → … → v inside one component (breadth first). */
function cycleThrough(v: string, component: Set<string>, graph: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [v];
  while (queue.length) {
    const u = queue.shift()!;
    for (const w of graph.get(u) ?? []) {
      if (!component.has(w)) continue;
      if (w === v) {
        const chain: string[] = [];
        for (let x: string | undefined = u; x !== undefined && x !== v; x = previous.get(x)) chain.unshift(x);
        return [v, ...chain, v];
      }
      if (!previous.has(w) && w !== v) {
        previous.set(w, u);
        queue.push(w);
      }
    }
  }
  return [v, v];
}

const show = (cycle: string[]): string => cycle.map((f) => path.relative(SRC, f)).join(' → ');

describe('architecture', () => {
  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]);
    assert.deepStrictEqual(cycles(g), [['a', 'b', 'c', 'a'], ['e', 'e']]);
    assert.deepStrictEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
  });

  it('src/ has no import cycle (type-only imports count)', () => {
    const graph = importGraph(SRC);
    assert.ok(graph.size > 50, `read ${graph.size} files`);
    const found = cycles(graph).map(show);
    assert.deepStrictEqual(found, [], `import cycles:\n  ${found.join('\n  ')}`);
  });

  it('every file of src/core/ sits in a folder by concern', () => {
    const loose = fs.readdirSync(path.join(SRC, 'core')).filter((f) => f.endsWith('.ts'));
    assert.deepStrictEqual(loose, [], `put these in a folder of src/core/: ${loose.join(', ')}`);
  });

  it(`src/ holds only its entry points and at most ${MAX_OTHERS_AT_TOP} other files at its top`, () => {
    const esbuildConfig = fs.readFileSync(path.join(repoRoot, 'esbuild.mjs'), 'utf8');
    for (const entry of ENTRY_POINTS) assert.ok(esbuildConfig.includes(`'src/${entry}'`), `${entry} is no entry point in esbuild.mjs`);
    const others = fs.readdirSync(SRC).filter((f) => f.endsWith('.ts') && !ENTRY_POINTS.includes(f));
    assert.ok(others.length <= MAX_OTHERS_AT_TOP, `directly in src/ besides ${ENTRY_POINTS.join(', ')}: ${others.join(', ')} (at most ${MAX_OTHERS_AT_TOP}; put the rest in a folder by concern)`);
  });

  it('dist/extension.js does not bundle yaml (dist/core.js does)', async function () {
    this.timeout(60_000);
    const inputs = async (entry: string): Promise<string[]> => {
      const result = await esbuild.build({
        entryPoints: [path.join(SRC, entry)], bundle: true, write: false, metafile: true, outdir: path.join(repoRoot, 'out', 'architecture-check'),
        format: 'cjs', platform: 'node', target: 'node20', mainFields: ['module', 'main'], external: ['vscode'], logLevel: 'silent', absWorkingDir: repoRoot,
      });
      return Object.keys(result.metafile.inputs);
    };
    const isYaml = (f: string): boolean => /(^|\/)node_modules\/yaml\//.test(f);
    assert.ok((await inputs('coreBundle.ts')).some(isYaml), 'the check must see yaml where it is bundled');
    const extension = await inputs('extension.ts');
    assert.deepStrictEqual(extension.filter(isYaml), [], `yaml reaches dist/extension.js; the core modules it bundles: ${extension.filter((f) => f.startsWith('src/core/')).join(', ')}`);
  });

  it('the AWS SDK and @azure/identity stay in their own bundles (dist/awsProfiles.js, dist/azureIdentity.js), out of activation, validate and tests with a key', async function () {
    this.timeout(60_000);
    // What esbuild.mjs leaves to run time: the CLI's command files, and the AWS profiles bundle.
    const lazy: esbuild.Plugin = {
      name: 'lazy',
      setup(build) {
        build.onResolve({ filter: /^\.\/(test|list|importExport|run)$/ }, (args) => (/[\\/]src[\\/]cli$/.test(args.resolveDir) ? { path: args.path, external: true } : undefined));
        build.onResolve({ filter: /(aws\/profileCredentials|identity\/entraToken)$/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
      },
    };
    const inputs = async (entry: string, plugins: esbuild.Plugin[] = []): Promise<string[]> => {
      const result = await esbuild.build({
        entryPoints: [path.join(SRC, entry)], bundle: true, write: false, metafile: true, outdir: path.join(repoRoot, 'out', 'architecture-check'), plugins,
        format: 'cjs', platform: 'node', target: 'node20', mainFields: ['module', 'main'], external: ['vscode'], logLevel: 'silent', absWorkingDir: repoRoot,
      });
      return Object.keys(result.metafile.inputs);
    };
    const isAwsSdk = (f: string): boolean => /(^|\/)node_modules\/@aws-sdk\//.test(f);
    const isIdentity = (f: string): boolean => /(^|\/)node_modules\/@azure\/(identity|msal-[a-z]+)\//.test(f);
    assert.ok((await inputs('core/aws/profileCredentials.ts')).some(isAwsSdk), 'the check must see the AWS SDK where it is bundled');
    assert.ok((await inputs('core/identity/entraToken.ts')).some(isIdentity), 'the check must see @azure/identity where it is bundled');
    for (const entry of ['extension.ts', 'cli/main.ts', 'testing/providerRuntime.ts', 'cli/test.ts', 'cli/run.ts', 'core/providers/bedrock.ts', 'core/chat/stream.ts']) {
      const found = (await inputs(entry, [lazy])).filter((f) => isAwsSdk(f) || isIdentity(f));
      assert.deepStrictEqual(found.slice(0, 3), [], `the AWS SDK or @azure/identity reaches the bundle of src/${entry}`);
    }
  });
});
