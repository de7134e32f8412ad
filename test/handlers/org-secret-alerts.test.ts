import type { Probot } from "probot";
import { GitHubWorld, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import {
  pullRequestEvent,
  repositoryEvent,
  secretScanningAlertEvent,
  installationRepositoriesAddedEvent,
} from "../../sim/webhook-payloads.js";
import { ORG_ALERT_PAGE_LIMIT } from "../../src/github/refs/secret-scanning-state.js";
import { mockGitHub, warmUpGitHubModel } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

// Issue 21 point 6: a repository's first evaluation takes its alert count from the organisation's alert lists, read
// once for every repository of the organisation, so it costs its own config file, GraphQL, its settings and the write.

const rowOf = (repo: SimRepo) =>
  repo.checkRuns
    .at(-1)
    ?.output.summary?.split("\n")
    .find((line) => line.startsWith("| `secret-scanning`")) ?? "";

function twoRepositories() {
  const world = new GitHubWorld();
  const a = compliantRepo(world, "acme", "payments");
  const b = compliantRepo(world, "acme", "ledger");
  const prA = compliantPullRequest(world, a, 1);
  const prB = compliantPullRequest(world, b, 2);
  /** The first PR of each repository, one after the other. */
  const evaluateBoth = async (app: Probot) => {
    await app.receive(pullRequestEvent(world, a, prA) as never);
    await app.receive(pullRequestEvent(world, b, prB) as never);
  };
  return { world, a, b, prA, prB, evaluateBoth };
}

/** A repository the organisation's lists, read before, do not know: one open alert, an open PR. */
function newRepositoryWithAnAlert(world: GitHubWorld) {
  const moved = compliantRepo(world, "acme", "moved-in");
  moved.secretScanning.openAlerts = 1;
  return { moved, pr: compliantPullRequest(world, moved, 3) };
}

/** The requests one delivery cost (the installation token aside), as "METHOD path" without the query. */
async function requestsOf(world: GitHubWorld, app: Probot, event: unknown): Promise<string[]> {
  const before = world.requests.length;
  await app.receive(event as never);
  return world.requests
    .slice(before)
    .filter((r) => !r.path.startsWith("/app/"))
    .map((r) => `${r.method} ${r.path.split("?")[0]}`);
}

describe("a repository's first evaluation reads the organisation's secret-scanning alerts once for all its repositories", () => {
  beforeAll(warmUpGitHubModel);

  it("the organisation's first evaluation reads its lists; another repository's first costs 4 requests, its next 1", async () => {
    const { world, a, b, prA, prB } = twoRepositories();
    const app = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "ledger", { orgCached: true })
      .expectEvaluation("acme", "ledger", { cached: true, write: "none" });

    const first = await requestsOf(world, app, pullRequestEvent(world, a, prA));
    const second = await requestsOf(world, app, pullRequestEvent(world, b, prB));
    const steady = await requestsOf(world, app, pullRequestEvent(world, b, prB, "edited"));

    expect(first).toHaveLength(7);
    expect(first.filter((r) => r === "GET /orgs/acme/secret-scanning/alerts")).toHaveLength(2);
    expect(second.sort()).toEqual(
      [
        "GET /repos/acme/ledger/contents/.github%2Fsdlc-guard.yml",
        "POST /graphql",
        "GET /repos/acme/ledger",
        "POST /repos/acme/ledger/check-runs",
      ].sort(),
    );
    expect(steady).toEqual(["POST /graphql"]);
    expect(a.checkRuns[0]!.conclusion).toBe("success");
    expect(b.checkRuns[0]!.conclusion).toBe("success");
    expect(rowOf(b)).toContain("Secret scanning is enabled and there are no open alerts");
  });

  it("an open alert of one repository, in the organisation's lists, fails that repository only, counted by repository id", async () => {
    const { world, a, b, evaluateBoth } = twoRepositories();
    b.secretScanning.openAlerts = 2;
    b.secretScanning.genericAlerts = 1;
    const app = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "ledger", { orgCached: true });

    await evaluateBoth(app);

    expect(a.checkRuns[0]!.conclusion).toBe("success");
    expect(b.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(b)).toContain("3 open secret-scanning alert(s)");
  });

  it("a new alert drops the organisation's lists: the next evaluation reads them again and sees it", async () => {
    const { world, b, evaluateBoth } = twoRepositories();
    const app = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "ledger", { orgCached: true })
      // The alert event re-evaluates the open PR of the repository it names (its settings and the lists again).
      .expect("GET", "/repos/acme/ledger/pulls") // its open PRs
      .expect("POST", "/graphql")
      .expect("GET", "/repos/acme/ledger")
      .expectOrgSecretAlerts("acme")
      .expect("PATCH", "/repos/acme/ledger/check-runs/*");
    await evaluateBoth(app);
    expect(b.checkRuns[0]!.conclusion).toBe("success");

    b.secretScanning.openAlerts = 1;
    await app.receive(secretScanningAlertEvent(world, b) as never);

    expect(b.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(b)).toContain("1 open secret-scanning alert(s)");
    expect(world.requests.filter((r) => r.path.startsWith("/orgs/acme/secret-scanning/alerts"))).toHaveLength(4);
  });

  it("repositories evaluated side by side share one read of the organisation's lists and of its policy file", async () => {
    const { world, a, b, prA, prB } = twoRepositories();
    const app = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "ledger", { orgCached: true });

    await Promise.all([app.receive(pullRequestEvent(world, a, prA) as never), app.receive(pullRequestEvent(world, b, prB) as never)]);

    expect(world.requests.filter((r) => r.path.startsWith("/orgs/acme/secret-scanning/alerts"))).toHaveLength(2);
    expect(world.requests.filter((r) => r.path.startsWith("/repos/acme/.github/contents/"))).toHaveLength(1);
    expect(a.checkRuns[0]!.conclusion).toBe("success");
    expect(b.checkRuns[0]!.conclusion).toBe("success");
  });

  it("lists GitHub will not give (404: not an organisation, or the feature off) are not asked again: every repository reads its own", async () => {
    const { world, a, b, evaluateBoth } = twoRepositories();
    b.secretScanning.openAlerts = 1;
    world.failNext("GET", "/orgs/acme/secret-scanning/alerts", 404, { times: 2, message: "Not Found" });
    const app = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2)
      .expectEvaluation("acme", "ledger", { orgCached: true })
      .expect("GET", "/repos/acme/ledger/secret-scanning/alerts", 2);

    await evaluateBoth(app);

    expect(a.checkRuns[0]!.conclusion).toBe("success");
    expect(b.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(b)).toContain("1 open secret-scanning alert(s)");
  });

  it("a server error on the lists falls back to the repository's own lists, and the next repository asks again", async () => {
    const { world, a, b, evaluateBoth } = twoRepositories();
    world.failNext("GET", "/orgs/acme/secret-scanning/alerts", 502, { times: 2 });
    const app = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2)
      .expectEvaluation("acme", "ledger", { orgCached: true })
      .expectOrgSecretAlerts("acme");

    await evaluateBoth(app);

    expect(a.checkRuns[0]!.conclusion).toBe("success");
    expect(b.checkRuns[0]!.conclusion).toBe("success");
  });

  it(`more than ${ORG_ALERT_PAGE_LIMIT} pages in one list: the organisation is left to per-repository reads`, async () => {
    const { world, a, b, evaluateBoth } = twoRepositories();
    a.secretScanning.openAlerts = ORG_ALERT_PAGE_LIMIT * 100 + 1;
    const app = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/orgs/acme/secret-scanning/alerts", ORG_ALERT_PAGE_LIMIT - 1) // the provider list's further pages
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2)
      .expectEvaluation("acme", "ledger", { orgCached: true })
      .expect("GET", "/repos/acme/ledger/secret-scanning/alerts", 2);

    await evaluateBoth(app);

    expect(a.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(a)).toContain("100+ open secret-scanning alert(s)");
    expect(b.checkRuns[0]!.conclusion).toBe("success");
  });

  it("settings hidden from the app: the repository's own lists tell whether scanning is on", async () => {
    const { world, a, prA } = twoRepositories();
    a.securityAndAnalysisHidden = true;
    a.secretScanning.enabled = false;
    const app = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2);

    await app.receive(pullRequestEvent(world, a, prA) as never);

    expect(a.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(a)).toContain("Secret scanning is disabled");
  });

  it("a repository transferred into the organisation: the lists, read without it, are read again and its open PRs re-evaluated", async () => {
    const { world, a, prA } = twoRepositories();
    const app = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    await app.receive(pullRequestEvent(world, a, prA) as never);

    const { moved, pr } = newRepositoryWithAnAlert(world);
    // A PR evaluated from the lists read before the transfer (the events raced): it passes, wrongly.
    mockGitHub(world).expectEvaluation("acme", "moved-in", { orgCached: true });
    await app.receive(pullRequestEvent(world, moved, pr) as never);
    expect(moved.checkRuns[0]!.conclusion).toBe("success");
    // The transfer drops the lists and the repository's state, and re-evaluates its open PRs from fresh ones.
    mockGitHub(world)
      .expect("GET", "/repos/acme/moved-in/pulls")
      .expect("POST", "/graphql")
      .expect("GET", "/repos/acme/moved-in")
      .expectOrgSecretAlerts("acme")
      .expect("PATCH", "/repos/acme/moved-in/check-runs/*");
    await app.receive(repositoryEvent(world, moved, "transferred") as never);

    expect(moved.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(moved)).toContain("1 open secret-scanning alert(s)");
  });

  it("a repository renamed to a name another one had is not judged from that one's cached state", async () => {
    const { world, a, b, prA, prB } = twoRepositories();
    a.secretScanning.openAlerts = 1;
    const app = createTestApp(world);
    // The clean repository is evaluated (its state cached under its name); then the other takes that name.
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "ledger")
      .expectEvaluation("acme", "ledger", { orgCached: true })
      .expectOrgSecretAlerts("acme");
    await app.receive(pullRequestEvent(world, b, prB) as never);
    expect(b.checkRuns[0]!.conclusion).toBe("success");

    // The clean one is deleted (nothing is cached on that) or its rename is still queued: only the other's rename is heard.
    b.name = "ledger-old";
    a.name = "ledger";
    await app.receive(repositoryEvent(world, a, "renamed", { repository: { name: { from: "payments" } } }) as never);
    await app.receive(pullRequestEvent(world, a, prA) as never);

    expect(a.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(a)).toContain("1 open secret-scanning alert(s)");
  });

  it("repositories added to the installation: the organisation's lists, read without them, are read again", async () => {
    const { world, a, prA } = twoRepositories();
    const app = createTestApp(world);
    // The event also refreshes the org summary (many requests): every request goes to the world, and is counted there.
    const requests = routeToWorld(world, ["GET", "POST"]);
    await app.receive(pullRequestEvent(world, a, prA) as never);
    const { moved, pr } = newRepositoryWithAnAlert(world);
    await app.receive(installationRepositoriesAddedEvent(world, "acme", [moved.name]) as never);
    const before = requests.length;
    await app.receive(pullRequestEvent(world, moved, pr) as never);

    expect(requests.slice(before).filter((r) => r === "GET /orgs/acme/secret-scanning/alerts")).toHaveLength(2);
    expect(moved.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(moved)).toContain("1 open secret-scanning alert(s)");
  });
});
