/** CSS imported for its side effect: esbuild bundles it into dist/webview.css. */
declare module '*.css';

/** The VS Code webview API (one instance per page). */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
