import * as assert from 'assert';
import { analyzeAgents } from '../../src/core/agents/agents';
import { clearAgentConnection, setAgentConnection, type AgentTarget } from '../../src/core/agents/agentsEdit';
import { explainAssignment, orphanedByClearing, resolveAssignments, usersOf, type KeyState, type ResolveOptions } from '../../src/core/agents/assignments';
import { applyEdits, EditError, type TextEdit } from '../../src/core/manifest/edit';
import { analyzeManifest, type ModelInfo } from '../../src/core/manifest/manifest';
import { example, fixture } from './helpers';

const models: ModelInfo[] = analyzeManifest(example('agent-connections.yaml')).models;

/** `manifest: null` resolves without a manifest. */
function resolve(text: string, options?: ResolveOptions, manifest: ModelInfo[] | null = models) {
  const analysis = analyzeAgents(text);
  const resolution = resolveAssignments(text, analysis, manifest ?? undefined, options);
  const find = (name: string, kind = 'agent') => resolution.assignments.find((a) => a.name === name && a.kind === kind)!;
  return { analysis, ...resolution, find, codes: resolution.problems.map((p) => p.code), fileCodes: analysis.problems.map((p) => p.code) };
}

/** The text a problem points at. */
const at = (text: string, p: { start: number; end: number }) => text.slice(p.start, p.end);

