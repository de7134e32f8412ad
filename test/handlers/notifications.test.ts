import { createHmac } from "node:crypto";
import { pino, type Logger } from "pino";
import { GitHubWorld, sha, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { issueCommentEvent, pullRequestEvent, pushEvent } from "../../sim/webhook-payloads.js";
import { routeToWorld } from "../support/route-to-world.js";
import { waiverWorld, WAIVER_NOW } from "../support/waiver-world.js";
import { InMemorySharedState } from "../../src/evaluation/shared-state.js";
import { Notifier, onNotificationOutcome, type NotificationRecord } from "../../src/notify/notifier.js";
import { notificationsTotal, wireMetrics } from "../../src/operations/metrics.js";
import { mockGitHub } from "../support/github-mock.js";
import { startReceiver } from "../support/notification-receiver.js";
import { captureLog, createTestApp } from "../support/test-app.js";

const outcomes: NotificationRecord[] = [];
onNotificationOutcome((record) => outcomes.push(record));
beforeEach(() => outcomes.splice(0));

const receivers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(statuses: number[] = []) {
  const r = await startReceiver(statuses);
  receivers.push(r);
  return r;
}

const orgFile = (channels: string) => `notifications:\n  channels:\n${channels}`;

/** acme/payments (main protected, PR #12 merged and passing) and the org's `.github` file with `orgConfig`. */
function setup(orgConfig: string, env: Record<string, string>, log: Logger = pino({ level: "silent" }) as Logger) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 12);
  ourRun(world, repo, pr.headSha, "success");
  world.addRepo("acme", ".github").files.set(".github/sdlc-guard.yml", orgConfig);
  const sharedState = new InMemorySharedState();
  const notifier = new Notifier({ claims: sharedState, log, env, allowInternalUrls: true, retryBaseMs: 1, attempts: 3 });
  const probot = createTestApp(world, { sharedState, notifier, log, cacheTtlMs: 60_000 });
  return { world, repo, pr, probot, notifier };
}

function ourRun(w: GitHubWorld, repo: SimRepo, headSha: string, conclusion: string) {
  repo.checkRuns.push({
    id: repo.checkRuns.length + 1,
    appId: w.appId,
    name: "sdlc-guard",
    headSha,
    status: "completed",
    conclusion,
    output: { title: conclusion === "success" ? "All required controls pass" : "1 required control(s) failing: reviews", summary: "" },
    externalId: null,
  });
}

/** The GitHub requests of a direct push to main: config, the snapshot, the failing run, the violation issue. */
const expectDirectPush = (w: GitHubWorld) =>
  mockGitHub(w)
    .expectToken()
    .expectConfigFiles("acme", "payments")
    .expect("POST", "/graphql")
    .expect("POST", "/repos/acme/payments/check-runs")
    .expect("GET", "/repos/acme/payments/issues")
    .expect("POST", "/repos/acme/payments/issues");

