import { TokenBucketLimiter } from '../src';

describe('TokenBucketLimiter', () => {
  it('allows a minute’s worth at once, then one more per 60/perMinute seconds', () => {
    let now = 1_000_000;
    const limiter = new TokenBucketLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    now += 500;
    expect(limiter.take('a')).toBe(1);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
  });

  it('keeps one bucket per key', () => {
    const limiter = new TokenBucketLimiter(2, () => 0);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBeGreaterThan(0);
    // 2 a minute: the next one is 30 s away.
    expect(limiter.take('a')).toBe(30);
  });

  it('forgets buckets that have refilled', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(10, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`caller-${i}`);
    expect(limiter.tracked).toBe(100);
    now += 61_000;
    limiter.take('late');
    expect(limiter.tracked).toBe(1);
  });

  it('refuses a limit that is not positive', () => {
    expect(() => new TokenBucketLimiter(0)).toThrow();
  });
});
