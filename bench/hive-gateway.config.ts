/**
 * Hive Gateway's configuration for the bench (`--config-path`): forward the caller's credentials
 * and declared purpose to the subgraphs, as our gateway does. Each subgraph verifies the token
 * itself, so without this every request would be refused and the comparison would be meaningless.
 */

const FORWARDED = ['authorization', 'x-purpose', 'x-request-id'] as const;

// Typed locally rather than with `defineConfig`: importing @graphql-hive/gateway's types into the
// one TypeScript project changes global fetch types and breaks the gateway's own code.
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }): Record<string, string | null> =>
      Object.fromEntries(FORWARDED.map((name) => [name, request.headers.get(name)])),
  },
};
