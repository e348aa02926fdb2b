/**
 * The manifest edits, the only code that changes manifest text. Every edit is computed
 * as a few text replacements from the parsed document's node ranges, so only the edited
 * lines change: comments, key order, quoting, CRLF and a BOM all survive. New lines follow
 * the file's own indentation. A file with YAML syntax errors is never edited, and
 * every result is re-read before it is returned: it must parse and hold exactly the
 * intended data, or nothing is written.
 *
 * This is their public API. By what they edit: models.ts and connections.ts (the edits
 * themselves), mappings.ts and sequences.ts (how a mapping or a list changes), document.ts
 * (the file being edited and how it indents), values.ts and scalars.ts (what is written),
 * positions.ts and textEdit.ts (text positions, TextEdit), check.ts (the re-read of every
 * result).
 */
export { EditError, applyEdits } from './textEdit';
export type { TextEdit } from './textEdit';
export { scalarValue, column, lineStart, lineAfter, keyRange, contentEnd, valueEnd, onDashLine, afterColon } from './positions';
export type { TextView } from './positions';
export { formatScalar } from './scalars';
export { MODEL_KEYS, CONNECTION_KEYS } from './values';
export type { FieldValue, FieldChanges } from './values';
export { verifyEdits } from './check';
export { setConnectionEnabled, deleteConnection, addConnection, updateConnection } from './connections';
export type { ConnectionRef } from './connections';
export { deleteModel, addModel, updateModel } from './models';
