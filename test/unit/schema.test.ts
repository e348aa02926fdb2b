import * as assert from "assert";
import { validateManifest, validateAgents, type SchemaError } from "../../src/core/generated/validators";
import { allowedKeys, providers } from "../../src/core/generated/schemaInfo";
import { cpuMs } from "./helpers";

type Obj = Record<string, unknown>;

function errorsOf(fn: typeof validateManifest, data: unknown): SchemaError[] {
  const ok = fn(data);
  const errors = fn.errors ?? [];
  assert.strictEqual(ok, errors.length === 0, "result and errors must agree");
  return errors;
}
function assertValid(fn: typeof validateManifest, data: unknown): void {
  const errors = errorsOf(fn, data);
  assert.deepStrictEqual(errors, [], JSON.stringify(errors, null, 2));
}
function assertInvalid(fn: typeof validateManifest, data: unknown, expect: Partial<SchemaError> & { param?: [string, unknown] }): SchemaError[] {
  const errors = errorsOf(fn, data);
  assert.ok(errors.length > 0, "expected validation errors");
  const hit = errors.find(
    (e) =>
      (expect.keyword === undefined || e.keyword === expect.keyword) &&
      (expect.instancePath === undefined || e.instancePath === expect.instancePath) &&
      (expect.param === undefined || e.params[expect.param[0]] === expect.param[1]),
  );
  assert.ok(hit, `no error matching ${JSON.stringify(expect)} in ${JSON.stringify(errors, null, 2)}`);
  return errors;
}

const connectionSettings: Record<string, Obj> = {
  openai: {},
  anthropic: {},
  cohere: {},
  "google-gemini": { apiVersion: "v1beta" },
  "amazon-bedrock": { region: "us-east-1" },
  "azure-openai": { endpoint: "https://my-resource.openai.azure.com", deployment: "gpt-41-prod", apiVersion: "2024-10-21" },
  generic: {
    baseUrl: "https://api.groq.com/openai/v1",
    apiFormat: "openai",
    authHeader: "Authorization",
    advancedProperties: { headers: { "X-Title": "My agents", "HTTP-Referer": "https://example.com" }, endpoint: "chat" },
  },
};
const modelIds: Record<string, string> = {
  openai: "gpt-4o",
  anthropic: "claude-sonnet-4-5",
  cohere: "command-a-03-2025",
  "google-gemini": "gemini-3.1-pro-preview",
  "amazon-bedrock": "us.anthropic.claude-opus-4-1-20250805-v1:0",
  "azure-openai": "gpt-4.1",
  generic: "llama-3.1-8b-instant",
};

function model(provider: string, connection: Obj = {}, extra: Obj = {}): Obj {
  return {
    name: `m-${provider}`,
    type: provider === "generic" ? "api" : "easy",
    provider,
    model: modelIds[provider],
    description: "A model",
    location: "Default",
    addedOn: "2026-11-22",
    connections: [
      { name: "prod-key-1", enabled: true, addedBy: "alice", addedOn: "2026-11-22", description: "main", ...connectionSettings[provider], ...connection },
    ],
    ...extra,
  };
}
const manifest = (...models: Obj[]): Obj => ({ version: 1, models });