describe("notifications: each new finding reaches the org's channels", () => {
  it("a direct push to main reaches Slack as one Block Kit message naming the commit and who pushed; the issue is still opened", async () => {
    const slack = await receiver();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"), { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url });
    const direct = w.commit(repo, "main", "hotfix without review");
    expectDirectPush(w);

    await probot.receive(pushEvent(w, repo, { shas: [direct], sender: "mallory" }) as never);
    await notifier.idle();

    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]!.json as { text: string; blocks: { type: string; fields?: { text: string }[] }[] };
    expect(message.text).toBe("Violation: direct-push in acme/payments: the push of main by @mallory");
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "context"]);
    const fields = message.blocks[1]!.fields!.map((f) => f.text);
    expect(fields).toContain(`*Commit*\n${direct.slice(0, 12)}`);
    expect(fields).toContain("*By*\nmallory");
    expect(JSON.stringify(message.blocks[2])).toContain(`<https://github.com/acme/payments/commit/${direct}|details>`);
    expect(w.issues.list("acme", "payments")).toHaveLength(1);
  });

  it("an unverified merge reaches Microsoft Teams as an Adaptive Card in a Workflows message", async () => {
    const teams = await receiver();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: teams, url_env: SDLC_GUARD_NOTIFY_TEAMS_URL }\n"), { SDLC_GUARD_NOTIFY_TEAMS_URL: teams.url });
    const bad = w.addPullRequest(repo, {
      number: 1,
      title: "quick fix",
      headSha: sha("dan-quick-fix"),
      author: { login: "dev-dan" },
      reviews: [],
    });
    ourRun(w, repo, bad.headSha, "failure");
    bad.mergedBy = { login: "admin-ann" };
    w.mergePullRequest(repo, bad, "merge");
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);
    await notifier.idle();

    expect(teams.received).toHaveLength(1);
    const message = teams.received[0]!.json as {
      type: string;
      attachments: { contentType: string; contentUrl: null; content: Record<string, unknown> }[];
    };
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null });
    const card = message.attachments[0]!.content as { type: string; version: string; body: Record<string, unknown>[]; actions: unknown[] };
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.4", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
    expect(card.body[0]).toMatchObject({
      type: "TextBlock",
      text: "Violation: \\#1 merged in acme/payments without a passing sdlc-guard result",
    });
    expect(card.body[1]).toMatchObject({ type: "FactSet" });
    expect((card.body[1] as { facts: unknown[] }).facts).toContainEqual({ title: "Merged by", value: "admin-ann" });
    expect((card.body[1] as { facts: unknown[] }).facts).toContainEqual({ title: "Required check bypassed", value: "yes" });
    expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "Details", url: "https://github.com/acme/payments/pull/1" }]);
  });

  it("a generic webhook gets JSON signed with HMAC-SHA256 of the body, which the receiver verifies with the shared secret", async () => {
    const hook = await receiver();
    const secret = "receiver-shared-secret";
    const {
      world: w,
      repo,
      pr,
      probot,
      notifier,
    } = setup(
      orgFile(
        "    - { type: webhook, url_env: SDLC_GUARD_NOTIFY_HOOK_URL, secret_env: SDLC_GUARD_NOTIFY_HOOK_SECRET, events: [force-push] }\n",
      ),
      {
        SDLC_GUARD_NOTIFY_HOOK_URL: hook.url,
        SDLC_GUARD_NOTIFY_HOOK_SECRET: secret,
      },
    );
    const forced = w.commit(repo, "main", "rewritten history");
    pr.state = "CLOSED";
    expectDirectPush(w)
      .expect("GET", "/repos/acme/payments/pulls") // a forced push to main may have rewritten the config: open PRs (none) re-evaluated
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [forced], forced: true, sender: "mallory" }) as never);
    await notifier.idle();

    // Only force-push is asked for: the push's direct-push finding is not sent to this channel.
    expect(hook.received).toHaveLength(1);
    const [{ headers, body, json }] = hook.received as [(typeof hook.received)[number]];
    expect(headers["x-sdlc-guard-signature-256"]).toBe(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
    expect(headers["x-sdlc-guard-signature-256"]).not.toBe(`sha256=${createHmac("sha256", "another secret").update(body).digest("hex")}`);
    expect(headers["x-sdlc-guard-event"]).toBe("force-push");
    expect(json).toMatchObject({ event: "force-push", repository: "acme/payments", severity: "violation" });
    expect((json.facts as Record<string, string>).By).toBe("mallory");
  });

  it("a receiver answering 500 is asked again: the message arrives on the second attempt", async () => {
    const slack = await receiver([500]);
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"), { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url });
    const direct = w.commit(repo, "main", "hotfix without review");
    expectDirectPush(w);

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);
    await notifier.idle();

    expect(slack.attempts()).toBe(2);
    expect(slack.received).toHaveLength(1);
    expect(outcomes).toEqual([{ channel: "slack", event: "direct-push", outcome: "sent" }]);
  });

  it("a redelivered push is one occurrence: one message, the second delivery is a duplicate", async () => {
    const slack = await receiver();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"), { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url });
    const direct = w.commit(repo, "main", "hotfix without review");
    const push = pushEvent(w, repo, { shas: [direct] });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("PATCH", "/repos/acme/payments/check-runs/*")
      .expect("GET", "/repos/acme/payments/issues", 2)
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(push as never);
    await probot.receive(push as never); // redelivered
    await notifier.idle();

    expect(slack.received).toHaveLength(1);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["duplicate", "sent"]);
  });

  it("a compliant push (a merged PR) sends nothing", async () => {
    const slack = await receiver();
    const {
      world: w,
      repo,
      pr,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"), {
      SDLC_GUARD_NOTIFY_SLACK_URL: slack.url,
    });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pushEvent(w, repo, { merged: pr, modified: ["src/app.ts"] }) as never);
    await notifier.idle();

    expect(repo.checkRuns.at(-1)!.conclusion).toBe("success");
    expect(slack.attempts()).toBe(0);
    expect(outcomes).toEqual([]);
  });

  it("a repository's own `notifications:` can neither silence nor redirect the org's: set aside, and the run says so", async () => {
    const org = await receiver();
    const mine = await receiver();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_ORG_SLACK }\n"), {
      SDLC_GUARD_NOTIFY_ORG_SLACK: org.url,
      SDLC_GUARD_NOTIFY_MY_SLACK: mine.url,
    });
    repo.files.set(
      ".github/sdlc-guard.yml",
      "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_MY_SLACK, events: [release-notes] }\n",
    );
    const direct = w.commit(repo, "main", "hotfix without review");
    expectDirectPush(w);

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);
    await notifier.idle();

    expect(org.received).toHaveLength(1);
    expect(mine.attempts()).toBe(0);
    const run = repo.checkRuns.at(-1)!;
    expect(run.output.summary).toContain("`notifications` `set in acme/payments:.github/sdlc-guard.yml` → `the org's (.github file only)`");
  });

  it("a repository that extends another file with `notifications:` cannot add a channel either; `notifications: {channels: []}` silences nothing", async () => {
    const org = await receiver();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_ORG_SLACK }\n"), { SDLC_GUARD_NOTIFY_ORG_SLACK: org.url });
    repo.files.set(".github/sdlc-guard.yml", "_extends: .github\nnotifications: { channels: [] }\n");
    const direct = w.commit(repo, "main", "hotfix without review");
    expectDirectPush(w);

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);
    await notifier.idle();

    expect(org.received).toHaveLength(1);
  });

  it("a notification that keeps failing is logged without its URL and counted in /metrics; the finding is still recorded", async () => {
    wireMetrics();
    const slack = await receiver([500, 500, 500]);
    const { log, text } = captureLog();
    const {
      world: w,
      repo,
      probot,
      notifier,
    } = setup(orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"), { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url }, log);
    const failedBefore = await failedCount();
    const direct = w.commit(repo, "main", "hotfix without review");
    expectDirectPush(w);

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);
    await notifier.idle();

    expect(slack.attempts()).toBe(3);
    expect(await failedCount()).toBe(failedBefore + 1);
    expect(text()).toContain('"msg":"notification failed"');
    expect(text()).toContain('"reason":"HTTP 500 after 3 attempt(s)"');
    expect(text()).not.toContain("secret-path");
    expect(text()).not.toContain(slack.url.split("/hook")[0]);
    expect(w.issues.list("acme", "payments")).toHaveLength(1);
    expect(repo.checkRuns.at(-1)!.conclusion).toBe("failure");
  });
});

