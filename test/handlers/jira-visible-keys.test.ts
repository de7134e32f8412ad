import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

/** A PR with no key in its title or branch, whose body is `body`: the jira row of its check run. */
async function jiraRowFor(body: string) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 31, { title: "Rotate card-token keys", headRef: "hotfix/rotate", body });
  mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);
  const run = repo.checkRuns[0]!;
  return { conclusion: run.conclusion, row: run.output.summary!.split("\n").find((l) => l.startsWith("| `jira`"))! };
}

describe("jira: only keys a reader of the PR sees count", () => {
  it("a body holding only the template's placeholder <!-- e.g. PAY-123 --> fails jira", async () => {
    const { conclusion, row } = await jiraRowFor("## Jira ticket\n<!-- e.g. PAY-123 -->\n\n## Description\nRotates keys.");
    expect(conclusion).toBe("failure");
    expect(row).toContain("❌ fail");
    expect(row).toContain("No Jira issue key of project PAY/OPS");
  });

  it("a key inside a fenced code block does not count", async () => {
    const { conclusion, row } = await jiraRowFor("Log of the failure:\n\n```text\nPAY-123 rejected\n```");
    expect(conclusion).toBe("failure");
    expect(row).toContain("No Jira issue key");
  });

  it("a key written in the body's text still passes", async () => {
    const { conclusion, row } = await jiraRowFor("<!-- e.g. PAY-123 -->\nFixes PAY-131.");
    expect(conclusion).toBe("success");
    expect(row).toContain("Jira key `PAY-131` (body)");
  });
});
