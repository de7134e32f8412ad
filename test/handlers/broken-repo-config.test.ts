import { pino, type Logger } from "pino";
import { GitHubWorld, sha, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pushEvent, tagCreateEvent } from "../../sim/webhook-payloads.js";
import { InMemorySharedState } from "../../src/evaluation/shared-state.js";
import { Notifier } from "../../src/notify/notifier.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { mockGitHub } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { startReceiver } from "../support/notification-receiver.js";
import { createTestApp } from "../support/test-app.js";

const receivers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const CONFIG = ".github/sdlc-guard.yml";
/** A repository file that cannot be used: only the org's `.github` file may carry a `floor:`. */
const BREAKS_THE_FILE = "floor:\n  controls:\n    direct-push: { enforcement: 'off' }\ncontrols:\n  direct-push: { enforcement: 'off' }\n";
const SLACK = "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n";

/** acme/payments (main protected, PR #12 merged and closed), the org's `.github` file, Slack listening. */
async function setup(orgConfig: string) {
  const slack = await startReceiver([]);
  receivers.push(slack);
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 12);
  pr.state = "CLOSED";
  world.addRepo("acme", ".github").files.set(CONFIG, orgConfig);
  const log = pino({ level: "silent" }) as Logger;
  const notifier = new Notifier({
    claims: new InMemorySharedState(),
    log,
    env: { SDLC_GUARD_NOTIFY_SLACK_URL: slack.url },
    allowInternalUrls: true,
    retryBaseMs: 1,
    attempts: 3,
  });
  const probot = createTestApp(world, { notifier, log, cacheTtlMs: 60_000 });
  return { world, repo, probot, notifier, slack };
}

const runOn = (repo: SimRepo, commitSha: string) => repo.checkRuns.find((r) => r.headSha === commitSha && r.name === "sdlc-guard");
const rowsOn = (repo: SimRepo, commitSha: string) =>
  Object.fromEntries(decodeResults(runOn(repo, commitSha)?.output.summary).map((r) => [r.id, `${r.enforcement}:${r.outcome}`]));
const textsOf = (slack: { received: { json: unknown }[] }) => slack.received.map((m) => (m.json as { text: string }).text).sort();

