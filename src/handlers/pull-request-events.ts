import type { Probot } from "probot";
import type { HandlerDeps } from "./app-options.js";
import { evaluateForEvent } from "./evaluate-from-event.js";
import { canChangePullRequestResult } from "./relevant-event.js";

/**
 * A PR's own changes and its reviews re-evaluate that PR (state is re-read; the payload only names the PR), unless no
 * configured control's triggers name the event (e.g. an `edited` title when nothing reads the title): then nothing is read.
 */
export function registerPullRequestEvents(app: Probot, options: HandlerDeps): void {
  app.on(
    [
      "pull_request.opened",
      "pull_request.reopened",
      "pull_request.synchronize",
      "pull_request.edited",
      "pull_request.ready_for_review",
      "pull_request.converted_to_draft",
      // Rules' `if: { labels }` (src/controls/policy-rules-match.ts RULE_TRIGGERS).
      "pull_request.labeled",
      "pull_request.unlabeled",
    ],
    async (context) => {
      const pr = context.payload.pull_request;
      if (!(await canChangePullRequestResult(context, options))) return;
      await evaluateForEvent(context, options, pr.number, pr.head.sha);
    },
  );
  app.on(["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"], async (context) => {
    const pr = context.payload.pull_request;
    if (!(await canChangePullRequestResult(context, options))) return;
    await evaluateForEvent(context, options, pr.number, pr.head.sha);
  });
}
