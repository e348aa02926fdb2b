#!/usr/bin/env node
// Compiles schemas/*.schema.json into standalone Ajv validators:
//   src/core/generated/validators.ts  (generated, // @ts-nocheck, typed exports)
//   src/core/generated/schemaInfo.ts  (generated, typed: allowedKeys, providers)
// Run before every build/test: `node scripts/build-validators.mjs`.
// Deterministic: same schemas + same Ajv version => byte-identical output; files
// are only rewritten when their content changes (keeps watchers/tsc incremental quiet).
//
// Ajv options, decided:
// - strict: true        — unknown keywords/formats or sloppy schemas fail the build.
//                         The editor-only annotation keywords used by Red Hat YAML
//                         (markdownDescription, patternErrorMessage, ...) are
//                         registered below as annotation keywords (no code).
// - allErrors: true     — the Problems panel shows every problem at once, not just
//                         the first. SECURITY.md forbids allErrors on untrusted input
//                         *without string length limits*; here every string in both
//                         schemas has maxLength (asserted below, the build fails
//                         otherwise), every object with free-form keys has
//                         maxProperties, and every pattern is anchored and
//                         linear-time (no nested or adjacent overlapping quantifiers;
//                         test/unit/schema.test.ts checks 1 MB adversarial strings).
//                         Note: with allErrors, `pattern` still runs on a string that
//                         already failed maxLength, which is why linearity matters.
// - ownProperties: true — only own properties count (a polluted Object.prototype
//                         cannot satisfy `required` or hide additional properties).
// - code.source/esm     — needed by ajv/dist/standalone; the emitted module imports
//                         nothing but ajv/dist/runtime/* (ucs2length for maxLength).
// - code.optimize: true — smaller/faster generated code.
// - messages: true      — default English messages; consumers rewrite them anyway.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src", "core", "generated");
const require = createRequire(import.meta.url);
const ajvVersion = require("ajv/package.json").version;

const load = (rel) => JSON.parse(readFileSync(join(root, rel), "utf8"));
const manifestSchema = load("schemas/agent-connections.schema.json");
const agentsSchema = load("schemas/agents.schema.json");

// --- safety checks on the schemas themselves -------------------------------------
const CREDENTIAL_NAME = /(api[-_]?key|^key$|secret|token|passw|credential|access[-_]?key)/i;
function walk(node, path, visit) {
  if (Array.isArray(node)) { node.forEach((v, i) => walk(v, `${path}/${i}`, visit)); return; }
  if (node === null || typeof node !== "object") return;
  visit(node, path);
  for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`, visit);
}
const problems = [];
for (const [file, schema] of [["agent-connections", manifestSchema], ["agents", agentsSchema]]) {
  walk(schema, file, (node, path) => {
    if (node.type === "string" && node.maxLength === undefined && node.const === undefined && node.enum === undefined) {
      problems.push(`${path}: string without maxLength (unsafe with allErrors)`);
    }
    if (node.type === "object" && node.additionalProperties !== false && node.maxProperties === undefined && node.properties !== undefined && !/\/allOf\/\d+\/(if|then|else)$/.test(path)) {
      problems.push(`${path}: object without additionalProperties:false or maxProperties`);
    }
    if (node.properties && typeof node.properties === "object") {
      for (const key of Object.keys(node.properties)) {
        if (CREDENTIAL_NAME.test(key)) problems.push(`${path}/properties/${key}: credential-like property name`);
      }
    }
  });
}
if (problems.length) {
  console.error("build-validators: schema problems:\n  " + problems.join("\n  "));
  process.exit(1);
}

// --- compile --------------------------------------------------------------------
const ajvOptions = {
  strict: true,
  allErrors: true,
  ownProperties: true,
  messages: true,
  code: { source: true, esm: true, optimize: true, lines: true },
};
// Editor annotations (Red Hat YAML / VS Code JSON language service): no validation code.
const EDITOR_KEYWORDS = ["markdownDescription", "markdownEnumDescriptions", "patternErrorMessage", "defaultSnippets"];
// 1) Strict check of the schemas exactly as shipped to the editor.
const checker = new Ajv(ajvOptions);
for (const keyword of EDITOR_KEYWORDS) checker.addKeyword({ keyword });
checker.compile(manifestSchema);
checker.compile(agentsSchema);

// 2) Standalone code from the same schemas minus pure annotations (titles, descriptions,
//    examples, snippets...). Validation is identical, schemaPath values are identical
//    (only leaf annotation keywords are removed), and the generated module is much smaller
//    because Ajv's standalone output embeds the schema objects it references.
const ANNOTATIONS = new Set(["title", "description", "examples", "default", ...EDITOR_KEYWORDS]);
const MAPS = new Set(["properties", "definitions"]); // keys here are property names, not keywords
function stripAnnotations(node, isMap = false) {
  if (Array.isArray(node)) return node.map((v) => stripAnnotations(v));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (isMap) { out[k] = stripAnnotations(v); continue; }
    if (ANNOTATIONS.has(k)) continue;
    if (k === "enum" || k === "const" || k === "required") { out[k] = v; continue; }
    out[k] = stripAnnotations(v, MAPS.has(k));
  }
  return out;
}
const ajv = new Ajv(ajvOptions);
ajv.addSchema(stripAnnotations(manifestSchema));
ajv.addSchema(stripAnnotations(agentsSchema));

const exportsMap = { __validateManifest: manifestSchema.$id, __validateAgents: agentsSchema.$id };
let code = standaloneCode(ajv, exportsMap);
for (const name of Object.keys(exportsMap)) {
  const before = `export const ${name} = `;
  const count = code.split(before).length - 1;
  if (count !== 1) throw new Error(`unexpected standalone output for ${name} (${count} export lines)`);
  code = code.replace(before, `const ${name} = `);
}
code = code.replace(/^"use strict";\n?/, "");
// maxLength/minLength count code points with Ajv's ucs2length, a loop over every character
// (about 60,000 strings in a 10,000-connection manifest). A string without a surrogate has
// as many code points as characters: one native regex test answers for it, the same number.
const UCS2 = /^const (func\d+) = require\("ajv\/dist\/runtime\/ucs2length"\)\.default;$/m;
if (!UCS2.test(code)) throw new Error("standalone code: the ucs2length import was not found");
code = code.replace(UCS2, (_, name) => `const ajvUcs2length = require("ajv/dist/runtime/ucs2length").default;\nconst SURROGATE = /[\\ud800-\\udfff]/;\nconst ${name} = (s) => (SURROGATE.test(s) ? ajvUcs2length(s) : s.length);`);
if (/\bimport\s*\(|\brequire\("(?!ajv\/dist\/runtime\/)/.test(code)) {
  throw new Error("standalone code must only require ajv/dist/runtime/*");
}

const header = (extra) => [
  "/* eslint-disable */",
  ...extra,
  "// GENERATED by scripts/build-validators.mjs from schemas/*.schema.json — DO NOT EDIT.",
  `// Ajv ${ajvVersion} standalone code. Regenerate with: node scripts/build-validators.mjs`,
  "",
].join("\n");

