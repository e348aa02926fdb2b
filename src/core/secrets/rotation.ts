/**
 * Key hygiene marks of a stored key, from when it was stored and its test history:
 * older than `agentConnections.keyMaxAgeDays`, and refused (`auth_failed`) twice in a
 * row since it was stored. Plain data in, plain data out: the tree shows the marks.
 */

export interface KeyMarksInput {
  /** When the key was stored (ISO time or Date); null/undefined: unknown age, never marked old. */
  storedAt?: string | Date | null;
  /** The connection's test history, oldest first (`at` ISO time, `outcome`). */
  history?: ReadonlyArray<{ at: string; outcome: string }>;
  /** The setting; 0, negative, non-finite or undefined: off. */
  maxAgeDays?: number;
  now?: Date;
}

export interface KeyMarks {
  /** Whole days since the key was stored, when it is older than the limit. */
  olderThanLimit?: { ageDays: number; maxAgeDays: number };
  /** The key was refused twice (or more) in a row by tests since it was stored. */
  authFailedInARow?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The consecutive `auth_failed` results at the end of the history, counting only tests after the key was stored. */
export function authFailuresInARow(history: ReadonlyArray<{ at: string; outcome: string }>, storedAt?: Date): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (storedAt && Date.parse(h.at) < storedAt.getTime()) break;
    if (h.outcome !== 'auth_failed') break;
    n++;
  }
  return n;
}

export function keyMarks(input: KeyMarksInput): KeyMarks {
  const now = input.now ?? new Date();
  const stored = input.storedAt ? new Date(input.storedAt) : undefined;
  const storedAt = stored && !Number.isNaN(stored.getTime()) ? stored : undefined;
  const out: KeyMarks = {};
  const max = input.maxAgeDays;
  if (storedAt && max !== undefined && Number.isFinite(max) && max > 0) {
    const ageDays = Math.floor((now.getTime() - storedAt.getTime()) / DAY_MS);
    if (now.getTime() - storedAt.getTime() > max * DAY_MS) out.olderThanLimit = { ageDays, maxAgeDays: max };
  }
  const failures = authFailuresInARow(input.history ?? [], storedAt);
  if (failures >= 2) out.authFailedInARow = failures;
  return out;
}
