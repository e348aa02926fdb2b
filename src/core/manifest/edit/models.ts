/** The model edits: add (with its connections), update, delete. */
import { quote } from '../../yaml/text';
import { isTMap, pairOf } from '../../yaml/yamlTree';
import { checked } from './check';
import { newConnection } from './connections';
import { dataModels, findModel, fullModel, modelSeq, named, open, rootMap } from './document';
import { changeMap } from './mappings';
import { appendItem, removeFromSeq } from './sequences';
import { EditError, type TextEdit } from './textEdit';
import { applyChanges, changeList, type FieldChanges, type FieldValue, MODEL_KEYS, orderedEntries, ROOT_KEYS, toPlain, type TreeMap } from './values';

export function deleteModel(text: string, model: string): TextEdit[] {
  const e = open(text);
  const item = findModel(e, model);
  const seq = modelSeq(e)!;
  const mi = seq.items.indexOf(item);
  return checked(e, removeFromSeq(e, seq, item, pairOf(e.doc.contents, 'models')), (d) => void dataModels(d).splice(mi, 1));
}

/** Adds a model after the last one, with its connections (`connections: []` when none are given). */
export function addModel(text: string, model: Record<string, FieldValue>, connections: Array<Record<string, FieldValue>> = []): TextEdit[] {
  const e = open(text);
  const root = rootMap(e);
  if (model === null || typeof model !== 'object') throw new EditError('A model must be a mapping of fields.', 'shape');
  const name = model.name;
  if (typeof name !== 'string' || name === '') throw new EditError('A new model needs a name.', 'shape');
  if ('connections' in model) throw new EditError('Pass the connections of a new model separately from its fields.', 'shape');
  if (named(modelSeq(e)?.items ?? [], name)) throw new EditError(`A model named ${quote(name)} already exists; model names must be unique.`, 'shape');
  if (!Array.isArray(connections)) throw new EditError('The connections of a new model must be a list.', 'shape');
  const conns: TreeMap[] = [];
  for (const c of connections) {
    const conn = newConnection(c, [], name);
    if (conns.some((x) => x.entries.find(([k]) => k === 'name')?.[1] === c.name)) {
      throw new EditError(`Model ${quote(name)} already has a connection named ${quote(c.name)}; connection names must be unique within a model.`, 'shape');
    }
    conns.push(conn);
  }
  const item: TreeMap = { entries: [...orderedEntries(model, MODEL_KEYS, 'model'), ['connections', conns]] };
  const count = modelSeq(e)?.items.length ?? 0;
  if (count > 0 && isTMap(modelSeq(e)!.items[count - 1])) fullModel(e, count - 1); // the new model goes after its last line
  const edits = appendItem(e, root, 'models', item, ROOT_KEYS);
  return checked(e, edits, (d) => {
    if (!Array.isArray(d.models)) d.models = [];
    (d.models as unknown[]).push(toPlain(item));
  }, [modelSeq(e)?.items.length ?? 0]);
}

/** Changes a model's fields (not its connections). Renaming is allowed; the new name must be free. */
export function updateModel(text: string, model: string, changes: FieldChanges): TextEdit[] {
  const e = open(text);
  const m = findModel(e, model);
  const list = changeList(changes, 'model');
  for (const [k, v] of list) {
    if (k === 'connections') throw new EditError('Change connections with the connection edits, not as a model field.', 'shape');
    if (k !== 'name') continue;
    if (typeof v !== 'string' || v === '') throw new EditError('A model needs a name.', 'shape');
    const other = named(modelSeq(e)!.items, v);
    if (other && other !== m) throw new EditError(`A model named ${quote(v)} already exists; model names must be unique.`, 'shape');
  }
  const mi = modelSeq(e)!.items.indexOf(m);
  return checked(e, changeMap(e, m, list, MODEL_KEYS, false), (d) => applyChanges(dataModels(d)[mi], list), [mi]);
}
