/**
 * Worker thread that turns manifest text into problems + the tree model, so a large
 * manifest never blocks the extension host's event loop. Plain Node: no VS Code API.
 */
import { parentPort } from 'worker_threads';
import { core } from '../lazyCore';

export interface WorkerRequest {
  id: number;
  kind: 'manifest' | 'agents';
  text: string;
}

parentPort?.on('message', (req: WorkerRequest) => {
  try {
    const result = req.kind === 'manifest' ? core().analyzeManifest(req.text) : core().analyzeAgents(req.text);
    parentPort!.postMessage({ id: req.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
