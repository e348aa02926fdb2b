// Bundles the extension host code, the manifest worker, the provider runtime
// (HTTP client and provider clients, loaded on the first test) and the webview.
// `--production` minifies, `--watch` rebuilds on change. Type checking is
// `npm run typecheck`.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** What every build shares. */
const shared = {
  bundle: true,
  outdir: 'dist',
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * Modules that bring a large SDK and are needed only for one credential kind: an
 * `import()` of one of them from any other module becomes a require of its own bundle
 * beside the requiring one (everything is in dist/). Keys: the module's path under
 * src/core, values: the bundle's name.
 */
const LAZY_CHUNKS = {
  // The AWS SDK's credential providers (AWS profiles, SSO …).
  'aws/profileCredentials': 'awsProfiles',
  // @azure/identity and MSAL (Microsoft Entra ID tokens).
  'identity/entraToken': 'azureIdentity',
};

/** @returns {esbuild.Plugin} */
function lazyChunks() {
  return {
    name: 'lazy-chunks',
    setup(build) {
      for (const [module, out] of Object.entries(LAZY_CHUNKS)) {
        const filter = new RegExp(`^\\.\\.?/(.*/)?${module.replace('/', '\\/')}$`);
        build.onResolve({ filter }, (args) => (args.kind === 'dynamic-import' ? { path: `./${out}.js`, external: true } : undefined));
      }
    },
  };
}

/**
 * undici carries its HTTP parser (llhttp) twice, as WebAssembly with SIMD and without
 * (70 KB each), tries the SIMD one first and falls back to the portable one when that
 * fails. Only the portable one is bundled: the SIMD module is a stub that throws, which
 * undici catches. Parsing our requests' headers and streamed replies gains nothing
 * measurable from SIMD.
 */
/** @type {esbuild.Plugin} */
const portableLlhttp = {
  name: 'portable-llhttp',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/llhttp\/llhttp_simd-wasm\.js$/ }, () => ({ path: 'llhttp_simd-wasm', namespace: 'portable-llhttp' }));
    build.onLoad({ filter: /.*/, namespace: 'portable-llhttp' }, () => ({
      contents: "throw new Error('llhttp with SIMD is not bundled: undici falls back to its portable build');",
      loader: 'js',
    }));
  },
};

/** @type {esbuild.BuildOptions} */
const options = {
  entryPoints: {
    extension: 'src/extension.ts',
    core: 'src/coreBundle.ts',
    manifestWorker: 'src/manifest/manifestWorker.ts',
    providerRuntime: 'src/testing/providerRuntime.ts',
    // Required by the provider runtime and the CLI's test chunk only when a connection
    // uses an AWS profile or a Microsoft Entra ID identity.
    ...Object.fromEntries(Object.entries(LAZY_CHUNKS).map(([module, out]) => [out, `src/core/${module}.ts`])),
    // The usage core and the Connection Usage panel, required by src/usage/ on first need.
    usageRuntime: 'src/usage/usageRuntime.ts',
  },
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // ES module builds first where a package ships both: esbuild can drop what is not
  // used from them (the AWS signer's CommonJS build pulls in all of @smithy/core).
  mainFields: ['module', 'main'],
  external: ['vscode'],
  plugins: [lazyChunks(), portableLlhttp],
  // `import('../aws/profileCredentials')` becomes `require('./awsProfiles.js')`.
  supported: { 'dynamic-import': false },
  ...shared,
};

/** The connection editor's webview: browser code, no Node, no vscode module. */
/** @type {esbuild.BuildOptions} */
const webview = {
  // The Connection Usage page is a bundle of its own (dist/usage.js, dist/usage.css).
  entryPoints: { webview: 'webview/main.ts', usage: 'webview/usage/main.ts' },
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  ...shared,
  loader: { '.ttf': 'file', '.css': 'css' },
};

/**
 * The CLI's commands other than `validate`, each in a file of its own that dist/cli.js
 * requires when the command is run: `validate`, the one CI runs most, then neither reads
 * nor runs the HTTP client, the provider clients or the importers (about 700 KB).
 */
const CLI_CHUNKS = { './test': 'cli-test', './list': 'cli-list', './importExport': 'cli-importExport', './run': 'cli-run' };

/** @type {esbuild.Plugin} */
const cliChunks = {
  name: 'cli-chunks',
  setup(build) {
    build.onResolve({ filter: /^\.\/(test|list|importExport|run)$/ }, (args) =>
      /[\\/]src[\\/]cli$/.test(args.resolveDir) ? { path: `./${CLI_CHUNKS[args.path]}.js`, external: true } : undefined);
  },
};

/**
 * The `yaml` library in a file of its own for the CLI files (dist/cli-yaml.js, about 250 KB),
 * shared by them: `validate` reads a clean manifest with the fast parser and loads it only
 * for what that parser leaves to it (src/core/yaml/yamlLib.ts loads it on first use).
 */
/** @type {esbuild.Plugin} */
const cliYaml = {
  name: 'cli-yaml',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: './cli-yaml.js', external: true }));
  },
};

/** The `agent-connections` CLI (package `bin`): plain Node, no vscode module, a shebang. */
/** @type {esbuild.BuildOptions} */
const cli = {
  ...options,
  entryPoints: { cli: 'src/cli/main.ts', 'cli-yaml': 'yaml', ...Object.fromEntries(Object.entries(CLI_CHUNKS).map(([src, out]) => [out, `src/cli/${src.slice(2)}.ts`])) },
  external: [],
  plugins: [cliChunks, cliYaml, lazyChunks(), portableLlhttp],
  // `import('./test')` becomes `require('./cli-test.js')`: no ES module loader for a CommonJS file.
  supported: { 'dynamic-import': false },
  banner: { js: '#!/usr/bin/env node' },
};

const builds = [options, cli, ...(fs.existsSync('webview/main.ts') ? [webview] : [])];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  for (const b of builds) {
    const result = await esbuild.build(b);
    if (b === cli) fs.chmodSync('dist/cli.js', 0o755);
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js') || file.endsWith('.css')) console.log(`esbuild: ${file} ${(info.bytes / 1024).toFixed(1)} KB`);
    }
  }
}