describe('assignments: resolution', () => {
  it('resolves the example: own connections, inherited from the supervisor, no problems', () => {
    const text = example('agents', 'support.agents.yaml');
    const r = resolve(text);
    assert.deepStrictEqual(r.fileCodes, []);
    assert.deepStrictEqual(r.problems, []);
    const refunds = r.find('refunds');
    assert.strictEqual(refunds.supervisor, 'triage');
    assert.deepStrictEqual(
      { reference: refunds.effective?.reference, from: refunds.effective?.inheritedFrom, status: refunds.effective?.status },
      { reference: 'gpt-4o/prod-key-1', from: 'triage', status: 'ok' },
    );
    const billing = r.find('billing');
    assert.strictEqual(billing.effective?.reference, 'claude-bedrock/us-east');
    assert.strictEqual(billing.effective?.inheritedFrom, undefined, 'its own connection overrides the supervisor’s');
    assert.strictEqual(r.find('classifier').supervisor, undefined);
    assert.strictEqual(r.find('classifier').effective?.reference, 'llama-groq/groq');
    assert.deepStrictEqual(r.find('triage', 'supervisor').children, ['billing', 'refunds', 'research']);
  });

  it('the example names no connection in a description: it would go stale when one is assigned (docs/images/agents.png once showed one)', () => {
    const text = example('agents', 'support.agents.yaml');
    const references = models.flatMap((m) => m.connections.map((c) => `${m.name}/${c.name}`));
    const analysis = analyzeAgents(text);
    for (const d of [...analysis.supervisors, ...analysis.agents]) {
      assert.deepStrictEqual(references.filter((r) => d.description?.includes(r)), [], `${d.name}: ${d.description ?? ''}`);
    }
  });

  it('inherits through nested supervisors, nearest connection first', () => {
    const text = 'supervisors:\n  - name: head\n    connection: claude/team-key\n    agents: [desk]\n  - name: desk\n    agents: [a, b]\n  - name: mid\n    connection: gpt-4o/prod-key-2\n    agents: [c]\nagents:\n  - name: a\n  - name: b\n    connection: gpt-4o/prod-key-1\n  - name: c\n';
    const r = resolve(text);
    assert.deepStrictEqual(r.fileCodes, []);
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual([r.find('a').effective?.reference, r.find('a').effective?.inheritedFrom, r.find('a').chain], ['claude/team-key', 'head', ['desk', 'head']]);
    assert.deepStrictEqual([r.find('b').effective?.reference, r.find('b').effective?.inheritedFrom], ['gpt-4o/prod-key-1', undefined]);
    assert.deepStrictEqual([r.find('c').effective?.reference, r.find('c').effective?.inheritedFrom], ['gpt-4o/prod-key-2', 'mid']);
    assert.strictEqual(r.find('desk', 'supervisor').effective?.inheritedFrom, 'head');
  });

  it('an agent with no effective connection is a warning on its name', () => {
    const text = 'supervisors:\n  - name: s\n    agents: [a]\nagents:\n  - name: a\n  - name: b\n  - name: c\n    connection: gpt-4o/prod-key-1\n';
    const r = resolve(text);
    assert.deepStrictEqual(r.problems.map((p) => [p.code, p.severity, at(text, p)]), [['no-connection', 'warning', 'a'], ['no-connection', 'warning', 'b']]);
    assert.match(r.problems[0].message, /neither it nor supervisor `s` sets `connection:`/);
    assert.match(r.problems[1].message, /no supervisor lists it/);
    assert.deepStrictEqual(r.problems[0].range, { start: { line: 4, character: 10 }, end: { line: 4, character: 11 } });
    assert.strictEqual(r.find('a').effective, undefined);
  });

  it('an agent under two supervisors is an error at the second listing; the first supervisor wins', () => {
    const text = 'supervisors:\n  - name: one\n    connection: gpt-4o/prod-key-1\n    agents: [a]\n  - name: two\n    connection: claude/team-key\n    agents: [b, a]\nagents:\n  - name: a\n  - name: b\n';
    const r = resolve(text);
    const p = r.analysis.problems.find((x) => x.code === 'several-supervisors')!;
    assert.ok(p, r.fileCodes.join());
    assert.strictEqual(p.severity, 'error');
    assert.strictEqual(p.start, text.indexOf('a]', text.indexOf('[b, a]')));
    assert.strictEqual(at(text, p), 'a');
    assert.match(p.message, /already under supervisor `one` \(line 2\)/);
    assert.strictEqual(r.find('a').effective?.inheritedFrom, 'one');
    assert.deepStrictEqual(r.problems, []);
  });

  it('a supervisor naming an unknown agent is an error with did-you-mean', () => {
    const text = 'supervisors:\n  - name: s\n    connection: gpt-4o/prod-key-1\n    agents:\n      - refund\n      - zzz\nagents:\n  - name: refunds\n';
    const r = resolve(text);
    const unknown = r.analysis.problems.filter((x) => x.code === 'unknown-agent');
    assert.deepStrictEqual(unknown.map((x) => at(text, x)), ['refund', 'zzz']);
    assert.match(unknown[0].message, /Did you mean `refunds`\?/);
    assert.doesNotMatch(unknown[1].message, /Did you mean/);
    assert.strictEqual(r.find('refunds').effective?.reference, undefined, 'refunds is not under s');
  });

  it('duplicate names: two agents, and an agent and a supervisor sharing a name', () => {
    const text = 'supervisors:\n  - name: x\n    agents: [a]\nagents:\n  - name: a\n    connection: gpt-4o/prod-key-1\n  - name: a\n  - name: x\n    connection: gpt-4o/prod-key-1\n';
    const r = resolve(text);
    const dups = r.analysis.problems.filter((p) => p.code === 'duplicate-name');
    assert.deepStrictEqual(dups.map((p) => [p.severity, p.range.start.line]), [['error', 6], ['error', 7]]);
    assert.match(dups[0].message, /Another agent is already named `a` \(line 5\)/);
    assert.match(dups[1].message, /A supervisor is already named `x` \(line 2\); agents and supervisors share names/);
  });

  it('supervisors listing each other are a cycle error (once per cycle); agents under it get nothing', () => {
    const text = 'supervisors:\n  - name: a\n    agents: [b, x]\n  - name: b\n    agents: [a]\n  - name: self\n    connection: gpt-4o/prod-key-1\n    agents: [self]\nagents:\n  - name: x\n';
    const r = resolve(text);
    const cycles = r.analysis.problems.filter((p) => p.code === 'supervisor-cycle');
    assert.strictEqual(cycles.length, 2, cycles.map((c) => c.message).join('\n'));
    assert.match(cycles[0].message, /`a` → `b` → `a`/);
    assert.strictEqual(cycles[0].start, text.indexOf('[a]') + 1);
    assert.match(cycles[1].message, /`self` → `self`/);
    // Both are also under two supervisors? No: b is listed once, a once (by b).
    assert.ok(!r.fileCodes.includes('several-supervisors'));
    assert.strictEqual(r.find('x').inCycle, true);
    const warning = r.problems.find((p) => p.code === 'no-connection')!;
    assert.match(warning.message, /cycle/);
    assert.strictEqual(r.find('self', 'supervisor').effective?.reference, 'gpt-4o/prod-key-1');
  });
});

