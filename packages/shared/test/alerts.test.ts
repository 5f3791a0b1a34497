import { alertConnection, alertDirectoryTest, placedAlert, selectAlerts, sortAlerts, type AlertRule } from '../src/analytics/alerts';
import type { Caller } from '../src/auth/policy';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const ASTANA = { region: 'ASTANA', stateBodyId: 'a0000000000000000000000a', bodyChain: ['a0000000000000000000000a', 'f0000000000000000000000f'] };
const ALMATY = { region: 'ALMATY', stateBodyId: 'b0000000000000000000000b', bodyChain: ['b0000000000000000000000b'] };

describe('an alert list selects from the day’s alerts', () => {
  const all = sortAlerts([
    placedAlert({ rule: 'TRAINING_OVERDUE', since: day('2025-03-01'), detail: 'no completed training on record' }, 's1', ASTANA),
    placedAlert({ rule: 'RETRAINING_OVERDUE', since: day('2024-01-10'), detail: 'no retraining' }, 's2', ALMATY),
    placedAlert({ rule: 'TRAINING_OVERDUE', since: day('2023-05-02'), detail: 'no completed training since 2020-05-01' }, 's3', ALMATY),
    placedAlert({ rule: 'TRAINING_OVERDUE', since: day('2023-05-02'), detail: 'unplaced' }, 's4', { region: null, stateBodyId: null, bodyChain: [] }),
  ]);

  it('places an alert: its finding, its servant and where the servant serves', () => {
    expect(all[0]).toEqual({ rule: 'TRAINING_OVERDUE', since: day('2023-05-02'), detail: 'no completed training since 2020-05-01', servantId: 's3', ...ALMATY });
  });

  it('keeps the rules asked and the servants in scope, without the place', () => {
    const monitoring: Caller = { sub: 'm', role: 'monitoring' };
    const both = new Set<AlertRule>(['TRAINING_OVERDUE', 'RETRAINING_OVERDUE']);
    expect(selectAlerts(all, both, alertDirectoryTest({}, monitoring)).map((a) => a.servantId)).toEqual(['s3', 's1', 's2']);
    expect(selectAlerts(all, both, alertDirectoryTest({ region: 'ALMATY' }, monitoring))).toEqual([
      { rule: 'TRAINING_OVERDUE', since: day('2023-05-02'), detail: 'no completed training since 2020-05-01', servantId: 's3' },
      { rule: 'RETRAINING_OVERDUE', since: day('2024-01-10'), detail: 'no retraining', servantId: 's2' },
    ]);
    expect(selectAlerts(all, new Set<AlertRule>(['RETRAINING_OVERDUE']), alertDirectoryTest({}, monitoring)).map((a) => a.servantId)).toEqual(['s2']);
    // hr sees its own body and the bodies under it.
    const hr: Caller = { sub: 'h', role: 'hr', stateBody: 'f0000000000000000000000f' };
    const page = alertConnection(selectAlerts(all, both, alertDirectoryTest({}, hr)), 20, null);
    expect(page.totalCount).toBe(1);
    expect(page.edges[0].node.servant).toEqual({ __typename: 'CivilServant', id: 's1' });
  });
});
