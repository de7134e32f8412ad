import type { Context, Probot } from "probot";
import type { Logger } from "pino";
import { countsFor } from "../controls/required-check-spec.js";
import { watchedCheckSpecs } from "../controls/watched-checks.js";
import { loadConfigCached } from "../evaluation/state-cache.js";
import type { HeadCheck } from "../facts/pull-request.js";
import { CHECK_NAME } from "../common/product.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluatePullRequestsWithHead, githubFor, repoOf, type PullRequestLink } from "./evaluate-from-event.js";

/**
 * `required-checks` waits for other tools' checks: when one of them reports on a commit, the open PRs whose head it
 * is are re-evaluated. Only when the repository or one of its rules requires checks (and, when the check is named, that
 * one, from the app it is pinned to): the config comes from the cache, so the storm of CI events costs nothing for repositories that do
 * not use the control.
 * Our own runs and statuses never trigger an evaluation (sdlc-guard never waits on itself).
 */
export function registerRequiredCheckEvents(app: Probot, options: HandlerDeps): void {
  app.on("check_run.completed", async (context) => {
    const run = context.payload.check_run;
    if (isOurs(options, run.name, run.app?.id)) return;
    await onCheckReported(context, options, {
      headSha: run.head_sha,
      name: run.name,
      kind: "check run",
      app: run.app?.slug ?? null,
      links: run.pull_requests,
    });
  });
  app.on("check_suite.completed", async (context) => {
    const suite = context.payload.check_suite;
    if (isOurs(options, undefined, suite.app?.id)) return;
    await onCheckReported(context, options, { headSha: suite.head_sha, links: suite.pull_requests });
  });
  app.on("status", async (context) => {
    const { sha, context: name } = context.payload;
    if (name === CHECK_NAME) return;
    await onCheckReported(context, options, { headSha: sha, name, kind: "commit status", app: null, links: [] });
  });
}

const isOurs = (options: HandlerDeps, name: string | undefined, appId: number | null | undefined): boolean =>
  name === CHECK_NAME || (options.appId !== undefined && appId === options.appId);

interface ReportedCheck {
  headSha: string;
  /** The check run or status context; absent for a whole check suite. */
  name?: string;
  kind?: HeadCheck["kind"];
  app?: string | null;
  links: PullRequestLink[];
}

async function onCheckReported(context: Context, options: HandlerDeps, check: ReportedCheck): Promise<void> {
  const { owner, repo } = repoOf(context);
  const loaded = await loadConfigCached(await githubFor(context, options), owner, repo, options.memory.cache);
  // A config error is already on every PR's check run; a check completing changes nothing about it.
  if (!loaded.ok) return;
  // The checks the repository requires, and those its rules (or the org's conditional floor) require for some PRs.
  const watched = watchedCheckSpecs(loaded.config);
  if (!watched.length) return;
  // Only a report that can count for a required check: its name, and for a pinned check its app.
  const reported = { kind: check.kind ?? "check run", app: check.app ?? null };
  if (check.name !== undefined && !watched.some((spec) => spec.name === check.name && countsFor(spec, reported))) return;
  const log = context.log as unknown as Logger;
  const numbers = await evaluatePullRequestsWithHead(context, options, check.headSha, check.links);
  log.info(
    { owner, repo, head_sha: check.headSha, check: check.name ?? "(suite)", pull_requests: numbers },
    "required check reported: re-evaluated",
  );
}
