import type { Probot } from "probot";
import { CONFIG_PATH } from "../config/load-config.js";
import type { HandlerDeps } from "./app-options.js";
import { reevaluateOpenPullRequests } from "./evaluate-from-event.js";

const MAX_LISTED_COMMITS = 2048;

/** Changes to what every open PR is judged against: protection, rulesets, secret-scanning alerts, the config file. */
export function registerRepositoryPolicyEvents(app: Probot, options: HandlerDeps): void {
  app.on(["branch_protection_rule.created", "branch_protection_rule.edited", "branch_protection_rule.deleted"], (context) =>
    reevaluateOpenPullRequests(context, options, `branch protection rule ${context.payload.action}`).then(() => undefined),
  );
  app.on(["repository_ruleset.created", "repository_ruleset.edited", "repository_ruleset.deleted"], async (context) => {
    if (!context.payload.repository) {
      // An organisation ruleset: no single repository to re-evaluate; each PR picks it up on its next event.
      context.log.info({ ruleset: context.payload.repository_ruleset.id }, "organisation ruleset changed; not fanned out to repositories");
      return;
    }
    await reevaluateOpenPullRequests(context, options, `repository ruleset ${context.payload.action}`);
  });
  app.on("secret_scanning_alert", (context) =>
    reevaluateOpenPullRequests(context, options, `secret scanning alert ${context.payload.action}`).then(() => undefined),
  );
  app.on("push", async (context) => {
    const { ref, repository, commits, forced } = context.payload;
    if (ref !== `refs/heads/${repository.default_branch}`) return;
    const touched = commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
    // A forced push can rewrite the config without listing it; the payload lists at most 2048 commits.
    if (!touched && !forced && commits.length < MAX_LISTED_COMMITS) return;
    await reevaluateOpenPullRequests(context, options, `${CONFIG_PATH} changed on ${repository.default_branch}`);
  });
}
