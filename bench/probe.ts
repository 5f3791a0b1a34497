/**
 * Checks done one request at a time, where a count per request is exact: that every scenario
 * answers without errors before it is timed, and that the list's database commands per request do
 * not grow with the page size (the batching promise: one query per collection per request).
 */
import { contractDocument, postGraphQL, type Samples, type Scenario } from './scenarios';
import { SUBGRAPHS, type Stack, type SubgraphName } from './stack';

/**
 * Says loudly when a scenario does not answer cleanly before it is timed. Not fatal: at scale a
 * subgraph timing out is itself the finding, and the runs count every failed answer.
 */
export async function checkAnswers(url: string, headers: Record<string, string>, scenario: Scenario, label: string, warn: (line: string) => void): Promise<void> {
  try {
    await checkAnswer(url, headers, scenario, label);
  } catch (err) {
    warn(`WARNING: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function checkAnswer(url: string, headers: Record<string, string>, scenario: Scenario, label: string): Promise<void> {
  const variables = scenario.variables[0];
  const res = await postGraphQL<Record<string, unknown>>(url, headers, scenario.query, variables, scenario.operationName);
  if (res.errors?.length || !res.data) {
    throw new Error(`${label} scenario ${scenario.id} answered with errors for ${JSON.stringify(variables)}: ${JSON.stringify(res.errors ?? res).slice(0, 800)}`);
  }
  const first = Object.values(res.data)[0];
  if (first === null || first === undefined) throw new Error(`${label} scenario ${scenario.id}: empty answer for ${JSON.stringify(variables)}`);
}

export interface PageSizeProbe {
  pageSize: number;
  requests: number;
  dbCommandsPerRequest: number;
  dbCommandsBySubgraph: Record<SubgraphName, number>;
  subgraphRequestsPerRequest: number;
  /** Servants actually returned per request (a short last page would make the check weaker). */
  servantsPerRequest: number;
  /** Answers with errors (e.g. a subgraph timing out): their counts are partial. */
  failed: number;
}

/** The contract's list through our (counted) gateway, first: 10 and first: 100, `requests` times each. */
export async function probePageSizes(stack: Stack, samples: Samples, requests: number): Promise<PageSizeProbe[]> {
  const url = stack.countedGateways.ours!.url;
  const directory = contractDocument('directory');
  const out: PageSizeProbe[] = [];
  for (const pageSize of [10, 100]) {
    const db0 = Object.fromEntries(SUBGRAPHS.map((n) => [n, stack.mongoProxies[n].total()])) as Record<SubgraphName, number>;
    const http0 = SUBGRAPHS.reduce((a, n) => a + stack.subgraphProxies[n].total(), 0);
    let servants = 0;
    let failed = 0;
    for (let i = 0; i < requests; i++) {
      const page = samples.pages[i % samples.pages.length];
      const res = await postGraphQL<{ civilServants: { edges: unknown[] } }>(url, stack.headers, directory, { filter: { region: page.region }, first: pageSize, after: page.after }, 'CivilServants');
      if (res.errors?.length || !res.data) failed++;
      servants += res.data?.civilServants?.edges.length ?? 0;
    }
    const bySubgraph = Object.fromEntries(SUBGRAPHS.map((n) => [n, (stack.mongoProxies[n].total() - db0[n]) / requests])) as Record<SubgraphName, number>;
    out.push({
      pageSize,
      requests,
      dbCommandsPerRequest: Object.values(bySubgraph).reduce((a, b) => a + b, 0),
      dbCommandsBySubgraph: bySubgraph,
      subgraphRequestsPerRequest: (SUBGRAPHS.reduce((a, n) => a + stack.subgraphProxies[n].total(), 0) - http0) / requests,
      servantsPerRequest: servants / requests,
      failed,
    });
  }
  return out;
}

export interface CountProbe {
  scenario: string;
  gateway: string;
  requests: number;
  failed: number;
  subgraphRequestsPerRequest: number;
  dbCommandsPerRequest: number;
  dbCommandsBySubgraph: Record<SubgraphName, number>;
  /** Unloaded: what each command costs when nothing queues in front of it. */
  commands: Array<{ subgraph: SubgraphName; command: string; perRequest: number; meanMs: number }>;
  subgraphCalls: Array<{ subgraph: SubgraphName; perRequest: number; meanMs: number }>;
}

function byName(stack: Stack) {
  return SUBGRAPHS.map((n) => ({ n, counts: stack.mongoProxies[n].counts(), ms: stack.mongoProxies[n].waitedByName(), calls: stack.subgraphProxies[n].total(), callMs: stack.subgraphProxies[n].waitedMs() }));
}

/**
 * Exact counts per request: one request at a time, so none is cut off mid-flight as at the end of
 * a timed run. Takes variables from the end of the list, away from where the timed runs start.
 */
export async function probeCounts(stack: Stack, scenario: Scenario, url: string, gateway: string, requests: number): Promise<CountProbe> {
  const db0 = Object.fromEntries(SUBGRAPHS.map((n) => [n, stack.mongoProxies[n].total()])) as Record<SubgraphName, number>;
  const http0 = SUBGRAPHS.reduce((a, n) => a + stack.subgraphProxies[n].total(), 0);
  const named0 = byName(stack);
  let failed = 0;
  for (let i = 0; i < requests; i++) {
    const variables = scenario.variables[(scenario.variables.length - 1 - i + scenario.variables.length * requests) % scenario.variables.length];
    const res = await postGraphQL<Record<string, unknown>>(url, stack.headers, scenario.query, variables, scenario.operationName);
    if (res.errors?.length) failed++;
  }
  const bySubgraph = Object.fromEntries(SUBGRAPHS.map((n) => [n, (stack.mongoProxies[n].total() - db0[n]) / requests])) as Record<SubgraphName, number>;
  const commands: CountProbe['commands'] = [];
  const subgraphCalls: CountProbe['subgraphCalls'] = [];
  byName(stack).forEach((after, i) => {
    const before = named0[i];
    for (const [command, n] of Object.entries(after.counts)) {
      const count = n - (before.counts[command] ?? 0);
      if (count > 0) commands.push({ subgraph: after.n, command, perRequest: count / requests, meanMs: ((after.ms[command] ?? 0) - (before.ms[command] ?? 0)) / count });
    }
    const calls = after.calls - before.calls;
    if (calls > 0) subgraphCalls.push({ subgraph: after.n, perRequest: calls / requests, meanMs: (after.callMs - before.callMs) / calls });
  });
  commands.sort((x, y) => y.perRequest * y.meanMs - x.perRequest * x.meanMs);
  return {
    scenario: scenario.id,
    commands,
    subgraphCalls,
    gateway,
    requests,
    failed,
    subgraphRequestsPerRequest: (SUBGRAPHS.reduce((a, n) => a + stack.subgraphProxies[n].total(), 0) - http0) / requests,
    dbCommandsPerRequest: Object.values(bySubgraph).reduce((a, b) => a + b, 0),
    dbCommandsBySubgraph: bySubgraph,
  };
}
