/** Our webviews' pages (the connection editor, Connection Usage): a strict CSP, the bundled script by nonce, styles and fonts from dist/ only. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Folders the webview may load from: the extension's own build output and media. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * No `unsafe-inline` and no `unsafe-eval`: the web components style themselves through
 * constructable stylesheets (`adoptedStyleSheets`) and CSSOM properties, which CSP does
 * not gate; our own CSS (and the codicon font) come from `dist/` as files.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * A page of ours: the strict CSP, `dist/<bundle>.js` by nonce and `dist/<bundle>.css`, and
 * an empty `<main id="app">` the script fills. Nothing from the manifest is written into the
 * page: every value arrives by message and is set with textContent.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: { bundle: string; title: string; mainClass?: string }): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', `${page.bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', `${page.bundle}.css`));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${style.toString()}">
<title>${page.title}</title>
</head>
<body>
<main id="app"${page.mainClass ? ` class="${page.mainClass}"` : ''}><p class="loading-text">Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

export function editorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, { bundle: 'webview', title: 'Agent Connections', mainClass: 'loading' });
}
