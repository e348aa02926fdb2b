import * as assert from 'assert';
import { MAX_FIELD_CHARS, parseRestoreNote } from '../../src/core/form/formProtocol';

const folder = 'file:///home/alice/agents';

describe('form protocol: the note a webview keeps across a window reload', () => {
  it('reads the note of each kind of form', () => {
    assert.deepStrictEqual(parseRestoreNote({ lastId: 4, restore: { mode: 'addModel', folder } }), { mode: 'addModel', folder });
    assert.deepStrictEqual(parseRestoreNote({ restore: { mode: 'editModel', folder, model: 'gpt-4o' } }), { mode: 'editModel', folder, model: 'gpt-4o' });
    assert.deepStrictEqual(parseRestoreNote({ restore: { mode: 'addConnection', folder, model: 'gpt-4o' } }), { mode: 'addConnection', folder, model: 'gpt-4o' });
    assert.deepStrictEqual(parseRestoreNote({ restore: { mode: 'editConnection', folder, model: 'gpt-4o', connection: 'prod' } }), { mode: 'editConnection', folder, model: 'gpt-4o', connection: 'prod' });
  });

  const refused: Array<[string, unknown]> = [
    ['no state', undefined],
    ['a string', 'editModel'],
    ['no note', { lastId: 3 }],
    ['a note that is an array', { restore: ['editModel', folder] }],
    ['an unknown mode', { restore: { mode: 'deleteModel', folder, model: 'm' } }],
    ['a prototype key as mode', { restore: { mode: '__proto__', folder } }],
    ['no folder', { restore: { mode: 'addModel' } }],
    ['a folder that is not a string', { restore: { mode: 'addModel', folder: { path: '/' } } }],
    ['an empty folder', { restore: { mode: 'addModel', folder: '' } }],
    ['an overlong folder', { restore: { mode: 'addModel', folder: 'x'.repeat(MAX_FIELD_CHARS + 1) } }],
    ['an edit form without its model', { restore: { mode: 'editModel', folder } }],
    ['a connection form without its connection', { restore: { mode: 'editConnection', folder, model: 'm' } }],
    ['an add-model form naming a model', { restore: { mode: 'addModel', folder, model: 'm' } }],
    ['a model form naming a connection', { restore: { mode: 'editModel', folder, model: 'm', connection: 'c' } }],
    ['extra fields (a draft, a key, a URL)', { restore: { mode: 'editModel', folder, model: 'm', draft: { apiKey: 'sk-test-x' } } }],
    ['a model that is a number', { restore: { mode: 'editModel', folder, model: 7 } }],
  ];
  for (const [what, state] of refused) {
    it(`refuses ${what}`, () => assert.strictEqual(parseRestoreNote(state), undefined));
  }
});
