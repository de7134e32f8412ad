import type { Context } from "probot";
import type { Logger } from "pino";
import { evaluatePullRequest, type EvaluationOutcome } from "../evaluation/evaluate-pull-request.js";
import { describeGitHubError } from "../github/describe-error.js";
import type { GitHubClient } from "../github/types.js";
import type { HandlerDeps } from "./app-options.js";

export interface RepoInContext {
  owner: string;
  repo: string;
}

export function repoOf(context: Context): RepoInContext {
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
    return await evaluatePullRequest(
      { memory: options.memory, octokit: context.octokit as GitHubClient, log, appId: options.appId, jira: options.jira, requestPolicy: options.requestPolicy },
      { owner, repo, number, announcedHeadSha },
    );
  } catch (error) {
    log.error({ owner, repo, number, reason: describeGitHubError(error) }, "evaluation could not be reported");
    throw error;
  }
}

/** Re-evaluates the repository's open PRs (a protection, ruleset, alert or config change affects them all), bounded. */
export async function reevaluateOpenPullRequests(context: Context, options: HandlerDeps, why: string): Promise<number> {
  const { owner, repo } = repoOf(context);
  const octokit = context.octokit as GitHubClient;
  const numbers: number[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 })) {
    numbers.push(...page.data.map((pr) => pr.number));
    if (numbers.length >= options.maxReevaluations) break;
  }
  const chosen = numbers.slice(0, options.maxReevaluations);
  context.log.info({ owner, repo, why, open: numbers.length, reevaluating: chosen.length }, "re-evaluating open pull requests");
  for (const number of chosen) await evaluateForEvent(context, options, number);
  return chosen.length;
}
