import { createRng, effectiveAt, integer, httpUrl, mongoUri, requiredString, ConfigError } from '../src';

describe('effectiveAt (versioned reference data)', () => {
  const entries = [
    { validFrom: '2015-01-01', validTo: '2020-07-01', value: 'old' },
    { validFrom: '2020-07-01', validTo: null, value: 'new' },
  ];

  it('returns the version in force on a day: validFrom inclusive, validTo exclusive', () => {
    expect(effectiveAt(entries, new Date('2020-06-30T12:00:00Z'))).toBe('old');
    expect(effectiveAt(entries, new Date('2020-07-01T00:00:00Z'))).toBe('new');
    expect(effectiveAt(entries, new Date('2030-01-01T00:00:00Z'))).toBe('new');
  });

  it('returns undefined before any version', () => {
    expect(effectiveAt(entries, new Date('2014-12-31T00:00:00Z'))).toBeUndefined();
  });
});

describe('createRng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng('42');
    const seqA = Array.from({ length: 5 }, () => a.int(0, 1000));
    expect(Array.from({ length: 5 }, () => b.int(0, 1000))).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.int(0, 1000))).not.toEqual(seqA);
  });

  it('keeps int and date within their bounds', () => {
    const rng = createRng(1);
    const from = new Date(Date.UTC(2020, 0, 1));
    const to = new Date(Date.UTC(2020, 0, 10));
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
      const d = rng.date(from, to);
      expect(d >= from && d <= to).toBe(true);
    }
  });
});

describe('configuration', () => {
  it('names the variable in every error', () => {
    expect(() => requiredString({}, 'PERSONNEL_URL')).toThrow(new ConfigError('PERSONNEL_URL', 'is required and not set'));
    expect(() => integer({ PORT: 'abc' }, 'PORT', 4000)).toThrow(/^PORT: must be a whole number/);
    expect(() => integer({ PORT: '70000' }, 'PORT', 4000, { max: 65535 })).toThrow(/^PORT: must be between/);
    expect(() => httpUrl({ TRAINING_URL: 'ftp://x' }, 'TRAINING_URL')).toThrow(/^TRAINING_URL: must be an http/);
    expect(() => mongoUri({ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI', { required: true })).toThrow(/^MONGODB_URI: must start with mongodb/);
  });

  it('uses the default when unset and the value when valid', () => {
    expect(integer({}, 'PORT', 4000)).toBe(4000);
    expect(integer({ PORT: '4010' }, 'PORT', 4000)).toBe(4010);
    expect(mongoUri({}, 'MONGODB_URI', { required: false })).toBeUndefined();
  });
});