describe('assignments: hostile nesting', () => {
  const chain = (n: number, closeCycle: boolean) => {
    const lines = ['supervisors:'];
    for (let i = 0; i < n; i++) {
      lines.push(`  - name: s${i}`);
      if (i === 0 && !closeCycle) lines.push('    connection: gpt-4o/prod-key-1');
      lines.push(`    agents: [${i < n - 1 ? `s${i + 1}` : closeCycle ? 's0, a' : 'a'}]`);
    }
    lines.push('agents:', '  - name: a', '');
    return lines.join('\n');
  };

  it('stays linear on thousands of nested supervisors', () => {
    const t0 = Date.now();
    const r = resolve(chain(4000, false));
    assert.deepStrictEqual(r.fileCodes, []);
    assert.deepStrictEqual([r.find('a').effective?.reference, r.find('a').effective?.inheritedFrom, r.find('a').chain.length], ['gpt-4o/prod-key-1', 's0', 32]);
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  });

  it('reports a long cycle once, with a short message, and does not overflow the stack', () => {
    const r = resolve(chain(4000, true));
    const cycles = r.analysis.problems.filter((p) => p.code === 'supervisor-cycle');
    assert.strictEqual(cycles.length, 1);
    assert.ok(cycles[0].message.length < 400, cycles[0].message);
    assert.strictEqual(r.find('a').inCycle, true);
    assert.deepStrictEqual(r.codes, ['no-connection']);
  });
});

