// Deterministic generator of realistic agent-connections.yaml manifests for the benchmark.
// Same shapes as examples/workspace/agent-connections.yaml: all seven providers, header and
// inline comments, descriptions, provider settings (apiVersion, region, endpoint/deployment/
// apiVersion, baseUrl/apiFormat/authHeader/advancedProperties.headers), about ten connections per model.

/** mulberry32: small seeded PRNG, so every run benchmarks the same bytes. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yuki'];
const LOCATIONS = ['Support', 'Research', 'Billing', 'Default', 'Sales', 'Platform', 'Security', 'Data'];
const CONN_PREFIX = ['prod', 'staging', 'batch', 'team', 'dev', 'eval', 'ci', 'research', 'nightly', 'personal', 'shared', 'backup'];
const CONN_DESCRIPTIONS = [
  'Production project key',
  'Staging project, low rate limits',
  'Separate key for nightly batch evaluations',
  'Trial key, rate limited',
  'Shared team key, rotated monthly',
  'CI pipeline key for regression evals',
  'Personal key for prompt experiments',
  'Backup key when the primary hits its quota',
];
const MODEL_DESCRIPTIONS = [
  'General-purpose model for triage and summaries',
  'Long-context research agent',
  'Fast small model for classification',
  'Tool-calling model for the billing agents',
  'Drafts customer replies, reviewed by a human',
  'Extraction of structured fields from tickets',
  'Code review assistant for the platform team',
  'Embeddings-free reranking of search results',
];

const PROVIDERS = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
const MODELS = {
  openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3', 'o4-mini'],
  anthropic: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-3-7-sonnet-latest'],
  'google-gemini': ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemini-3-flash-preview', 'gemini-3.1-pro-preview'],
  cohere: ['command-r-08-2024', 'command-r-plus-08-2024', 'command-a-03-2025'],
  'amazon-bedrock': [
    'us.anthropic.claude-opus-4-1-20250805-v1:0',
    'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'us.amazon.nova-premier-v1:0',
    'amazon.nova-pro-v1:0',
    'anthropic.claude-3-5-haiku-20241022-v1:0',
    'cohere.command-r-v1:0',
  ],
  'azure-openai': ['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-5-mini'],
  generic: ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile', 'mixtral-8x7b', 'qwen2.5-coder-32b', 'deepseek-r1-distill-llama-70b'],
};
const BEDROCK_REGIONS = {
  us: ['us-east-1', 'us-east-2', 'us-west-2'],
  eu: ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1'],
  none: ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-2'],
};
const AZURE_REGIONS = ['eastus', 'eastus2', 'westeurope', 'swedencentral', 'francecentral', 'japaneast', 'uksouth'];
const AZURE_API_VERSIONS = ['2024-10-21', '2025-04-01-preview', 'v1'];
const GENERIC_ENDPOINTS = [
  { name: 'groq', baseUrl: 'https://api.groq.com/openai/v1' },
  { name: 'together', baseUrl: 'https://api.together.xyz/v1' },
  { name: 'fireworks', baseUrl: 'https://api.fireworks.ai/inference/v1' },
  { name: 'gateway', baseUrl: 'https://llm-gateway.internal.example.com/v1' },
  { name: 'local-ollama', baseUrl: 'http://localhost:11434/v1', local: true },
  { name: 'local-vllm', baseUrl: 'http://127.0.0.1:8000/v1', local: true },
];

/**
 * A manifest with exactly `connections` connections (8–12 per model, ~10 on average).
 * @returns {{ text: string, models: number, connections: number }}
 */
