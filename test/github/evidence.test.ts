import { ProbotOctokit } from "probot";
import { queryProblems } from "../../sim/graphql.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { collectEvidence, type CollectEvidenceOptions } from "../../src/github/evidence/evidence-collect.js";
import { mergedPullsSearchQuery } from "../../src/github/evidence/evidence-pull-requests.js";
import { VIOLATION_ISSUES_QUERY } from "../../src/github/evidence/evidence-pushes.js";
import { RELEASES_QUERY } from "../../src/github/evidence/evidence-releases.js";
import { occurrenceMarker, violationMarker } from "../../src/github/writes/violation-issue.js";
import { VIOLATION_LABEL } from "../../src/common/product.js";
import { checkRunSummary, DESCRIPTION_WAIVER, EVIDENCE_NOW, evidenceWorld, mergePullRequest } from "../support/evidence-world.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { evidenceAsCsv, evidenceAsJson } from "../../src/report/evidence-formats.js";
import { routeToWorld } from "../support/route-to-world.js";

const octokitFor = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });
const PERIOD = { since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-20T00:00:00Z") };

function setup(methods?: Parameters<typeof routeToWorld>[1]) {
  const built = evidenceWorld();
  const log = routeToWorld(built.world, methods);
  const collect = (extra: Partial<CollectEvidenceOptions> = {}) =>
    collectEvidence(octokitFor(), {
      org: "acme",
      appId: built.world.appId,
      period: PERIOD,
      now: new Date(EVIDENCE_NOW),
      webUrl: "https://github.com",
      ...extra,
    });
  return { ...built, log, collect };
}

const names = (evidence: { pullRequests: { repository: string; number: number }[] }) =>
  evidence.pullRequests.map((p) => `${p.repository}#${p.number}`);
/** A time `minutes` after the start of the period, as GitHub writes it. */
const minutesIn = (minutes: number) => new Date(PERIOD.since.getTime() + minutes * 60_000).toISOString().replace(".000Z", "Z");

describe("evidence: what shipped in a period, with its approvals, read in a few searches and batches", () => {
  it("every query is valid against GitHub's published schema", () => {
    for (const query of [mergedPullsSearchQuery(4242), mergedPullsSearchQuery(undefined), RELEASES_QUERY, VIOLATION_ISSUES_QUERY])
      expect(queryProblems(query)).toEqual([]);
  });

  it("lists each PR merged in the period: approvers (each reviewer's latest approval), Jira keys, our run's results and waivers", async () => {
    const { world, collect } = setup();

    const evidence = await collect();

    expect(names(evidence)).toEqual(["payments#12", "ledger#3"]);
    const [payments, ledger] = evidence.pullRequests;
    const head = world.repo("acme", "payments")!.pulls.find((p) => p.number === 12)!;
    expect(payments).toEqual({
      repository: "payments",
      number: 12,
      title: "PAY-12: Reject refunds above the captured amount",
      url: "https://github.com/acme/payments/pull/12",
      author: "dev-alice",
      mergedAt: "2026-11-05T12:00:00Z",
      mergeCommit: head.mergeCommitSha,
      baseBranch: "main",
      headBranch: "feature/PAY-12-refund-cap",
      headCommit: head.headSha,
      // rev-bob approved twice: his later approval stands; sec-dana's approval was dismissed.
      approvers: [
        { login: "rev-carol", approvedAt: "2026-11-04T10:00:00Z", commit: head.headSha },
        { login: "rev-bob", approvedAt: "2026-11-04T11:00:00Z", commit: head.headSha },
      ],
      jiraKeys: ["PAY-12"],
      conclusion: "success",
      controls: [
        { id: "reviews", enforcement: "required", outcome: "pass" },
        { id: "jira", enforcement: "required", outcome: "pass" },
        { id: "description", enforcement: "required", outcome: "waived" },
        { id: "branch-protection", enforcement: "required", outcome: "pass" },
        { id: "secret-scanning", enforcement: "required", outcome: "pass" },
      ],
      waivers: [{ control: "description", ...DESCRIPTION_WAIVER }],
      mergedBy: "maintainer-mia",
      mergeVerdict: "verified",
    });
    // A run without per-control rows: its conclusion stands, and the missing rows are said. Merged past a failure: unverified.
    expect(ledger).toMatchObject({
      conclusion: "failure",
      controls: [],
      waivers: [],
      jiraKeys: [],
      approvers: [],
      mergedBy: "maintainer-mia",
      mergeVerdict: "unverified",
    });
    expect(evidence.unreadable).toEqual([
      {
        what: "acme/ledger#3: the per-control results of the sdlc-guard check run",
        why: expect.stringContaining("its summary has no per-control results block"),
      },
    ]);
    expect(world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql")).toEqual([]);
  });

  it("a run whose results block cannot be decoded is said; its conclusion still stands", async () => {
    const { world, payments, collect } = setup();
    mergePullRequest(
      world,
      payments,
      { number: 31, mergedAt: "2026-11-13T00:00:00Z" },
      { conclusion: "success", summary: "All good.\n\n<!-- sdlc-guard-results aGVsbG8= -->" },
    );

    const evidence = await collect();

    expect(evidence.pullRequests.find((p) => p.number === 31)).toMatchObject({ conclusion: "success", controls: [] });
    expect(evidence.unreadable).toContainEqual({
      what: "acme/payments#31: the per-control results of the sdlc-guard check run",
      why: "its per-control results block cannot be decoded",
    });
  });

  it("a waived control appears with who waived it, when and why", async () => {
    const { collect } = setup();

    const evidence = await collect();

    expect(evidence.pullRequests[0]!.waivers).toEqual([
      {
        control: "description",
        by: "lead-erin",
        at: "2026-11-05T10:30:00Z",
        justification: "Hotfix for a customer incident; the description follows in PAY-13",
        url: "https://github.com/acme/payments/pull/12#issuecomment-5001",
      },
    ]);
    expect(evidence.pullRequests[0]!.controls.find((c) => c.id === "description")).toEqual({
      id: "description",
      enforcement: "required",
      outcome: "waived",
    });
  });

  it("a waiver's end (its expiry) is listed in the JSON and CSV exports", async () => {
    const { world, collect } = setup();
    const run = world.repo("acme", "payments")!.checkRuns.find((r) => decodeResults(r.output.summary).some((row) => row.waiver))!;
    const rows = decodeResults(run.output.summary).map((row) =>
      row.waiver ? { ...row, waiver: { ...row.waiver, expiresAt: "2026-11-19T10:30:00Z" } } : row,
    );
    run.output.summary = checkRunSummary(rows);

    const evidence = await collect();

    expect(evidence.pullRequests[0]!.waivers).toEqual([
      { control: "description", ...DESCRIPTION_WAIVER, expiresAt: "2026-11-19T10:30:00Z" },
    ]);
    expect(JSON.parse(evidenceAsJson(evidence)).pullRequests[0].waivers[0]).toMatchObject({ expiresAt: "2026-11-19T10:30:00Z" });
    expect(evidenceAsCsv(evidence)).toContain(
      "description by lead-erin at 2026-11-05T10:30:00Z until 2026-11-19T10:30:00Z: Hotfix for a customer incident",
    );
  });

  it("a PR merged outside the period is not listed: since is included, until is not", async () => {
    const { world, payments, collect } = setup();
    mergePullRequest(world, payments, { number: 20, mergedAt: "2026-11-01T00:00:00Z" }, null);
    mergePullRequest(world, payments, { number: 21, mergedAt: "2026-10-31T23:59:59Z" }, null);
    mergePullRequest(world, payments, { number: 22, mergedAt: "2026-11-20T00:00:00Z" }, null);

    const evidence = await collect();

    expect(names(evidence)).toEqual(["payments#20", "payments#12", "ledger#3"]);
    expect(names(evidence)).not.toContain("payments#9"); // merged 2026-10-28
    expect(evidence.pullRequests[0]!.conclusion).toBe("none"); // no sdlc-guard run on its head
  });

  it("more results than GitHub's search lists split the period in halves until each part lists them all", async () => {
    const { world, payments, log, collect } = setup();
    world.searchResultLimit = 5;
    for (let n = 100; n < 123; n++) mergePullRequest(world, payments, { number: n, mergedAt: minutesIn((n - 100) * 1000) }, null);

    const evidence = await collect({ searchResultLimit: 5 });

    const expected = [...Array(23).keys()].map((i) => `payments#${100 + i}`);
    expect(names(evidence).filter((n) => expected.includes(n))).toEqual(expected);
    expect(evidence.pullRequests).toHaveLength(25);
    expect(evidence.unreadable.map((u) => u.what)).toEqual(["acme/ledger#3: the per-control results of the sdlc-guard check run"]);
    expect(log.filter((r) => r === "POST graphql SdlcGuardEvidencePullRequests").length).toBeGreaterThan(5);
  });

  it("more results within one second than the search lists: those listed are exported, the rest is said", async () => {
    const { world, payments, collect } = setup();
    world.searchResultLimit = 5;
    for (let n = 100; n < 107; n++) mergePullRequest(world, payments, { number: n, mergedAt: "2026-11-15T12:00:00Z" }, null);

    const evidence = await collect({ searchResultLimit: 5 });

    expect(evidence.pullRequests.filter((p) => p.mergedAt === "2026-11-15T12:00:00Z")).toHaveLength(5);
    expect(evidence.unreadable).toContainEqual({
      what: "pull requests merged 2026-11-15T12:00:00Z..2026-11-15T12:00:00Z",
      why: "7 results within one second, more than the 5 GitHub's search lists: only 5 are exported",
    });
  });

  it("a search page that fails is listed under unreadable; what was read before it and the rest of the export stay", async () => {
    const { world, payments, collect } = setup();
    for (let n = 100; n < 160; n++) mergePullRequest(world, payments, { number: n, mergedAt: minutesIn(n) }, null);
    world.failNext("POST", "/graphql", 502, { operation: "SdlcGuardEvidencePullRequests", skip: 1 });

    const evidence = await collect();

    expect(evidence.pullRequests).toHaveLength(50); // the first page
    expect(evidence.unreadable).toContainEqual({
      what: "pull requests merged 2026-11-01T00:00:00Z..2026-11-19T23:59:59Z, page 2 and after",
      why: "GitHub answered HTTP 502 (simulated HTTP 502)",
    });
    expect(evidence.releases).toHaveLength(2);
    expect(evidence.pushes).toHaveLength(3);
  });

  it("records the pushes the app recorded and the releases published in the period, not a person's copied marker", async () => {
    const { world, collect } = setup();
    world.issues.add("acme", "payments", {
      title: "Copied marker",
      body: `${violationMarker("force-push")}\n\n${occurrenceMarker("force-push:fake")}`,
      labels: [VIOLATION_LABEL],
      createdAt: "2026-11-10T00:00:00Z",
      updatedAt: "2026-11-10T00:00:00Z",
    });
    // A person's comment with a marker on the app's issue is no occurrence either.
    const [issue] = world.issues.list("acme", "payments");
    issue!.comments.push({
      id: 77_001,
      body: `again\n\n${occurrenceMarker("direct-push:fake")}`,
      author: { login: "octo-human", type: "User" },
      createdAt: "2026-11-11T00:00:00Z",
      updatedAt: "2026-11-11T00:00:00Z",
    });

    const evidence = await collect();

    const issueUrl = (repo: string) => `https://github.com/acme/${repo}/issues/1`;
    expect(evidence.pushes).toEqual([
      {
        repository: "payments",
        kind: "direct",
        control: "direct-push",
        at: "2026-11-06T14:00:00Z",
        issueUrl: issueUrl("payments"),
        summary: expect.stringMatching(/^\*\*Push of `[0-9a-f]{12}` to `main`\*\* — violation$/),
      },
      {
        repository: "payments",
        kind: "direct",
        control: "direct-push",
        at: "2026-11-08T09:15:00Z",
        issueUrl: issueUrl("payments"),
        summary: expect.stringMatching(/^\*\*Push of /),
      },
      {
        repository: "ledger",
        kind: "forced",
        control: "force-push",
        at: "2026-11-09T18:45:00Z",
        issueUrl: issueUrl("ledger"),
        summary: expect.stringMatching(/^\*\*Force push of /),
      },
    ]);
    expect(evidence.releases).toEqual([
      {
        repository: "payments",
        tag: "v2.3.0",
        name: "2.3.0",
        publishedAt: "2026-11-07T10:00:00Z",
        prerelease: false,
        url: "https://github.com/acme/payments/releases/tag/v2.3.0",
      },
      {
        repository: "ledger",
        tag: "v1.0.0-rc.1",
        name: null,
        publishedAt: "2026-11-12T16:00:00Z",
        prerelease: true,
        url: "https://github.com/acme/ledger/releases/tag/v1.0.0-rc.1",
      },
    ]);
  });

  it("reads releases in batches of repositories; a busy repository's later releases in one more query", async () => {
    const { world, log, collect } = setup();
    for (let n = 0; n < 6; n++) world.addRepo("acme", `service-${n}`);
    const busy = world.addRepo("acme", "monorepo");
    for (let n = 1; n <= 30; n++)
      busy.releases.push({ tagName: `v1.${n}.0`, name: null, body: "", draft: false, prerelease: false, publishedAt: minutesIn(n * 60) });

    const evidence = await collect({ reposPerQuery: 3 });

    expect(evidence.releases.filter((r) => r.repository === "monorepo").map((r) => r.tag)).toEqual(
      [...Array(30).keys()].map((i) => `v1.${i + 1}.0`),
    );
    expect(log.filter((r) => r === "POST graphql SdlcGuardEvidenceReleases")).toHaveLength(3); // 9 repositories, 3 a query
    expect(log.filter((r) => r === "POST graphql SdlcGuardEvidenceMoreReleases")).toHaveLength(1);
  });

  it("a batch of repositories whose releases could not be read is unreadable; the other batches are read", async () => {
    const { world, collect } = setup();
    world.failNext("POST", "/graphql", 502, { operation: "SdlcGuardEvidenceReleases" });

    const evidence = await collect({ reposPerQuery: 1 });

    // The organisation lists repositories by name: ledger first.
    expect(evidence.unreadable).toContainEqual({ what: "releases of acme/ledger", why: "GitHub answered HTTP 502 (simulated HTTP 502)" });
    expect(evidence.releases.map((r) => r.tag)).toEqual(["v2.3.0"]);
  });

  it("--repo: one repository's PRs, pushes and releases, without listing the organisation", async () => {
    const { log, collect } = setup();

    const evidence = await collect({ repository: "ledger" });

    expect(evidence.repository).toBe("ledger");
    expect(names(evidence)).toEqual(["ledger#3"]);
    expect(evidence.pushes.map((p) => p.repository)).toEqual(["ledger"]);
    expect(evidence.releases.map((r) => r.repository)).toEqual(["ledger"]);
    expect(log).toContain("GET /repos/acme/ledger");
    expect(log).not.toContain("GET /orgs/acme/repos");
  });

  it("a repository that does not exist is an error, not an empty export", async () => {
    const { collect } = setup(["GET"]);
    await expect(collect({ repository: "nowhere" })).rejects.toThrow("cannot read the repository acme/nowhere: GitHub answered HTTP 404");
  });

  it("without our app id, any check run named sdlc-guard is ours; with it, another app's run is none", async () => {
    const { world, collect } = setup();
    for (const run of world.repo("acme", "payments")!.checkRuns) run.appId = 1;

    const byName = await collect({ appId: undefined });
    const byApp = await collect();

    expect(byName.pullRequests[0]).toMatchObject({ number: 12, conclusion: "success", waivers: [{ control: "description" }] });
    expect(byApp.pullRequests[0]).toMatchObject({ number: 12, conclusion: "none", controls: [], waivers: [] });
  });

  it("Jira keys follow the organisation's controls.jira; a config that cannot be used is said, and the default pattern used", async () => {
    const { world, payments, collect } = setup();
    const dotGithub = world.addRepo("acme", ".github");
    mergePullRequest(
      world,
      payments,
      { number: 30, title: "OPS-4 and PAY-5: two keys", headRef: "ops-4-fix", mergedAt: "2026-11-12T00:00:00Z" },
      null,
    );

    dotGithub.files.set(".github/sdlc-guard.yml", "controls:\n  jira:\n    projects: [OPS]\n");
    const configured = await collect();
    dotGithub.files.set(".github/sdlc-guard.yml", "controls:\n  jira:\n    projects: lowercase\n");
    const broken = await collect();

    expect(configured.pullRequests.find((p) => p.number === 30)!.jiraKeys).toEqual(["OPS-4"]);
    expect(configured.pullRequests.find((p) => p.number === 12)!.jiraKeys).toEqual([]);
    expect(broken.pullRequests.find((p) => p.number === 30)!.jiraKeys).toEqual(["OPS-4", "PAY-5"]);
    expect(broken.unreadable[0]).toEqual({
      what: "the Jira key settings (controls.jira)",
      why: expect.stringMatching(
        /^acme\/\.github:\.github\/sdlc-guard\.yml at `controls\.jira\.projects`: .*; keys were found with the default pattern \(ABC-123\)$/,
      ),
    });
  });

  it("an export of a simulated organisation of 250 repositories takes at most 25 requests", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 249 });
    const log = routeToWorld(world);
    const period = { since: new Date(org.period.since), until: new Date(org.now) };

    const evidence = await collectEvidence(octokitFor(), {
      org: "acme",
      appId: world.appId,
      period,
      now: new Date(org.now),
      webUrl: "https://github.com",
    });

    const built = org.repositories.flatMap((b) => b.mergedInPeriod.map((p) => `${b.name}#${p.number}`));
    expect(names(evidence).sort()).toEqual(built.sort());
    expect(evidence.pullRequests.map((p) => p.conclusion).filter((c) => c === "failure")).toHaveLength(1);
    const pushes = org.repositories.reduce((n, b) => n + b.pushes.direct + b.pushes.forced, 0);
    expect(evidence.pushes).toHaveLength(pushes);
    const releases = org.repositories.flatMap((b) =>
      b.repo.releases.filter((r) => !r.draft && Date.parse(r.publishedAt!) >= period.since.getTime()),
    );
    expect(evidence.releases).toHaveLength(releases.length);
    // The scenario's runs carry no per-control rows: each is said, none is left out.
    expect(evidence.unreadable).toHaveLength(evidence.pullRequests.length);
    const byKind = new Map<string, number>();
    for (const request of log) byKind.set(request, (byKind.get(request) ?? 0) + 1);
    console.log(
      `evidence of 250 repositories: ${evidence.requests} requests\n${[...byKind].map(([what, n]) => `  ${String(n).padStart(3)}  ${what}`).join("\n")}`,
    );
    expect(evidence.requests).toBe(log.length);
    expect(evidence.requests).toBeLessThanOrEqual(25);
    expect(world.violations).toEqual([]);
  });

  it("an issue of the app with more than 100 comments: its later occurrences are read too", async () => {
    const { world, collect } = setup();
    const [issue] = world.issues.list("acme", "ledger");
    for (let n = 0; n < 120; n++)
      issue!.comments.push({
        id: 80_000 + n,
        body: `Push ${n}\n\n${occurrenceMarker(`force-push:push:${n}`)}`,
        author: APP_AUTHOR,
        createdAt: minutesIn(20_000 + n),
        updatedAt: minutesIn(20_000 + n),
      });
    issue!.updatedAt = minutesIn(20_119);

    const evidence = await collect();

    expect(evidence.pushes.filter((p) => p.repository === "ledger")).toHaveLength(121);
    expect(evidence.pushes.at(-1)).toMatchObject({ summary: "Push 119", kind: "forced" });
    expect(evidence.unreadable.map((u) => u.what)).toEqual(["acme/ledger#3: the per-control results of the sdlc-guard check run"]);
  });
});
