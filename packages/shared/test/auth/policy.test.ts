import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATEGORIES, POLICY, ROLES, decide, policyMarkdown, type Caller, type Category, type Role } from '../../src';

/**
 * The brief's matrix, written out independently of POLICY: for each role and category, what a
 * caller with a purpose gets for a target in its scope / its own record ('y'), for a target
 * outside it ('in' = only inside scope or self), or never ('-').
 */
const EXPECTED: Record<Category, Record<Role, 'y' | 'in' | '-'>> = {
  reference: { analyst: 'y', academy: 'y', hr: 'y', monitoring: 'y', servant: 'y', feedback: '-', service: '-' },
  record: { analyst: '-', academy: '-', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  placement: { analyst: '-', academy: 'y', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  training: { analyst: '-', academy: 'y', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  identity: { analyst: '-', academy: 'y', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  personal: { analyst: '-', academy: '-', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  special: { analyst: '-', academy: '-', hr: 'in', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  accessLog: { analyst: '-', academy: '-', hr: '-', monitoring: 'y', servant: 'in', feedback: '-', service: '-' },
  bodyChain: { analyst: '-', academy: '-', hr: '-', monitoring: '-', servant: '-', feedback: '-', service: 'y' },
  directory: { analyst: '-', academy: '-', hr: '-', monitoring: '-', servant: '-', feedback: '-', service: 'y' },
  compliance: { analyst: '-', academy: '-', hr: 'in', monitoring: 'y', servant: '-', feedback: '-', service: '-' },
  'write:personnel': { analyst: '-', academy: '-', hr: 'in', monitoring: '-', servant: '-', feedback: '-', service: '-' },
  'write:sanction': { analyst: '-', academy: '-', hr: 'in', monitoring: 'y', servant: '-', feedback: '-', service: '-' },
  'write:training': { analyst: '-', academy: 'y', hr: '-', monitoring: '-', servant: '-', feedback: '-', service: '-' },
  'write:evaluation': { analyst: '-', academy: '-', hr: 'in', monitoring: '-', servant: '-', feedback: '-', service: '-' },
  'write:feedback': { analyst: '-', academy: '-', hr: '-', monitoring: '-', servant: '-', feedback: 'y', service: '-' },
};

const callers: Record<Role, Caller> = {
  analyst: { sub: 'a', role: 'analyst', purpose: 'p' },
  academy: { sub: 'b', role: 'academy', purpose: 'p' },
  hr: { sub: 'c', role: 'hr', stateBody: 'B1', purpose: 'p' },
  monitoring: { sub: 'd', role: 'monitoring', purpose: 'p' },
  servant: { sub: 'e', role: 'servant', servant: 'S1', purpose: 'p' },
  feedback: { sub: 'f', role: 'feedback', purpose: 'p' },
  service: { sub: 'g', role: 'service' },
};
/** S1 is the servant caller's own record and sits in B2 under B1 (hr's body); S2 is elsewhere. */
const inside = { servantId: 'S1', bodyChain: ['B2', 'B1'] };
const outside = { servantId: 'S2', bodyChain: ['B3'] };

describe('decide: every role × category', () => {
  const cases = CATEGORIES.flatMap((category) => ROLES.map((role) => [role, category, EXPECTED[category][role]] as const));
  it.each(cases)('%s on %s: %s', (role, category, expected) => {
    const marks = { categories: [category] };
    const own = decide(callers[role], marks, inside).allow;
    const other = decide(callers[role], marks, outside).allow;
    expect([own, other]).toEqual(expected === 'y' ? [true, true] : expected === 'in' ? [true, false] : [false, false]);
  });

  it('covers every category and role (the table has no holes)', () => {
    for (const category of CATEGORIES) for (const role of ROLES) expect(POLICY[category][role]).toBeDefined();
  });
});

describe('decide: conditions', () => {
  const personal = { categories: ['personal' as const] };

  it('needs a declared purpose for hr and monitoring reads of personal data, not for the servant', () => {
    expect(decide({ ...callers.monitoring, purpose: undefined }, personal, inside)).toEqual({ allow: false, reason: expect.stringContaining('purpose') });
    expect(decide({ ...callers.hr, purpose: undefined }, personal, inside).allow).toBe(false);
    expect(decide({ ...callers.servant, purpose: undefined }, personal, inside).allow).toBe(true);
    expect(decide({ ...callers.academy, purpose: undefined }, { categories: ['identity'] }, inside).allow).toBe(true);
  });

  it('refuses hr when the body chain is unknown, and audits only personal and special categories', () => {
    expect(decide(callers.hr, { categories: ['record'] }, { servantId: 'S1' }).allow).toBe(false);
    expect(decide(callers.monitoring, { categories: ['record', 'special'] }, inside)).toEqual({ allow: true, audit: ['special'] });
    expect(decide(callers.monitoring, { categories: ['record'] }, inside)).toEqual({ allow: true, audit: [] });
  });

  it('lets root entry fields through for scoped roles and checks their servants later', () => {
    expect(decide(callers.hr, { categories: ['record'] }, { entry: true }).allow).toBe(true);
    expect(decide(callers.analyst, { categories: ['record'] }, { entry: true }).allow).toBe(false);
  });

  it('opens the compliance alert lists to monitoring and to hr with a state body (the list narrows to it), to no one else', () => {
    const compliance = { categories: ['compliance' as const] };
    expect(decide(callers.monitoring, compliance, { entry: true }).allow).toBe(true);
    expect(decide(callers.hr, compliance, { entry: true }).allow).toBe(true);
    expect(decide({ ...callers.hr, stateBody: undefined }, compliance, { entry: true })).toEqual({ allow: false, reason: expect.stringContaining('stateBody') });
    for (const role of ['analyst', 'academy', 'servant', 'feedback', 'service'] as const) expect(decide(callers[role], compliance, { entry: true }).allow).toBe(false);
  });

  it('needs every category of a field to allow', () => {
    expect(decide(callers.academy, { categories: ['identity', 'special'] }, inside).allow).toBe(false);
  });

  it('rate-limits the feedback channel', () => {
    expect(decide(callers.feedback, { categories: ['write:feedback'] }, {})).toEqual({ allow: true, audit: [], rateLimit: { limit: 30, windowSeconds: 60 } });
  });
});

describe('README', () => {
  it('shows the matrix POLICY holds', () => {
    const readme = readFileSync(path.join(__dirname, '../../src/auth/README.md'), 'utf8');
    expect(readme).toContain(policyMarkdown());
  });
});