describe('assignments: references against the manifest', () => {
  it('an unknown model is an error on the model part, with did-you-mean (the full reference when it exists)', () => {
    const text = 'agents:\n  - name: a\n    connection: gpt4o/prod-key-1\n  - name: b\n    connection: "nothing/like-it"\n';
    const r = resolve(text);
    assert.deepStrictEqual(r.problems.map((p) => [p.code, p.severity, at(text, p)]), [['unknown-model', 'error', 'gpt4o'], ['unknown-model', 'error', 'nothing']]);
    assert.match(r.problems[0].message, /no model named `gpt4o`\. Did you mean `gpt-4o\/prod-key-1`\?/);
    assert.doesNotMatch(r.problems[1].message, /Did you mean/);
    assert.strictEqual(r.find('a').effective?.status, 'unknown-model');
  });

  it('an unknown connection is an error on the connection part, listing the model’s connections', () => {
    const text = "supervisors:\n  - name: s\n    connection: 'gpt-4o/prod-key-3'\n    agents: [a]\nagents:\n  - name: a\n";
    const r = resolve(text);
    assert.deepStrictEqual(r.problems.map((p) => [p.code, at(text, p)]), [['unknown-connection', 'prod-key-3']]);
    assert.match(r.problems[0].message, /Model `gpt-4o` has no connection named `prod-key-3` \(its connections are `prod-key-1`, `prod-key-2`, `staging`\)\. Did you mean `gpt-4o\/prod-key-1`\?/);
    assert.strictEqual(r.find('a').effective?.status, 'unknown-connection', 'the agent inherits the broken reference; it is reported once, where it is written');
  });

  it('a reference to a disabled connection is a warning on the whole reference', () => {
    const text = 'supervisors:\n  - name: s\n    connection: gpt-4o/staging   # disabled\n    agents: [a]\nagents:\n  - name: a\n';
    const r = resolve(text);
    assert.deepStrictEqual(r.problems.map((p) => [p.code, p.severity, at(text, p)]), [['connection-disabled', 'warning', 'gpt-4o/staging']]);
    assert.strictEqual(r.find('a').effective?.status, 'disabled');
  });

  it('a connection without a key on this machine is information, only when a key lookup is given', () => {
    const text = 'agents:\n  - name: a\n    connection: gpt-4o/prod-key-1\n  - name: b\n    connection: claude/team-key\n  - name: c\n    connection: llama-groq/local-ollama\n';
    const keys: Record<string, KeyState> = { 'gpt-4o/prod-key-1': 'missing', 'claude/team-key': 'present', 'llama-groq/local-ollama': 'not-needed' };
    const r = resolve(text, { keyStatus: (m, c) => keys[`${m}/${c}`] });
    assert.deepStrictEqual(r.problems.filter((p) => p.code === 'no-key').map((p) => [p.severity, at(text, p)]), [['information', 'gpt-4o/prod-key-1']]);
    assert.deepStrictEqual(['a', 'b', 'c'].map((n) => r.find(n).effective?.key), ['missing', 'present', 'not-needed']);
    assert.deepStrictEqual(resolve(text).problems.filter((p) => p.code === 'no-key'), [], 'no lookup (CI): no key information');
  });

  it('without a manifest, references are unchecked and only agents without a connection are reported', () => {
    const text = 'agents:\n  - name: a\n    connection: nope/nothing\n  - name: b\n';
    const r = resolve(text, {}, null);
    assert.deepStrictEqual(r.codes, ['no-connection']);
    assert.strictEqual(r.find('a').effective?.status, 'unchecked');
  });

  it('a malformed reference is left to the file’s own analysis', () => {
    const text = 'agents:\n  - name: a\n    connection: just-a-model\n';
    const r = resolve(text);
    assert.deepStrictEqual(r.fileCodes, ['reference-syntax']);
    assert.deepStrictEqual(r.codes, []);
    assert.strictEqual(r.find('a').effective?.status, 'invalid');
  });

  it('usersOf and orphanedByClearing: who uses a connection, who would be left without one', () => {
    const text = example('agents', 'support.agents.yaml');
    const r = resolve(text);
    assert.deepStrictEqual(usersOf(r.assignments, 'gpt-4o', 'prod-key-1').map((a) => `${a.kind} ${a.name}`), ['supervisor triage', 'agent refunds']);
    assert.deepStrictEqual(usersOf(r.assignments, 'gpt-4o', 'prod-key-2'), []);
    assert.deepStrictEqual(orphanedByClearing(r.assignments, { kind: 'supervisor', name: 'triage' }).map((a) => a.name), ['refunds']);
    assert.deepStrictEqual(orphanedByClearing(r.assignments, { kind: 'agent', name: 'billing' }), [], 'billing falls back to triage’s');
    assert.deepStrictEqual(orphanedByClearing(r.assignments, { kind: 'agent', name: 'classifier' }).map((a) => a.name), ['classifier']);
    assert.deepStrictEqual(orphanedByClearing(r.assignments, { kind: 'agent', name: 'refunds' }), [], 'nothing to clear');
  });
});

// ---------------------------------------------------------------------------------------

