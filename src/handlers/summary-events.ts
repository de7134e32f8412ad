import type { Logger } from "pino";
import type { Context, Probot } from "probot";
import { CONFIG_PATH } from "../common/product.js";
import { clampMarkdown, ISSUE_BODY_LIMIT } from "../common/markdown.js";
import { loadConfig } from "../config/load-config.js";
import { runOrgSummary, type OrgSummaryRun } from "../evaluation/refresh-org-summary.js";
import { SummaryRefresher } from "../evaluation/summary-refresher.js";
import { describeGitHubError, httpStatus } from "../common/describe-error.js";
import { readDefaultBranchFile } from "../github/refs/read-config-file.js";
import { findSummaryIssues } from "../github/writes/summary-issue.js";
import { SUMMARY_LABEL } from "../common/product.js";
import type { GitHubClient } from "../github/types.js";
import { SUMMARY_MARKER } from "../report/org-summary-markdown.js";
import type { HandlerDeps } from "./app-options.js";
import { githubFor } from "./evaluate-from-event.js";
import { SummaryScheduler } from "./summary-schedule.js";
import { audit } from "../audit/audit-log.js";

/** `/sdlc-guard refresh` alone on a line of the comment (lines as Markdown ends them, not at U+2028). */
const REFRESH_LINE = /^[ \t]*\/sdlc-guard[ \t]+refresh[ \t]*$/i;
const isRefreshCommand = (body: string) => body.split(/\r\n|\n|\r/).some((line) => REFRESH_LINE.test(line));
const WRITE_PERMISSIONS = new Set(["admin", "write"]);
/** A refresh reads every repository of the org: one on request per organisation in this window. */
const REFRESH_COOLDOWN_MS = 10 * 60_000;
/** With several replicas, a scheduled run belongs to the replica holding this lease (longer than their clocks' skew). */
const SCHEDULE_LEASE_MS = 30 * 60_000;

export interface SummaryTriggers {
  refresher: SummaryRefresher<OrgSummaryRun>;
  scheduler: SummaryScheduler;
}

/**
 * The org summary is refreshed when the app is installed or gets repositories, on the organisation's schedule, and
 * on `/sdlc-guard refresh` by an org member with write access to the summary's repository. One refresh per
 * organisation runs at a time; triggers during it fold into one follow-up run.
 */
export function registerSummaryEvents(app: Probot, options: HandlerDeps): SummaryTriggers {
  const refresher = new SummaryRefresher<OrgSummaryRun>();
  const shared = options.sharedState;
  const refresh = (org: string, octokit: GitHubClient, log: Logger, trigger: string) =>
    refresher.request(org, () => {
      const run = () =>
        runOrgSummary(
          {
            octokit,
            log,
            appId: options.appId,
            now: options.now,
            requestPolicy: options.requestPolicy,
            webUrl: options.webUrl,
            collect: options.summaryCollect,
            notifier: options.notifier,
          },
          org,
          { post: true, trigger },
        );
      // Across replicas too: two refreshes of one organisation never race to create its summary issue.
      return shared ? shared.withLock(`summary:${org.toLowerCase()}`, run) : run();
    });
  const scheduler = new SummaryScheduler(
    async (org, installationId) => {
      // Every replica has the schedule; the one holding the organisation's lease refreshes, the others pass.
      if (shared && !(await shared.holdsLease(`summary-schedule:${org.toLowerCase()}`, SCHEDULE_LEASE_MS))) {
        app.log.debug({ org }, "scheduled org summary left to the replica that holds its lease");
        return undefined;
      }
      const octokit = (await app.auth(installationId)) as GitHubClient;
      return refresh(org, octokit, app.log as unknown as Logger, "schedule");
    },
    app.log as unknown as Logger,
  );

  const scheduleOrg = async (org: string, installationId: number, octokit: GitHubClient, log: Logger) => {
    if (!options.summarySchedule) return;
    const loaded = await loadConfig(org, ".github", (location) => readDefaultBranchFile(octokit, location)).catch((error: unknown) => ({
      ok: false as const,
      reason: describeGitHubError(error),
    }));
    // An unusable org config keeps the default schedule: the refresh itself then reports the config error.
    const summary = loaded.ok ? loaded.config.summary : { schedule: "0 6 * * *", jitter_minutes: 30 };
    scheduler.schedule(org, installationId, summary.schedule, summary.jitter_minutes);
    log.debug({ org }, "org summary schedule set");
  };

  app.on("installation.created", async (context) => {
    const { account, id } = context.payload.installation;
    if (!account || !("login" in account) || (account as { type?: string }).type !== "Organization") return;
    const octokit = await githubFor(context, options);
    const log = context.log as unknown as Logger;
    await scheduleOrg(account.login, id, octokit, log);
    await refresh(account.login, octokit, log, "installation.created");
  });
  app.on("installation_repositories.added", async (context) => {
    const { account } = context.payload.installation;
    if (!account || !("login" in account) || (account as { type?: string }).type !== "Organization") return;
    await refresh(account.login, await githubFor(context, options), context.log as unknown as Logger, "installation_repositories.added");
  });
  app.on("installation.deleted", async (context) => {
    const { account } = context.payload.installation;
    if (account && "login" in account) scheduler.unschedule(account.login);
  });
  // A new schedule in the org's `.github` config takes effect at once.
  app.on("push", async (context) => {
    const { repository, ref, commits, installation } = context.payload;
    if (repository.name !== ".github" || ref !== `refs/heads/${repository.default_branch}` || !installation) return;
    const touched = commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
    if (touched && repository.owner?.type === "Organization")
      await scheduleOrg(repository.owner.login, installation.id, await githubFor(context, options), context.log as unknown as Logger);
  });
  const lastAsked = new Map<string, number>();
  app.on("issue_comment.created", async (context) => handleRefreshCommand(context, options, refresh, lastAsked));

  return { refresher, scheduler };
}

