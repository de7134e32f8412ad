import type { Probot } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import type { SimIssue } from "../../sim/issue-tracker.js";
import { buildOrg, type BuiltOrg } from "../../sim/org-scenario.js";
import {
  installationCreatedEvent,
  installationRepositoriesAddedEvent,
  issueCommentEvent,
  type WebhookEvent,
} from "../../sim/webhook-payloads.js";
import { SUMMARY_LABEL } from "../../src/common/product.js";
import { decodeHistory } from "../../src/report/org-summary-history.js";
import { SUMMARY_MARKER } from "../../src/report/org-summary-markdown.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { routeToWorld } from "../support/route-to-world.js";
import { captureLog, createTestApp } from "../support/test-app.js";

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `summary-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

function setup(repositories = 14) {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories });
  org.org.grant(".github", "rev-bob", "write");
  org.org.grant(".github", "dev-alice", "read");
  const capture = captureLog("info");
  const now = () => new Date(org.now);
  const app = createTestApp(world, { now, log: capture.log });
  return { world, org, app, now, capture };
}

const summaryIssues = (world: GitHubWorld) => world.issues.list("acme", ".github").filter((i) => i.title === SUMMARY_TITLE);
const openSummary = (world: GitHubWorld): SimIssue => {
  const open = summaryIssues(world).filter((i) => i.state === "open");
  expect(open).toHaveLength(1);
  return open[0]!;
};
const writes = (world: GitHubWorld) =>
  world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql" && !r.path.endsWith("/access_tokens"));
const repoOf = (org: BuiltOrg, kind: Parameters<BuiltOrg["withFailure"]>[0]) => org.withFailure(kind)!.name;

describe("the org summary issue", () => {
  it("installing the app on an organisation opens one summary issue: labelled, marked, every repository judged", async () => {
    const { world, org, app } = setup();
    routeToWorld(world, ["GET", "POST"]);
    await send(app, installationCreatedEvent(world, "acme"));

    const issue = openSummary(world);
    expect(issue).toMatchObject({ title: SUMMARY_TITLE, labels: [SUMMARY_LABEL], author: { type: "Bot" } });
    expect(issue.body.startsWith(SUMMARY_MARKER)).toBe(true);
    for (const built of org.repositories.filter((r) => !r.archived))
      expect(issue.body).toContain(`[${built.name}](https://github.com/acme/${built.name})`);
    // A repository built to fail one control is listed with its failing control and how to fix it.
    expect(issue.body).toMatch(new RegExp(`<b>${repoOf(org, "unprotected")}</b>[^]*?❌ \`branch-protection\`: Default branch`)); // eslint-disable-line no-restricted-syntax -- test literal
    expect(decodeHistory(issue.body)).toHaveLength(1);
    // Reads only, then one write: the issue.
    expect(writes(world).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /repos/acme/.github/issues"]);
  });

  it("a later refresh edits the same issue in place and keeps the trend", async () => {
    const { world, app } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    await send(app, installationCreatedEvent(world, "acme"));
    world.requests.length = 0;
    await send(app, installationRepositoriesAddedEvent(world, "acme", ["payments"]));

    const issue = openSummary(world);
    expect(summaryIssues(world)).toHaveLength(1);
    expect(decodeHistory(issue.body)).toHaveLength(2);
    expect(writes(world).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /repos/acme/.github/issues/${issue.number}`]);
  });

  it("concurrent refreshes in one app make one issue and at most one follow-up run", async () => {
    const { world, app, capture } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    await Promise.all([
      send(app, installationCreatedEvent(world, "acme")),
      send(app, installationRepositoriesAddedEvent(world, "acme", ["a"])),
      send(app, installationRepositoriesAddedEvent(world, "acme", ["b"])),
      send(app, installationRepositoriesAddedEvent(world, "acme", ["c"])),
    ]);
    expect(summaryIssues(world)).toHaveLength(1);
    const runs = capture.lines.filter((l) => l.includes('"action":"summary.published"'));
    expect(runs).toHaveLength(2); // the first, and one run for the three triggers that arrived meanwhile
    expect(decodeHistory(openSummary(world).body)).toHaveLength(2);
  });

  it("two app processes refreshing at once (two replicas, or a restart mid-create) converge on one open issue", async () => {
    const { world, app, now } = setup();
    const other = createTestApp(world, { now });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    await Promise.all([send(app, installationCreatedEvent(world, "acme")), send(other, installationCreatedEvent(world, "acme"))]);

    const all = summaryIssues(world);
    const open = openSummary(world);
    // Either the second saw the first's issue, or both created one and the newer was closed.
    expect(all.every((i) => i.state === "open" || i.number > open.number)).toBe(true);
  });

  it("a repository whose alerts cannot be read is unknown with the reason; the summary still completes", async () => {
    const { world, app } = setup();
    world.failNext("GET", "/orgs/acme/dependabot/alerts", 403, { message: "Resource not accessible by integration" });
    routeToWorld(world, ["GET", "POST"]);
    await send(app, installationCreatedEvent(world, "acme"));

    const body = openSummary(world).body;
    expect(body).toContain("❔ `dependabot`: Open Dependabot alerts could not be read:");
    expect(body).toContain("Resource not accessible by integration");
    expect(body).not.toMatch(/\| ✅ compliant \|/); // nothing is compliant while its Dependabot alerts are unknown
  });

  it("a rate limit that cannot be waited for writes nothing: the previous summary stays", async () => {
    const { world, app, capture } = setup();
    world.rateLimit.core.remaining = 20;
    world.rateLimit.core.reset = Math.floor(Date.now() / 1000) + 6 * 3600; // beyond the 15 minutes worth waiting
    routeToWorld(world, ["GET", "POST"]);
    await send(app, installationCreatedEvent(world, "acme"));

    expect(summaryIssues(world)).toHaveLength(0);
    expect(writes(world)).toEqual([]);
    expect(capture.text()).toContain('"action":"summary.deferred"');
  });
});

describe("`/sdlc-guard refresh` on the summary issue", () => {
  async function withSummary(methods: ("GET" | "POST" | "PATCH")[] = ["GET", "POST"]) {
    const ctx = setup(6);
    routeToWorld(ctx.world, methods);
    await send(ctx.app, installationCreatedEvent(ctx.world, "acme"));
    ctx.world.requests.length = 0;
    return { ...ctx, issue: openSummary(ctx.world), dotGithub: ctx.org.dotGithub.repo };
  }

  it("by an org member with write access: acknowledged with a reaction, and the summary is refreshed", async () => {
    const { world, app, issue, dotGithub } = await withSummary(["GET", "POST", "PATCH"]);
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "rev-bob" }, "/sdlc-guard refresh"));

    expect(decodeHistory(openSummary(world).body)).toHaveLength(2);
    expect(writes(world).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/.github/issues/comments/${issue.comments.at(-1)!.id}/reactions`,
      `PATCH /repos/acme/.github/issues/${issue.number}`,
    ]);
  });

  it.each([
    ["an outsider", "mallory"],
    ["a member with read access only", "dev-alice"],
  ])("by %s: a polite refusal and nothing changes", async (_who, login) => {
    const { world, app, issue, dotGithub } = await withSummary();
    const before = issue.body;
    await send(app, issueCommentEvent(world, dotGithub, issue, { login }, "/sdlc-guard refresh"));

    expect(openSummary(world).body).toBe(before);
    expect(writes(world).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /repos/acme/.github/issues/${issue.number}/comments`]);
    expect(issue.comments.at(-1)!.body).toBe(
      `Thanks @${login}, but only members of the **acme** organisation with write access to acme/.github can refresh this summary. It refreshes by itself on its schedule; a member with write access can also ask for it.`,
    );
  });

  it("a second request within 10 minutes is declined politely (each refresh reads every repository)", async () => {
    const { world, app, issue, dotGithub } = await withSummary(["GET", "POST", "PATCH"]);
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "rev-bob" }, "/sdlc-guard refresh"));
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "rev-bob" }, "/sdlc-guard refresh"));

    expect(decodeHistory(openSummary(world).body)).toHaveLength(2);
    expect(issue.comments.at(-1)!.body).toBe(
      "@rev-bob the summary was refreshed on request less than 10 minutes ago; please ask again in 10 minutes.",
    );
  });

  it("the command only counts on the app's summary issue in the configured repository", async () => {
    const { world, org, app } = await withSummary();
    // A bot-written, marked and labelled issue elsewhere (anyone with write access to that repository could make one).
    const elsewhere = org.repositories.find((r) => !r.archived && r.name !== ".github")!.repo;
    const lookalike = world.issues.add("acme", elsewhere.name, {
      title: SUMMARY_TITLE,
      body: `${SUMMARY_MARKER}\nlookalike`,
      labels: [SUMMARY_LABEL],
      author: { login: "github-actions[bot]", type: "Bot" },
    });
    await send(app, issueCommentEvent(world, elsewhere, lookalike, { login: "rev-bob" }, "/sdlc-guard refresh"));

    expect(writes(world)).toEqual([]);
    expect(lookalike.comments.filter((c) => c.author.type === "Bot")).toEqual([]);
  });

  it("when membership cannot be verified, nobody refreshes and the person is told why", async () => {
    const { world, app, issue, dotGithub } = await withSummary();
    world.failNext("GET", "/orgs/acme/members/rev-bob", 502);
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "rev-bob" }, "/sdlc-guard refresh"));

    expect(decodeHistory(openSummary(world).body)).toHaveLength(1);
    expect(issue.comments.at(-1)!.body).toMatch(/^@rev-bob I could not verify your access just now \(GitHub answered HTTP 502/);
  });

  it("other comments, bots, and the command on another issue are ignored without a request", async () => {
    const { world, app, issue, dotGithub } = await withSummary();
    const other = world.issues.add("acme", ".github", { title: "Question", body: "hello" });
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "rev-bob" }, "Looks good, refresh later?"));
    await send(app, issueCommentEvent(world, dotGithub, issue, { login: "renovate[bot]", bot: true }, "/sdlc-guard refresh"));
    await send(app, issueCommentEvent(world, dotGithub, other, { login: "rev-bob" }, "/sdlc-guard refresh"));
    // A human's copy of the summary (marker and label, but not written by a bot) is not the summary.
    const copy = world.issues.add("acme", ".github", { title: SUMMARY_TITLE, body: `${SUMMARY_MARKER}\ncopy`, labels: [SUMMARY_LABEL] });
    await send(app, issueCommentEvent(world, dotGithub, copy, { login: "rev-bob" }, "/sdlc-guard refresh"));

    expect(world.requests).toEqual([]);
  });
});