export function generateManifest(connections, seed = 20261122) {
  const r = rng(seed ^ connections);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const chance = (p) => r() < p;
  const date = () => {
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    return `${2025 + Math.floor(r() * 2)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };

  const out = [
    '# Model connections for the support-desk agents.',
    '# Committed to git: it names models, providers and endpoints, never keys.',
    '# Each teammate stores their own keys in VS Code SecretStorage',
    '# (Agent Connections view → a connection → Set key).',
    `# Generated benchmark manifest: ${connections} connections, seed ${seed}.`,
    'version: 1',
    'models:',
  ];
  let remaining = connections;
  let mi = 0;
  while (remaining > 0) {
    const provider = PROVIDERS[mi % PROVIDERS.length];
    const model = pick(MODELS[provider]);
    const n = Math.min(remaining, remaining <= 12 ? remaining : 8 + Math.floor(r() * 5));
    remaining -= n;
    const name = `${model.replace(/^(us|eu)\./, '').replace(/[.:]/g, '-').slice(0, 40)}-${String(mi + 1).padStart(5, '0')}`;
    if (mi > 0) out.push('');
    if (chance(0.2)) out.push(`  # ${pick(LOCATIONS)} team: ask ${pick(USERS)} before changing these connections.`);
    out.push(`  - name: ${name}`);
    out.push(`    type: ${provider === 'generic' ? 'api' : 'easy'}`);
    out.push(`    provider: ${provider}`);
    const prefix = provider === 'amazon-bedrock' ? (/^(us|eu)\./.exec(model)?.[1] ?? 'none') : undefined;
    out.push(`    model: ${model}${prefix && prefix !== 'none' ? '   # cross-region inference profile' : ''}`);
    if (chance(0.7)) out.push(`    description: ${pick(MODEL_DESCRIPTIONS)}`);
    out.push(`    location: ${pick(LOCATIONS)}`);
    out.push(`    addedOn: ${date()}`);
    out.push('    connections:');
    const azureTenant = pick(['contoso', 'fabrikam', 'northwind']);
    for (let ci = 0; ci < n; ci++) {
      const generic = provider === 'generic' ? GENERIC_ENDPOINTS[ci % GENERIC_ENDPOINTS.length] : undefined;
      const azureRegion = provider === 'azure-openai' ? AZURE_REGIONS[ci % AZURE_REGIONS.length] : undefined;
      const cname = generic ? `${generic.name}-${ci + 1}` : azureRegion ? `${azureRegion}-${ci + 1}` : `${pick(CONN_PREFIX)}-key-${ci + 1}`;
      out.push(`      - name: ${cname}`);
      out.push(`        enabled: ${chance(0.85) ? 'true' : 'false'}`);
      out.push(`        addedBy: ${pick(USERS)}`);
      out.push(`        addedOn: ${date()}`);
      if (chance(0.1)) out.push(`        description: ${generic?.local ? 'Local server on this laptop, for offline work' : pick(CONN_DESCRIPTIONS)}`);
      switch (provider) {
        case 'google-gemini':
          out.push(/preview/.test(model) ? '        apiVersion: v1beta        # preview models exist only on v1beta' : '        apiVersion: v1');
          break;
        case 'amazon-bedrock':
          out.push(`        region: ${pick(BEDROCK_REGIONS[prefix])}`);
          break;
        case 'azure-openai':
          out.push(`        endpoint: https://${azureTenant}-${azureRegion}.openai.azure.com`);
          out.push(`        deployment: ${model.replace(/\./g, '')}-${pick(['prod', 'eu', 'batch', 'dev'])}`);
          out.push(`        apiVersion: ${pick(AZURE_API_VERSIONS)}`);
          break;
        case 'generic':
          out.push(`        baseUrl: ${generic.baseUrl}`);
          out.push('        apiFormat: openai');
          if (generic.local) out.push('        authHeader: none');
          if (generic.local) {
            out.push('        advancedProperties:');
            out.push('          headers:');
            out.push(`            X-Client: agent-connections-${pick(['bench', 'support', 'billing'])}`);
          }
          break;
      }
    }
    mi++;
  }
  out.push('');
  return { text: out.join('\n'), models: mi, connections };
}