describe("manifest schema", () => {
  it("knows all seven providers", () => {
    assert.deepStrictEqual([...providers].sort(), Object.keys(connectionSettings).sort());
  });

  for (const provider of Object.keys(connectionSettings)) {
    it(`accepts a complete ${provider} model`, () => assertValid(validateManifest, manifest(model(provider))));
    it(`accepts a minimal ${provider} connection`, () => {
      const required: Obj = { name: "c" };
      for (const key of ["region", "endpoint", "deployment", "apiVersion", "baseUrl"]) {
        if (provider !== "google-gemini" && key in connectionSettings[provider]) required[key] = connectionSettings[provider][key];
      }
      assertValid(validateManifest, manifest({ name: "m", type: provider === "generic" ? "api" : "easy", provider, model: "x", connections: [required] }));
    });
  }

  it("accepts all providers in one manifest, an empty model list and an empty connection list", () => {
    assertValid(validateManifest, manifest(...Object.keys(connectionSettings).map((p) => model(p))));
    assertValid(validateManifest, manifest());
    assertValid(validateManifest, manifest(model("openai", {}, { connections: [] })));
  });

  it("accepts generic connections for local servers and other auth headers", () => {
    for (const [baseUrl, authHeader] of [
      ["http://localhost:11434/v1", "none"],
      ["http://127.0.0.1:1234/v1", "none"],
      ["https://gateway.example.com/openai", "Ocp-Apim-Subscription-Key"],
      ["https://gateway.example.com", "api-key"],
    ]) {
      assertValid(validateManifest, manifest(model("generic", { baseUrl, authHeader, advancedProperties: undefined })));
    }
  });

  it("accepts Azure v1 API and preview versions, Gemini v1/v1alpha, GovCloud regions", () => {
    assertValid(validateManifest, manifest(model("azure-openai", { apiVersion: "v1" })));
    assertValid(validateManifest, manifest(model("azure-openai", { apiVersion: "2025-04-01-preview" })));
    assertValid(validateManifest, manifest(model("google-gemini", { apiVersion: "v1" })));
    assertValid(validateManifest, manifest(model("google-gemini", { apiVersion: "v1alpha" })));
    assertValid(validateManifest, manifest(model("amazon-bedrock", { region: "us-gov-west-1" })));
  });

  it("rejects an Azure field on a Gemini connection", () => {
    assertInvalid(validateManifest, manifest(model("google-gemini", { endpoint: "https://x.openai.azure.com" })), {
      keyword: "additionalProperties",
      instancePath: "/models/0/connections/0",
      param: ["additionalProperty", "endpoint"],
    });
  });

  it("rejects provider settings on providers that have none", () => {
    for (const provider of ["openai", "anthropic", "cohere"]) {
      assertInvalid(validateManifest, manifest(model(provider, { region: "us-east-1" })), {
        keyword: "additionalProperties",
        param: ["additionalProperty", "region"],
      });
    }
  });

  it("rejects credential-looking fields anywhere", () => {
    for (const field of ["apiKey", "key", "secret", "token", "password", "accessKeyId", "secretAccessKey", "sessionToken"]) {
      for (const provider of Object.keys(connectionSettings)) {
        assertInvalid(validateManifest, manifest(model(provider, { [field]: "sk-123" })), {
          keyword: "additionalProperties",
          instancePath: "/models/0/connections/0",
          param: ["additionalProperty", field],
        });
      }
      assertInvalid(validateManifest, manifest(model("openai", {}, { [field]: "x" })), { keyword: "additionalProperties", instancePath: "/models/0" });
      assertInvalid(validateManifest, { ...manifest(), [field]: "x" }, { keyword: "additionalProperties", instancePath: "" });
    }
  });

  it("rejects credentials in generic advanced properties and headers", () => {
    const bad: Obj[] = [
      { headers: { Authorization: "Bearer sk-123" } },
      { headers: { "x-api-key": "sk-123" } },
      { headers: { "X-Goog-Api-Key": "abc" } },
      { headers: { "Ocp-Apim-Subscription-Key": "abc" } },
      { headers: { Cookie: "session=1" } },
      { headers: { "X-Title": "Bearer sk-123" } },
      { headers: { "X-Title": "line\r\nInjected: 1" } },
      { apiKey: "sk-123" },
      { access_token: "abc" },
      { endpoint: "basic dXNlcjpwYXNz" },
      { headers: "not-an-object" },
      { nested: { a: "b" } },
    ];
    for (const advancedProperties of bad) {
      const errors = errorsOf(validateManifest, manifest(model("generic", { advancedProperties })));
      assert.ok(errors.length > 0, `should reject ${JSON.stringify(advancedProperties)}`);
    }
  });

  it("rejects URLs with credentials, query strings or the wrong scheme", () => {
    for (const baseUrl of ["https://user:pass@api.example.com/v1", "https://api.example.com/v1?key=abc", "ftp://x.example.com", "api.groq.com/openai/v1", "https://exa mple.com"]) {
      assertInvalid(validateManifest, manifest(model("generic", { baseUrl })), { keyword: "pattern", instancePath: "/models/0/connections/0/baseUrl" });
    }
    assertInvalid(validateManifest, manifest(model("azure-openai", { endpoint: "http://my-resource.openai.azure.com" })), {
      keyword: "pattern",
      instancePath: "/models/0/connections/0/endpoint",
    });
  });

  it("reports missing required fields", () => {
    assertInvalid(validateManifest, { models: [] }, { keyword: "required", param: ["missingProperty", "version"] });
    assertInvalid(validateManifest, { version: 1 }, { keyword: "required", param: ["missingProperty", "models"] });
    for (const field of ["name", "type", "provider", "model", "connections"]) {
      const m = model("openai");
      delete m[field];
      assertInvalid(validateManifest, manifest(m), { keyword: "required", instancePath: "/models/0", param: ["missingProperty", field] });
    }
    const provReq: [string, string][] = [
      ["azure-openai", "endpoint"], ["azure-openai", "deployment"], ["azure-openai", "apiVersion"],
      ["amazon-bedrock", "region"], ["generic", "baseUrl"],
    ];
    for (const [provider, field] of provReq) {
      assertInvalid(validateManifest, manifest(model(provider, { [field]: undefined })), {
        keyword: "required",
        instancePath: "/models/0/connections/0",
        param: ["missingProperty", field],
      });
    }
    assertInvalid(validateManifest, manifest(model("openai", { name: undefined })), { keyword: "required", param: ["missingProperty", "name"] });
  });

  it("rejects bad dates", () => {
    for (const addedOn of ["2026-13-01", "2026-11-32", "22/11/2026", "2026-11-22T10:00:00Z", "2026-1-2", ""]) {
      assertInvalid(validateManifest, manifest(model("openai", {}, { addedOn })), { instancePath: "/models/0/addedOn" });
      assertInvalid(validateManifest, manifest(model("openai", { addedOn })), { instancePath: "/models/0/connections/0/addedOn" });
    }
  });

  it("rejects names with '/', control characters or only whitespace", () => {
    for (const name of ["a/b", "/", "", "   ", "tab\there", "nl\nhere", "x".repeat(101)]) {
      assertInvalid(validateManifest, manifest(model("openai", {}, { name })), { instancePath: "/models/0/name" });
      assertInvalid(validateManifest, manifest(model("openai", { name })), { instancePath: "/models/0/connections/0/name" });
    }
    assertValid(validateManifest, manifest(model("openai", { name: "My Llama 3.1 8B Connection" }, { name: "Modèle é 🚀" })));
  });

  it("counts lengths in code points: a pair of surrogates is one character, a lone one is one too", () => {
    const rocket = "\u{1F680}";
    assertValid(validateManifest, manifest(model("openai", { name: rocket.repeat(100) }, { name: rocket.repeat(100) })));
    assertInvalid(validateManifest, manifest(model("openai", { name: rocket.repeat(101) })), { instancePath: "/models/0/connections/0/name", keyword: "maxLength" });
    assertValid(validateManifest, manifest(model("openai", { description: rocket.repeat(999) + "\ud800" })));
    assertInvalid(validateManifest, manifest(model("openai", { description: "\udc00" + rocket.repeat(1000) })), { instancePath: "/models/0/connections/0/description", keyword: "maxLength" });
    assertValid(validateManifest, manifest(model("openai", { description: "x".repeat(1000) })));
    assertInvalid(validateManifest, manifest(model("openai", { description: "x".repeat(1001) })), { instancePath: "/models/0/connections/0/description", keyword: "maxLength" });
  });

  it("rejects version other than 1", () => {
    for (const version of [2, 0, "1", 1.5, null]) {
      assertInvalid(validateManifest, { version, models: [] }, { instancePath: "/version" });
    }
  });

  it("ties type to provider", () => {
    assertInvalid(validateManifest, manifest(model("generic", {}, { type: "easy" })), { keyword: "const", instancePath: "/models/0/type" });
    for (const provider of ["openai", "azure-openai", "amazon-bedrock"]) {
      assertInvalid(validateManifest, manifest(model(provider, {}, { type: "api" })), { keyword: "const", instancePath: "/models/0/type" });
    }
    assertInvalid(validateManifest, manifest(model("openai", {}, { type: "custom" })), { keyword: "enum", instancePath: "/models/0/type" });
    assertInvalid(validateManifest, manifest(model("openai", {}, { provider: "huggingface" })), { keyword: "enum", instancePath: "/models/0/provider" });
  });

  it("rejects wrong types and bad provider values", () => {
    assertInvalid(validateManifest, manifest(model("openai", { enabled: "yes" })), { keyword: "type", instancePath: "/models/0/connections/0/enabled" });
    assertInvalid(validateManifest, manifest(model("amazon-bedrock", { region: "US-EAST-1" })), { keyword: "pattern" });
    assertInvalid(validateManifest, manifest(model("google-gemini", { apiVersion: "1.0" })), { keyword: "pattern" });
    assertInvalid(validateManifest, manifest(model("generic", { authHeader: "Bad Header" })), { keyword: "pattern" });
    assertInvalid(validateManifest, { version: 1, models: {} }, { keyword: "type", instancePath: "/models" });
    for (const doc of [null, [], "x", 1]) assertInvalid(validateManifest, doc, { keyword: "type", instancePath: "" });
  });

  it("reports all problems at once (allErrors)", () => {
    const errors = errorsOf(validateManifest, manifest(model("azure-openai", { endpoint: undefined, extra: 1, addedOn: "x" }, { type: "api" })));
    const keywords = new Set(errors.map((e) => e.keyword));
    for (const k of ["required", "additionalProperties", "pattern", "const"]) assert.ok(keywords.has(k), `missing ${k}`);
  });

  it("ignores inherited properties and handles __proto__ keys", () => {
    const m = JSON.parse('{"version":1,"models":[],"__proto__":{"x":1}}');
    assertInvalid(validateManifest, m, { keyword: "additionalProperties", param: ["additionalProperty", "__proto__"] });
    const inherited = Object.create({ version: 1, models: [] });
    assertInvalid(validateManifest, inherited, { keyword: "required" });
  });

  it("stays linear on huge adversarial strings", () => {
    const big = "a".repeat(1_000_000);
    const ms = cpuMs(() => {
      for (const s of [big, " ".repeat(1_000_000) + "/", big + "\u0000", "https://" + big + "?", "v" + "1".repeat(1_000_000) + "x"]) {
        errorsOf(validateManifest, manifest(model("generic", { name: s, baseUrl: s, description: s, authHeader: s, addedBy: s, advancedProperties: { headers: { "X-A": s } } }, { name: s, model: s, location: s, addedOn: s })));
        errorsOf(validateManifest, manifest(model("google-gemini", { apiVersion: s })));
      }
    });
    assert.ok(ms < 2000, `took ${ms} ms of CPU`);
  });

  it("validates 10,000 connections quickly", () => {
    const connections = Array.from({ length: 10_000 }, (_, i) => ({ name: `key-${i}`, enabled: i % 2 === 0, addedBy: "alice", addedOn: "2026-11-22", region: "us-east-1" }));
    const data = manifest(model("amazon-bedrock", {}, { connections }));
    validateManifest(data); // warm up
    let valid = false;
    const ms = cpuMs(() => { valid = validateManifest(data); });
    assert.strictEqual(valid, true);
    assert.ok(ms < 200, `took ${ms} ms of CPU`);
  });
});

