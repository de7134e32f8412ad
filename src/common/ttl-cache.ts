/**
 * A bounded cache whose entries expire after a TTL and can be dropped by the webhooks that announce a change.
 * Entries carry tags (e.g. every config file an entry was built from) so one event can invalidate all that depend on it.
 * Least recently used entries are evicted past `maxEntries`, so memory stays bounded on a large installation.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; tags: readonly string[] }>();
  /**
   * Counts invalidations. A reader takes it before reading GitHub and passes it to `set`: if anything was invalidated
   * meanwhile, the value it read may predate the change the webhook announced, so it is not stored.
   */
  generation = 0;
  /** Reads under way (`getOrLoad`), by key and the generation they began at. */
  private readonly loads = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  /**
   * Stores a value; with `readAt` (the generation when the read began), only if nothing was invalidated since; with
   * `notAfter`, expiring then at the latest (a value derived from another entry lives no longer than that entry).
   */
  set(key: string, value: V, tags: readonly string[] = [], readAt?: number, notAfter?: number): void {
    if (readAt !== undefined && readAt !== this.generation) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Math.min(this.now() + this.ttlMs, notAfter ?? Number.POSITIVE_INFINITY), tags });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * The cached value, else the result of one `load` shared by every caller asking for the key meanwhile (callers
   * side by side never read GitHub once each). `load` gets the generation its read begins at and stores what it read
   * with `set(…, readAt)`, if it should be kept at all. A read begun before an invalidation is not joined after it
   * (the generation is part of the key), so no caller gets a value that may predate a change it was told about.
   */
  getOrLoad(key: string, load: (readAt: number) => Promise<V>): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const readAt = this.generation;
    const readKey = `${key} ${String(readAt)}`;
    const pending = this.loads.get(readKey);
    if (pending) return pending;
    const read = load(readAt).finally(() => this.loads.delete(readKey));
    this.loads.set(readKey, read);
    return read;
  }

  /** When a live entry expires (undefined when there is none). */
  expiresAt(key: string): number | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now() ? entry.expiresAt : undefined;
  }

  /** The tags of a live entry (empty when there is none). */
  tagsOf(key: string): readonly string[] {
    return this.expiresAt(key) === undefined ? [] : this.entries.get(key)!.tags;
  }

  /** Drops one entry; returns whether it was there. */
  delete(key: string): boolean {
    this.generation++;
    return this.entries.delete(key);
  }

  /** Drops every entry carrying the tag; returns how many. */
  invalidateTag(tag: string): number {
    this.generation++;
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.tags.includes(tag)) dropped += Number(this.entries.delete(key));
    }
    return dropped;
  }
}