describe("notifications: waivers granted and ended", () => {
  it("a waiver is told once when granted and once when it expires; later evaluations add nothing", async () => {
    const slack = await receiver();
    const { world: w, repo, pr, thread } = waiverWorld();
    w.addRepo("acme", ".github").files.set(
      ".github/sdlc-guard.yml",
      orgFile("    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n"),
    );
    const sharedState = new InMemorySharedState();
    const log = pino({ level: "silent" }) as Logger;
    const notifier = new Notifier({
      claims: sharedState,
      log,
      env: { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url },
      allowInternalUrls: true,
      retryBaseMs: 1,
    });
    let clock = WAIVER_NOW;
    const probot = createTestApp(w, { sharedState, notifier, now: () => new Date(clock) });
    routeToWorld(w, ["GET", "POST", "PATCH"]);
    const justification = "Hotfix for the card outage; ticket filed after the fact (INC-77)";

    await probot.receive(issueCommentEvent(w, repo, thread, { login: "lead-lina" }, `/sdlc-guard waive jira ${justification}`) as never);
    await notifier.idle();
    expect(slack.received.map((m) => m.json.text)).toEqual(["Notice: jira waived on #51 in acme/payments by lead-lina"]);
    expect(JSON.stringify(slack.received[0]!.json)).toContain(`*Justification*\\n${justification}`);

    clock = "2026-12-30T00:00:00Z";
    await probot.receive(pullRequestEvent(w, repo, pr, "synchronize") as never);
    await probot.receive(pullRequestEvent(w, repo, pr, "synchronize") as never);
    await notifier.idle();

    expect(slack.received.map((m) => m.json.text)).toEqual([
      "Notice: jira waived on #51 in acme/payments by lead-lina",
      "Notice: The waiver of jira on #51 in acme/payments ended",
    ]);
    expect(JSON.stringify(slack.received[1]!.json)).toMatch(/waiver of jira by @lead-lina expired on 2026-12-04/);
  });
});

async function failedCount(): Promise<number> {
  const metric = await notificationsTotal.get();
  return metric.values.find((v) => v.labels.outcome === "failed" && v.labels.event === "direct-push")?.value ?? 0;
}
