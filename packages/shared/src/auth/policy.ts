/**
 * Who may see and do what: one table, one pure function. The schema transform, the README matrix
 * and the tests all read `POLICY`, so the rules cannot drift apart.
 */

/**
 * `service`: another subgraph of this system, not a person; it may only ask personnel which body a
 * servant belongs to (`bodyChain`), which training, evaluation and services-quality need for hr's scope.
 */
export const ROLES = ['analyst', 'academy', 'hr', 'monitoring', 'servant', 'feedback', 'service'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a field exposes. Reads: `reference` (reference data and aggregates; every unmarked root
 * query field), `record` (non-personal facts about one named servant), `placement` (register id,
 * status and current position: what the Academy needs to enrol someone), `training`, `identity`
 * (names), `personal` (IIN, birth date, gender), `special` (sanctions, corruption records),
 * `accessLog` (who read a servant's data), `bodyChain` (each servant's current body and its
 * ancestors, asked by subgraphs for hr's scope), `directory` (personnel's change feed of the servant
 * directory, read by the other subgraphs' copies), `compliance` (compliance alert lists: hr gets
 * them for its own bodies only, which the list's resolver narrows to). Writes: `write:<area>`.
 */
export const CATEGORIES = [
  'reference',
  'record',
  'placement',
  'training',
  'identity',
  'personal',
  'special',
  'accessLog',
  'bodyChain',
  'directory',
  'compliance',
  'write:personnel',
  'write:sanction',
  'write:training',
  'write:evaluation',
  'write:feedback',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Categories whose every read is audited (domain rule 8). */
export const AUDITED: ReadonlySet<Category> = new Set<Category>(['identity', 'personal', 'special']);

/**
 * `all`: any target; `scope`: targets currently in the caller's state body or one below it;
 * `self`: the caller's own record; `none`: never.
 */
export type Access = 'all' | 'scope' | 'self' | 'none';

export interface Rule {
  access: Access;
  /** A declared purpose (token claim or X-Purpose header) is required. */
  purpose?: boolean;
  /** At most `limit` calls per `windowSeconds` per caller (enforced by the transform). */
  rateLimit?: { limit: number; windowSeconds: number };
}

const none: Rule = { access: 'none' };
const all: Rule = { access: 'all' };
const scope: Rule = { access: 'scope' };
const self: Rule = { access: 'self' };
const allWithPurpose: Rule = { access: 'all', purpose: true };
const scopeWithPurpose: Rule = { access: 'scope', purpose: true };

/** The role matrix. Reading it top to bottom is reading the README's table. */
export const POLICY: Readonly<Record<Category, Readonly<Record<Role, Rule>>>> = {
  reference: { analyst: all, academy: all, hr: all, monitoring: all, servant: all, feedback: none, service: none },
  record: { analyst: none, academy: none, hr: scope, monitoring: all, servant: self, feedback: none, service: none },
  placement: { analyst: none, academy: all, hr: scope, monitoring: all, servant: self, feedback: none, service: none },
  training: { analyst: none, academy: all, hr: scope, monitoring: all, servant: self, feedback: none, service: none },
  identity: { analyst: none, academy: all, hr: scopeWithPurpose, monitoring: allWithPurpose, servant: self, feedback: none, service: none },
  personal: { analyst: none, academy: none, hr: scopeWithPurpose, monitoring: allWithPurpose, servant: self, feedback: none, service: none },
  special: { analyst: none, academy: none, hr: scopeWithPurpose, monitoring: allWithPurpose, servant: self, feedback: none, service: none },
  accessLog: { analyst: none, academy: none, hr: none, monitoring: all, servant: self, feedback: none, service: none },
  // Not audited: which body employs a servant is not personal data, and only a subgraph asks it.
  bodyChain: { analyst: none, academy: none, hr: none, monitoring: none, servant: none, feedback: none, service: all },
  // Placement, gender and birth year of every servant, for the other subgraphs' directory copies.
  directory: { analyst: none, academy: none, hr: none, monitoring: none, servant: none, feedback: none, service: all },
  compliance: { analyst: none, academy: none, hr: scope, monitoring: all, servant: none, feedback: none, service: none },
  'write:personnel': { analyst: none, academy: none, hr: scope, monitoring: none, servant: none, feedback: none, service: none },
  // A sanction is imposed by the body's own order (hr) or recorded by the authorized body.
  'write:sanction': { analyst: none, academy: none, hr: scope, monitoring: all, servant: none, feedback: none, service: none },
  'write:training': { analyst: none, academy: all, hr: none, monitoring: none, servant: none, feedback: none, service: none },
  'write:evaluation': { analyst: none, academy: none, hr: scope, monitoring: none, servant: none, feedback: none, service: none },
  'write:feedback': {
    analyst: none,
    academy: none,
    hr: none,
    monitoring: none,
    servant: none,
    feedback: { access: 'all', rateLimit: { limit: 30, windowSeconds: 60 } },
    service: none,
  },
};

/** The authenticated caller, from a verified token (and the request's X-Purpose header). */
export interface Caller {
  sub: string;
  role: Role;
  /** hr only: the state body whose servants (and its subordinate bodies' servants) are theirs. */
  stateBody?: string;
  /** servant only: the caller's own register id. */
  servant?: string;
  purpose?: string;
}

/** The categories a field carries (several: all must allow). */
export interface FieldMarks {
  categories: readonly Category[];
}

/**
 * Whose data a field is about. `bodyChain` is the target's current state body followed by its
 * ancestors; undefined when not looked up (then a `scope` rule cannot allow). `entry` marks a
 * root field that only leads to servants: it is open to every role that may see some data about
 * some servant, and each servant's fields are checked (scope, self, purpose) as they resolve.
 */
export interface Target {
  servantId?: string | null;
  bodyChain?: readonly string[] | null;
  entry?: boolean;
}

export type Decision =
  | { allow: true; audit: readonly Category[]; rateLimit?: Rule['rateLimit'] }
  | { allow: false; reason: string };

/** Categories of data about one servant: a root field leading to servants is open to a role with any of them. */
const SERVANT_CATEGORIES: readonly Category[] = ['record', 'placement', 'training', 'identity', 'personal', 'special', 'accessLog'];

function check(caller: Caller, category: Category, target: Target): string | null {
  if (target.entry && SERVANT_CATEGORIES.includes(category)) {
    const any = SERVANT_CATEGORIES.some((c) => POLICY[c][caller.role].access !== 'none');
    return any ? null : `role ${caller.role} may not access data about named servants`;
  }
  const rule = POLICY[category][caller.role];
  if (rule.access === 'none') return `role ${caller.role} may not access ${category} data`;
  if (rule.purpose && !caller.purpose) return `${category} data needs a declared purpose (X-Purpose header or purpose claim)`;
  if (rule.access === 'all') return null;
  // A root list in scope (compliance alerts): its resolver narrows it to the caller's bodies.
  if (target.entry && rule.access === 'scope') return caller.stateBody ? null : 'role hr needs a stateBody claim';
  if (rule.access === 'self') {
    return caller.servant !== undefined && target.servantId === caller.servant ? null : `role servant may only access its own ${category} data`;
  }
  // scope
  if (!caller.stateBody) return 'role hr needs a stateBody claim';
  if (!target.bodyChain) return `the state body of this record is unknown, so hr access to ${category} data is refused`;
  return target.bodyChain.includes(caller.stateBody) ? null : `this record is outside state body ${caller.stateBody} and its subordinate bodies`;
}

/** Whether `caller` may resolve a field carrying `marks` for `target`, and what to audit. */
export function decide(caller: Caller, marks: FieldMarks, target: Target): Decision {
  let rateLimit: Rule['rateLimit'];
  for (const category of marks.categories) {
    const refusal = check(caller, category, target);
    if (refusal) return { allow: false, reason: refusal };
    rateLimit ??= POLICY[category][caller.role].rateLimit;
  }
  const audit = target.entry ? [] : marks.categories.filter((c) => AUDITED.has(c));
  return rateLimit ? { allow: true, audit, rateLimit } : { allow: true, audit };
}

/** Whether deciding for this caller needs the target's state body chain (only hr's scope rules). */
export function needsBodyChain(caller: Caller, marks: FieldMarks): boolean {
  return marks.categories.some((c) => POLICY[c][caller.role].access === 'scope');
}

/** Whether deciding needs to know whose record this is (scope, self, or an audited category). */
export function needsServant(caller: Caller, marks: FieldMarks): boolean {
  return marks.categories.some((c) => AUDITED.has(c) || ['scope', 'self'].includes(POLICY[c][caller.role].access));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** The matrix as markdown, for the README (and a test that keeps the README in step). */
export function policyMarkdown(): string {
  const cell = (r: Rule) => (r.access === 'none' ? '—' : `${r.access}${r.purpose ? ' + purpose' : ''}${r.rateLimit ? ` (≤${r.rateLimit.limit}/${r.rateLimit.windowSeconds}s)` : ''}`);
  const lines = [`| category | ${ROLES.join(' | ')} |`, `| --- |${ROLES.map(() => ' --- |').join('')}`];
  for (const category of CATEGORIES) lines.push(`| ${category} | ${ROLES.map((role) => cell(POLICY[category][role])).join(' | ')} |`);
  return lines.join('\n');
}
