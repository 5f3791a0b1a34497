/** One subgraph's answer to the readiness probe. */
export interface SubgraphStatus {
  status: 'up' | 'down';
  /** Why it is down; left out in production, where /ready must not describe the network. */
  reason?: string;
}

export interface ReadinessOptions {
  subgraphUrls: Record<string, string>;
  /** Longest wait for each probe. */
  timeoutMs: number;
  /** Whether the supergraph has been loaded and the gateway can plan queries. */
  loaded: () => boolean;
  production: boolean;
}

/**
 * Probes a subgraph with `{ __typename }` on its GraphQL endpoint: unlike `/health`, which any
 * process that listens can answer, it proves the GraphQL server behind the URL executes queries,
 * and every GraphQL server answers it.
 */
export async function probeSubgraph(url: string, timeoutMs: number): Promise<{ ok: boolean; reason?: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { ok: false, reason: `HTTP ${res.status}` };
    const body = (await res.json()) as { data?: { __typename?: unknown } };
    return body.data?.__typename === 'Query' ? { ok: true } : { ok: false, reason: 'not a GraphQL answer' };
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') return { ok: false, reason: `no answer within ${timeoutMs} ms` };
    const code = err instanceof Error ? (err.cause as { code?: string } | undefined)?.code : undefined;
    return { ok: false, reason: code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/** `GET /ready`: ready when the supergraph is loaded and every subgraph answers. */
export function readinessCheck({ subgraphUrls, timeoutMs, loaded, production }: ReadinessOptions) {
  return async (): Promise<{ ok: boolean; details: Record<string, unknown> }> => {
    const names = Object.keys(subgraphUrls);
    const probes = await Promise.all(names.map((name) => probeSubgraph(subgraphUrls[name], timeoutMs)));
    const subgraphs: Record<string, SubgraphStatus> = {};
    names.forEach((name, i) => {
      const { ok, reason } = probes[i];
      subgraphs[name] = ok ? { status: 'up' } : { status: 'down', ...(production ? {} : { reason }) };
    });
    const supergraph = loaded() ? 'loaded' : 'not loaded';
    return { ok: supergraph === 'loaded' && probes.every((p) => p.ok), details: { supergraph, subgraphs } };
  };
}