/** Schedules every organisation the app is installed on (at start-up). */
export async function scheduleInstallations(app: Probot, triggers: SummaryTriggers): Promise<number> {
  const log = app.log as unknown as Logger;
  const appOctokit = (await app.auth()) as GitHubClient;
  const installations = await appOctokit.paginate(appOctokit.rest.apps.listInstallations, { per_page: 100 });
  let scheduled = 0;
  for (const installation of installations) {
    const account = installation.account as { login?: string; type?: string } | null;
    if (account?.type !== "Organization" || !account.login) continue;
    const octokit = (await app.auth(installation.id)) as GitHubClient;
    const loaded = await loadConfig(account.login, ".github", (location) => readDefaultBranchFile(octokit, location)).catch(
      () => undefined,
    );
    const summary = loaded?.ok ? loaded.config.summary : { schedule: "0 6 * * *", jitter_minutes: 30 };
    if (triggers.scheduler.schedule(account.login, installation.id, summary.schedule, summary.jitter_minutes)) scheduled++;
  }
  log.info({ organisations: scheduled }, "org summaries scheduled");
  return scheduled;
}

type Refresh = (org: string, octokit: GitHubClient, log: Logger, trigger: string) => Promise<OrgSummaryRun>;

async function handleRefreshCommand(
  context: Context<"issue_comment.created">,
  options: HandlerDeps,
  refresh: Refresh,
  lastAsked: Map<string, number>,
): Promise<void> {
  const { issue, comment, repository } = context.payload;
  if (issue.pull_request || comment.user?.type === "Bot" || !isRefreshCommand(comment.body ?? "")) return;
  const isSummaryIssue =
    issue.user?.type === "Bot" && (issue.body ?? "").startsWith(SUMMARY_MARKER) && issue.labels?.some((l) => l.name === SUMMARY_LABEL);
  if (!isSummaryIssue || repository.owner.type !== "Organization") return;
  const org = repository.owner.login;
  const login = comment.user!.login;
  const octokit = await githubFor(context, options);
  const log = context.log as unknown as Logger;
  // The payload only names the issue: it must be, on GitHub now, the app's summary issue in the configured repository.
  const loaded = await loadConfig(org, ".github", (location) => readDefaultBranchFile(octokit, location));
  const summaryRepository = loaded.ok ? loaded.config.summary.repository : ".github";
  if (repository.name.toLowerCase() !== summaryRepository.toLowerCase()) return;
  const ours = await findSummaryIssues(octokit, { owner: org, repo: repository.name }, options.appId);
  if (!ours.some((i) => i.number === issue.number)) return;
  const reply = (body: string) =>
    octokit.rest.issues.createComment({
      owner: org,
      repo: repository.name,
      issue_number: issue.number,
      body: clampMarkdown(body, ISSUE_BODY_LIMIT),
    });

  let allowed: boolean;
  try {
    allowed = await canRefresh(octokit, org, repository.name, login);
  } catch (error) {
    // Fail closed: without a verified answer nobody refreshes, and the person is told why.
    audit(
      log,
      "summary.refresh_refused",
      { org, user: login, reason: describeGitHubError(error) },
      "could not verify who asked for a refresh",
    );
    await reply(
      `@${login} I could not verify your access just now (${describeGitHubError(error)}), so the summary was not refreshed. Please try again in a few minutes.`,
    );
    return;
  }
  if (!allowed) {
    audit(log, "summary.refresh_refused", { org, user: login }, "refresh refused: not an org member with write access");
    await reply(
      `Thanks @${login}, but only members of the **${org}** organisation with write access to ${org}/${repository.name} can refresh this summary. It refreshes by itself on its schedule; a member with write access can also ask for it.`,
    );
    return;
  }
  const last = lastAsked.get(org.toLowerCase());
  const now = Date.now();
  if (last !== undefined && now - last < REFRESH_COOLDOWN_MS) {
    const minutes = Math.ceil((REFRESH_COOLDOWN_MS - (now - last)) / 60_000);
    audit(log, "summary.refresh_refused", { org, user: login, reason: "cooldown" }, "refresh refused: asked for too recently");
    await reply(
      `@${login} the summary was refreshed on request less than ${REFRESH_COOLDOWN_MS / 60_000} minutes ago; please ask again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
    return;
  }
  lastAsked.set(org.toLowerCase(), now);
  await octokit.rest.reactions.createForIssueComment({ owner: org, repo: repository.name, comment_id: comment.id, content: "+1" });
  audit(log, "summary.refresh_requested", { org, user: login }, `summary refresh asked by ${login}`);
  const run = await refresh(org, octokit, log, `comment by ${login}`);
  if (run.status !== "ok") await reply(`@${login} the summary could not be refreshed: ${run.reason}`);
}

/** An organisation member whose permission on the summary's repository is write, maintain or admin. */
async function canRefresh(octokit: GitHubClient, org: string, repo: string, username: string): Promise<boolean> {
  try {
    await octokit.rest.orgs.checkMembershipForUser({ org, username });
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
  const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: org, repo, username });
  return WRITE_PERMISSIONS.has(data.permission);
}
