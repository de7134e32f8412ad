import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { issueCommentEvent, pullRequestEvent } from "../../sim/webhook-payloads.js";
import { CONTROL_IDS, PULL_REQUEST_CONTROL_IDS } from "../../src/controls/catalogue.js";
import type { ControlResult } from "../../src/controls/results.js";
import { decodeResults, encodeResults } from "../../src/report/check-run-state.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { WAIVER_NOW, waiverWorld } from "../support/waiver-world.js";

/** Rows other evaluations (push, tag, release) stored on the commit, each with long texts in `script`. */
function storedRows(script: string): ControlResult[] {
  const long = script.repeat(700);
  return CONTROL_IDS.filter((id) => !(PULL_REQUEST_CONTROL_IDS as readonly string[]).includes(id)).map((id) => ({
    id,
    enforcement: "required",
    outcome: "fail",
    reason: long,
    fix: long,
    notes: [long, long, long, long, long],
    source: "the push of 1 commit to `main`",
  }));
}

describe("the check run stays within GitHub's size limits, in bytes", () => {
  it.each([
    ["ASCII", "x"],
    ["accented", "é"],
    ["emoji", "😀"],
    ["CJK", "審"],
  ])("a PR whose commit carries long %s rows from other evaluations still gets its run, every row kept", async (_name, script) => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 61);
    const carried = storedRows(script);
    repo.checkRuns.push({
      id: 9101,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      output: { title: "Required controls failing", summary: `Earlier evaluation.\n\n${encodeResults(carried)}` },
      externalId: `pr-${pr.number}`,
      startedAt: "2026-11-20T09:00:00Z",
    });
    const app = createTestApp(world);
    routeToWorld(world, ["GET", "POST", "PATCH"]);

    await app.receive(pullRequestEvent(world, repo, pr, "synchronize") as never);

    // The simulator answers an over-limit summary as GitHub does (422, "exceeds a maximum bytesize of 65535").
    expect(world.violations).toEqual([]);
    const run = repo.checkRuns.find((r) => r.headSha === pr.headSha && r.name === "sdlc-guard")!;
    expect(run.output.title).not.toBe("Required controls failing");
    expect(Buffer.byteLength(run.output.summary!, "utf8")).toBeLessThanOrEqual(65_535);
    const rows = decodeResults(run.output.summary);
    for (const stored of carried) expect(rows.find((r) => r.id === stored.id)).toMatchObject({ outcome: "fail", enforcement: "required" });
    expect(rows.some((r) => (PULL_REQUEST_CONTROL_IDS as readonly string[]).includes(r.id))).toBe(true);
    expect(run.conclusion).toBe("failure");
  });
});

describe("replies stay within GitHub's limit for a comment body", () => {
  it("a waiver with a justification as long as a comment may be still gets its reply (cut, saying so), and the waiver counts", async () => {
    const { world, repo, pr, thread } = waiverWorld();
    const app = createTestApp(world, { now: () => new Date(WAIVER_NOW) });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    // Every `@` is made inert in the reply (a zero-width space after it): the quoted text grows past the limit.
    const justification = "on-call approval @acme/sre ".repeat(2_400);
    expect(Array.from(`/sdlc-guard waive jira ${justification}`).length).toBeLessThanOrEqual(65_536);

    await app.receive(issueCommentEvent(world, repo, thread, { login: "lead-lina" }, `/sdlc-guard waive jira ${justification}`) as never);

    expect(world.violations).toEqual([]);
    const reply = thread.comments.at(-1)!.body;
    expect(reply).toMatch(/^@lead-lina `jira` is waived on this pull request: "on-call approval/);
    expect(reply).toMatch(/output truncated to GitHub's size limit\)$/);
    expect(Buffer.byteLength(reply, "utf8")).toBeLessThanOrEqual(65_536);
    expect(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.conclusion).toBe("success");
  });
});
