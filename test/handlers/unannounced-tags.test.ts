import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pushEvent, tagCreateEvent } from "../../sim/webhook-payloads.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { mockGitHub } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

const rowsOn = (repo: SimRepo, commitSha: string) =>
  Object.fromEntries(
    decodeResults(repo.checkRuns.find((r) => r.headSha === commitSha && r.name === "sdlc-guard")?.output.summary).map((r) => [
      r.id,
      `${r.enforcement}:${r.outcome}:${r.source ?? ""}`,
    ]),
  );

/**
 * acme/payments with `main` protected, a merged PR, and tag v1.0.0 on main already evaluated (its create event). Then
 * four tags pushed at once (`git push --tags`): GitHub sends no push or create event for them.
 */
async function withFourUnannouncedTags() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 12);
  const probot = createTestApp(world);
  const api = mockGitHub(world)
    .expectToken()
    .expectConfigFiles("acme", "payments")
    .expect("POST", "/graphql")
    .expect("POST", "/repos/acme/payments/check-runs");
  // Release tags name commits a passing PR brought (merged-unverified: only those are vouched for).
  repo.git.tags.set("v1.0.0", { commitSha: mergePassing(world, repo, pr) });
  await probot.receive(tagCreateEvent(world, repo, "v1.0.0") as never);

  const batch: Record<string, string> = {};
  for (const [index, name] of ["v1.1.0", "v1.2.0", "v1.3.0", "nightly-4"].entries()) {
    batch[name] = mergePassing(world, repo, compliantPullRequest(world, repo, 20 + index));
    repo.git.tags.set(name, { commitSha: batch[name]! });
  }
  return { world, repo, pr, probot, api, batch };
}

/** Squash-merges a PR whose final head has a successful sdlc-guard run: the squash commit is vouched for. */
function mergePassing(world: GitHubWorld, repo: SimRepo, pr: SimPullRequest): string {
  const id = 600 + pr.number;
  repo.checkRuns.push({
    id,
    appId: world.appId,
    name: "sdlc-guard",
    headSha: pr.headSha,
    status: "completed",
    conclusion: "success",
    output: { title: "All required controls pass", summary: "" },
    externalId: `pr-${pr.number}`,
  });
  return world.mergePullRequest(repo, pr, "squash").after;
}

/** Each caught-up tag: the query of the tag, and its run; the one failing tag also opens the release-tag issue. */
function expectCatchUp(api: ReturnType<typeof mockGitHub>, tags: number) {
  api.expect("POST", "/graphql", tags).expect("POST", "/repos/acme/payments/check-runs", tags);
  api.expect("GET", "/repos/acme/payments/issues").expect("POST", "/repos/acme/payments/issues");
}

