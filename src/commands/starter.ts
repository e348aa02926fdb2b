/** The commented starter manifest written by "Create Manifest". */
export const STARTER_MANIFEST = `# Agent Connections manifest: the LLM model connections your agents use.
# Commit this file. It names models, providers and endpoints — never keys:
# each person stores their own keys in VS Code SecretStorage on their machine.
#
# providers: openai | anthropic | google-gemini | cohere | amazon-bedrock | azure-openai | generic
# type: easy (a natively supported provider) | api (generic, OpenAI-compatible API)
# Agents refer to a connection as \`model/connection\`, e.g. gpt-4o/default.
version: 1
models:
  - name: gpt-4o
    type: easy
    provider: openai
    model: gpt-4o
    description: General-purpose model
    location: Default
    connections:
      - name: default
        enabled: true
    # Other providers take settings on each connection, for example:
    #   azure-openai:   endpoint, deployment, apiVersion
    #   amazon-bedrock: region
    #   google-gemini:  apiVersion (v1 | v1beta)
    #   generic:        baseUrl, apiFormat, authHeader, advancedProperties
`;
