import type { Probot } from "probot";
import { CONFIG_PATH } from "../common/product.js";
import { invalidateConfigFiles, invalidateOrgSecretAlerts, invalidateSecretScanning } from "../evaluation/state-cache.js";
import { CODEOWNERS_PATHS } from "../github/refs/pull-request-snapshot.js";
import { PAYLOAD_COMMIT_LIMIT } from "../github/refs/push-snapshot.js";
import type { HandlerDeps } from "./app-options.js";
import { reevaluateOpenPullRequests, repoOf } from "./evaluate-from-event.js";

/**
 * Changes to what every open PR is judged against: protection, rulesets, secret-scanning alerts and settings, the
 * config file. Cached state they change is dropped first (protection and rulesets are read fresh in every query).
 */
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
  app.on(["secret_scanning_alert", "security_and_analysis"], async (context) => {
    const { owner, repo } = repoOf(context);
    invalidateSecretScanning(options.memory.cache, owner, repo);
    const what = context.name === "security_and_analysis" ? "security settings changed" : `secret scanning alert ${context.payload.action}`;
    await reevaluateOpenPullRequests(context, options, what);
  });
  // The organisation's secret-scanning alert lists, shared by its repositories, were read before this repository was in
  // the organisation, visible to the app or public/private as it is now: they (and its own state) are read again, and
  // its open PRs re-evaluated (a PR evaluated meanwhile from the old lists would otherwise keep that verdict).
  app.on(["repository.transferred", "repository.unarchived", "repository.privatized", "repository.publicized"], async (context) => {
    const { owner, repo } = repoOf(context);
    invalidateSecretScanning(options.memory.cache, owner, repo);
    await reevaluateOpenPullRequests(context, options, `repository ${context.payload.action}`);
  });
  // What is cached by name is stale under both names: the old one (the org's `.github` repository renamed away) and the
  // new one (it may have been another repository's: two repositories swapping names must not swap cached state).
  app.on("repository.renamed", (context) => {
    const { owner, repo } = repoOf(context);
    for (const name of [context.payload.changes.repository.name.from, repo]) {
      invalidateConfigFiles(options.memory.cache, owner, name, undefined);
      invalidateSecretScanning(options.memory.cache, owner, name);
    }
  });
  // The policy read from the old default branch is stale (no push announces the switch).
  app.on("repository.edited", async (context) => {
    if (!context.payload.changes.default_branch) return;
    const { owner, repo } = repoOf(context);
    invalidateConfigFiles(options.memory.cache, owner, repo, undefined);
    await reevaluateOpenPullRequests(context, options, "default branch changed");
  });
  // Repositories the installation gains or loses: what was cached about them may predate the change (a secret pushed
  // while the app could not see them), and the organisation's lists were read without the ones added.
  app.on(["installation_repositories.added", "installation_repositories.removed"], (context) => {
    const { installation, repositories_added, repositories_removed } = context.payload;
    const account = installation.account;
    if (!account || !("login" in account)) return;
    invalidateOrgSecretAlerts(options.memory.cache, account.login);
    for (const { name } of [...repositories_added, ...repositories_removed]) {
      if (!name) continue;
      invalidateSecretScanning(options.memory.cache, account.login, name);
      invalidateConfigFiles(options.memory.cache, account.login, name, undefined);
    }
  });
  app.on("push", async (context) => {
    const { ref, repository, commits, forced } = context.payload;
    if (ref !== `refs/heads/${repository.default_branch}`) return;
    // A forced push can rewrite any file without listing it; the payload lists at most 2048 commits.
    const complete = !forced && commits.length < PAYLOAD_COMMIT_LIMIT;
    const paths = complete
      ? [...new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]))]
      : undefined;
    // Configs of any repository built from a file this push touched (its own, an org fallback, an _extends target).
    const { owner, repo } = repoOf(context);
    const dropped = invalidateConfigFiles(options.memory.cache, owner, repo, paths);
    if (dropped) context.log.info({ repository: repository.full_name, dropped }, "cached configurations dropped by a push");
    // The policy or the code owners changed (CODEOWNERS is read fresh, but a passing run would stay until the next event).
    const changed = paths?.filter((path) => path === CONFIG_PATH || (CODEOWNERS_PATHS as readonly string[]).includes(path));
    if (changed && changed.length === 0) return;
    await reevaluateOpenPullRequests(context, options, `${changed?.join(", ") ?? "any file"} changed on ${repository.default_branch}`);
  });
}