const validatorsTs = header(["// @ts-nocheck"]) + `
/** One validation problem, as produced by Ajv (the shape of Ajv's ErrorObject). */
export interface SchemaError {
  /** JSON Pointer to the offending value, e.g. "/models/0/connections/1/endpoint". */
  instancePath: string;
  /** JSON Pointer into the schema, e.g. "#/definitions/connection-google-gemini/additionalProperties". */
  schemaPath: string;
  /** The failing keyword: required, additionalProperties, pattern, maxLength, const, enum, type, ... */
  keyword: string;
  /** Keyword details, e.g. { missingProperty }, { additionalProperty }, { pattern }, { allowedValues }. */
  params: Record<string, any>;
  message?: string;
}

/** A compiled validator: returns true when valid; otherwise the problems are in \`.errors\`. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

${code}

/** Validates a parsed agent-connections manifest (plain JS value from the YAML). */
export const validateManifest: SchemaValidator = __validateManifest;
/** Validates a parsed *.agents.yaml file (plain JS value from the YAML). */
export const validateAgents: SchemaValidator = __validateAgents;
`;

// --- allowedKeys ------------------------------------------------------------------
const defs = manifestSchema.definitions;
const keysOf = (s) => Object.keys(s.properties);
const providers = manifestSchema.definitions.model.properties.provider.enum;
const allowedKeys = {
  root: keysOf(manifestSchema),
  model: keysOf(defs.model),
  "connection-common": keysOf(defs["connection-common"]),
};
for (const p of providers) allowedKeys[`connection-${p}`] = keysOf(defs[`connection-${p}`]);
allowedKeys.agentsRoot = keysOf(agentsSchema);
allowedKeys.supervisor = keysOf(agentsSchema.definitions.supervisor);
allowedKeys.agent = keysOf(agentsSchema.definitions.agent);
const requiredKeys = {
  root: manifestSchema.required,
  model: defs.model.required,
  "connection-common": defs["connection-common"].required,
};
for (const p of providers) requiredKeys[`connection-${p}`] = defs[`connection-${p}`].required;
requiredKeys.agentsRoot = agentsSchema.required ?? [];
requiredKeys.supervisor = agentsSchema.definitions.supervisor.required;
requiredKeys.agent = agentsSchema.definitions.agent.required;

const lit = (v) => JSON.stringify(v);
const recordTs = (obj) => "{\n" + Object.entries(obj)
  .map(([k, v]) => `  ${lit(k)}: [${v.map(lit).join(", ")}],`).join("\n") + "\n}";
const schemaInfoTs = header([]) + `
/** Provider ids of the manifest format, in schema order. */
export const providers = [${providers.map(lit).join(", ")}] as const;
export type Provider = (typeof providers)[number];

/** Model types: "easy" for every provider except "generic", which is "api". */
export const modelTypes = [${defs.model.properties.type.enum.map(lit).join(", ")}] as const;
export type ModelType = (typeof modelTypes)[number];

/**
 * Keys allowed in each kind of object (for did-you-mean messages). Kinds: root, model,
 * connection-common, connection-<provider>, agentsRoot, supervisor, agent.
 */
export const allowedKeys: Record<string, readonly string[]> = ${recordTs(allowedKeys)};

/** Keys required in each kind of object (same kinds as allowedKeys). */
export const requiredKeys: Record<string, readonly string[]> = ${recordTs(requiredKeys)};

/** $id of the two schemas. */
export const manifestSchemaId = ${lit(manifestSchema.$id)};
export const agentsSchemaId = ${lit(agentsSchema.$id)};
`;

mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [name, text] of [["validators.ts", validatorsTs], ["schemaInfo.ts", schemaInfoTs]]) {
  const file = join(outDir, name);
  if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
  writeFileSync(file, text);
  written++;
}
console.log(`build-validators: ${written ? `wrote ${written} file(s)` : "up to date"} in src/core/generated`);
