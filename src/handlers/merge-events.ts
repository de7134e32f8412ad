import type { Probot } from "probot";
import { evaluateMerge } from "../evaluation/evaluate-merge.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluationDepsOf, repoOf } from "./evaluate-from-event.js";

/** A merged PR (`pull_request` closed with `merged: true`): the verdict it was merged with is verified (`merged-unverified`). */
export function registerMergeEvents(app: Probot, options: HandlerDeps): void {
  app.on("pull_request.closed", async (context) => {
    const pr = context.payload.pull_request;
    // The payload only says which PR to look at: the verdict, the merger and the merge commit are read fresh.
    if (!pr.merged) return;
    const { owner, repo } = repoOf(context);
    await evaluateMerge(await evaluationDepsOf(context, options), {
      owner,
      repo,
      number: pr.number,
      baseRefName: pr.base.ref,
      htmlUrl: context.payload.repository.html_url,
    });
  });
}
