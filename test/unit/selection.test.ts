/**
 * core/runtime/selection: the one decision of which connection `run`, `env`, a terminal and
 * a debug launch use (the CLI and the extension word its outcome, see cliRun.test.ts and
 * test/integration/terminal.test.ts).
 */
import * as assert from 'assert';
import { analyzeAgents } from '../../src/core/agents/agents';
import { resolveAssignments } from '../../src/core/agents/assignments';
import { analyzeManifest, type ModelInfo } from '../../src/core/manifest/manifest';
import { assignmentConnection, selectAgent, selectReference, type AgentsSource } from '../../src/core/runtime/selection';
import { example } from './helpers';

const models: ModelInfo[] = analyzeManifest(example('agent-connections.yaml')).models;

/** `manifest: null`: no manifest to read. */
function source(file: string, text: string, manifest: readonly ModelInfo[] | null = models): AgentsSource<string> {
  return { file, assignments: resolveAssignments(text, analyzeAgents(text), manifest ?? undefined).assignments, models: manifest ?? undefined };
}

const SUPPORT = source('support.agents.yaml', example('agents', 'support.agents.yaml'));

/** The outcome without the model and connection objects (their names stay). */
function brief(out: object): Record<string, unknown> {
  const o = out as Record<string, unknown> & { model?: ModelInfo; connection?: { name: string }; assignment?: { name: string } };
  const { model, connection, assignment, ...rest } = o;
  return { ...rest, ...(model ? { model: model.name } : {}), ...(connection ? { connection: connection.name } : {}), ...(assignment ? { assignment: assignment.name } : {}) };
}

