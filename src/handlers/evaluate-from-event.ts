import type { Context } from "probot";
import type { Logger } from "pino";
import { evaluatePullRequest, type EvaluationOutcome } from "../evaluation/evaluate-pull-request.js";
import { describeGitHubError } from "../common/describe-error.js";
import { hardenRequests } from "../github/transport/harden-requests.js";
import type { GitHubClient, RepoRef } from "../github/types.js";
import type { PushDeps } from "../evaluation/evaluate-push.js";
import type { HandlerDeps } from "./app-options.js";

/**
 * The installation's Octokit for an event, with the app's request policy (deadlines, bounded rate-limit retries), ETag
 * reuse, and the installation's primary rate limits (nothing is asked of GitHub while they are spent).
 *
 * It comes from HandlerDeps.installationOctokit (github/transport/installation-octokit.ts), not from `context.octokit`: Probot
 * builds the event's Octokit without a throttling id, so its pacing of writes (one per second, as GitHub advises)
 * would be one queue shared by every installation the process serves. Each installation gets its own queues (shared
 * across replicas with REDIS_URL) and the same cached installation token: no extra request.
 */
export async function githubFor(context: Context, options: HandlerDeps): Promise<GitHubClient> {
  const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
  const octokit =
    installation !== undefined && options.installationOctokit
      ? await options.installationOctokit(installation)
      : (context.octokit as GitHubClient);
  return hardenForInstallation(octokit, options, installation);
}

/** An installation's Octokit (from an event or `app.auth(id)`) hardened as {@link githubFor} hardens an event's. */
export function hardenForInstallation(
  octokit: GitHubClient,
  options: Pick<HandlerDeps, "requestPolicy" | "memory">,
  installation: number | undefined,
): GitHubClient {
  const rateLimits =
    installation === undefined ? undefined : { book: options.memory.rateLimits, installation: `installation:${installation}` };
  hardenRequests(octokit, options.requestPolicy, options.memory.cache.etags, rateLimits);
  return octokit;
}

/** What an evaluation needs from an event and the app: the event's Octokit and logger, the app's memory and options. */
export async function evaluationDepsOf(context: Context, options: HandlerDeps): Promise<PushDeps> {
  return evaluationDepsFor(await githubFor(context, options), context.log as unknown as Logger, options);
}

/** The same for an Octokit and logger that do not come from an event (e.g. the start-up sweep). */
export function evaluationDepsFor(octokit: GitHubClient, log: Logger, options: HandlerDeps): PushDeps {
  const { memory, appId, jira, requestPolicy, associationRetryMs, now, notifier } = options;
  return { memory, octokit, log, appId, jira, requestPolicy, associationRetryMs, now, notifier };
}

export function repoOf(context: Context): RepoRef {
  const repository = (context.payload as { repository: { owner: { login: string }; name: string } }).repository;
  return { owner: repository.owner.login, repo: repository.name };
}

/** Evaluates one PR for an event; a failure to write the result is logged with a secret-free reason and rethrown. */
export async function evaluateForEvent(
  context: Context,
  options: HandlerDeps,
  number: number,
  announcedHeadSha?: string,
): Promise<EvaluationOutcome> {
  const { owner, repo } = repoOf(context);
  const log = context.log as unknown as Logger;
  try {
    return await evaluatePullRequest(await evaluationDepsOf(context, options), { owner, repo, number, announcedHeadSha });
  } catch (error) {
    log.error({ owner, repo, number, reason: describeGitHubError(error) }, "evaluation could not be reported");
    throw error;
  }
}

export interface OpenPullRequest {
  number: number;
  headSha: string;
}

/** The repository's open PRs with their heads, at most `limit` (`more`: there were others past it). */
export async function listOpenPullRequests(context: Context, options: HandlerDeps): Promise<{ pulls: OpenPullRequest[]; more: boolean }> {
  const limit = options.maxReevaluations;
  const { owner, repo } = repoOf(context);
  const octokit = await githubFor(context, options);
  const pulls: OpenPullRequest[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 })) {
    pulls.push(...page.data.map((pr) => ({ number: pr.number, headSha: pr.head.sha })));
    if (pulls.length > limit) break;
  }
  return { pulls: pulls.slice(0, limit), more: pulls.length > limit };
}

/**
 * Re-evaluates the repository's open PRs (a protection, ruleset, alert or config change affects them all), bounded.
 * One PR that cannot be evaluated does not stop the others; the failures are reported together at the end.
 */
export async function reevaluateOpenPullRequests(context: Context, options: HandlerDeps, why: string): Promise<number> {
  const { owner, repo } = repoOf(context);
  const { pulls, more } = await listOpenPullRequests(context, options);
  if (more) {
    context.log.warn(
      { owner, repo, why, limit: options.maxReevaluations },
      "more open pull requests than SDLC_GUARD_MAX_REEVALUATIONS: the rest are re-evaluated on their next event",
    );
  }
  context.log.info({ owner, repo, why, reevaluating: pulls.length }, "re-evaluating open pull requests");
  const failed: number[] = [];
  for (const pr of pulls) {
    // The listed head is announced, so a PR that cannot be read still gets a failing run instead of a stale pass.
    await evaluateForEvent(context, options, pr.number, pr.headSha).catch(() => failed.push(pr.number));
  }
  if (failed.length) throw new Error(`could not report the re-evaluation of ${owner}/${repo} #${failed.join(", #")}`);
  return pulls.length;
}

export interface PullRequestLink {
  number: number;
  base: { repo: { id: number } };
}

/**
 * Evaluates the open PRs whose head is `headSha`: those the payload links (check runs and suites list same-repository
 * PRs), else found among the repository's open PRs (GitHub links no PR from a fork, and statuses link none).
 */
export async function evaluatePullRequestsWithHead(
  context: Context,
  options: HandlerDeps,
  headSha: string,
  links: PullRequestLink[],
): Promise<number[]> {
  const repositoryId = (context.payload as { repository: { id: number } }).repository.id;
  let numbers = links.filter((pr) => pr.base.repo.id === repositoryId).map((pr) => pr.number);
  if (numbers.length === 0) {
    const { pulls } = await listOpenPullRequests(context, options);
    numbers = pulls.filter((pr) => pr.headSha === headSha).map((pr) => pr.number);
  }
  for (const number of numbers) await evaluateForEvent(context, options, number, headSha);
  return numbers;
}
