import type { Probot } from "probot";
import { issueCommentEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { decodeResults, withoutResults } from "../../src/report/check-run-state.js";
import { liveMarkup } from "../support/live-markup.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { WAIVER_NOW, waiverWorld } from "../support/waiver-world.js";

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `inert-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

/** acme/payments with a PR failing only `jira`, and tech leads who may waive. */
function setup() {
  const { world, repo, pr, thread } = waiverWorld();
  const app = createTestApp(world, { now: () => new Date(WAIVER_NOW) });
  routeToWorld(world, ["GET", "POST", "PATCH"]);
  const comment = (login: string, body: string) => send(app, issueCommentEvent(world, repo, thread, { login }, body));
  const run = () => repo.checkRuns.filter((r) => r.headSha === pr.headSha && r.name === "sdlc-guard").at(-1)!;
  /** The reply without its leading `@login` (the app answers the commenter on purpose). */
  const reply = () => thread.comments.at(-1)!.body.replace(/^@[\w-]+ /, "");
  return { world, comment, run, reply };
}

const HOSTILE = "Approved on call with @acme/everyone #1 </details> https://evil.example [docs](https://evil.example)";

describe("user text the app writes mentions, links and references nothing", () => {
  it("a waiver justification with a team mention, a reference, a closing tag and links is inert in the check run and the reply", async () => {
    const { world, comment, run, reply } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira ${HOSTILE}`);

    expect(run().conclusion).toBe("success");
    const row = withoutResults(run().output.summary!)
      .split("\n")
      .find((l) => l.startsWith("| `jira` |"))!;
    expect(row).toContain("🟡 waived");
    expect(liveMarkup(row.replace("Waived by @lead-lina", "Waived by lead-lina"))).toEqual([]);
    expect(row).toContain("@\u200Bacme/everyone #\u200B1 \\</details\\> https:\u200B//evil.example");
    expect(reply()).toMatch(/^`jira` is waived on this pull request: "/);
    expect(liveMarkup(reply())).toEqual([]);
    // The record keeps the words as written: the evidence is exact, only the rendering is inert.
    expect(decodeResults(run().output.summary).find((r) => r.id === "jira")!.waiver!.justification).toBe(HOSTILE);
    expect(world.violations).toEqual([]);
  });

  it("a control name with backticks cannot break out of its code span in the refusal: no live team mention", async () => {
    const { comment, reply } = setup();
    await comment("lead-lina", "/sdlc-guard waive jira`@acme/everyone` because the release cannot wait any longer");

    expect(reply()).toBe(
      "nothing was waived: `` jira`@acme/everyone` `` is not a control of this pull request (controls: `reviews`, `reviewer-teams`, `jira`, `description`, `branch-protection`, `secret-scanning`, `required-checks`, `commit-messages`).",
    );
    expect(liveMarkup(reply())).toEqual([]);
  });
});
