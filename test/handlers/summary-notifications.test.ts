import type { Probot } from "probot";
import { pino, type Logger } from "pino";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { installationCreatedEvent, installationRepositoriesAddedEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { InMemorySharedState } from "../../src/evaluation/shared-state.js";
import { Notifier, onNotificationOutcome, type NotificationRecord } from "../../src/notify/notifier.js";
import { decodeHistory } from "../../src/report/org-summary-history.js";
import { startReceiver } from "../support/notification-receiver.js";
import { routeToWorld } from "../support/route-to-world.js";
import { captureLog, createTestApp } from "../support/test-app.js";

const outcomes: NotificationRecord[] = [];
onNotificationOutcome((record) => outcomes.push(record));
beforeEach(() => outcomes.splice(0));

const receivers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `summary-notify-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

/** acme with 6 repositories (2 built failing), its `.github` config sending the summary's news to a local Slack receiver. */
async function setup(
  log: Logger = pino({ level: "silent" }) as Logger,
  methods: Parameters<typeof routeToWorld>[1] = ["GET", "POST", "PATCH"],
) {
  const slack = await startReceiver();
  receivers.push(slack);
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 6 });
  org.dotGithub.repo.files.set(
    ".github/sdlc-guard.yml",
    "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n",
  );
  const sharedState = new InMemorySharedState();
  const notifier = new Notifier({
    claims: sharedState,
    log,
    env: { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url },
    allowInternalUrls: true,
    retryBaseMs: 1,
  });
  const app = createTestApp(world, { now: () => new Date(org.now), sharedState, notifier, log });
  routeToWorld(world, methods);
  const refresh = async (trigger: "install" | "added") => {
    await send(
      app,
      trigger === "install" ? installationCreatedEvent(world, "acme") : installationRepositoriesAddedEvent(world, "acme", ["x"]),
    );
    await notifier.idle();
  };
  /** A repository built compliant (not `.github`) loses its default branch's protection. */
  const unprotect = (which = 0) => {
    const built = org.repositories.filter((r) => r.failure === null && r.name !== ".github" && !r.archived)[which]!;
    built.repo.classicRules.delete(built.repo.defaultBranch);
    built.repo.branchRules.delete(built.repo.defaultBranch);
    return built.name;
  };
  const summaryIssue = () => world.issues.list("acme", ".github").find((i) => i.title === SUMMARY_TITLE && i.state === "open")!;
  return { world, org, slack, refresh, unprotect, summaryIssue };
}

type SlackMessage = { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };

describe("notifications of the org summary: the newly failing repositories", () => {
  it("the first refresh sends nothing (nothing to compare with), and records which repositories fail which controls", async () => {
    const { slack, refresh, summaryIssue, org } = await setup(undefined, ["GET", "POST"]);

    await refresh("install");

    expect(slack.received).toEqual([]);
    const [entry] = decodeHistory(summaryIssue().body);
    expect(entry!.failing).toMatchObject({
      repos: {
        [org.withFailure("unprotected")!.name]: ["branch-protection"],
        [org.withFailure("one-approval")!.name]: ["branch-protection"],
      },
      capped: false,
    });
    // Only failing repositories are kept, each with the columns it fails.
    expect(Object.values(entry!.failing!.repos).every((columns) => columns.length > 0)).toBe(true);
  });

  it("a repository that loses its branch protection is named, with the control and the reason, in one message on the next refresh", async () => {
    const { slack, refresh, unprotect, summaryIssue } = await setup();
    await refresh("install");
    const name = unprotect();

    await refresh("added");

    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]!.json as SlackMessage;
    expect(message.text).toBe("Violation: 1 repository of acme newly failing the policy");
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(`*${name}*\\nbranch-protection: Default branch main`);
    // The repositories that were failing already are not news.
    expect(message.blocks.filter((b) => b.type === "section" && b.text?.text.startsWith("*") && b.text.text.includes("\n"))).toHaveLength(
      1,
    );
    expect(text).toContain(`<https://github.com/acme/.github/issues/${summaryIssue().number}|details>`);
    expect(outcomes).toEqual([{ channel: "slack", event: "summary-newly-failing", outcome: "sent" }]);
  });

  it("two repositories failing in one refresh are one message per channel naming both, not one per repository", async () => {
    const { slack, refresh, unprotect } = await setup();
    await refresh("install");
    const names = [unprotect(0), unprotect(1)].sort();

    await refresh("added");

    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]!.json as SlackMessage;
    expect(message.text).toBe("Violation: 2 repositories of acme newly failing the policy");
    const listed = message.blocks.filter((b) => b.type === "section" && b.text?.text.includes("\nbranch-protection: "));
    expect(listed.map((b) => b.text!.text.split("\n")[0])).toEqual(names.map((name) => `*${name}*`));
  });

  it("a refresh with no change since sends nothing", async () => {
    const { slack, refresh, unprotect } = await setup();
    await refresh("install");
    unprotect();
    await refresh("added");
    expect(slack.received).toHaveLength(1);

    await refresh("added");

    expect(slack.received).toHaveLength(1);
  });

  it("a refresh redone against the same earlier run (its result lost) is the same occurrence: not sent twice", async () => {
    const { slack, refresh, unprotect, summaryIssue } = await setup();
    await refresh("install");
    const firstBody = summaryIssue().body;
    unprotect();
    await refresh("added");
    // As if the second run's write had been lost: the issue again holds the first run only.
    summaryIssue().body = firstBody;

    await refresh("added");

    expect(slack.received).toHaveLength(1);
    expect(outcomes.map((o) => o.outcome)).toEqual(["sent", "duplicate"]);
  });

  it("a summary issue written in the old format (no per-repository record) is read without error: the trend goes on, nothing is sent", async () => {
    const capture = captureLog("info");
    const { slack, refresh, unprotect, summaryIssue } = await setup(capture.log);
    await refresh("install");
    const issue = summaryIssue();
    const failingBefore = Object.keys(decodeHistory(issue.body)[0]!.failing!.repos);
    // The history block as versions before the per-repository record wrote it.
    const oldEntries = decodeHistory(issue.body).map(({ failing: _, ...entry }) => entry);
    const oldBlock = `<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify({ v: 1, entries: oldEntries })).toString("base64")} -->`;
    issue.body = issue.body.replace(/<!-- sdlc-guard-summary-history [A-Za-z0-9+/=]+ -->/, oldBlock);
    expect(decodeHistory(issue.body)).toEqual(oldEntries);
    const name = unprotect();

    await refresh("added");

    expect(slack.received).toEqual([]);
    const history = decodeHistory(summaryIssue().body);
    expect(history).toHaveLength(2);
    expect(history[0]!.failing).toBeUndefined();
    expect(Object.keys(history[1]!.failing!.repos).sort()).toEqual([...new Set([...failingBefore, name])].sort());
    expect(capture.text()).not.toMatch(/"level":50/);
  });
});