describe('runtime selection', () => {
  it('an agent with its own connection', () => {
    assert.deepStrictEqual(brief(selectAgent('billing', [SUPPORT])), {
      ok: true, file: 'support.agents.yaml', assignment: 'billing', reference: 'claude-bedrock/us-east', inheritedFrom: undefined, model: 'claude-bedrock', connection: 'us-east',
    });
  });

  it('an agent inheriting its supervisor’s connection, and the supervisor itself', () => {
    assert.deepStrictEqual(brief(selectAgent('refunds', [SUPPORT])), {
      ok: true, file: 'support.agents.yaml', assignment: 'refunds', reference: 'gpt-4o/prod-key-1', inheritedFrom: 'triage', model: 'gpt-4o', connection: 'prod-key-1',
    });
    const triage = selectAgent('triage', [SUPPORT]);
    assert.ok(triage.ok && 'assignment' in triage);
    assert.strictEqual(triage.assignment.kind, 'supervisor');
    assert.strictEqual(triage.inheritedFrom, undefined);
  });

  it('an unknown agent: the nearest name across every file', () => {
    const other = source('other.agents.yaml', 'agents:\n  - name: summarizer\n    connection: claude/team-key\n');
    assert.deepStrictEqual(selectAgent('refundz', [SUPPORT, other]), { ok: false, problem: 'unknown-agent', guess: 'refunds' });
    assert.deepStrictEqual(selectAgent('sumarizer', [SUPPORT, other]), { ok: false, problem: 'unknown-agent', guess: 'summarizer' });
    assert.deepStrictEqual(selectAgent('zzzzzzzz', [SUPPORT, other]), { ok: false, problem: 'unknown-agent', guess: undefined });
    assert.deepStrictEqual(selectAgent('billing', []), { ok: false, problem: 'unknown-agent', guess: undefined });
  });

  it('unnamed definitions are not selectable by their placeholder', () => {
    const text = 'agents:\n  - connection: gpt-4o/prod-key-1\n';
    const s = source('x.agents.yaml', text);
    assert.ok(s.assignments.some((a) => a.name === '(agent 1)'), 'the placeholder name exists');
    assert.deepStrictEqual(selectAgent('(agent 1)', [s]), { ok: false, problem: 'unknown-agent', guess: undefined });
  });

  it('a name in two files is ambiguous; twice in one file, the first definition (the file reports the duplicate)', () => {
    const a = source('a.agents.yaml', 'agents:\n  - name: bot\n    connection: gpt-4o/prod-key-1\n');
    const b = source('b.agents.yaml', 'agents:\n  - name: bot\n    connection: claude/team-key\n');
    assert.deepStrictEqual(selectAgent('bot', [a, b]), { ok: false, problem: 'ambiguous', files: ['a.agents.yaml', 'b.agents.yaml'] });
    const twice = source('t.agents.yaml', 'agents:\n  - name: bot\n    connection: gpt-4o/prod-key-2\n  - name: bot\n    connection: claude/team-key\n');
    assert.strictEqual(brief(selectAgent('bot', [twice])).reference, 'gpt-4o/prod-key-2');
  });

  it('no effective connection: none set on the way up, or supervisors in a cycle', () => {
    const text = 'supervisors:\n  - name: idle\n    agents: [orphan]\n  - name: s1\n    agents: [s2]\n  - name: s2\n    agents: [s1, looped]\nagents:\n  - name: orphan\n  - name: looped\n';
    const s = source('x.agents.yaml', text);
    const orphan = selectAgent('orphan', [s]);
    assert.deepStrictEqual(brief(orphan), { ok: false, problem: 'no-connection', file: 'x.agents.yaml', assignment: 'orphan' });
    assert.ok('assignment' in orphan && orphan.assignment.chain.includes('idle') && !orphan.assignment.inCycle);
    const looped = selectAgent('looped', [s]);
    assert.ok('assignment' in looped && looped.assignment.inCycle);
    assert.strictEqual(brief(looped).problem, 'no-connection');
  });

  it('an agent whose connection is disabled, inherited or its own', () => {
    const text = 'supervisors:\n  - name: old\n    connection: gpt-4o/staging\n    agents: [legacy]\nagents:\n  - name: legacy\n  - name: trialist\n    connection: command-r/trial\n';
    const s = source('x.agents.yaml', text);
    assert.deepStrictEqual(brief(selectAgent('legacy', [s])), {
      ok: false, problem: 'disabled', file: 'x.agents.yaml', assignment: 'legacy', reference: 'gpt-4o/staging', inheritedFrom: 'old', model: 'gpt-4o', connection: 'staging',
    });
    assert.deepStrictEqual(brief(selectAgent('trialist', [s])).problem, 'disabled');
  });

  it('an agent whose reference is not a connection of the manifest says which part is wrong, with a guess', () => {
    const text = 'agents:\n  - name: a\n    connection: gpt-4o/prod-key-9\n  - name: b\n    connection: gpt-5/prod-key-1\n  - name: c\n    connection: not-a-reference\n';
    const s = source('x.agents.yaml', text);
    const of = (name: string) => brief(selectAgent(name, [s]));
    assert.deepStrictEqual([of('a').problem, of('a').why, of('a').model, of('a').guess], ['not-in-manifest', 'unknown-connection', 'gpt-4o', 'gpt-4o/prod-key-1']);
    assert.deepStrictEqual([of('b').why, of('b').model, of('b').guess], ['unknown-model', undefined, 'gpt-4o/prod-key-1']);
    assert.deepStrictEqual([of('c').why, of('c').reference], ['invalid', 'not-a-reference']);
    // Without a manifest to read, nothing is in it.
    const bare = source('y.agents.yaml', 'agents:\n  - name: a\n    connection: gpt-4o/prod-key-1\n', null);
    assert.deepStrictEqual([brief(selectAgent('a', [bare])).problem, brief(selectAgent('a', [bare])).why], ['not-in-manifest', 'no-manifest']);
    // The same definition checked against another manifest.
    assert.strictEqual(assignmentConnection(bare.assignments[0], models).ok, true);
  });

  it('a model/connection reference: found in the first manifest that has it, disabled, unknown with a guess, malformed', () => {
    const other = analyzeManifest('version: 1\nmodels:\n  - name: gpt-4o\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: prod-key-1\n      - name: local\n').models;
    const manifests = [{ manifest: 'first', models }, { manifest: 'second', models: other }];
    assert.deepStrictEqual(brief(selectReference('gpt-4o/prod-key-1', manifests)), { ok: true, manifest: 'first', reference: 'gpt-4o/prod-key-1', model: 'gpt-4o', connection: 'prod-key-1' });
    assert.deepStrictEqual(brief(selectReference('gpt-4o/local', manifests)), { ok: true, manifest: 'second', reference: 'gpt-4o/local', model: 'gpt-4o', connection: 'local' });
    assert.deepStrictEqual(brief(selectReference('gpt-4o/staging', manifests)), { ok: false, problem: 'disabled', manifest: 'first', reference: 'gpt-4o/staging', model: 'gpt-4o', connection: 'staging' });
    assert.deepStrictEqual(selectReference('gpt-4o/prd-key-1', manifests), { ok: false, problem: 'unknown-reference', guess: 'gpt-4o/prod-key-1' });
    assert.deepStrictEqual(selectReference('nothing/like-it-at-all', manifests), { ok: false, problem: 'unknown-reference', guess: undefined });
    for (const bad of ['/prod', 'gpt-4o/', 'gpt-4o/prod-key-1/x', 'gpt-4o']) {
      assert.strictEqual(brief(selectReference(bad, manifests)).problem, 'invalid-reference', bad);
    }
  });
});
