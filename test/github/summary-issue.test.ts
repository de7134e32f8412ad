import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import { findSummaryIssues, publishSummary } from "../../src/github/writes/summary-issue.js";
import { SUMMARY_LABEL } from "../../src/common/product.js";
import type { GitHubClient } from "../../src/github/types.js";
import { renderSummary, SUMMARY_MARKER, summaryPartMarker } from "../../src/report/org-summary-markdown.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { exampleSummary, largeSummary } from "../support/org-summary-fixture.js";
import { routeToWorld } from "../support/route-to-world.js";

const target = { owner: "acme", repo: ".github" };

function setup(methods: ("GET" | "POST" | "PATCH" | "DELETE")[]) {
  const world = new GitHubWorld();
  world.addRepo("acme", ".github");
  routeToWorld(world, methods);
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as GitHubClient;
  const open = () => world.issues.list("acme", ".github").filter((i) => i.state === "open" && i.title === SUMMARY_TITLE);
  return { world, octokit, open };
}

const writes = (world: GitHubWorld) => world.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

describe("the summary issue on GitHub", () => {
  it("a summary too long for one issue continues in the app's comments, each edited in place and removed when no longer needed", async () => {
    const { world, octokit, open } = setup(["GET", "POST", "PATCH", "DELETE"]);
    const big = renderSummary(largeSummary(1500));
    expect(big.parts.length).toBeGreaterThan(2);
    const first = await publishSummary(octokit, target, big);
    expect(first).toMatchObject({ outcome: "created", commentsWritten: big.parts.length, commentsDeleted: 0 });
    const [issue] = open();
    expect(issue!.comments.map((c) => c.body)).toEqual(big.parts);
    expect(issue!.comments.every((c, i) => c.author.type === "Bot" && c.body.startsWith(summaryPartMarker(i + 1)))).toBe(true);

    // Same content again: nothing is written.
    world.requests.length = 0;
    expect(await publishSummary(octokit, target, big)).toMatchObject({ outcome: "unchanged", commentsWritten: 0 });
    expect(writes(world)).toEqual([]);

    // Fewer repositories: the body and the remaining parts are edited, surplus comments deleted, nobody else's touched.
    world.issues.addComment("acme", ".github", issue!.number, "Thanks, looking into the red ones.");
    const smaller = renderSummary(largeSummary(700));
    expect(smaller.parts.length).toBeLessThan(big.parts.length);
    const third = await publishSummary(octokit, target, smaller);
    expect(third).toMatchObject({ outcome: "updated", commentsDeleted: big.parts.length - smaller.parts.length });
    expect(issue!.body).toBe(smaller.body);
    expect(issue!.comments.filter((c) => c.author.type === "Bot").map((c) => c.body)).toEqual(smaller.parts);
    expect(issue!.comments.some((c) => c.body === "Thanks, looking into the red ones.")).toBe(true);
    expect(open()).toHaveLength(1);
  });

  it("duplicates left by a race are closed: the oldest issue is kept and edited", async () => {
    const { world, octokit, open } = setup(["GET", "PATCH"]);
    const old = world.issues.add("acme", ".github", {
      title: SUMMARY_TITLE,
      body: `${SUMMARY_MARKER}\nold`,
      labels: [SUMMARY_LABEL],
      author: APP_AUTHOR,
    });
    const dup = world.issues.add("acme", ".github", {
      title: SUMMARY_TITLE,
      body: `${SUMMARY_MARKER}\ndup`,
      labels: [SUMMARY_LABEL],
      author: APP_AUTHOR,
    });
    const rendered = renderSummary(exampleSummary());

    expect(await publishSummary(octokit, target, rendered)).toMatchObject({
      issueNumber: old.number,
      outcome: "updated",
      duplicatesClosed: [dup.number],
    });
    expect(open().map((i) => i.number)).toEqual([old.number]);
    expect(old.body).toBe(rendered.body);
    expect(dup.state).toBe("closed");
  });

  it("when another process created the issue while this one was creating its own, the newer one is closed", async () => {
    const { world, octokit, open } = setup(["GET", "POST", "PATCH"]);
    const theirs = world.issues.add("acme", ".github", {
      title: SUMMARY_TITLE,
      body: `${SUMMARY_MARKER}\ntheirs`,
      labels: [SUMMARY_LABEL],
      author: APP_AUTHOR,
    });
    // This process looked before the other's issue existed.
    const rendered = renderSummary(exampleSummary());
    const result = await publishSummary(octokit, target, rendered, { found: [] });

    expect(result).toMatchObject({ issueNumber: theirs.number, outcome: "updated" });
    expect(open().map((i) => i.number)).toEqual([theirs.number]);
    expect(result.duplicatesClosed).toHaveLength(1);
    // This run's summary is not thrown away: it is written into the issue that is kept.
    expect(theirs.body).toBe(rendered.body);
  });

  it("another bot's issue or comment carrying the markers is never adopted, edited or deleted", async () => {
    const { world, octokit, open } = setup(["GET", "POST", "PATCH", "DELETE"]);
    const otherBot = { login: "github-actions[bot]", type: "Bot" as const };
    const foreign = world.issues.add("acme", ".github", {
      title: SUMMARY_TITLE,
      body: `${SUMMARY_MARKER}\nby another bot`,
      labels: [SUMMARY_LABEL],
      author: otherBot,
    });
    const big = renderSummary(largeSummary(1500));
    const result = await publishSummary(octokit, target, big, { appId: world.appId });
    const ours = open().find((i) => i.number === result.issueNumber)!;
    world.issues.addComment("acme", ".github", ours.number, `${summaryPartMarker(9)}\nforged part`, otherBot);

    await publishSummary(octokit, target, renderSummary(largeSummary(700)), { appId: world.appId });
    expect(result.issueNumber).not.toBe(foreign.number);
    expect(foreign).toMatchObject({ state: "open", body: `${SUMMARY_MARKER}\nby another bot` });
    expect(ours.comments.some((c) => c.body.endsWith("forged part"))).toBe(true);
  });

  it("a human's copy of the summary is never taken for the app's issue", async () => {
    const { world, octokit, open } = setup(["GET", "POST"]);
    world.issues.add("acme", ".github", { title: SUMMARY_TITLE, body: `${SUMMARY_MARKER}\npasted by a person`, labels: [SUMMARY_LABEL] });
    expect(await findSummaryIssues(octokit, target)).toEqual([]);
    const result = await publishSummary(octokit, target, renderSummary(exampleSummary()));

    expect(result.outcome).toBe("created");
    expect(open()).toHaveLength(2); // the person's issue is theirs to close
  });

  it("a create GitHub applied but answered with 502 is found again, not made twice", async () => {
    const { world, octokit, open } = setup(["GET", "POST"]);
    world.failNext("POST", "/repos/acme/.github/issues", 502, { afterApplying: true, exact: true });
    const result = await publishSummary(octokit, target, renderSummary(exampleSummary()));

    expect(result.outcome).toBe("created");
    expect(open()).toHaveLength(1);
  });
});
