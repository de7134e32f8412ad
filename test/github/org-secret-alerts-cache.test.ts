import { createStateCache } from "../../src/evaluation/state-cache.js";
import { readSecretScanning } from "../../src/github/refs/secret-scanning-state.js";

// A repository's secret-scanning state taken from the organisation's alert lists is cached no longer than the lists
// themselves: a count derived a minute before the lists expire is read again with them, never an hour later.

/** GitHub as seen by readSecretScanning: private repositories with scanning on, ids by name; the org's lists empty. */
function fakeGitHub() {
  const calls: string[] = [];
  const octokit = {
    rest: {
      repos: {
        get: async ({ repo }: { repo: string }) => {
          calls.push(`GET /repos/acme/${repo}`);
          return {
            data: {
              id: repo.length,
              visibility: "private",
              private: true,
              security_and_analysis: { secret_scanning: { status: "enabled" }, secret_scanning_push_protection: { status: "enabled" } },
            },
          };
        },
      },
    },
    paginate: {
      iterator: (route: string, parameters: Record<string, unknown>) => {
        calls.push(`${route} after=${JSON.stringify(parameters.after)}`);
        return (async function* () {
          yield { data: [], headers: {} };
        })();
      },
    },
  };
  return { octokit: octokit as never, calls };
}

describe("secret-scanning state derived from the organisation's lists", () => {
  it("expires with the lists at the latest, and the lists are paged by cursor", async () => {
    let now = 1_000;
    const cache = createStateCache({ ttlMs: 100, now: () => now });
    const { octokit, calls } = fakeGitHub();

    const first = await readSecretScanning(octokit, "acme", "payments", cache);
    expect(first).toMatchObject({ ok: true, value: { enabled: true, openAlerts: 0 } });
    now = 1_090;
    await readSecretScanning(octokit, "acme", "ledger", cache);
    // One read of the lists for both repositories, each from the first cursor page (an empty `after`).
    expect(calls.filter((c) => c.startsWith("GET /orgs/"))).toEqual([
      'GET /orgs/{org}/secret-scanning/alerts after=""',
      'GET /orgs/{org}/secret-scanning/alerts after=""',
    ]);
    expect(cache.secretScanning.expiresAt("acme/ledger")).toBe(1_100);

    now = 1_100; // the lists expire, and with them the counts taken from them
    expect(cache.secretScanning.get("acme/ledger")).toBeUndefined();
    expect(cache.secretScanning.get("acme/payments")).toBeUndefined();
    await readSecretScanning(octokit, "acme", "ledger", cache);
    expect(calls.filter((c) => c.startsWith("GET /orgs/"))).toHaveLength(4);
  });

  it("a count is not kept when the lists it came from were dropped while they were read", async () => {
    const cache = createStateCache();
    const { octokit } = fakeGitHub();
    const read = readSecretScanning(octokit, "acme", "payments", cache);
    cache.orgSecretAlerts.delete("acme"); // e.g. repositories added to the installation, mid-read
    expect((await read).ok).toBe(true);
    expect(cache.orgSecretAlerts.get("acme")).toBeUndefined();
    expect(cache.secretScanning.get("acme/payments")).toBeUndefined();
  });
});
