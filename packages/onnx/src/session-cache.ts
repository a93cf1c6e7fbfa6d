// A bounded, least-recently-used cache of native sessions, keyed per graph
// (weakly) and per output set.
//
// Why an LRU and not a FinalizationRegistry on the graph: an InferenceSession's
// memory lives in ONNX Runtime's native heap, which the JS garbage collector
// cannot see, so nothing makes V8 collect the (small) graph objects while
// native memory climbs; finalizers may run late or never (the soak measured
// 5–12 MiB/s of RSS growth while graphs were rebuilt), and a graph that is
// still referenced but never run again would keep its session forever. An LRU
// bound caps the open sessions at a number the caller chooses, whether or not
// graphs are collected, and it is deterministic, so a test can count it.
// Graphs are still keyed through a WeakMap, so the cache never keeps a graph
// alive.
//
// An evicted session is released only when no run is using it any more (a run
// holds a lease from `acquire` until its `done`), so eviction never pulls a
// session out from under a run in flight.

/** What the cache manages: anything with an async `release` (ONNX Runtime's `InferenceSession`). */
export interface Releasable {
  release(): Promise<void>;
}

/** A session handed to one run; call `done()` when the run has finished with it. */
export interface SessionLease<S> {
  readonly session: Promise<S>;
  done(): void;
}

interface Entry<S> {
  readonly session: Promise<S>;
  /** Where the entry is found, so eviction can forget it (the map belongs to a graph, not the graph itself). */
  readonly map: Map<string, Entry<S>>;
  readonly key: string;
  /** Runs holding a lease on it. */
  users: number;
  evicted: boolean;
  /** Released (or releasing): never released twice. */
  closed: boolean;
}

/**
 * Keeps at most `max` sessions open; creating one more releases the least
 * recently used (once its runs have finished).
 *
 * @example
 * ```ts
 * import { SessionCache } from '@sas/onnx';
 * const cache = new SessionCache<object, { release(): Promise<void> }>(2);
 * const graph = {};
 * const lease = cache.acquire(graph, 'y', async () => ({ release: async () => {} }));
 * await lease.session;
 * lease.done();
 * cache.size; // 1
 * await cache.clear(); // releases everything
 * ```
 */
export class SessionCache<K extends object, S extends Releasable> {
  private readonly owners = new WeakMap<K, Map<string, Entry<S>>>();
  /** Open entries, least recently used first (a Set keeps insertion order). */
  private readonly lru = new Set<Entry<S>>();
  /** Evicted entries still in use by a run: open, but no longer findable. */
  private readonly draining = new Set<Entry<S>>();
  private releases: Promise<unknown>[] = [];

  constructor(readonly max: number) {}

  /** Sessions open now: cached ones plus evicted ones a run still uses. */
  get size(): number {
    return this.lru.size + this.draining.size;
  }

  /**
   * The session for (`owner`, `key`), created with `create` if the cache has
   * none; marks it most recently used. The caller must call `done()` on the
   * lease once its run is over.
   */
  acquire(owner: K, key: string, create: () => Promise<S>): SessionLease<S> {
    let byKey = this.owners.get(owner);
    if (!byKey) this.owners.set(owner, (byKey = new Map()));
    let entry = byKey.get(key);
    if (entry) {
      this.lru.delete(entry);
      this.lru.add(entry);
    } else {
      const created: Entry<S> = { session: create(), map: byKey, key, users: 0, evicted: false, closed: false };
      entry = created;
      byKey.set(key, created);
      this.lru.add(created);
      // A session that failed to load is forgotten, so the next run retries (and reports) afresh.
      created.session.catch(() => {
        forget(created);
        this.lru.delete(created);
        this.draining.delete(created);
      });
      this.evict(created);
    }
    const held = entry;
    held.users++;
    let finished = false;
    return {
      session: held.session,
      done: () => {
        if (finished) return;
        finished = true;
        held.users--;
        if (held.evicted && held.users === 0) this.close(held);
      },
    };
  }

  /** Releases every session, in use or not (call once runs are over, as the backend's dispose does). */
  async clear(): Promise<void> {
    const all = [...this.lru, ...this.draining];
    this.lru.clear();
    for (const e of all) {
      forget(e);
      this.close(e);
    }
    const pending = this.releases;
    this.releases = [];
    await Promise.all(pending);
  }

  /** Evicts least recently used entries until at most `max` are cached (never `newest`, just created). */
  private evict(newest: Entry<S>): void {
    for (const oldest of this.lru) {
      if (this.lru.size <= this.max) break;
      if (oldest === newest) continue;
      this.lru.delete(oldest);
      oldest.evicted = true;
      forget(oldest);
      if (oldest.users === 0) this.close(oldest);
      else this.draining.add(oldest);
    }
  }

  private close(entry: Entry<S>): void {
    this.draining.delete(entry);
    if (entry.closed) return;
    entry.closed = true;
    // A release that fails leaves nothing to retry; it must not become an unhandled rejection.
    const p = entry.session.then((s) => s.release()).catch(() => undefined);
    this.releases.push(p);
    void p.then(() => {
      const i = this.releases.indexOf(p);
      if (i >= 0) this.releases.splice(i, 1);
    });
  }
}

/** Drops an entry from its graph's map, so no later run finds it. */
function forget<S>(entry: Entry<S>): void {
  if (entry.map.get(entry.key) === entry) entry.map.delete(entry.key);
}
