import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.js';

/** A fake session that records whether it was released. */
function fake(name: string, released: string[]) {
  return async () => ({ name, release: async () => void released.push(name) });
}

describe('SessionCache (bounded LRU of sessions)', () => {
  it('keeps at most max sessions and releases the least recently used', async () => {
    const released: string[] = [];
    const cache = new SessionCache<object, { name: string; release(): Promise<void> }>(2);
    const [a, b, c] = [{}, {}, {}];
    for (const [g, n] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const l = cache.acquire(g, 'y', fake(n, released));
      await l.session;
      l.done();
    }
    expect(cache.size).toBe(2);
    // Touch a, so b is the least recently used when c arrives.
    const again = cache.acquire(a, 'y', fake('a2', released));
    expect((await again.session).name).toBe('a');
    again.done();
    const lc = cache.acquire(c, 'y', fake('c', released));
    await lc.session;
    lc.done();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(['b']);
    expect(cache.size).toBe(2);
    // b was forgotten: asking again creates a fresh session (and evicts a, now the oldest).
    const lb = cache.acquire(b, 'y', fake('b2', released));
    expect((await lb.session).name).toBe('b2');
    lb.done();
    await cache.clear();
    expect(released.sort()).toEqual(['a', 'b', 'b2', 'c']);
    expect(cache.size).toBe(0);
  });

  it('keys sessions per owner and per key', async () => {
    const released: string[] = [];
    const cache = new SessionCache<object, { name: string; release(): Promise<void> }>(4);
    const g = {};
    const l1 = cache.acquire(g, 'y', fake('y', released));
    const l2 = cache.acquire(g, 'y\u0000z', fake('yz', released));
    const l3 = cache.acquire({}, 'y', fake('other', released));
    expect([(await l1.session).name, (await l2.session).name, (await l3.session).name]).toEqual(['y', 'yz', 'other']);
    for (const l of [l1, l2, l3]) l.done();
    expect(cache.size).toBe(3);
    await cache.clear();
  });

  it('does not release an evicted session while a run still holds it', async () => {
    const released: string[] = [];
    const cache = new SessionCache<object, { name: string; release(): Promise<void> }>(1);
    const busy = cache.acquire({}, 'y', fake('busy', released));
    await busy.session;
    const next = cache.acquire({}, 'y', fake('next', released));
    await next.session;
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual([]);
    expect(cache.size).toBe(2); // one cached, one evicted but in use
    busy.done();
    busy.done(); // a second done() is harmless
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(['busy']);
    expect(cache.size).toBe(1);
    next.done();
    await cache.clear();
    expect(released).toEqual(['busy', 'next']);
  });

  it('forgets a session that failed to load, so the next run tries again', async () => {
    const cache = new SessionCache<object, { release(): Promise<void> }>(2);
    const g = {};
    const bad = cache.acquire(g, 'y', () => Promise.reject(new Error('bad model')));
    await expect(bad.session).rejects.toThrow('bad model');
    bad.done();
    expect(cache.size).toBe(0);
    const good = cache.acquire(g, 'y', async () => ({ release: async () => {} }));
    await expect(good.session).resolves.toBeDefined();
    good.done();
    expect(cache.size).toBe(1);
    await cache.clear();
  });

  it('releases a session once, even when a run still holding it ends after clear()', async () => {
    const released: string[] = [];
    const cache = new SessionCache<object, { name: string; release(): Promise<void> }>(1);
    const busy = cache.acquire({}, 'y', fake('busy', released));
    await busy.session;
    const next = cache.acquire({}, 'y', fake('next', released)); // evicts busy, which is still held
    await next.session;
    next.done();
    await cache.clear();
    busy.done();
    await new Promise((r) => setTimeout(r, 0));
    expect(released.sort()).toEqual(['busy', 'next']);
    expect(cache.size).toBe(0);
  });
});
