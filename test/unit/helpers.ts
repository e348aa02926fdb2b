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
