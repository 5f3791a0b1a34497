/**
 * What the bench sends: the contract's own operations, read from ../shared/contract so the bench
 * can never measure a query consumers do not send, and real variables gathered from the seeded
 * data, so every request asks for something different and no cache or de-duplication can answer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './proc';

export const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');

export type ScenarioId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k';
export const SCENARIO_IDS: readonly ScenarioId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
/** The analytics scenarios (issue 6): measured at their own concurrency; the workforce questions (e, f) also on the peer. */
export const ANALYTICS_IDS: readonly ScenarioId[] = ['e', 'f', 'g', 'h', 'i', 'j'];
export const ANALYTICS_CONNECTIONS = 5;

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Through a gateway, or straight to the personnel subgraph. */
  target: 'gateway' | 'personnel';
  /** Whether the peer gateway runs it too. */
  peer: boolean;
  query: string;
  operationName: string;
  variables: Array<Record<string, unknown>>;
  /** Concurrent connections, when not the run's --connections. */
  connections?: number;
  /**
   * MongoDB and the subgraphs may use every CPU, the gateway's too (see Pinning.all): where they do
   * most of the work, pinned to their own core they left the gateway's core mostly idle.
   */
  backendOnAllCpus?: boolean;
}

/**
 * Personnel-only: every field is resolved by the personnel subgraph, so through the gateway it is
 * one subgraph request, and sent straight to personnel it is the same work minus the gateway.
 */
export const PERSONNEL_QUERY = `query PersonnelProfile($iin: IIN!) {
  civilServant(iin: $iin) {
    id iin lastName firstName patronymic birthDate gender serviceType corps status
    currentAssignment { startDate position { id title categoryCode stateBody { id name level region } } }
    civilServiceTenure { years months days }
  }
}`;

/**
 * The least a request that needs all four subgraphs costs: one field of each, for one servant. What
 * (a) costs beyond it is the profile's data; what it costs itself is the architecture's fixed price
 * (a gateway, four subgraph calls each checked, authorised and audited, and their database reads),
 * which no amount of work on the profile's resolvers can take away.
 */
export const FLOOR_QUERY = `query ProfileFloor($iin: IIN!) {
  civilServant(iin: $iin) {
    id
    trainingOverdue
    latestAnnualBand
    serviceQuality { requestsHandled }
  }
}`;

export const LIST_PAGE_SIZE = 50;

export function contractDocument(file: 'profile' | 'directory' | 'analytics'): string {
  return readFileSync(path.join(CONTRACT_DIR, `${file}.graphql`), 'utf8');
}

export interface PageStart {
  region: string;
  /** null for the first page of the region. */
  after: string | null;
}

export interface Samples {
  iins: string[];
  /** Page starts with at least LIST_PAGE_SIZE servants after them, so every page is full. */
  pages: PageStart[];
}

/**
 * Workforce questions differ by their filter (one question per request, so no answer is reused):
 * the whole service, each corps, each gender, each body level.
 */
const WORKFORCE_FILTERS: Array<Record<string, string>> = [
  {},
  { corps: 'A' },
  { corps: 'B' },
  { gender: 'FEMALE' },
  { gender: 'MALE' },
  ...['CENTRAL', 'CENTRAL_TERRITORIAL_OBLAST', 'CENTRAL_TERRITORIAL_DISTRICT', 'LOCAL_OBLAST', 'LOCAL_DISTRICT', 'LOCAL_RURAL'].map((stateBodyLevel) => ({ stateBodyLevel })),
];

/** One alert list at a time: the contract's fragment, the list's own field. */
function alertQuery(field: string): string {
  const fragment = contractDocument('analytics').slice(contractDocument('analytics').indexOf('fragment AlertFields'));
  return `query ${field}($filter: AlertFilter, $first: Int) { ${field}(filter: $filter, first: $first) { totalCount edges { node { ...AlertFields } } } }\n${fragment}`;
}

function analyticsScenarios(): Record<'e' | 'f' | 'g' | 'h' | 'i' | 'j', Scenario> {
  const analytics = contractDocument('analytics');
  const workforce = (groupBy: string) => WORKFORCE_FILTERS.map((filter) => ({ groupBy: [groupBy], filter }));
  // Every region, then the whole country: 21 different lists.
  const alertVariables = [...REGIONS.map((region) => ({ filter: { region }, first: 20 })), { first: 20 }];
  const base = { target: 'gateway' as const, peer: false, connections: ANALYTICS_CONNECTIONS, backendOnAllCpus: true };
  const alerts = (id: 'g' | 'h' | 'i' | 'j', field: string): Scenario => ({ ...base, id, title: `${field} (contract fragment), 20/page`, query: alertQuery(field), operationName: field, variables: alertVariables });
  return {
    // The peer answers the workforce questions too: thousands of entities merged per answer is
    // gateway work, and how far a peer gets on the same stack says whether a miss is ours.
    e: { ...base, id: 'e', title: 'workforce by region (contract)', query: analytics, operationName: 'Workforce', variables: workforce('REGION'), peer: true },
    f: { ...base, id: 'f', title: 'workforce by state body (contract)', query: analytics, operationName: 'Workforce', variables: workforce('STATE_BODY'), peer: true },
    g: alerts('g', 'personnelAlerts'),
    h: alerts('h', 'trainingAlerts'),
    i: alerts('i', 'evaluationAlerts'),
    j: alerts('j', 'serviceQualityAlerts'),
  };
}

