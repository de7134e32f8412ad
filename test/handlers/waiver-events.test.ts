import type { Probot } from "probot";
import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import type { SimIssue } from "../../sim/issue-tracker.js";
import { compliantPullRequest, compliantRepo, PAYMENTS_CONFIG } from "../../sim/scenarios.js";
import { issueCommentChangedEvent, issueCommentEvent, pullRequestEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { sha } from "../../sim/github-world.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { routeToWorld } from "../support/route-to-world.js";
import { captureLog, createTestApp } from "../support/test-app.js";

const WAIVER_CONFIG = `${PAYMENTS_CONFIG}exceptions:
  approvers: [acme/tech-leads, acme/cto]
  min_justification_length: 20
`;
const JUSTIFICATION = "Hotfix for the card outage; ticket filed after the fact (INC-77)";

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `waiver-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

/** acme/payments with a PR that fails only `jira` (no key anywhere), tech leads and a CTO team, and the app. */
/** The evaluations' clock: the simulator's comments are written from 09:00 on 2026-11-20. */
const NOW = "2026-11-20T12:00:00Z";

function setup(overrides: Partial<SimPullRequest> = {}, { config = WAIVER_CONFIG, now = NOW, evaluatedBefore = true } = {}) {
  const world = new GitHubWorld();
  const repo: SimRepo = compliantRepo(world);
  repo.files.set(".github/sdlc-guard.yml", config);
  world.teams.set("acme/tech-leads", ["lead-lina"]);
  world.teams.set("acme/cto", ["cto-carl"]);
  const pr = compliantPullRequest(world, repo, 7, { title: "Rotate card-token keys", headRef: "hotfix/rotate", ...overrides });
  const thread: SimIssue = world.issues.pullRequestThread("acme", "payments", pr.number, pr.title);
  // The app evaluated the PR when it was opened, before any comment: its run on the head is the one every evaluation updates.
  if (evaluatedBefore)
    repo.checkRuns.push({
      id: 9001,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      output: { title: "1 required control(s) failing: jira", summary: null },
      externalId: `pr-${pr.number}`,
      startedAt: "2026-11-20T09:00:00Z",
    });
  const capture = captureLog("info");
  let clock = now;
  const app = createTestApp(world, { log: capture.log, now: () => new Date(clock) });
  const log = routeToWorld(world, evaluatedBefore ? ["GET", "POST", "PATCH"] : ["GET", "POST"]);
  const comment = (login: string, body: string) => send(app, issueCommentEvent(world, repo, thread, { login }, body));
  const run = () => repo.checkRuns.filter((r) => r.headSha === pr.headSha && r.name === "sdlc-guard").at(-1)!;
  const jiraRow = () => decodeResults(run().output.summary).find((r) => r.id === "jira")!;
  const lastReply = () => thread.comments.at(-1)!;
  const setClock = (time: string) => (clock = time);
  return { world, repo, pr, thread, app, capture, comment, run, jiraRow, lastReply, log, setClock };
}

describe("waivers: /sdlc-guard waive and revoke", () => {
  it("a tech lead's waiver with justification turns jira into waived and the check green", async () => {
    const { thread, comment, run, jiraRow, lastReply, capture } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run()).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run().output.title).toBe("All required controls pass; waived: jira");
    expect(jiraRow()).toMatchObject({ outcome: "waived", waiver: { by: "lead-lina", justification: JUSTIFICATION } });
    expect(run().output.summary).toContain(
      `| \`jira\` | 🟡 waived | required | Waived by @lead-lina on 2026-11-20 until 2026-12-04: "${JUSTIFICATION}". Without the waiver:`,
    );
    // Acknowledged: a reaction on the command and a reply.
    const command = thread.comments.find((c) => c.body.startsWith("/sdlc-guard waive"))!;
    expect(command.reactions?.map((r) => r.content)).toEqual(["+1"]);
    expect(lastReply().body).toBe(
      `@lead-lina \`jira\` is waived on this pull request: "${JUSTIFICATION}". The \`sdlc-guard\` check shows it as waived and counts it as passed; \`/sdlc-guard revoke jira\` undoes it.`,
    );
    expect(capture.text()).toContain('"action":"waiver.applied"');
  });

  it("someone who wrote the change cannot waive its controls either: a co-author in an approver team is refused", async () => {
    const headSha = sha("waiver-co-authored-head");
    const trailer = "PAY-9: rotate keys\n\nCo-authored-by: Lina <lead-lina@acme.example>";
    const author = { name: "dev-alice", email: "dev-alice@acme.example", login: "dev-alice" };
    const { world, comment, run, jiraRow, lastReply } = setup({ headSha, commits: [{ sha: headSha, message: trailer, author }] });
    world.userEmails.set("lead-lina@acme.example", "lead-lina");
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toBe(
      `@lead-lina nothing was waived: people who wrote the change cannot waive its controls (lead-lina co-authored \`${headSha.slice(0, 7)}\`).`,
    );
  });

  it("the PR author cannot waive", async () => {
    const { world, repo, pr, comment, run, jiraRow, lastReply } = setup({ author: { login: "lead-lina" } });
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toBe("@lead-lina nothing was waived: the author of a pull request cannot waive its controls.");
    expect(world.issues.comments(repo.owner, repo.name, pr.number).filter((c) => c.author.type === "Bot")).toHaveLength(1);
  });

  it("a non-member is refused and nothing changes", async () => {
    const { comment, run, jiraRow, lastReply, thread } = setup();
    await comment("dev-dave", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toBe("@dev-dave nothing was waived: only members of acme/tech-leads, acme/cto can waive a control.");
    expect(thread.comments[0]!.reactions?.map((r) => r.content)).toEqual(["confused"]);
  });

  it("secret-scanning cannot be waived", async () => {
    const { repo, comment, run, lastReply } = setup({ title: "PAY-7: rotate keys" });
    repo.secretScanning.openAlerts = 2;
    await comment("cto-carl", `/sdlc-guard waive secret-scanning ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(decodeResults(run().output.summary).find((r) => r.id === "secret-scanning")!.outcome).toBe("fail");
    expect(lastReply().body).toBe("@cto-carl nothing was waived: `secret-scanning` cannot be waived (`exceptions.non_waivable`).");
  });

  it.each([
    ["a missing justification", "/sdlc-guard waive jira", "a justification of at least 20 characters is needed"],
    ["a short justification", "/sdlc-guard waive jira because", "a justification of at least 20 characters is needed"],
    ["an unknown control", `/sdlc-guard waive jria ${JUSTIFICATION}`, "`jria` is not a control of this pull request"],
    ["no control named", "/sdlc-guard waive", "name the control"],
  ])("%s gets a clear reply and nothing is waived", async (_case, body, reason) => {
    const { comment, run, lastReply } = setup();
    await comment("lead-lina", body);
    expect(run().conclusion).toBe("failure");
    expect(lastReply().body).toContain(`@lead-lina nothing was waived: ${reason}`);
  });

  it("a command GitHub does not list on the PR (deleted before it was evaluated) counts for nothing, and the reply says why", async () => {
    const { world, repo, thread, app, run, jiraRow, lastReply, capture } = setup();
    const event = issueCommentEvent(world, repo, thread, { login: "lead-lina" }, `/sdlc-guard waive jira ${JUSTIFICATION}`);
    const command = thread.comments.at(-1)!;
    world.issues.deleteComment("acme", "payments", command.id);
    await send(app, event);

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toBe(
      "@lead-lina nothing was waived: GitHub did not list this comment on the pull request yet; please post the command again in a minute.",
    );
    expect(capture.text()).toContain("the comment was not among the pull request's comments");
  });

  it("revoke restores the failure", async () => {
    const { comment, run, jiraRow, lastReply, capture } = setup({});
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);
    expect(run().conclusion).toBe("success");
    await comment("cto-carl", "/sdlc-guard revoke jira");

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toBe(
      "@cto-carl no waiver of `jira` is in force on this pull request any more; the check was evaluated again.",
    );
    // The audit record says who revoked what, where, and what the check became.
    const revoked = capture.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.action === "waiver.revoked");
    expect(revoked).toEqual([
      expect.objectContaining({
        audit: true,
        repository: "acme/payments",
        pull_request: 7,
        user: "cto-carl",
        control: "jira",
        conclusion: "failure",
      }),
    ]);
  });

  it("an edited waiver comment no longer counts: the check fails again and the editor is told to post a new one", async () => {
    const { world, repo, thread, app, comment, run, jiraRow, lastReply } = setup({});
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);
    expect(run().conclusion).toBe("success");
    const waiver = thread.comments[0]!;
    const before = waiver.body;
    world.issues.editComment("acme", "payments", waiver.id, `/sdlc-guard waive jira ${JUSTIFICATION} (and the release too)`);
    await send(app, issueCommentChangedEvent(world, repo, thread, waiver, "edited", before));

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().outcome).toBe("fail");
    expect(lastReply().body).toMatch(/^@lead-lina an edited waiver comment does not count/);
  });

  it("a deleted waiver comment is gone: the next evaluation fails the control again", async () => {
    const { world, repo, thread, app, comment, run } = setup({});
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);
    const waiver = thread.comments[0]!;
    world.issues.deleteComment("acme", "payments", waiver.id);
    await send(app, issueCommentChangedEvent(world, repo, thread, waiver, "deleted"));

    expect(run().conclusion).toBe("failure");
  });

  it("a restart loses nothing: a new app instance reads the waiver from the comments", async () => {
    const { world, comment, pr, run } = setup({});
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);
    const restarted = createTestApp(world, { now: () => new Date(NOW) });
    const { pullRequestEvent } = await import("../../sim/webhook-payloads.js");
    await send(restarted, pullRequestEvent(world, world.repo("acme", "payments")!, pr, "synchronize"));

    expect(run()).toMatchObject({ conclusion: "success", output: { title: "All required controls pass; waived: jira" } });
  });
});

describe("waivers cover the commit they were given on, until their expiry", () => {
  /** A PR that fails only `reviews` (no approval), so a waiver of `reviews` is what turns it green. */
  const unreviewed = (config = WAIVER_CONFIG) => {
    const env = setup({ title: "PAY-7: rotate card-token keys", reviews: [] }, { config });
    const reviewsRow = () => decodeResults(env.run().output.summary).find((r) => r.id === "reviews")!;
    const push = async (message: string) => {
      const next = sha(`pushed-${message}`);
      env.pr.commits.push({ sha: next, message });
      env.pr.headSha = next;
      await send(env.app, pullRequestEvent(env.world, env.repo, env.pr, "synchronize"));
      return next;
    };
    return { ...env, reviewsRow, push };
  };

  it("a new commit ends the waiver: the check fails again and says so", async () => {
    const { comment, run, reviewsRow, push } = unreviewed();
    await comment("cto-carl", `/sdlc-guard waive reviews ${JUSTIFICATION}`);
    expect(run()).toMatchObject({ conclusion: "success", output: { title: "All required controls pass; waived: reviews" } });

    const unreviewedCommit = await push("PAY-7: one more unreviewed change");

    expect(run()).toMatchObject({ headSha: unreviewedCommit, conclusion: "failure" });
    expect(reviewsRow().outcome).toBe("fail");
    expect(reviewsRow().reason).toContain(
      `Waiver of \`reviews\` by @cto-carl ended by new commit \`${unreviewedCommit.slice(0, 7)}\`; ask again.`,
    );
  });

  it("a waiver asked for again on the new commit applies to it", async () => {
    const { comment, run, push } = unreviewed();
    await comment("cto-carl", `/sdlc-guard waive reviews ${JUSTIFICATION}`);
    await push("PAY-7: one more change");
    await comment("cto-carl", `/sdlc-guard waive reviews ${JUSTIFICATION}, re-checked on the new commit`);

    expect(run().conclusion).toBe("success");
  });

  it("a control listed in exceptions.keep_on_new_commits keeps its waiver across pushes", async () => {
    const { comment, run, push } = unreviewed(`${WAIVER_CONFIG}  keep_on_new_commits: [reviews]\n`);
    await comment("cto-carl", `/sdlc-guard waive reviews ${JUSTIFICATION}`);
    await push("PAY-7: one more change");

    expect(run()).toMatchObject({ conclusion: "success", output: { title: "All required controls pass; waived: reviews" } });
  });

  it("a waiver posted before sdlc-guard first evaluated the head was not given on it: nothing is waived, and the reply says why", async () => {
    const { comment, run, lastReply } = setup({}, { evaluatedBefore: false });
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(lastReply().body).toMatch(
      /^@lead-lina `jira` is not waived: waiver of `jira` by @lead-lina ended by new commit `[0-9a-f]{7}`; ask again\.$/,
    );
  });

  it("an expired waiver ends itself at the next evaluation, and the row says it expired", async () => {
    const { world, repo, pr, app, comment, run, jiraRow, setClock } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);
    expect(jiraRow().waiver).toMatchObject({ expiresAt: expect.stringMatching(/^2026-12-04T09:00/) });

    setClock("2026-12-05T00:00:00Z");
    await send(app, pullRequestEvent(world, repo, pr, "synchronize"));

    expect(run().conclusion).toBe("failure");
    expect(jiraRow().reason).toMatch(/Waiver of `jira` by @lead-lina expired on 2026-12-04T09:00:\d\dZ; ask again\.$/);
  });

  it("a waiver may ask for its own duration up to the maximum", async () => {
    const { comment, jiraRow } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira --days=3 ${JUSTIFICATION}`);

    expect(jiraRow()).toMatchObject({
      outcome: "waived",
      waiver: { justification: JUSTIFICATION, expiresAt: expect.stringMatching(/^2026-11-23T/) },
    });
  });

  it("a duration above exceptions.max_expires_after_days is refused", async () => {
    const { comment, run, lastReply } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira --days=90 ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(lastReply().body).toBe(
      "@lead-lina nothing was waived: a waiver lasts 1 to 30 days (`exceptions.max_expires_after_days`), not 90.",
    );
  });

  it("invisible characters are not a justification: 25 zero-width spaces are refused", async () => {
    const { comment, run, lastReply } = setup();
    await comment("lead-lina", `/sdlc-guard waive jira ${"\u200b".repeat(25)}`);

    expect(run().conclusion).toBe("failure");
    expect(lastReply().body).toContain("@lead-lina nothing was waived: a justification of at least 20 characters is needed");
  });

  it("every comment of the PR is read: a waiver after 150 other comments counts (one more page, one more request)", async () => {
    const { world, comment, run, log } = setup();
    for (let i = 0; i < 150; i++) world.issues.addComment("acme", "payments", 7, `Looks good ${i}`);
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("success");
    expect(log.filter((l) => /SdlcGuard(PullRequest|More)/.test(l))).toEqual([
      "POST graphql SdlcGuardPullRequest",
      "POST graphql SdlcGuardMoreComments",
    ]);
  });

  it("more comments than can be read: no waiver counts, and the reply says why", async () => {
    const { world, comment, run, lastReply } = setup();
    for (let i = 0; i < 2000; i++) world.issues.addComment("acme", "payments", 7, `Looks good ${i}`);
    await comment("lead-lina", `/sdlc-guard waive jira ${JUSTIFICATION}`);

    expect(run().conclusion).toBe("failure");
    expect(lastReply().body).toBe(
      "@lead-lina nothing was waived: the pull request's comments could not be read (more than 2000 comments), so no waiver counts for now. Please try again later.",
    );
  });
});
