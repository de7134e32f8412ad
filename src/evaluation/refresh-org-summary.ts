import type { Logger } from "pino";
import { formatConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import type { OrgSummary } from "../facts/org-summary.js";
import { summarizeOrg } from "../controls/org-summary.js";
import { describeGitHubError, httpStatus } from "../common/describe-error.js";
import { hardenRequests, type RequestPolicy } from "../github/transport/harden-requests.js";
import { collectOrgFacts, type CollectOrgOptions } from "../github/org/org-facts.js";
import { RateLimitExhaustedError } from "../github/transport/rate-budget.js";
import { readDefaultBranchFile } from "../github/refs/read-config-file.js";
import { findSummaryIssues, publishSummary, type PublishedSummary, type SummaryIssue } from "../github/writes/summary-issue.js";
import type { GitHubClient } from "../github/types.js";
import { decodeHistory } from "../report/org-summary-history.js";
import { summaryChanges } from "../report/org-summary-changes.js";
import type { Notifier } from "../notify/notifier.js";
import { summaryNotification } from "./notify-summary.js";
import { renderSummary } from "../report/org-summary-markdown.js";
import { audit } from "../audit/audit-log.js";

export interface OrgSummaryDeps {
  octokit: GitHubClient;
  log: Logger;
  /** Our app id: only our `sdlc-guard` runs count for merged PRs (undefined: any run of that name, e.g. the CLI with a token). */
  appId?: number;
  now?: () => Date;
  /** The web root for links (GitHub Enterprise Server: its own host). */
  webUrl?: string;
  requestPolicy?: RequestPolicy;
  /** Collection settings tests and the CLI set: batch size, rate budget, progress. */
  collect?: Pick<CollectOrgOptions, "reposPerQuery" | "budget" | "onProgress">;
  /** Tells the org's channels which repositories newly fail, once the summary is posted (the app; the CLI sends none). */
  notifier?: Notifier;
}

export type OrgSummaryRun =
  | {
      status: "ok";
      summary: OrgSummary;
      rendered: { body: string; parts: string[] };
      config: SdlcGuardConfig;
      /** Where it was (or would be) posted. */
      repository: string;
      /** Set when posted. */
      published?: PublishedSummary;
      /** GitHub requests that built the summary (config, collection, issue look-up): the number its footer shows. */
      requests: number;
      /** Further requests that wrote it to the issue (0 without `post`). */
      postRequests: number;
    }
  | { status: "config-error" | "rate-limited" | "unpublishable"; reason: string; requests: number };

/**
 * Builds the org's compliance summary from fresh GitHub state (its `.github` config, every repository) and, with
 * `post`, writes it to the one summary issue. Nothing is written unless the whole summary was built: a rate limit
 * or a config error leaves the previous summary as it was.
 */
export async function runOrgSummary(
  deps: OrgSummaryDeps,
  org: string,
  options: { post: boolean; trigger: string },
): Promise<OrgSummaryRun> {
  const { octokit, log } = deps;
  const counter = hardenRequests(octokit, deps.requestPolicy);
  const first = counter.count;
  const requests = () => counter.count - first;
  const startedAt = deps.now?.() ?? new Date();
  const startMs = Date.now();

  const loaded = await loadConfig(org, ".github", (location) => readDefaultBranchFile(octokit, location));
  if (!loaded.ok) {
    const reason = `the organisation's config cannot be used: ${formatConfigError(loaded.error)}`;
    audit(log, "summary.refused", { org, trigger: options.trigger, reason }, `org summary not refreshed: ${reason}`);
    return { status: "config-error", reason, requests: requests() };
  }
  const config = loaded.config;
  const target = { owner: org, repo: config.summary.repository };
  const repository = `${org}/${target.repo}`;

  let facts;
  try {
    facts = await collectOrgFacts(octokit, {
      org,
      appId: deps.appId,
      now: startedAt,
      periodDays: config.summary.period_days,
      webUrl: deps.webUrl ?? "https://github.com",
      ...deps.collect,
    });
  } catch (error) {
    if (!(error instanceof RateLimitExhaustedError)) throw error;
    audit(
      log,
      "summary.deferred",
      { org, trigger: options.trigger, reason: error.message, github_requests: requests() },
      `org summary deferred: ${error.message}`,
    );
    return { status: "rate-limited", reason: error.message, requests: requests() };
  }
  // Read after the collection (which may have waited for the rate limit): the history and the issue to edit are
  // those of now, also when another process wrote the summary meanwhile.
  let existing: SummaryIssue[] = [];
  try {
    existing = await findSummaryIssues(octokit, target, deps.appId);
  } catch (error) {
    const reason = `cannot read the issues of ${repository}: ${describeGitHubError(error)}${httpStatus(error) === 404 ? " (does the repository exist, and is the app installed on it?)" : ""}`;
    if (options.post) {
      audit(log, "summary.refused", { org, trigger: options.trigger, reason }, `org summary not refreshed: ${reason}`);
      return { status: "unpublishable", reason, requests: requests() };
    }
    log.warn({ org, reason }, "earlier runs unknown: the trend starts with this run");
  }

  // One count, from one counter: the footer and the CLI both say what building this summary took (config, facts, issues).
  const built = requests();
  const summary = summarizeOrg({ ...facts, requests: built }, config, decodeHistory(existing[0]?.body), Date.now() - startMs);
  const rendered = renderSummary(summary);
  const published = options.post ? await publishSummary(octokit, target, rendered, { appId: deps.appId, found: existing }) : undefined;
  // Compared with the previous run only once this one is recorded: a run that failed to post is compared again next time.
  const changes = published ? summaryChanges(summary.history.at(-1), summary) : null;
  const notification = changes && summaryNotification(summary, changes, { repository: target.repo, number: published!.issueNumber });
  if (notification) deps.notifier?.notify(config.notifications, notification);

  const line = {
    org,
    trigger: options.trigger,
    repository,
    issue_number: published?.issueNumber,
    outcome: published?.outcome,
    repositories: summary.repositories.length,
    archived: summary.archived.length,
    compliant_percent: summary.compliantPercent,
    newly_failing: changes?.newlyFailing.length,
    comments: rendered.parts.length,
    github_requests: requests(),
    duration_ms: Date.now() - startMs,
  };
  audit(
    log,
    options.post ? "summary.published" : "summary.dry_run",
    line,
    `org summary for ${org}: ${summary.compliantPercent}% of ${summary.repositories.length} repositories compliant`,
  );
  return { status: "ok", summary, rendered, config, repository, published, requests: built, postRequests: requests() - built };
}