describe("a repository cannot silence push and tag findings by breaking its own config file", () => {
  it("a direct push to main that also breaks the repository's file still opens the direct-push issue and notifies, and the run names the error", async () => {
    const { world: w, repo, probot, notifier, slack } = await setup(SLACK);
    repo.files.set(CONFIG, BREAKS_THE_FILE);
    const direct = w.commit(repo, "main", "turn the guard off, without review");
    // The repository's file (broken), then the org's file (the policy the push is judged under), as for any push.
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/pulls") // the push changed the config: open PRs (none) are re-evaluated
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [direct], sender: "mallory", modified: [CONFIG] }) as never);
    await notifier.idle();

    const run = runOn(repo, direct)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe(
      "Configuration error in acme/payments:.github/sdlc-guard.yml (judged under the org policy): 1 required control(s) failing: direct-push",
    );
    expect(run.output.summary).toContain("`floor`");
    expect(run.output.summary).toContain("the floor is read only from acme/.github:.github/sdlc-guard.yml");
    expect(run.output.summary).toContain("`acme/.github:.github/sdlc-guard.yml`");
    expect(rowsOn(repo, direct)).toMatchObject({ "direct-push": "required:fail" });
    const [issue] = w.issues.list("acme", "payments");
    expect(issue).toMatchObject({ title: "sdlc-guard: direct pushes to protected branches", state: "open" });
    expect(issue!.body).toContain("@mallory");
    expect(textsOf(slack)).toEqual([
      "Could not be verified (fails closed): config-error in acme/payments: acme/payments:.github/sdlc-guard.yml cannot be used",
      "Violation: direct-push in acme/payments: the push of main by @mallory",
    ]);
  });

  it("a later push while the file is still broken is judged too", async () => {
    const { world: w, repo, probot, notifier, slack } = await setup(SLACK);
    repo.files.set(CONFIG, BREAKS_THE_FILE);
    routeToWorld(w);
    const first = w.commit(repo, "main", "break the file");
    await probot.receive(pushEvent(w, repo, { shas: [first], modified: [CONFIG] }) as never);
    const second = w.commit(repo, "main", "another direct commit");
    await probot.receive(pushEvent(w, repo, { shas: [second], sender: "mallory" }) as never);
    await notifier.idle();

    expect(rowsOn(repo, second)).toMatchObject({ "direct-push": "required:fail" });
    expect(runOn(repo, second)!.output.title).toContain("Configuration error in acme/payments:.github/sdlc-guard.yml");
    const [issue] = w.issues.list("acme", "payments");
    expect(
      w.issues
        .comments("acme", "payments", issue!.number)
        .map((c) => c.body)
        .join("\n"),
    ).toContain(second.slice(0, 12));
    expect(textsOf(slack).filter((t) => t.startsWith("Violation: direct-push"))).toHaveLength(2);
  });

  it("a tag with a broken repository file is judged under the org's release-tag pattern", async () => {
    const orgPattern = "controls:\n  release-tag:\n    pattern: '^release-[0-9]+$'\n";
    const { world: w, repo, probot } = await setup(orgPattern);
    repo.files.set(CONFIG, "controls:\n  release-tag:\n    pattern: '.*'\n    enforcement: sometimes\n");
    const head = repo.git.branches.get("main")!;
    repo.git.tags.set("v1.0.0", { commitSha: head });
    routeToWorld(w);

    await probot.receive(tagCreateEvent(w, repo, "v1.0.0") as never);

    const run = runOn(repo, head)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toContain("Configuration error in acme/payments:.github/sdlc-guard.yml");
    expect(rowsOn(repo, head)).toMatchObject({ "release-tag": "required:fail" });
    expect(run.output.summary).toContain("does not match the configured pattern `^release-[0-9]+$`");
  });

  it("an unverified merge in a repository with a broken file is recorded and still reaches the org's channels", async () => {
    const { world: w, repo, probot, notifier, slack } = await setup(SLACK);
    repo.files.set(CONFIG, BREAKS_THE_FILE);
    const bad = w.addPullRequest(repo, {
      number: 1,
      title: "quick fix",
      headSha: sha("quick-fix"),
      author: { login: "dev-dan" },
      reviews: [],
    });
    repo.checkRuns.push({
      id: 99,
      appId: w.appId,
      name: "sdlc-guard",
      headSha: bad.headSha,
      status: "completed",
      conclusion: "failure",
      output: { title: "1 required control(s) failing: reviews", summary: "" },
      externalId: null,
    });
    bad.mergedBy = { login: "admin-ann" };
    w.mergePullRequest(repo, bad, "merge");
    routeToWorld(w);

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);
    await notifier.idle();

    expect(w.issues.list("acme", "payments")).toMatchObject([{ state: "open" }]);
    expect(textsOf(slack)).toEqual(["Violation: #1 merged in acme/payments without a passing sdlc-guard result"]);
  });

  it("a repository file GitHub cannot serve (a 502) is not set aside for the org's policy: the push fails closed, naming the outage", async () => {
    const { world: w, repo, probot, notifier, slack } = await setup(SLACK);
    const direct = w.commit(repo, "main", "a push while GitHub fails");
    w.failNext("GET", "/repos/acme/payments/contents/", 502);
    // Only the repository's file is asked for (no org fallback), the snapshot, the failing run.
    mockGitHub(w)
      .expectToken()
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pushEvent(w, repo, { shas: [direct], sender: "mallory" }) as never);
    await notifier.idle();

    const run = runOn(repo, direct)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).not.toContain("judged under the org policy");
    expect(run.output.summary).toContain("GitHub answered HTTP 502");
    expect(slack.received).toEqual([]);
  });
});
