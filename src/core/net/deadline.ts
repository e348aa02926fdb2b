/**
 * Bounds work that does not go through the HTTP helper (an Entra ID token, an AWS
 * profile's keys) by a test's deadline and its AbortSignal. The work itself is not
 * stopped (a library call cannot be): what it yields after the bound is dropped.
 */

export type Bounded<T> = { ok: true; value: T } | { ok: false; outcome: 'timeout' | 'cancelled' };

const RECHECK_MS = 250;

/**
 * `work`'s value, or `timeout` at `endAt` (epoch ms) / `cancelled` when `signal` aborts,
 * whichever comes first. While `busy()` is true (an HTTP request of the work is in flight,
 * bounded by the same deadline and signal) the bound waits for that request's own outcome.
 */
export async function withinDeadline<T>(work: Promise<T>, endAt: number, signal?: AbortSignal, busy: () => boolean = () => false): Promise<Bounded<T>> {
  if (signal?.aborted) {
    work.catch(() => undefined);
    return { ok: false, outcome: 'cancelled' };
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const bound = new Promise<Bounded<T>>((resolve) => {
    const check = () => {
      if (busy()) timer = setTimeout(check, RECHECK_MS);
      else resolve({ ok: false, outcome: 'timeout' });
    };
    timer = setTimeout(check, Math.max(0, endAt - Date.now()));
    onAbort = () => {
      if (!busy()) resolve({ ok: false, outcome: 'cancelled' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value): Bounded<T> => ({ ok: true, value })), bound]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    // A late failure of dropped work is nobody's error.
    work.catch(() => undefined);
  }
}
