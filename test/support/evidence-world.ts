import { createHash } from "node:crypto";
import { GitHubWorld, sha, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import type { ControlResult } from "../../src/controls/results.js";
import { occurrenceMarker, violationMarker } from "../../src/github/writes/violation-issue.js";
import { VIOLATION_LABEL } from "../../src/common/product.js";
import { encodeResults } from "../../src/report/check-run-state.js";

/** The clock of every evidence test: the export is made at this time. */
export const EVIDENCE_NOW = "2026-11-20T09:00:00Z";
/** The audited period, [since, until). */
export const EVIDENCE_SINCE = "2026-11-01";
export const EVIDENCE_UNTIL = "2026-11-20";

/** The waiver the check run of payments#12 records. */
export const DESCRIPTION_WAIVER = {
  by: "lead-erin",
  at: "2026-11-05T10:30:00Z",
  justification: "Hotfix for a customer incident; the description follows in PAY-13",
  url: "https://github.com/acme/payments/pull/12#issuecomment-5001",
};

/** The summary of our check run, as the app writes it: visible text, then the per-control rows in a hidden block. */
export const checkRunSummary = (rows: ControlResult[]): string =>
  `**sdlc-guard** checked ${rows.length} controls.\n\n${encodeResults(rows)}`;

const pass = (id: ControlResult["id"]): ControlResult => ({ id, enforcement: "required", outcome: "pass", reason: "passes", fix: "" });

/** A PR merged at `mergedAt` (squash), with our `sdlc-guard` run on its head (`summary` null: a run without rows). */
export function mergePullRequest(
  world: GitHubWorld,
  repo: SimRepo,
  init: Partial<SimPullRequest> & { number: number; mergedAt: string },
  run: { conclusion: "success" | "failure"; summary: string | null } | null,
): SimPullRequest {
  const pr = world.addPullRequest(repo, { createdAt: init.mergedAt, ...init });
  pr.updatedAt = init.mergedAt;
  world.mergePullRequest(repo, pr, "squash");
  if (run) {
    repo.checkRuns.push({
      id: 600_000 + repo.id * 100 + init.number,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion: run.conclusion,
      output: { title: run.conclusion, summary: run.summary },
      externalId: `pr-${init.number}`,
    });
  }
  return pr;
}

/** An open violation issue of the app, the first occurrence in its body and the later ones as bot comments. */
export function recordPushes(world: GitHubWorld, repo: SimRepo, control: "direct-push" | "force-push", times: string[]): void {
  const occurrence = (at: string) => {
    const commit = createHash("sha1").update(`${repo.name}-${control}-${at}`).digest("hex");
    return `**${control === "direct-push" ? "Push" : "Force push"} of \`${commit.slice(0, 12)}\` to \`main\`** — violation\n\n| | |\n|---|---|\n| By | @dev-alice |\n\n${occurrenceMarker(`${control}:push:${commit}`)}`;
  };
  const [first, ...later] = times;
  world.issues.add(repo.owner, repo.name, {
    title: `sdlc-guard: ${control}`,
    body: `Pushes must go through a reviewed pull request.\n\n${violationMarker(control)}\n\n### First occurrence\n\n${occurrence(first!)}`,
    labels: [VIOLATION_LABEL],
    author: APP_AUTHOR,
    createdAt: first!,
    updatedAt: later.at(-1) ?? first!,
    comments: later.map((at) => ({ body: occurrence(at), author: APP_AUTHOR, createdAt: at })),
  });
}

/**
 * The organisation `acme` of the evidence tests, with something of each kind in the period 2026-11-01..2026-11-20 and
 * decoys outside it: payments#12 (two approvers, one re-approved, one approval dismissed; Jira key PAY-12; a waived
 * control), ledger#3 (a run without per-control rows: unreadable; a title a spreadsheet would run), payments#9 merged
 * before the period, an open PR; direct pushes in payments (one before the period), a force push in ledger; releases.
 */
export function evidenceWorld() {
  const world = new GitHubWorld();
  world.organization("acme");
  const payments = world.addRepo("acme", "payments");
  const ledger = world.addRepo("acme", "ledger");

  // The head is the default of the world: sha("payments-12-head").
  const earlier = sha("payments-12-first");
  mergePullRequest(
    world,
    payments,
    {
      number: 12,
      title: "PAY-12: Reject refunds above the captured amount",
      body: "## Description\nRefunds are capped.\n\n## Testing\nUnit tests for the cap.",
      headRef: "feature/PAY-12-refund-cap",
      author: { login: "dev-alice" },
      createdAt: "2026-11-03T08:00:00Z",
      mergedAt: "2026-11-05T12:00:00Z",
      reviews: [
        { author: { login: "rev-bob" }, state: "APPROVED", commitSha: earlier, submittedAt: "2026-11-03T15:00:00Z" },
        { author: { login: "rev-carol" }, state: "COMMENTED", commitSha: earlier, submittedAt: "2026-11-03T16:00:00Z" },
        { author: { login: "sec-dana" }, state: "DISMISSED", commitSha: earlier, submittedAt: "2026-11-03T17:00:00Z" },
        { author: { login: "rev-carol" }, state: "APPROVED", commitSha: sha("payments-12-head"), submittedAt: "2026-11-04T10:00:00Z" },
        { author: { login: "rev-bob" }, state: "APPROVED", commitSha: sha("payments-12-head"), submittedAt: "2026-11-04T11:00:00Z" },
      ],
    },
    {
      conclusion: "success",
      summary: checkRunSummary([
        pass("reviews"),
        pass("jira"),
        {
          id: "description",
          enforcement: "required",
          outcome: "waived",
          reason: "the Security considerations section is missing",
          fix: "",
          waiver: DESCRIPTION_WAIVER,
        },
        pass("branch-protection"),
        pass("secret-scanning"),
      ]),
    },
  );
  mergePullRequest(
    world,
    ledger,
    {
      number: 3,
      title: '=HYPERLINK("https://evil.example") Bump dependencies',
      author: { login: "dev-alice" },
      mergedAt: "2026-11-10T09:30:00Z",
    },
    { conclusion: "failure", summary: null },
  );
  mergePullRequest(
    world,
    payments,
    { number: 9, title: "PAY-9: Older change", mergedAt: "2026-10-28T12:00:00Z" },
    { conclusion: "success", summary: checkRunSummary([pass("reviews")]) },
  );
  world.addPullRequest(payments, { number: 13, title: "PAY-13: Work in progress", createdAt: "2026-11-18T08:00:00Z" });

  recordPushes(world, payments, "direct-push", ["2026-10-25T08:00:00Z", "2026-11-06T14:00:00Z", "2026-11-08T09:15:00Z"]);
  recordPushes(world, ledger, "force-push", ["2026-11-09T18:45:00Z"]);

  payments.releases.push(
    { tagName: "v2.2.0", name: "2.2.0", body: "", draft: false, prerelease: false, publishedAt: "2026-10-15T10:00:00Z" },
    { tagName: "v2.3.0", name: "2.3.0", body: "Refund cap", draft: false, prerelease: false, publishedAt: "2026-11-07T10:00:00Z" },
    { tagName: "v2.4.0", name: null, body: "", draft: true, prerelease: false },
  );
  ledger.releases.push({
    tagName: "v1.0.0-rc.1",
    name: null,
    body: "",
    draft: false,
    prerelease: true,
    publishedAt: "2026-11-12T16:00:00Z",
  });
  return { world, payments, ledger };
}
