/**
 * The manifest read path: text → problems + the tree model. Plain Node, no VS Code.
 * The tree model is built even when the file has problems, so the tree can show what
 * is there next to the error row; edits check `syntaxOk` before touching the file.
 */
import { validateManifest } from '../generated/validators';
import { checkLeakedKeys } from '../secrets/leakGuard';
import type { Problem } from '../yaml/problems';
import { checkManifestRules } from './rules';
import { reportSchemaErrors } from './schemaErrors';
import { loadTree, ProblemList } from '../yaml/yamlLoad';
import { isTMap, isTSeq, pairOf, plainOf, stringOf, type TDoc, type TMap, type TNode, type TPair } from '../yaml/yamlTree';

import { connectionReference, DEFAULT_LOCATION, DEFAULT_MANIFEST_PATH } from './names';
import type { ConnectionInfo, ModelInfo, ModelNodes, Span } from './types';

export { connectionReference, DEFAULT_LOCATION, DEFAULT_MANIFEST_PATH };
export type { ConnectionInfo, ModelInfo, ModelNodes, Span };

export interface ManifestAnalysis {
  problems: Problem[];
  models: ModelInfo[];
  /** No YAML syntax errors: the file may be edited. */
  syntaxOk: boolean;
  errorCount: number;
}

export function analyzeManifest(text: string): ManifestAnalysis {
  const loaded = loadTree(text, 'manifest');
  const problems = new ProblemList(loaded.index);
  for (const p of loaded.problems) problems.add(p.code, p.severity, p.message, p.start, p.end);
  const doc = loaded.doc;
  let models: ModelInfo[] = [];
  if (doc && loaded.data !== undefined) {
    const data = loaded.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      if (data !== null) problems.add('schema-invalid-type', 'error', 'The manifest must be a mapping with `version: 1` and `models:`.', 0, text.length);
    } else {
      if (!validateManifest(data)) {
        reportSchemaErrors('manifest', validateManifest.errors ?? [], doc, data, problems, new Set(['<<', '__proto__']));
      }
      const built = buildModelsWithNodes(doc);
      models = built.models;
      checkManifestRules(models, built.nodes, problems);
    }
  }
  if (doc) checkLeakedKeys(doc, problems, 'manifest');
  return { problems: problems.items, models, syntaxOk: loaded.syntaxOk, errorCount: problems.items.filter((p) => p.severity === 'error').length };
}

const str = stringOf;

function span(node: TNode | null | undefined, fallback: Span): Span {
  return node ? { start: node.start, end: node.end } : fallback;
}

/** Reads the models straight from the document's nodes, tolerating wrong shapes. */
function buildModelsWithNodes(doc: TDoc): { models: ModelInfo[]; nodes: ModelNodes[] } {
  const seq = pairOf(doc.contents, 'models')?.value;
  const models: ModelInfo[] = [];
  const nodes: ModelNodes[] = [];
  if (!isTSeq(seq)) return { models, nodes };
  seq.items.forEach((item, index) => {
    if (!isTMap(item)) return;
    const connNodes: TMap[] = [];
    nodes.push({ model: item, connections: connNodes });
    const itemSpan = span(item, { start: 0, end: 0 });
    const nameNode = pairOf(item, 'name')?.value;
    const connections: ConnectionInfo[] = [];
    const connSeq = pairOf(item, 'connections')?.value;
    if (isTSeq(connSeq)) {
      // Index loops, not forEach or for-of: this runs once per connection, mostly before the code is optimized.
      for (let ci = 0; ci < connSeq.items.length; ci++) {
        const c = connSeq.items[ci];
        if (!isTMap(c)) continue;
        connNodes.push(c);
        const cSpan = span(c, itemSpan);
        // One pass over the pairs: the first pair of each field (as pairOf finds it), the rest as settings.
        let namePair: TPair | undefined;
        let enabledPair: TPair | undefined;
        let addedByPair: TPair | undefined;
        let addedOnPair: TPair | undefined;
        let descriptionPair: TPair | undefined;
        const settings: Record<string, unknown> = {};
        const pairs = c.items;
        for (let pi = 0; pi < pairs.length; pi++) {
          const pair = pairs[pi];
          const key = pair.key?.kind === 'scalar' ? pair.key.value : undefined;
          if (typeof key !== 'string') continue;
          switch (key) {
            case 'name': namePair ??= pair; continue;
            case 'enabled': enabledPair ??= pair; continue;
            case 'addedBy': addedByPair ??= pair; continue;
            case 'addedOn': addedOnPair ??= pair; continue;
            case 'description': descriptionPair ??= pair; continue;
            case '__proto__': continue;
          }
          const v = pair.value;
          settings[key] = v?.kind === 'scalar' ? v.value : isTMap(v) ? plainOf(v) : undefined;
        }
        const cName = namePair?.value;
        const enabledNode = enabledPair?.value;
        connections.push({
          index: ci,
          name: str(cName) ?? `(connection ${ci + 1})`,
          enabled: !(enabledNode?.kind === 'scalar' && enabledNode.value === false),
          addedBy: str(addedByPair?.value),
          addedOn: str(addedOnPair?.value),
          description: str(descriptionPair?.value),
          settings,
          span: cSpan,
          nameSpan: span(cName, cSpan),
        });
      }
    }
    models.push({
      index,
      name: str(nameNode) ?? `(model ${index + 1})`,
      type: str(pairOf(item, 'type')?.value),
      provider: str(pairOf(item, 'provider')?.value),
      model: str(pairOf(item, 'model')?.value),
      description: str(pairOf(item, 'description')?.value),
      location: str(pairOf(item, 'location')?.value) ?? DEFAULT_LOCATION,
      addedOn: str(pairOf(item, 'addedOn')?.value),
      connections,
      span: itemSpan,
      nameSpan: span(nameNode, itemSpan),
    });
  });
  return { models, nodes };
}

