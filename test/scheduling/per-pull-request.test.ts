import nock from "nock";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { GITHUB_API, worldsInTest } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, requestsTo } from "../faults/fault-kit.js";

// Policy: evaluations of different pull requests of one repository run side by side (a monorepo with hundreds of
// open PRs does not wait in one line); work on one head commit stays serialized, so a commit keeps ONE check run.

/** Routes every request to the world; a PR's GraphQL read may be held until a promise settles (no timers). */
function routeWithHold(
  world: GitHubWorld,
  methods: string[],
  hold: (prNumber: number) => Promise<void> | undefined,
  arrived: (prNumber: number) => void,
) {
  worldsInTest.push(world);
  const answer = (method: string) =>
    async function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown) {
      const parsed = typeof body === "string" && body ? JSON.parse(body) : body || undefined;
      const prNumber = (parsed as { variables?: { number?: unknown } } | undefined)?.variables?.number;
      if (method === "POST" && uri.startsWith("/graphql") && typeof prNumber === "number") {
        arrived(prNumber);
        await hold(prNumber);
      }
      const a = world.handle(method, uri, parsed, this.req.headers);
      return [a.status, a.body === undefined ? "" : JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }] as [
        number,
        string,
        Record<string, string>,
      ];
    };
  const scope = nock(GITHUB_API).persist();
  for (const method of methods) scope.intercept(/.*/, method).reply(answer(method));
}

const signal = () => {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fired, fire };
};

describe("evaluations are per pull request, not per repository", () => {
  it("two PRs of one repository are evaluated at the same time: PR 1's read is answered only once PR 2's read has arrived", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr1 = compliantPullRequest(world, repo, 1, { headSha: "1".repeat(40) });
    const pr2 = compliantPullRequest(world, repo, 2, { headSha: "2".repeat(40) });
    const secondRead = signal();
    // Serialized per repository, PR 2's read would wait for PR 1's evaluation, which waits for PR 2's read: a deadlock
    // that the test's own timeout reports.
    routeWithHold(
      world,
      ["GET", "POST"],
      (n) => (n === 1 ? secondRead.fired : undefined),
      (n) => n === 2 && secondRead.fire(),
    );
    const probot = createTestApp(world);

    await Promise.all([
      deliver(probot, pullRequestEvent(world, repo, pr1, "synchronize"), "pr-1"),
      deliver(probot, pullRequestEvent(world, repo, pr2, "synchronize"), "pr-2"),
    ]);

    expect(repo.checkRuns.map((r) => [r.headSha, r.conclusion]).sort()).toEqual([
      [pr1.headSha, "success"],
      [pr2.headSha, "success"],
    ]);
  });

  it("two PRs with the same head commit, evaluated at the same time, share ONE check run on it (one create, then an update)", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const head = "3".repeat(40);
    const pr1 = compliantPullRequest(world, repo, 1, { headSha: head });
    const pr2 = compliantPullRequest(world, repo, 2, { headSha: head });
    const bothRead = { 1: signal(), 2: signal() } as Record<number, ReturnType<typeof signal>>;
    // Both reads are answered only once both have arrived: both see no check run on the commit yet.
    routeWithHold(
      world,
      ["GET", "POST", "PATCH"],
      () => Promise.all([bothRead[1]!.fired, bothRead[2]!.fired]).then(() => undefined),
      (n) => bothRead[n]?.fire(),
    );
    const probot = createTestApp(world);

    await Promise.all([
      deliver(probot, pullRequestEvent(world, repo, pr1, "synchronize"), "same-head-1"),
      deliver(probot, pullRequestEvent(world, repo, pr2, "synchronize"), "same-head-2"),
    ]);

    expect(repo.checkRuns).toHaveLength(1);
    // One run per commit cannot carry two PRs' results: it fails until one PR has its own head (the policy on shared heads).
    expect(repo.checkRuns[0]).toMatchObject({ headSha: head, conclusion: "failure" });
    expect(repo.checkRuns[0]!.output.summary).toMatch(/also the head of open pull request\(s\) #[12]/);
    expect(requestsTo(world, "POST", "/repos/acme/payments/check-runs")).toHaveLength(1);
  });
});