/** [golden name, input fixture, edit, expected connection afterwards (undefined: none)]. */
const cases: Array<[string, string, (text: string) => TextEdit[], AgentTarget, string | undefined]> = [
  ['assign-agent-existing', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'billing' }, 'gpt-4o/prod-key-2'), { kind: 'agent', name: 'billing' }, 'gpt-4o/prod-key-2'],
  ['assign-agent-after-block-description', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'refunds' }, 'claude/batch-key'), { kind: 'agent', name: 'refunds' }, 'claude/batch-key'],
  ['assign-agent-name-only', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'vip' }, 'gpt-4o/prod-key-1'), { kind: 'agent', name: 'vip' }, 'gpt-4o/prod-key-1'],
  ['assign-agent-quoted', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'vip' }, 'gpt-4o/key #2'), { kind: 'agent', name: 'vip' }, 'gpt-4o/key #2'],
  ['assign-supervisor-missing', 'base', (t) => setAgentConnection(t, { kind: 'supervisor', name: 'escalations' }, 'claude/team-key'), { kind: 'supervisor', name: 'escalations' }, 'claude/team-key'],
  ['assign-supervisor-existing', 'base', (t) => setAgentConnection(t, { kind: 'supervisor', name: 'triage' }, 'claude/team-key'), { kind: 'supervisor', name: 'triage' }, 'claude/team-key'],
  ['assign-flow-agent', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'flow-agent' }, 'gemini-pro/research'), { kind: 'agent', name: 'flow-agent' }, 'gemini-pro/research'],
  ['assign-flow-existing', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'flow-with' }, 'gpt-4o/staging'), { kind: 'agent', name: 'flow-with' }, 'gpt-4o/staging'],
  ['assign-dash-first', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'dash-first' }, 'gpt-4o/prod-key-1'), { kind: 'agent', name: 'dash-first' }, 'gpt-4o/prod-key-1'],
  ['assign-empty-value', 'base', (t) => setAgentConnection(t, { kind: 'agent', name: 'empty-value' }, 'llama-groq/groq'), { kind: 'agent', name: 'empty-value' }, 'llama-groq/groq'],
  ['clear-agent', 'base', (t) => clearAgentConnection(t, { kind: 'agent', name: 'billing' }), { kind: 'agent', name: 'billing' }, undefined],
  ['clear-supervisor', 'base', (t) => clearAgentConnection(t, { kind: 'supervisor', name: 'triage' }), { kind: 'supervisor', name: 'triage' }, undefined],
  ['clear-flow-agent', 'base', (t) => clearAgentConnection(t, { kind: 'agent', name: 'flow-with' }), { kind: 'agent', name: 'flow-with' }, undefined],
  ['clear-dash-first', 'base', (t) => clearAgentConnection(t, { kind: 'agent', name: 'dash-first' }), { kind: 'agent', name: 'dash-first' }, undefined],
  ['clear-empty-value', 'base', (t) => clearAgentConnection(t, { kind: 'agent', name: 'empty-value' }), { kind: 'agent', name: 'empty-value' }, undefined],
  ['assign-indent4-agent', 'indent4', (t) => setAgentConnection(t, { kind: 'agent', name: 'worker' }, 'gpt-4o/prod-key-1'), { kind: 'agent', name: 'worker' }, 'gpt-4o/prod-key-1'],
  ['assign-indent4-supervisor', 'indent4', (t) => setAgentConnection(t, { kind: 'supervisor', name: 'lead' }, 'claude/team-key'), { kind: 'supervisor', name: 'lead' }, 'claude/team-key'],
];

const toCrlf = (s: string) => s.replace(/\n/g, '\r\n');
const input = (name: string) => fixture('agents', `${name}.input.yaml`);

function throwsEdit(fn: () => unknown, code: EditError['code'], message?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof EditError && e.code === code && (!message || message.test(e.message)));
}