export function buildScenarios(samples: Samples): Record<ScenarioId, Scenario> {
  const profile = contractDocument('profile');
  const directory = contractDocument('directory');
  const byIin = samples.iins.map((iin) => ({ iin }));
  return {
    a: { id: 'a', title: 'profile (contract, 4 subgraphs)', target: 'gateway', peer: true, query: profile, operationName: 'CivilServantProfile', variables: byIin, backendOnAllCpus: true },
    b: {
      id: 'b',
      title: `list ${LIST_PAGE_SIZE}/page by region (contract)`,
      target: 'gateway',
      peer: true,
      query: directory,
      operationName: 'CivilServants',
      variables: samples.pages.map((p) => ({ filter: { region: p.region }, first: LIST_PAGE_SIZE, after: p.after })),
      backendOnAllCpus: true,
    },
    c: { id: 'c', title: 'personnel-only via gateway', target: 'gateway', peer: true, query: PERSONNEL_QUERY, operationName: 'PersonnelProfile', variables: byIin },
    d: { id: 'd', title: 'personnel-only direct to subgraph', target: 'personnel', peer: false, query: PERSONNEL_QUERY, operationName: 'PersonnelProfile', variables: byIin },
    ...analyticsScenarios(),
    k: { id: 'k', title: 'one field from each subgraph by IIN (floor of a)', target: 'gateway', peer: true, query: FLOOR_QUERY, operationName: 'ProfileFloor', variables: byIin, backendOnAllCpus: true },
  };
}

export const REGIONS = [
  'ABAI', 'AKMOLA', 'AKTOBE', 'ALMATY_REGION', 'ATYRAU', 'WEST_KAZAKHSTAN', 'ZHAMBYL', 'ZHETISU', 'KARAGANDA', 'KOSTANAY',
  'KYZYLORDA', 'MANGYSTAU', 'PAVLODAR', 'NORTH_KAZAKHSTAN', 'TURKISTAN', 'ULYTAU', 'EAST_KAZAKHSTAN', 'ASTANA', 'ALMATY', 'SHYMKENT',
];

const COLLECT_QUERY = `query Collect($filter: CivilServantFilter, $first: Int, $after: String) {
  civilServants(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { iin } }
  }
}`;

interface CollectPage {
  civilServants: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: { iin: string } }> };
}

export async function postGraphQL<T>(url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown>, operationName?: string): Promise<{ data?: T | null; errors?: Array<{ message: string }> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables, operationName }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return (await res.json()) as { data?: T | null; errors?: Array<{ message: string }> };
}

/**
 * Walks every region's list on the personnel subgraph directly (not counted, not through a
 * gateway) and keeps every servant's IIN and every edge cursor as a page start.
 */
export async function collectSamples(personnelUrl: string, headers: Record<string, string>, seed: string): Promise<Samples> {
  const iins: string[] = [];
  const pages: PageStart[] = [];
  for (const region of REGIONS) {
    const cursors: Array<string | null> = [null];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof postGraphQL<CollectPage>>> = await postGraphQL<CollectPage>(personnelUrl, headers, COLLECT_QUERY, { filter: { region }, first: 100, after });
      if (res.errors?.length || !res.data) throw new Error(`collecting ${region}: ${JSON.stringify(res.errors)}`);
      const { edges, pageInfo } = res.data.civilServants;
      for (const edge of edges) {
        iins.push(edge.node.iin);
        cursors.push(edge.cursor);
      }
      if (!pageInfo.hasNextPage || !pageInfo.endCursor) break;
      after = pageInfo.endCursor;
    }
    // Cursor k starts a page at servant k+1 of the region (k = 0 is "no cursor"): full pages only.
    const full = Math.max(0, cursors.length - LIST_PAGE_SIZE);
    for (let k = 0; k < full; k++) pages.push({ region, after: cursors[k] });
  }
  if (iins.length === 0) throw new Error('the personnel subgraph lists no servant in any region: was the seed empty?');
  const random = mulberry32(hash(seed));
  return { iins: shuffle(iins, random), pages: shuffle(pages.length > 0 ? pages : REGIONS.map((region) => ({ region, after: null })), random) };
}

/** Deterministic order, so two runs with the same seed send the same requests. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
