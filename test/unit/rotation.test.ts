/** Key hygiene marks (core/secrets/rotation): older than keyMaxAgeDays, refused twice in a row since stored. */
import * as assert from 'assert';
import { authFailuresInARow, keyMarks } from '../../src/core/secrets/rotation';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const h = (at: string, outcome: string) => ({ at, outcome });

describe('key rotation marks', () => {
  it('marks a key older than keyMaxAgeDays, with its age; off when unset, 0 or not a number', () => {
    assert.deepStrictEqual(keyMarks({ storedAt: daysAgo(120), maxAgeDays: 90, now: NOW }), { olderThanLimit: { ageDays: 120, maxAgeDays: 90 } });
    assert.deepStrictEqual(keyMarks({ storedAt: daysAgo(89), maxAgeDays: 90, now: NOW }), {});
    for (const maxAgeDays of [undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) assert.deepStrictEqual(keyMarks({ storedAt: daysAgo(400), maxAgeDays, now: NOW }), {}, String(maxAgeDays));
  });

  it('a key stored before the date was recorded (unknown age) is never marked old', () => {
    for (const storedAt of [null, undefined, 'not a date']) assert.deepStrictEqual(keyMarks({ storedAt, maxAgeDays: 1, now: NOW }), {});
  });

  it('auth_failed twice in a row marks the key; one, or an ok in between, does not', () => {
    const stored = daysAgo(10);
    assert.deepStrictEqual(keyMarks({ storedAt: stored, history: [h(daysAgo(2), 'auth_failed'), h(daysAgo(1), 'auth_failed')], now: NOW }), { authFailedInARow: 2 });
    assert.deepStrictEqual(keyMarks({ storedAt: stored, history: [h(daysAgo(3), 'auth_failed'), h(daysAgo(2), 'ok'), h(daysAgo(1), 'auth_failed')], now: NOW }), {});
    assert.deepStrictEqual(keyMarks({ storedAt: stored, history: [h(daysAgo(2), 'auth_failed'), h(daysAgo(1), 'timeout')], now: NOW }), {});
    assert.strictEqual(authFailuresInARow([h(daysAgo(3), 'auth_failed'), h(daysAgo(2), 'auth_failed'), h(daysAgo(1), 'auth_failed')]), 3);
  });

  it('replacing the key resets the count: failures before storedAt do not count', () => {
    const history = [h(daysAgo(5), 'auth_failed'), h(daysAgo(4), 'auth_failed'), h(daysAgo(1), 'auth_failed')];
    assert.deepStrictEqual(keyMarks({ storedAt: daysAgo(3), history, now: NOW }), {});
    assert.deepStrictEqual(keyMarks({ storedAt: null, history, now: NOW }), { authFailedInARow: 3 }, 'unknown storedAt: the whole history counts');
  });

  it('both marks at once', () => {
    assert.deepStrictEqual(keyMarks({ storedAt: daysAgo(200), maxAgeDays: 30, history: [h(daysAgo(2), 'auth_failed'), h(daysAgo(1), 'auth_failed')], now: NOW }), { olderThanLimit: { ageDays: 200, maxAgeDays: 30 }, authFailedInARow: 2 });
  });
});