describe('agentsEdit: assign and clear as minimal text edits (golden files)', () => {
  for (const [name, file, run] of cases) {
    it(`${name} (LF)`, () => {
      const text = input(file);
      assert.strictEqual(applyEdits(text, run(text)), fixture('agents', `${name}.expected.yaml`));
    });
    it(`${name} (CRLF + BOM)`, () => {
      const crlf = '\ufeff' + toCrlf(input(file));
      assert.strictEqual(applyEdits(crlf, run(crlf)), '\ufeff' + toCrlf(fixture('agents', `${name}.expected.yaml`)));
    });
  }

  it('every golden output reads back with exactly the intended connection and no new file problem', () => {
    for (const [name, file, run, target, expected] of cases) {
      const text = input(file);
      const out = applyEdits(text, run(text));
      const a = analyzeAgents(out);
      assert.ok(a.syntaxOk, name);
      const list = target.kind === 'agent' ? a.agents : a.supervisors;
      assert.strictEqual(list.find((x) => x.name === target.name)!.connection, expected, name);
      const before = analyzeAgents(text).problems.map((p) => p.code);
      assert.ok(a.problems.every((p) => before.includes(p.code)), `${name}: ${a.problems.map((p) => p.message).join('; ')}`);
      assert.ok(out.split('\n').length - text.split('\n').length <= 1, `${name}: at most one line added`);
    }
  });

  it('writes at the end of a file without a final newline, keeping it that way', () => {
    const t = 'agents:\n  - name: a';
    assert.strictEqual(applyEdits(t, setAgentConnection(t, { kind: 'agent', name: 'a' }, 'gpt-4o/prod-key-1')), 'agents:\n  - name: a\n    connection: gpt-4o/prod-key-1');
    const u = 'agents:\n  - name: a\n    connection: gpt-4o/prod-key-1';
    assert.strictEqual(applyEdits(u, clearAgentConnection(u, { kind: 'agent', name: 'a' })), 'agents:\n  - name: a\n');
  });

  it('returns no edit when nothing changes', () => {
    const t = input('base');
    assert.deepStrictEqual(setAgentConnection(t, { kind: 'agent', name: 'billing' }, 'claude/team-key'), []);
    assert.deepStrictEqual(clearAgentConnection(t, { kind: 'agent', name: 'vip' }), []);
  });

  it('refuses files with YAML errors, unknown or ambiguous targets and malformed references', () => {
    throwsEdit(() => setAgentConnection('agents:\n  - name: a\n    connection: [x\n', { kind: 'agent', name: 'a' }, 'gpt-4o/prod-key-1'), 'syntax', /YAML errors/);
    throwsEdit(() => clearAgentConnection('agents:\n  - name: a\n  - name: a\n  connection: x/y\n', { kind: 'agent', name: 'a' }), 'syntax');
    throwsEdit(() => setAgentConnection(input('base'), { kind: 'agent', name: 'nobody' }, 'gpt-4o/prod-key-1'), 'not-found');
    throwsEdit(() => setAgentConnection(input('base'), { kind: 'supervisor', name: 'billing' }, 'gpt-4o/prod-key-1'), 'not-found', /No supervisor named `billing`/);
    throwsEdit(() => setAgentConnection('agents:\n  - name: a\n  - name: a\n', { kind: 'agent', name: 'a' }, 'gpt-4o/prod-key-1'), 'shape', /Several agents/);
    throwsEdit(() => setAgentConnection(input('base'), { kind: 'agent', name: 'vip' }, 'gpt-4o'), 'shape', /not a connection reference/);
    throwsEdit(() => setAgentConnection(input('base'), { kind: 'agent', name: 'vip' }, 'a/b/c'), 'shape');
    throwsEdit(() => setAgentConnection('agents:\n  - name: a\n    connection: {x: 1}\n', { kind: 'agent', name: 'a' }, 'gpt-4o/prod-key-1'), 'shape', /not a single value/);
  });

  it('writes a reference with line breaks or invisible characters as an escaped string that reads back exactly', () => {
    const t = input('base');
    const ref = 'gpt-4o/odd\u202ename';
    const out = applyEdits(t, setAgentConnection(t, { kind: 'agent', name: 'vip' }, ref));
    assert.ok(out.includes('connection: "gpt-4o/odd\\u202ename"'), out);
    assert.strictEqual(analyzeAgents(out).agents.find((a) => a.name === 'vip')!.connection, ref);
  });
});

describe('assignments: explain', () => {
  it('explains the chain in one line', () => {
    const text = example('agents', 'support.agents.yaml') + '  - name: lonely\n';
    const keys: Record<string, KeyState> = { 'gpt-4o/prod-key-1': 'present', 'claude-bedrock/us-east': 'missing' };
    const r = resolve(text, { keyStatus: (m, c) => keys[`${m}/${c}`] });
    assert.strictEqual(explainAssignment(r.find('refunds'), 'ok 412 ms'), 'gpt-4o/prod-key-1 · inherited from triage · enabled · key present · last test ok 412 ms');
    assert.strictEqual(explainAssignment(r.find('billing')), 'claude-bedrock/us-east · assigned here · enabled · key missing · not tested');
    assert.strictEqual(explainAssignment(r.find('lonely')), 'no connection');
    const bad = resolve('agents:\n  - name: a\n    connection: gpt-4o/nope\n');
    assert.strictEqual(explainAssignment(bad.find('a'), 'ok 1 ms'), 'gpt-4o/nope · assigned here · unknown connection');
  });
});
