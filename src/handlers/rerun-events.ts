import type { Context, Probot } from "probot";
import type { Logger } from "pino";
import { baseOfQueueBranch, evaluateMergeGroup } from "../evaluation/evaluate-merge-group.js";
import { forgetRepository } from "../evaluation/state-cache.js";
import { CHECK_NAME } from "../common/product.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluatePullRequestsWithHead, githubFor, repoOf } from "./evaluate-from-event.js";

/** A person asked for a re-run: nothing cached is trusted, the repository's config, alerts and teams are read again. */
function forgetCachedState(context: Context, options: HandlerDeps): void {
  const { owner, repo } = repoOf(context);
  forgetRepository(options.memory.cache, owner, repo);
}

/** The "Re-run" buttons: re-evaluate, from fresh state, the open PRs whose head is the re-requested commit. */
export function registerRerunEvents(app: Probot, options: HandlerDeps): void {
  app.on("check_run.rerequested", async (context) => {
    const run = context.payload.check_run;
    if (run.name !== CHECK_NAME || (options.appId && run.app?.id !== options.appId)) return;
    forgetCachedState(context, options);
    const queueBase = run.check_suite.head_branch ? baseOfQueueBranch(run.check_suite.head_branch) : undefined;
    if (queueBase) {
      // Our run on a merge group: re-checked from the queue, not from a PR.
      const { owner, repo } = repoOf(context);
      const log = context.log as unknown as Logger;
      const group = { owner, repo, headSha: run.head_sha, baseRef: queueBase, headRef: run.check_suite.head_branch ?? undefined };
      await evaluateMergeGroup(
        {
          memory: options.memory,
          octokit: await githubFor(context, options),
          log,
          appId: options.appId,
          requestPolicy: options.requestPolicy,
        },
        group,
      );
      return;
    }
    await evaluatePullRequestsWithHead(context, options, run.head_sha, run.pull_requests);
  });
  app.on("check_suite.rerequested", async (context) => {
    const suite = context.payload.check_suite;
    if (options.appId && suite.app?.id !== options.appId) return;
    forgetCachedState(context, options);
    await evaluatePullRequestsWithHead(context, options, suite.head_sha, suite.pull_requests);
  });
}
