import type { Probot } from "probot";
import type { Logger } from "pino";
import { evaluateDeployment, runIdOfCallback } from "../evaluation/evaluate-deployment.js";
import { evaluatePush } from "../evaluation/evaluate-push.js";
import { evaluateTag } from "../evaluation/evaluate-tag.js";
import type { HandlerDeps } from "./app-options.js";
import { evaluationDepsOf as depsOf, repoOf } from "./evaluate-from-event.js";

/**
 * Pushes (direct and forced pushes, deletions of protected branches; new tags), tags, releases, and deployments
 * waiting on sdlc-guard as their custom protection rule.
 */
export function registerRefEvents(app: Probot, options: HandlerDeps): void {
  app.on("push", async (context) => {
    const { ref, before, after, created, deleted, forced, commits, repository, sender } = context.payload;
    const { owner, repo } = repoOf(context);
    const actor = sender?.login ?? context.payload.pusher.name;
    if (ref.startsWith("refs/tags/")) {
      if (deleted) return; // a deleted tag leaves nothing to check (releases are checked when published)
      const tag = ref.slice("refs/tags/".length);
      await evaluateTag(await depsOf(context, options), {
        owner,
        repo,
        tag,
        release: false,
        isNew: created,
        actor,
        htmlUrl: repository.html_url,
      });
      return;
    }
    if (!ref.startsWith("refs/heads/")) return;
    await evaluatePush(await depsOf(context, options), {
      owner,
      repo,
      branch: ref.slice("refs/heads/".length),
      before,
      after,
      created,
      deleted,
      forced,
      pusher: actor,
      listedCommits: commits.map((c) => c.id),
      payloadDefaultBranch: repository.default_branch,
      htmlUrl: repository.html_url,
    });
  });

  app.on("create", async (context) => {
    if (context.payload.ref_type !== "tag") return;
    const { owner, repo } = repoOf(context);
    const { ref, repository, sender } = context.payload;
    await evaluateTag(await depsOf(context, options), {
      owner,
      repo,
      tag: ref,
      release: false,
      isNew: true,
      actor: sender.login,
      htmlUrl: repository.html_url,
    });
  });

  app.on(["release.published", "release.edited"], async (context) => {
    const { owner, repo } = repoOf(context);
    const { release, repository, sender } = context.payload;
    if (release.draft) return;
    await evaluateTag(await depsOf(context, options), {
      owner,
      repo,
      tag: release.tag_name,
      release: true,
      isNew: false,
      actor: sender?.login ?? release.author?.login ?? "unknown",
      htmlUrl: repository.html_url,
    });
  });

  app.on("deployment_protection_rule.requested", async (context) => {
    const { owner, repo } = repoOf(context);
    const payload = context.payload;
    const log = context.log as unknown as Logger;
    const runId = payload.deployment_callback_url ? runIdOfCallback(payload.deployment_callback_url, owner, repo) : undefined;
    if (runId === undefined || !payload.environment || !payload.deployment) {
      // Without a callback for this repository there is nowhere to answer: the deployment waits, and is never approved.
      log.error(
        { owner, repo, environment: payload.environment },
        "deployment protection rule request without a usable callback URL; not answered",
      );
      return;
    }
    await evaluateDeployment(await depsOf(context, options), {
      owner,
      repo,
      environment: payload.environment,
      ref: payload.deployment.ref,
      sha: payload.deployment.sha,
      runId,
      requestedBy: payload.sender?.login ?? payload.deployment.creator?.login ?? "unknown",
    });
  });
}
