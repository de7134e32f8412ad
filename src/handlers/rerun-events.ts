import type { Context, Probot } from "probot";
import { CHECK_NAME } from "../github/pull-request-snapshot.js";
import type { GitHubClient } from "../github/types.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluateForEvent, repoOf } from "./evaluate-from-event.js";

interface PullRequestLink {
  number: number;
  base: { repo: { id: number } };
}

/** The "Re-run" buttons: re-evaluate the open PRs whose head is the re-requested commit. */
export function registerRerunEvents(app: Probot, options: HandlerDeps): void {
  app.on("check_run.rerequested", async (context) => {
    const run = context.payload.check_run;
    if (run.name !== CHECK_NAME || (options.appId && run.app?.id !== options.appId)) return;
    await rerun(context, options, run.head_sha, run.pull_requests);
  });
  app.on("check_suite.rerequested", async (context) => {
    const suite = context.payload.check_suite;
    if (options.appId && suite.app?.id !== options.appId) return;
    await rerun(context, options, suite.head_sha, suite.pull_requests);
  });
}

async function rerun(context: Context, options: HandlerDeps, headSha: string, links: PullRequestLink[]): Promise<void> {
  const repositoryId = (context.payload as { repository: { id: number } }).repository.id;
  let numbers = links.filter((pr) => pr.base.repo.id === repositoryId).map((pr) => pr.number);
  if (numbers.length === 0) {
    // GitHub leaves `pull_requests` empty for PRs from forks: ask which open PRs contain the commit.
    const { owner, repo } = repoOf(context);
    const octokit = context.octokit as GitHubClient;
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: headSha, per_page: 100 });
    numbers = data.filter((pr) => pr.state === "open" && pr.head.sha === headSha).map((pr) => pr.number);
  }
  for (const number of numbers) await evaluateForEvent(context, options, number, headSha);
}
