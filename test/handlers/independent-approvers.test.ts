import type { Probot } from "probot";
import { GitHubWorld, sha, type SimCommit, type SimPullRequest } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo, PAYMENTS_CONFIG } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

let delivery = 0;
const person = (login: string) => ({ name: login, email: `${login}@acme.example`, login });

/**
 * acme/payments, a PR by dev-alice approved by rev-bob and rev-carol on its head; `commits` replaces its commit list
 * (the last is the head). Returns the `reviews` row of the one evaluation.
 */
async function evaluate(commits: (head: string) => SimCommit[], overrides: Partial<SimPullRequest> = {}, config = PAYMENTS_CONFIG) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  repo.files.set(".github/sdlc-guard.yml", config);
  world.userEmails.set("bob@acme.example", "rev-bob");
  const headSha = sha("independent-head");
  const pr = compliantPullRequest(world, repo, 5, { headSha, commits: commits(headSha), ...overrides });
  const app: Probot = createTestApp(world);
  const log = routeToWorld(world, ["GET", "POST"]);
  await app.receive({
    id: `independent-${++delivery}`,
    name: "pull_request",
    payload: pullRequestEvent(world, repo, pr, "opened").payload,
  } as Parameters<Probot["receive"]>[0]);
  const run = repo.checkRuns.find((r) => r.headSha === headSha && r.name === "sdlc-guard")!;
  expect(world.violations).toEqual([]);
  return { run, row: decodeResults(run.output.summary).find((r) => r.id === "reviews")!, log, headSha };
}

describe("reviews: approvers are independent of the change", () => {
  it("an approval by a co-author does not count (Co-authored-by trailer, email linked to the account)", async () => {
    const { run, row, headSha } = await evaluate((head) => [
      { sha: head, message: "PAY-105: rotate keys\n\nCo-authored-by: Bob Reviewer <bob@acme.example>", author: person("dev-alice") },
    ]);

    expect(run.conclusion).toBe("failure");
    expect(row.outcome).toBe("fail");
    expect(row.reason).toContain(`1 of 2 required approvals on \`${headSha.slice(0, 7)}\` (rev-carol)`);
    expect(row.reason).toContain(
      `Approvals that do not count, their reviewers are not independent of the change: rev-bob co-authored \`${headSha.slice(0, 7)}\`.`,
    );
  });

  it("someone who pushed a commit to another person's PR cannot approve it", async () => {
    const { row } = await evaluate((head) => [
      { sha: sha("first"), message: "PAY-105: rotate keys", author: person("dev-alice") },
      { sha: head, message: "Fix the rotation", author: person("rev-carol") },
    ]);

    expect(row.outcome).toBe("fail");
    expect(row.reason).toContain("rev-carol authored `");
  });

  it("the committer of a commit cannot approve it either", async () => {
    const { row } = await evaluate((head) => [
      { sha: head, message: "PAY-105: rotate keys", author: person("dev-alice"), committer: person("rev-bob") },
    ]);

    expect(row.outcome).toBe("fail");
    expect(row.reason).toContain("rev-bob committed `");
  });

  it("GitHub's web-flow committer (web edits, merges) is not a person: the approvals count", async () => {
    const { run, row } = await evaluate((head) => [
      {
        sha: head,
        message: "PAY-105: rotate keys",
        author: person("dev-alice"),
        committer: { name: "GitHub", email: "noreply@github.com", login: "web-flow" },
      },
    ]);

    expect(row.outcome).toBe("pass");
    expect(run.conclusion).toBe("success");
  });

  it("a co-author is matched by GitHub's noreply address when the email is linked to no account", async () => {
    const { row } = await evaluate((head) => [
      {
        sha: head,
        message: "PAY-105: rotate keys\n\nCo-authored-by: Carol <4711+rev-carol@users.noreply.github.com>",
        author: person("dev-alice"),
      },
    ]);

    expect(row.outcome).toBe("fail");
    expect(row.reason).toContain("rev-carol co-authored `");
  });

  it("a co-author that cannot be matched to an account is named in the row", async () => {
    const { row } = await evaluate((head) => [
      { sha: head, message: "PAY-105: rotate keys\n\nCo-authored-by: Mallory <mallory@elsewhere.example>", author: person("dev-alice") },
    ]);

    expect(row.outcome).toBe("pass");
    expect(row.notes).toContainEqual(expect.stringContaining("`Mallory <mallory@elsewhere.example>` (co-author of `"));
  });

  it("whoever force-pushed the head cannot approve it", async () => {
    const { row, headSha } = await evaluate((head) => [{ sha: head, message: "PAY-105: rotate keys", author: person("dev-alice") }], {
      forcePushes: [{ at: "2026-11-20T09:30:00Z", actor: "rev-bob", afterSha: sha("independent-head") }],
    });

    expect(row.outcome).toBe("fail");
    expect(row.reason).toContain(`rev-bob force-pushed \`${headSha.slice(0, 7)}\``);
  });

  it("independence can be turned off in the reviews section: the co-author's approval counts again", async () => {
    const { row, log } = await evaluate(
      (head) => [{ sha: head, message: "PAY-105: rotate keys\n\nCo-authored-by: Bob <bob@acme.example>", author: person("dev-alice") }],
      {},
      `${PAYMENTS_CONFIG}  reviews:\n    independent_approvers: false\n`,
    );

    expect(row.outcome).toBe("pass");
    expect(log.filter((l) => l.includes("graphql"))).toEqual(["POST graphql SdlcGuardPullRequest"]);
  });

  it("the commits are read in the one query: no extra request for a PR of up to 100 commits", async () => {
    const { log } = await evaluate((head) => [{ sha: head, message: "PAY-105: rotate keys", author: person("dev-alice") }]);
    expect(log.filter((l) => l.includes("graphql"))).toEqual(["POST graphql SdlcGuardPullRequest"]);
  });

  it("every page of commits is read: a co-author on the 150th commit is found", async () => {
    const { row, log } = await evaluate((head) => [
      ...Array.from({ length: 149 }, (_, i) => ({ sha: sha(`c-${i}`), message: `PAY-105: step ${i}`, author: person("dev-alice") })),
      { sha: head, message: "PAY-105: last step\n\nCo-authored-by: Bob <bob@acme.example>", author: person("dev-alice") },
    ]);

    expect(row.reason).toContain("rev-bob co-authored `");
    expect(log.filter((l) => l.includes("graphql"))).toEqual(["POST graphql SdlcGuardPullRequest", "POST graphql SdlcGuardMoreCommits"]);
  });

  it("more commits than can be read: reviews fails closed and says why", async () => {
    const { row } = await evaluate((head) => [
      ...Array.from({ length: 300 }, (_, i) => ({ sha: sha(`c-${i}`), message: `PAY-105: step ${i}`, author: person("dev-alice") })),
      { sha: head, message: "PAY-105: last step", author: person("dev-alice") },
    ]);

    expect(row.outcome).toBe("error");
    expect(row.reason).toContain("Could not read the pull request's commits (who wrote the change): more than 300 commits");
  });
});

describe("reviews: approvals by people who did not write the change still count", () => {
  it("two independent approvals pass", async () => {
    const { row } = await evaluate((head) => [{ sha: head, message: "PAY-105: rotate keys", author: person("dev-alice") }], {
      reviews: [approval("rev-bob", sha("independent-head")), approval("rev-carol", sha("independent-head"), 20)],
    });
    expect(row.outcome).toBe("pass");
  });
});
