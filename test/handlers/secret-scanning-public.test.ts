import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub, warmUpGitHubModel } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  return { world, repo, pr };
}

const rowOf = (summary: string | null, id: string) => summary?.split("\n").find((line) => line.startsWith(`| \`${id}\``)) ?? "";

/**
 * One evaluation. The repository's settings tell whether scanning is on, and the organisation's lists count its alerts;
 * `ownLists`: the settings could not be read or are hidden, so the repository's own lists are read too (GitHub answers
 * 404 on the alerts of a public repository as on a repository without scanning).
 */
async function evaluate({ world, repo, pr }: ReturnType<typeof setup>, { ownLists = false } = {}) {
  const api = mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  if (ownLists) api.expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2);
  await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);
  const run = repo.checkRuns[0]!;
  expect(world.requests.filter((r) => r.path.startsWith("/repos/acme/payments/secret-scanning/alerts"))).toHaveLength(ownLists ? 2 : 0);
  return { run, row: rowOf(run.output.summary, "secret-scanning") };
}

describe("secret-scanning on public repositories: GitHub's 404 on the alerts is not read as 'disabled'", () => {
  beforeAll(warmUpGitHubModel);

  it("a public repository with secret scanning on is not reported as disabled", async () => {
    const world = setup();
    world.repo.visibility = "public";

    const { run, row } = await evaluate(world);

    expect(row).not.toContain("disabled");
    expect(row).toContain("✅");
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain("- `secret-scanning`: GitHub does not list the secret-scanning alerts of a public repository");
  });

  it("a public repository whose security settings say scanning is off fails as disabled", async () => {
    const world = setup();
    world.repo.visibility = "public";
    world.repo.secretScanning.enabled = false;

    const { run, row } = await evaluate(world);

    expect(run.conclusion).toBe("failure");
    expect(row).toContain("Secret scanning is disabled");
  });

  it("a public repository whose security settings are not shown to the app fails closed, saying the state cannot be told", async () => {
    const world = setup();
    world.repo.visibility = "public";
    world.repo.securityAndAnalysisHidden = true;

    const { run, row } = await evaluate(world, { ownLists: true });

    expect(run.conclusion).toBe("failure");
    expect(row).toContain("not evaluated");
    expect(row).toContain("cannot be told");
  });

  it("a 404 on the alerts when the repository itself cannot be read fails closed, saying the state cannot be told", async () => {
    const world = setup();
    world.repo.secretScanning.enabled = false;
    world.world.failNext("GET", "/repos/acme/payments", 502, { exact: true });

    const { run, row } = await evaluate(world, { ownLists: true });

    expect(run.conclusion).toBe("failure");
    expect(row).toContain("not evaluated");
    expect(row).toContain("cannot be told");
    expect(row).toContain("GitHub answered HTTP 502");
  });

  it("a private repository with secret scanning disabled still fails as disabled", async () => {
    const world = setup();
    world.repo.secretScanning.enabled = false;

    const { run, row } = await evaluate(world);

    expect(run.conclusion).toBe("failure");
    expect(row).toContain("Secret scanning is disabled");
  });
});
