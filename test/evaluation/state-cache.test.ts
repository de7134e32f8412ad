import {
  loadConfigCached,
  createStateCache,
  forgetRepository,
  invalidateConfigFiles,
  invalidateSecretScanning,
  invalidateTeams,
} from "../../src/evaluation/state-cache.js";
import { TtlCache } from "../../src/common/ttl-cache.js";
import { EtagStore } from "../../src/github/transport/conditional-requests.js";

describe("TtlCache: bounded, expiring, dropped by tags", () => {
  it("an entry expires after the TTL", () => {
    let now = 1_000;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set("a", "A");
    now += 99;
    expect(cache.get("a")).toBe("A");
    now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("an entry derived from another expires with it at the latest (notAfter), and says when and with which tags", () => {
    let now = 1_000;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set("org", "lists", ["org:acme"]);
    cache.set("repo", "count from the lists", ["repo:acme/payments"], undefined, cache.expiresAt("org"));
    now += 50;
    cache.set("later", "derived later", [], undefined, cache.expiresAt("org")); // not 100 ms from now: 50
    expect([cache.expiresAt("org"), cache.expiresAt("repo"), cache.expiresAt("later")]).toEqual([1_100, 1_100, 1_100]);
    expect(cache.tagsOf("repo")).toEqual(["repo:acme/payments"]);
    now += 50;
    expect([cache.get("repo"), cache.get("later"), cache.expiresAt("org"), cache.tagsOf("org")]).toEqual([
      undefined,
      undefined,
      undefined,
      [],
    ]);
  });

  it("the least recently used entry is evicted past the bound", () => {
    const cache = new TtlCache<number>(1_000, 2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a"); // a is now the most recently used
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, undefined, 3]);
  });

  it("invalidateTag drops every entry carrying the tag, and only those", () => {
    const cache = new TtlCache<number>(1_000, 10);
    cache.set("x", 1, ["file:acme/.github:.github/sdlc-guard.yml"]);
    cache.set("y", 2, ["file:acme/.github:.github/sdlc-guard.yml", "repo:acme/y"]);
    cache.set("z", 3, ["repo:acme/z"]);
    expect(cache.invalidateTag("file:acme/.github:.github/sdlc-guard.yml")).toBe(2);
    expect([cache.get("x"), cache.get("y"), cache.get("z")]).toEqual([undefined, undefined, 3]);
    expect(cache.delete("z")).toBe(true);
    expect(cache.delete("z")).toBe(false);
  });
});

describe("a read that overlaps an invalidation is not cached", () => {
  it("a value read before a webhook dropped the entry may predate the change: set() with the read's generation skips it", () => {
    const cache = new TtlCache<number>(1_000, 10);
    const readAt = cache.generation;
    cache.delete("acme/payments"); // a secret_scanning_alert arrives while the read is in flight
    cache.set("acme/payments", 0, [], readAt);
    expect(cache.get("acme/payments")).toBeUndefined();
    const freshRead = cache.generation;
    cache.set("acme/payments", 1, [], freshRead);
    expect(cache.get("acme/payments")).toBe(1);
  });
});

describe("EtagStore", () => {
  it("keeps the most recently used answers within its bound", () => {
    const store = new EtagStore(2);
    const answer = (etag: string) => ({ etag, status: 200, url: "u", headers: {}, data: etag });
    store.set("a", answer("1"));
    store.set("b", answer("2"));
    store.get("a");
    store.set("c", answer("3"));
    expect(store.size).toBe(2);
    expect(store.get("b")).toBeUndefined();
    expect(store.get("a")?.etag).toBe("1");
  });
});

describe("cached configuration", () => {
  const files: Record<string, string> = {
    "acme/.github:.github/sdlc-guard.yml": "_extends: policies:base.yml\ncontrols:\n  jira:\n    projects: [PAY]\n",
    "acme/policies:base.yml": "controls:\n  reviews:\n    min_approvals: 3\n",
  };
  const reader = () => {
    const reads: string[] = [];
    const octokit = {
      rest: {
        repos: {
          getContent: async ({ owner, repo, path }: { owner: string; repo: string; path: string }) => {
            reads.push(`${owner}/${repo}:${path}`);
            const text = files[`${owner}/${repo}:${path}`];
            if (text === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
            return { data: { type: "file", content: Buffer.from(text).toString("base64"), encoding: "base64" } };
          },
        },
      },
    };
    return { octokit: octokit as never, reads };
  };

  it("is read once, then served from the cache until a push touches one of the files it was built from", async () => {
    const cache = createStateCache();
    const { octokit, reads } = reader();
    const first = await loadConfigCached(octokit, "acme", "payments", cache);
    expect(first.ok && first.config.controls.reviews.min_approvals).toBe(3);
    expect(reads).toEqual(["acme/payments:.github/sdlc-guard.yml", "acme/.github:.github/sdlc-guard.yml", "acme/policies:base.yml"]);

    await loadConfigCached(octokit, "acme", "payments", cache);
    expect(reads).toHaveLength(3);

    // A file nobody read: nothing dropped. The _extends target: dropped. The repository's own (missing) file: dropped.
    expect(invalidateConfigFiles(cache, "acme", "policies", ["README.md"])).toBe(0);
    expect(invalidateConfigFiles(cache, "acme", "policies", ["base.yml"])).toBe(1);
    await loadConfigCached(octokit, "acme", "payments", cache);
    expect(invalidateConfigFiles(cache, "acme", "payments", [".github/sdlc-guard.yml"])).toBe(1);
    await loadConfigCached(octokit, "acme", "payments", cache);
    // Each rebuild read only the file that was dropped: the others are cached file by file.
    expect(reads.slice(3)).toEqual(["acme/policies:base.yml", "acme/payments:.github/sdlc-guard.yml"]);
    // A forced push to the org repository may have changed anything it holds.
    expect(invalidateConfigFiles(cache, "acme", ".github", undefined)).toBe(1);
    await loadConfigCached(octokit, "acme", "payments", cache);
    expect(reads.slice(5)).toEqual(["acme/.github:.github/sdlc-guard.yml"]);
  });

  it("a Re-run drops every file the config was built from, `_extends` targets in other repositories included", async () => {
    const cache = createStateCache();
    const { octokit, reads } = reader();
    await loadConfigCached(octokit, "acme", "payments", cache);
    forgetRepository(cache, "acme", "payments");
    await loadConfigCached(octokit, "acme", "payments", cache);
    expect(reads.slice(3).sort()).toEqual(
      ["acme/payments:.github/sdlc-guard.yml", "acme/.github:.github/sdlc-guard.yml", "acme/policies:base.yml"].sort(),
    );
  });

  it("a load that hit a GitHub error is not cached", async () => {
    const cache = createStateCache();
    const octokit = {
      rest: { repos: { getContent: async () => Promise.reject(Object.assign(new Error("boom"), { status: 502 })) } },
    } as never;
    const loaded = await loadConfigCached(octokit, "acme", "payments", cache);
    expect(loaded.ok).toBe(false);
    expect(cache.config.size).toBe(0);
  });

  it("secret-scanning state and teams are dropped by their own events", () => {
    const cache = createStateCache();
    cache.secretScanning.set("acme/payments", { enabled: true, openAlerts: 0, moreAlerts: false, pushProtection: { status: "enabled" } });
    cache.teams.set("acme/cto", new Set(["carol"]), ["acme/cto", "org:acme"]);
    cache.teams.set("acme/seniors", new Set(["dave"]), ["acme/seniors", "org:acme"]);
    cache.teams.set("other/cto", new Set(["eve"]), ["other/cto", "org:other"]);
    cache.orgSecretAlerts.set("acme", { listed: true, countsByRepositoryId: new Map() });
    cache.orgSecretAlerts.set("other", { listed: true, countsByRepositoryId: new Map() });
    expect(invalidateSecretScanning(cache, "Acme", "Payments")).toBe(true);
    // The organisation's alert lists count the repository's alerts too: dropped with it, other organisations' kept.
    expect(cache.orgSecretAlerts.get("acme")).toBeUndefined();
    expect(cache.orgSecretAlerts.get("other")).toBeDefined();
    // Members include child teams: a change to one team drops every team of the organisation.
    expect(invalidateTeams(cache, "ACME")).toBe(2);
    expect(cache.teams.size).toBe(1);
  });
});