describe("agents schema", () => {
  it("accepts a full agents file and empty files", () => {
    assertValid(validateAgents, {
      supervisors: [{ name: "triage", description: "Routes requests", connection: "gpt-4o/prod-key-1", agents: ["billing", "refunds"] }],
      agents: [
        { name: "billing", description: "Bills", connection: "claude/team-key" },
        { name: "refunds" },
      ],
    });
    assertValid(validateAgents, {});
    assertValid(validateAgents, { supervisors: [], agents: [] });
    assertValid(validateAgents, { agents: [{ name: "a", connection: "My Llama 3.1 8B/My Connection" }] });
  });

  it("rejects bad connection references", () => {
    for (const connection of ["gpt-4o", "gpt-4o/", "/key", "a/b/c", "", 42]) {
      assertInvalid(validateAgents, { agents: [{ name: "a", connection }] }, { instancePath: "/agents/0/connection" });
      assertInvalid(validateAgents, { supervisors: [{ name: "s", connection }] }, { instancePath: "/supervisors/0/connection" });
    }
  });

  it("rejects unknown and credential fields, missing names, duplicate agent names", () => {
    assertInvalid(validateAgents, { agents: [{ name: "a", apiKey: "sk-1" }] }, { keyword: "additionalProperties", param: ["additionalProperty", "apiKey"] });
    assertInvalid(validateAgents, { supervisors: [{ name: "s", model: "gpt-4o" }] }, { keyword: "additionalProperties", param: ["additionalProperty", "model"] });
    assertInvalid(validateAgents, { tools: [] }, { keyword: "additionalProperties", instancePath: "" });
    assertInvalid(validateAgents, { agents: [{ description: "no name" }] }, { keyword: "required", param: ["missingProperty", "name"] });
    assertInvalid(validateAgents, { supervisors: [{ agents: ["a"] }] }, { keyword: "required", param: ["missingProperty", "name"] });
    assertInvalid(validateAgents, { supervisors: [{ name: "s", agents: ["a", "b", "a"] }] }, { keyword: "uniqueItems" });
    assertInvalid(validateAgents, { supervisors: [{ name: "s", agents: "a" }] }, { keyword: "type" });
    assertInvalid(validateAgents, { agents: [{ name: "" }] }, { instancePath: "/agents/0/name" });
    assertInvalid(validateAgents, { agents: {} }, { keyword: "type", instancePath: "/agents" });
    assertInvalid(validateAgents, null, { keyword: "type" });
  });
});

describe("schemaInfo.allowedKeys", () => {
  it("lists every kind with its keys", () => {
    const expected = ["root", "model", "connection-common", ...providers.map((p) => `connection-${p}`), "agentsRoot", "supervisor", "agent"];
    assert.deepStrictEqual(Object.keys(allowedKeys), expected);
    assert.deepStrictEqual(allowedKeys["connection-azure-openai"], ["name", "enabled", "addedBy", "addedOn", "description", "endpoint", "deployment", "apiVersion"]);
    assert.deepStrictEqual(allowedKeys.root, ["version", "models"]);
  });

  it("agrees with the validator: every allowed key is accepted, nothing credential-like", () => {
    for (const kind of Object.keys(allowedKeys)) {
      for (const key of allowedKeys[kind]) assert.ok(!/api.?key|secret|token|passw/i.test(key), `${kind}.${key}`);
    }
  });
});
