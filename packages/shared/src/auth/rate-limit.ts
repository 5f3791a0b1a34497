/**
 * A fixed-window counter per key, in process memory. Enough for one feedback channel behind one
 * process; several processes each count their own window (a shared store would be the next step).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a call; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, limit: number, windowSeconds: number): number {
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now, windowMs);
    }
    w.count++;
    return w.count > limit ? Math.ceil((w.start + windowMs - now) / 1000) : 0;
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(key);
  }
}
