/**
 * Figures of the hostile-input suite (counts, worst times, memory, trap bytes, canary hits), collected by the
 * tests themselves and written to test-results/security/<tier>.json; scripts/render-security-tests.mjs turns
 * them into docs/SECURITY-TESTS.md. Shared by the unit tier and the extension-host tier.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root, from the compiled file's folder (out/test/unit/hostile). */
export const repoRoot = path.resolve(__dirname, '../../../..');
export const hostileFixtures = path.join(repoRoot, 'test', 'fixtures', 'hostile');

/**
 * The canary key of the hostile suite: obviously fake, unique enough that a sweep finding it anywhere means it
 * leaked. The same value as test/integration/testing.test.ts uses, so one sweep covers both.
 */
export const CANARY = 'sk-test-CANARY-7f3a9c1e5b2d4086';

/** What a sweep looks for: this canary and the prefixes of every canary the other tests generate. */
export const CANARY_NEEDLES = [CANARY, 'sk-test-CANARY-', 'sk-ant-api03-CANARY-', 'AIzaSyCANARY', 'CANARYsecret/', 'CANARYtoken'];

export interface CategoryFigures {
  /** Cases tried. */
  cases: number;
  /** Cases that ended as expected (a test fails otherwise, so equal to `cases` in a green run). */
  passed: number;
  maxMs: number;
  maxMsCase?: string;
  /** Largest growth of the heap (or RSS, see `memoryMetric`) during one case, in MB. */
  maxMemoryMb?: number;
  maxMemoryCase?: string;
  memoryMetric?: 'heapUsed' | 'rss';
  notes?: string[];
  [extra: string]: unknown;
}

export interface Sweep {
  roots: string[];
  filesScanned: number;
  bytesScanned: number;
  hits: string[];
}

const figures: { tier: string; categories: Record<string, CategoryFigures>; trap: Record<string, { bytes: number; connections: number }>; sweep?: Sweep; cases: Record<string, unknown[]> } = {
  tier: '',
  categories: {},
  trap: {},
  cases: {},
};

export function category(name: string): CategoryFigures {
  return (figures.categories[name] ??= { cases: 0, passed: 0, maxMs: 0 });
}

/** Records one case of a category: its time, memory growth and whether it ended as expected. */
export function recordCase(name: string, label: string, ms: number, ok: boolean, memoryMb?: number, detail?: Record<string, unknown>): void {
  const c = category(name);
  c.cases++;
  if (ok) c.passed++;
  if (ms > c.maxMs) {
    c.maxMs = Math.round(ms * 10) / 10;
    c.maxMsCase = label;
  }
  if (memoryMb !== undefined && (c.maxMemoryMb === undefined || memoryMb > c.maxMemoryMb)) {
    c.maxMemoryMb = Math.round(memoryMb * 10) / 10;
    c.maxMemoryCase = label;
  }
  (figures.cases[name] ??= []).push({ case: label, ms: Math.round(ms * 10) / 10, ok, ...(memoryMb !== undefined ? { memoryMb: Math.round(memoryMb * 10) / 10 } : {}), ...detail });
}

export function recordTrap(where: string, trap: { bytesReceived: number; connections: number }): void {
  const t = (figures.trap[where] ??= { bytes: 0, connections: 0 });
  t.bytes += trap.bytesReceived;
  t.connections += trap.connections;
}

/** Every file under the roots whose bytes contain one of the needles (raw, URL-encoded or JSON-escaped). */
export function sweep(roots: string[], needles: string[], skip: (p: string) => boolean = () => false, sinceMs = 0): Sweep {
  const forms = [...new Set(needles.flatMap((n) => [n, encodeURIComponent(n), JSON.stringify(n).slice(1, -1), Buffer.from(n).toString('base64')]))].map((f) => Buffer.from(f));
  const result: Sweep = { roots, filesScanned: 0, bytesScanned: 0, hits: [] };
  const walk = (p: string, depth: number): void => {
    if (skip(p) || depth > 40) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(p);
      } catch {
        return;
      }
      for (const n of names) walk(path.join(p, n), depth + 1);
    } else if (st.isFile() && st.size < 64 * 1024 * 1024 && st.mtimeMs >= sinceMs) {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(p);
      } catch {
        return;
      }
      result.filesScanned++;
      result.bytesScanned += bytes.length;
      if (forms.some((f) => bytes.includes(f))) result.hits.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return result;
}

export function recordSweep(s: Sweep): void {
  figures.sweep = s;
}

/** Writes test-results/security/<tier>.json (git-ignored) with the machine and the date. */
export function writeReport(tier: string): string {
  figures.tier = tier;
  const dir = path.join(repoRoot, 'test-results', 'security');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${tier}.json`);
  const cpus = os.cpus();
  const out = {
    ...figures,
    date: new Date().toISOString(),
    machine: { platform: `${os.platform()} ${os.release()}`, arch: os.arch(), cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version },
  };
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  return file;
}

/** MB between two memory readings. */
export function mb(before: number, after: number): number {
  return Math.max(0, (after - before) / (1024 * 1024));
}
