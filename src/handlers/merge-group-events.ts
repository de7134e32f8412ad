import type { Probot } from "probot";
import type { Logger } from "pino";
import { evaluateMergeGroup } from "../evaluation/evaluate-merge-group.js";
import type { GitHubClient } from "../github/types.js";
import type { HandlerDeps } from "./app-options.js";
import { repoOf } from "./evaluate-from-event.js";

/** Merge queue: GitHub asks for checks on each merge group's head commit; `sdlc-guard` answers from the PRs in it. */
export function registerMergeGroupEvents(app: Probot, options: HandlerDeps): void {
  app.on("merge_group.checks_requested", async (context) => {
    const { owner, repo } = repoOf(context);
    const group = context.payload.merge_group;
    await evaluateMergeGroup(
      { memory: options.memory, octokit: context.octokit as GitHubClient, log: context.log as unknown as Logger, appId: options.appId, requestPolicy: options.requestPolicy },
      { owner, repo, headSha: group.head_sha, baseRef: group.base_ref, headRef: group.head_ref },
    );
  });
}
