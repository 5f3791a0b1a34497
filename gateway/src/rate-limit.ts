import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode, type Caller } from '@civil-service/shared';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: `perMinute` requests a minute, refilled continuously, and a full minute's
 * worth in reserve so a client may burst after a quiet spell. Buckets that have refilled are
 * forgotten (sweeping at most once a minute), so memory follows the callers of the last minute.
 * Not the shared fixed-window `RateLimiter` (feedback's): a fixed window lets a client send twice
 * its limit across a window's edge, and a gateway-wide limit should refill smoothly.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perMinute > 0)) throw new Error('perMinute must be positive');
    this.perMs = perMinute / 60_000;
    this.lastSweep = now();
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
  }

  /** Takes one request from `key`'s bucket: 0 when allowed, else the whole seconds until one is. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = this.level(bucket, now);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** How many callers are tracked (for tests). */
  get tracked(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (this.level(bucket, now) >= this.perMinute) this.buckets.delete(key);
  }
}

/**
 * Whose bucket a request takes from: a verified token's subject and role (one person may hold
 * tokens of several roles), else the client's address. An unverified token is never a key: a
 * client could mint a new subject per request and never be limited.
 */
export function rateLimitKey(caller: Caller | undefined, req: IncomingMessage): { key: string; who: string } {
  if (caller) return { key: `token:${caller.role}:${caller.sub}`, who: 'this token' };
  return { key: `ip:${req.socket.remoteAddress ?? 'unknown'}`, who: 'this address (no valid token)' };
}

/** HTTP 429 with Retry-After, before the request is parsed. */
export function rateLimited(perMinute: number, who: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Rate limit of ${perMinute} requests per minute reached for ${who}; retry in ${retryAfterSeconds} s`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      limit: perMinute,
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}