describe("tags GitHub did not announce (more than three pushed at once) are still evaluated", () => {
  it("the repository's next tag event evaluates them: each tag's commit gets its release-tag row, a bad one fails with an issue", async () => {
    const { world, repo, probot, api, batch } = await withFourUnannouncedTags();
    const later = mergePassing(world, repo, compliantPullRequest(world, repo, 30));
    repo.git.tags.set("v1.5.0", { commitSha: later });
    api.expect("POST", "/graphql").expect("POST", "/repos/acme/payments/check-runs");
    expectCatchUp(api, 4);

    await probot.receive(tagCreateEvent(world, repo, "v1.5.0") as never);

    expect(rowsOn(repo, later)["release-tag"]).toBe("required:pass:tag `v1.5.0`");
    for (const name of ["v1.1.0", "v1.2.0", "v1.3.0"])
      expect(rowsOn(repo, batch[name]!)["release-tag"]).toBe(`required:pass:tag \`${name}\``);
    expect(rowsOn(repo, batch["nightly-4"]!)["release-tag"]).toBe("required:fail:tag `nightly-4`");
    const [issue] = world.issues.list("acme", "payments");
    expect(issue!.title).toBe("sdlc-guard: release tags outside the versioning policy");
    const occurrences = [issue!.body, ...world.issues.comments("acme", "payments", issue!.number).map((c) => c.body)].join("\n");
    expect(occurrences).toContain("**tag `nightly-4`**");
    expect(occurrences).toContain("unknown (a push of more than three tags: GitHub sent no event)");
    expect(world.violations).toEqual([]);
  });

  it("a push to main evaluates them too, in the push's own query (no extra request when every tag was evaluated)", async () => {
    const { world, repo, probot, api, batch } = await withFourUnannouncedTags();
    const pr = compliantPullRequest(world, repo, 40);
    mergePassing(world, repo, pr);
    api.expect("POST", "/graphql").expect("POST", "/repos/acme/payments/check-runs");
    expectCatchUp(api, 4);

    await probot.receive(pushEvent(world, repo, { merged: pr }) as never);

    for (const name of ["v1.1.0", "v1.2.0", "v1.3.0", "nightly-4"])
      expect(rowsOn(repo, batch[name]!)["release-tag"]).toMatch(/^required:(pass|fail):tag `/);

    // Nothing left to catch up: the next push (a redelivery) costs its query and its run's update, as before.
    const before = world.requests.length;
    api.expect("POST", "/graphql").expect("PATCH", "/repos/acme/payments/check-runs/*");
    await probot.receive(pushEvent(world, repo, { merged: pr }) as never);
    expect(world.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\d+$/, "*")}`)).toEqual([
      "POST /graphql",
      "PATCH /repos/acme/payments/check-runs/*",
    ]);
    expect(world.violations).toEqual([]);
  });

  it("a batch bigger than the tags read with an event (14 > 10) is caught up at once: older tags are read back to the last evaluated one", async () => {
    const { world, repo, probot, api, batch } = await withFourUnannouncedTags();
    for (let i = 0; i < 10; i++) {
      const name = `v2.${i}.0`;
      batch[name] = mergePassing(world, repo, compliantPullRequest(world, repo, 50 + i));
      repo.git.tags.set(name, { commitSha: batch[name]! });
    }
    const later = mergePassing(world, repo, compliantPullRequest(world, repo, 70));
    repo.git.tags.set("v3.0.0", { commitSha: later });
    // The tag's query (its 10 latest tags: itself and 9 of the batch), one page of older tags (the other 5, then v1.0.0,
    // evaluated: the catch-up stops there), then each of the 14.
    api.expect("POST", "/graphql", 2).expect("POST", "/repos/acme/payments/check-runs");
    expectCatchUp(api, 14);

    await probot.receive(tagCreateEvent(world, repo, "v3.0.0") as never);

    expect(Object.keys(batch)).toHaveLength(14);
    for (const [name, sha] of Object.entries(batch))
      expect({ name, row: rowsOn(repo, sha)["release-tag"]?.replace(/:(pass|fail):/, ":judged:") }).toEqual({
        name,
        row: `required:judged:tag \`${name}\``,
      });
    expect(world.violations).toEqual([]);
  });

  it("tags that all predate the app (none evaluated) are read back once, not on every push", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const probot = createTestApp(world);
    for (let i = 0; i < 15; i++)
      repo.git.tags.set(`v0.${i}.0`, { commitSha: mergePassing(world, repo, compliantPullRequest(world, repo, 80 + i)) });
    routeToWorld(world, ["GET", "POST"]);
    const graphqlQueries = () => world.requests.filter((r) => r.path === "/graphql").length;

    const first = compliantPullRequest(world, repo, 100);
    mergePassing(world, repo, first);
    await probot.receive(pushEvent(world, repo, { merged: first }) as never);
    const afterFirst = graphqlQueries();
    const second = compliantPullRequest(world, repo, 101);
    mergePassing(world, repo, second);
    await probot.receive(pushEvent(world, repo, { merged: second }) as never);

    // The first push: its query, and one page of older tags (15 > 10, none evaluated: nothing to catch up).
    expect(afterFirst).toBe(2);
    // The second: its query only; the read-back is remembered while the newest tag is the same.
    expect(graphqlQueries() - afterFirst).toBe(1);
    expect(repo.checkRuns.filter((r) => r.output.summary?.includes("release-tag"))).toEqual([]);
    expect(world.violations).toEqual([]);
  });
});
