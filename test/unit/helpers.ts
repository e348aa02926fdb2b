import { spawn } from 'child_process';
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

/** What a child process printed and how it ended. */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node SCRIPT ARGS…` with exactly `env` (nothing of this process's environment) and collects its output. */
export function runNode(script: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
