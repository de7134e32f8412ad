import type { Probot } from "probot";
import { evaluateMergeGroup } from "../evaluation/evaluate-merge-group.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluationDepsOf, repoOf } from "./evaluate-from-event.js";

/** Merge queue: GitHub asks for checks on each merge group's head commit; `sdlc-guard` answers from the PRs in it. */
export function registerMergeGroupEvents(app: Probot, options: HandlerDeps): void {
  app.on("merge_group.checks_requested", async (context) => {
    const { owner, repo } = repoOf(context);
    const group = context.payload.merge_group;
    await evaluateMergeGroup(await evaluationDepsOf(context, options), {
      owner,
      repo,
      headSha: group.head_sha,
      baseRef: group.base_ref,
      headRef: group.head_ref,
    });
  });
}
