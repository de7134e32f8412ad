import fc from "fast-check";
import nock from "nock";
import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { GITHUB_API } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

// Issue 21: skipping an event (no trigger names it) or a write (the run already shows the result) never leaves a
// stale result. Over random sequences of changes and their events, the final check run equals what a fresh app,
// evaluating the final state from scratch, writes.

type Step =
  | "approve"
  | "comment-review"
  | "dismiss-review"
  | "title-keeps-key"
  | "title-loses-key"
  | "body-loses-testing"
  | "body-restored"
  | "edit-nothing"
  | "label"
  | "redeliver";

const STEPS: Step[] = [
  "approve",
  "comment-review",
  "dismiss-review",
  "title-keeps-key",
  "title-loses-key",
  "body-loses-testing",
  "body-restored",
  "edit-nothing",
  "label",
  "redeliver",
];

const FULL_BODY = "## Description\nRotates keys.\n\n## Testing\nUnit tests.\n\n## Security considerations\nKeys never leave the vault.";

const editedEvent = (world: GitHubWorld, repo: SimRepo, pr: SimPullRequest, changes: Record<string, unknown>): WebhookEvent => {
  const event = pullRequestEvent(world, repo, pr, "edited");
  return { ...event, payload: { ...event.payload, changes } };
};

/** Changes the world as the step says, and returns the event GitHub sends for it. */
function apply(step: Step, world: GitHubWorld, repo: SimRepo, pr: SimPullRequest, last: WebhookEvent, n: number): WebhookEvent {
  switch (step) {
    case "approve":
      pr.reviews.push(approval(`rev-${n}`, pr.headSha, 30 + (n % 20)));
      return pullRequestReviewEvent(world, repo, pr, `rev-${n}`, "approved");
    case "comment-review":
      pr.reviews.push({ author: { login: `rev-${n}` }, state: "COMMENTED", commitSha: pr.headSha, submittedAt: "2026-11-20T11:00:00Z" });
      return pullRequestReviewEvent(world, repo, pr, `rev-${n}`, "commented");
    case "dismiss-review": {
      const review = pr.reviews.find((r) => r.state === "APPROVED");
      if (review) review.state = "DISMISSED";
      const event = pullRequestReviewEvent(world, repo, pr, review?.author?.login ?? "rev-bob", "dismissed");
      return { ...event, payload: { ...event.payload, action: "dismissed" } };
    }
    case "title-keeps-key":
    case "title-loses-key": {
      const from = pr.title;
      pr.title = step === "title-keeps-key" ? `PAY-101: reworded ${n}` : `reworded ${n}`;
      return editedEvent(world, repo, pr, { title: { from } });
    }
    case "body-loses-testing":
    case "body-restored": {
      const from = pr.body;
      pr.body = step === "body-restored" ? FULL_BODY : FULL_BODY.replace("## Testing\nUnit tests.\n\n", "");
      return editedEvent(world, repo, pr, { body: { from } });
    }
    case "edit-nothing":
      return editedEvent(world, repo, pr, {});
    case "label":
      return pullRequestEvent(world, repo, pr, "labeled");
    case "redeliver":
      return last;
  }
}

/** PATCH requests may or may not happen (that is what is tested): routed to the world without being required. */
function optionalPatches(world: GitHubWorld): void {
  nock(GITHUB_API)
    .persist()
    .intercept(/.*/, "PATCH")
    .optionally()
    .reply(function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown) {
      const answer = world.handle("PATCH", uri, typeof body === "string" && body ? JSON.parse(body) : body || undefined, this.req.headers);
      return [answer.status, answer.body === undefined ? "" : JSON.stringify(answer.body), { "content-type": "application/json" }];
    });
}

/** The run as a reader sees it, without the evaluation time (the one thing two evaluations of one state differ in). */
const shown = (run: { status: string; conclusion: string | null; output: { title: string | null; summary: string | null } }) => ({
  status: run.status,
  conclusion: run.conclusion,
  title: run.output.title,
  summary: run.output.summary?.replace(/ on \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, " on <time>"),
});

describe("property: skipped events and skipped writes never leave a stale check run", () => {
  it("after any sequence of changes and their events, the run equals a fresh evaluation of the final state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 8 }), async (steps) => {
        nock.cleanAll();
        const world = new GitHubWorld();
        const repo = compliantRepo(world);
        const pr = compliantPullRequest(world, repo, 1);
        routeToWorld(world, ["GET", "POST"]);
        optionalPatches(world);
        const probot = createTestApp(world);
        let last = pullRequestEvent(world, repo, pr, "opened");
        let delivery = 0;
        await probot.receive({ ...last, id: `d-${++delivery}` } as never);
        for (const [n, step] of steps.entries()) {
          last = apply(step, world, repo, pr, last, n);
          await probot.receive({ ...last, id: `d-${++delivery}` } as never);
        }
        const final = shown(repo.checkRuns[0]!);

        // A fresh app (nothing cached) evaluates the final state; the run is reopened so that it must be written.
        Object.assign(repo.checkRuns[0]!, { status: "in_progress", conclusion: null });
        await createTestApp(world).receive({ ...pullRequestEvent(world, repo, pr, "synchronize"), id: "fresh" } as never);

        expect(repo.checkRuns).toHaveLength(1);
        expect(final).toEqual(shown(repo.checkRuns[0]!));
      }),
      { numRuns: 12, seed: 21, endOnFailure: true },
    );
  });
});
