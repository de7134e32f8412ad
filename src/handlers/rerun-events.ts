import type { Context, Probot } from "probot";
import { CHECK_NAME } from "../github/check-run.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluateForEvent, listOpenPullRequests } from "./evaluate-from-event.js";

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
    // GitHub leaves `pull_requests` empty for PRs from forks, whose commits the base repository does not list:
    // find the open PRs with that head among the repository's open PRs (bounded).
    const { pulls } = await listOpenPullRequests(context, options.maxReevaluations);
    numbers = pulls.filter((pr) => pr.headSha === headSha).map((pr) => pr.number);
  }
  for (const number of numbers) await evaluateForEvent(context, options, number, headSha);
}
