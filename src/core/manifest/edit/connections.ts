/** The connection edits: enable/disable, add, update, delete. */
import { quote } from '../../yaml/text';
import { isTSeq, pairOf } from '../../yaml/yamlTree';
import { checked } from './check';
import { dataModels, findConnection, findModel, modelSeq, named, open } from './document';
import { changeMap } from './mappings';
import { appendItem, removeFromSeq } from './sequences';
import { EditError, type TextEdit } from './textEdit';
import { applyChanges, changeList, CONNECTION_KEYS, type FieldChanges, type FieldValue, MODEL_KEYS, orderedEntries, toPlain, type TreeMap } from './values';

export interface ConnectionRef {
  model: string;
  connection: string;
}

export function setConnectionEnabled(text: string, ref: ConnectionRef, enabled: boolean): TextEdit[] {
  return updateConnection(text, ref, { enabled });
}

export function deleteConnection(text: string, ref: ConnectionRef): TextEdit[] {
  const e = open(text);
  const { seq, item } = findConnection(e, ref.model, ref.connection);
  const mi = modelSeq(e)!.items.indexOf(findModel(e, ref.model));
  const ci = seq.items.indexOf(item);
  const edits = removeFromSeq(e, seq, item, pairOf(findModel(e, ref.model), 'connections'));
  return checked(e, edits, (d) => void (dataModels(d)[mi].connections as unknown[]).splice(ci, 1), [mi]);
}

export function newConnection(connection: Record<string, FieldValue>, existing: readonly unknown[], model: string): TreeMap {
  if (connection === null || typeof connection !== 'object') throw new EditError('A connection must be a mapping of fields.', 'shape');
  const name = connection.name;
  if (typeof name !== 'string' || name === '') throw new EditError('A new connection needs a name.', 'shape');
  if (named(existing, name)) throw new EditError(`Model ${quote(model)} already has a connection named ${quote(name)}; connection names must be unique within a model.`, 'shape');
  return { entries: orderedEntries(connection, CONNECTION_KEYS, 'connection') };
}

/** Adds a connection after the model's last one. */
export function addConnection(text: string, model: string, connection: Record<string, FieldValue>): TextEdit[] {
  const e = open(text);
  const m = findModel(e, model);
  const seq = pairOf(m, 'connections')?.value;
  const item = newConnection(connection, isTSeq(seq) ? seq.items : [], model);
  const mi = modelSeq(e)!.items.indexOf(m);
  const edits = appendItem(e, m, 'connections', item, MODEL_KEYS);
  return checked(e, edits, (d) => {
    const target = dataModels(d)[mi];
    if (!Array.isArray(target.connections)) target.connections = [];
    (target.connections as unknown[]).push(toPlain(item));
  }, [mi]);
}

/** Changes a connection's fields. Its name is immutable (the stored key is bound to it). */
export function updateConnection(text: string, ref: ConnectionRef, changes: FieldChanges): TextEdit[] {
  const e = open(text);
  const { seq, item } = findConnection(e, ref.model, ref.connection);
  const list = changeList(changes, 'connection');
  if (list.some(([k, v]) => k === 'name' && v !== ref.connection)) {
    throw new EditError('Connection names are immutable once saved (the stored key is bound to the name); add a new connection instead.', 'shape');
  }
  const mi = modelSeq(e)!.items.indexOf(findModel(e, ref.model));
  const ci = seq.items.indexOf(item);
  return checked(e, changeMap(e, item, list, CONNECTION_KEYS, false), (d) => applyChanges((dataModels(d)[mi].connections as Array<Record<string, unknown>>)[ci], list), [mi]);
}
