import * as fs from 'fs';
import * as path from 'path';

/** The repository root, from the compiled test's folder (out/test/unit). */
export const repoRoot = path.resolve(__dirname, '../../..');

export function fixture(...parts: string[]): string {
  return fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', ...parts), 'utf8');
}

export function example(...parts: string[]): string {
  return fs.readFileSync(path.join(repoRoot, 'examples', 'workspace', ...parts), 'utf8');
}

/**
 * Milliseconds of CPU this process spent in `run` (user + system). Bounds on time use this
 * rather than the wall clock, so other jobs on a loaded machine do not make them fail.
 */
export function cpuMs(run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
