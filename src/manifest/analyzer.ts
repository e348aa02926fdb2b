/**
 * Runs the core analysis off the extension host's main thread, in one worker.
 * Falls back to the same core in-process if the worker cannot start.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { AgentsAnalysis } from '../core/agents/agents';
import type { ManifestAnalysis } from '../core/manifest/manifest';
import { core } from '../lazyCore';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class Analyzer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failed = false;

  constructor(private readonly distDir: string, private readonly log: (message: string) => void) {}

  manifest(text: string): Promise<ManifestAnalysis> {
    return this.run('manifest', text) as Promise<ManifestAnalysis>;
  }

  agents(text: string): Promise<AgentsAnalysis> {
    return this.run('agents', text) as Promise<AgentsAnalysis>;
  }

  private run(kind: 'manifest' | 'agents', text: string): Promise<unknown> {
    const worker = this.ensureWorker();
    if (!worker) return Promise.resolve(kind === 'manifest' ? core().analyzeManifest(text) : core().analyzeAgents(text));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, kind, text });
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    try {
      const w = new Worker(path.join(this.distDir, 'manifestWorker.js'));
      w.unref();
      w.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
      w.on('error', (e) => this.onWorkerGone(`manifest worker failed: ${e.message}`));
      w.on('exit', (code) => { if (this.worker === w) this.onWorkerGone(`manifest worker exited (${code})`); });
      this.worker = w;
    } catch (e) {
      this.failed = true;
      this.log(`could not start the manifest worker, analysing in-process: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.worker;
  }

  private onWorkerGone(reason: string): void {
    this.log(reason);
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}
