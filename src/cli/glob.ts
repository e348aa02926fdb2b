/**
 * Finds files by glob without a dependency (Node 20 has no fs.glob): `**` (any number of
 * folders), `*` and `?` (within one path segment), `{a,b}` alternatives and `[abc]`
 * classes. Patterns are relative to a root folder, `/`-separated. `node_modules` and
 * `.git` are never entered; symbolic links to folders are not followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git']);
/** A bound on the walk, so a glob over a huge tree ends. */
const MAX_ENTRIES = 200_000;

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** The regular expression of a glob, matched against `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  const g = glob.replace(/^\.\//, '');
  while (i < g.length) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atStart = i === 0 || g[i - 1] === '/';
        const atEnd = i + 2 === g.length || g[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` matches zero or more folders; a trailing `**` matches everything below.
          if (i + 2 === g.length) re += '.*';
          else re += '(?:[^/]*/)*';
          i += i + 2 === g.length ? 2 : 3;
          continue;
        }
        re += '[^/]*';
        i += 2;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close === -1) re += '\\[';
      else {
        let body = g.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
        i = close + 1;
        continue;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) {
      re += '|';
    } else {
      re += escapeRe(c);
    }
    i++;
  }
  if (braces > 0) throw new Error(`Unbalanced { in ${JSON.stringify(glob)}.`);
  return new RegExp(`^${re}$`);
}

/** The folders before the first wildcard: the walk starts there. */
function staticPrefix(glob: string): string {
  const parts = glob.replace(/^\.\//, '').split('/');
  const fixed: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (/[*?[{]/.test(p)) break;
    fixed.push(p);
  }
  return fixed.join('/');
}

/** Absolute paths of the files under `root` matching `glob`, sorted. */
export function findFiles(root: string, glob: string): string[] {
  let base = root;
  let pattern = glob;
  if (path.isAbsolute(glob)) {
    base = path.parse(glob).root;
    pattern = path.relative(base, glob).split(path.sep).join('/');
  }
  pattern = pattern.split(path.sep).join('/');
  const re = globToRegExp(pattern);
  const start = staticPrefix(pattern);
  const out: string[] = [];
  let seen = 0;
  const stack: string[] = [start];
  while (stack.length > 0 && seen < MAX_ENTRIES) {
    const rel = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(base, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(childRel);
      } else if ((e.isFile() || (e.isSymbolicLink() && isFileLink(path.join(base, childRel)))) && re.test(childRel)) {
        out.push(path.join(base, childRel));
      }
    }
  }
  return out.sort();
}

function isFileLink(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where a file found under `root` really is, when that is outside `root`: a symbolic link (the
 * file's or a folder's on its path) out of the workspace. A cloned repository can hold
 * `team.agents.yaml -> ../../../.aws/credentials`; reading it would print parts of that file
 * (its keys' names) in CI logs. Undefined when the file is inside, or cannot be resolved.
 */
export function outsideRoot(root: string, file: string): string | undefined {
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(file);
    realRoot = fs.realpathSync(root);
  } catch {
    return undefined;
  }
  const rel = path.relative(realRoot, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? undefined : real;
}
