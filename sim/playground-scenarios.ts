import type { PlaygroundOrg } from "./playground-org.js";
import { WAIVER_JUSTIFICATION } from "./playground-org.js";
import { issueCommentEvent, pullRequestEvent, pushEvent, tagCreateEvent, type WebhookEvent } from "./webhook-payloads.js";

// What `npm run playground:send -- <scenario>` can deliver: each scenario changes the world as GitHub would (a comment,
// a commit, a tag), then builds the event GitHub would send about it. The playground signs and delivers it.

export interface PlaygroundScenario {
  about: string;
  /** The commit whose `sdlc-guard` check run the event creates or updates. */
  event: () => { event: WebhookEvent; sha: string };
}

export function playgroundScenarios(pg: PlaygroundOrg): Record<string, PlaygroundScenario> {
  const { world, repo } = pg;
  const byName = ["compliant", "no-jira", "one-approval", "co-author", "hotfix"] as const;
  const scenarios: Record<string, PlaygroundScenario> = {};
  for (const [i, name] of byName.entries()) {
    const { pr, about } = pg.pullRequests[i]!;
    scenarios[name] = {
      about: `pull_request opened: ${repo.owner}/${repo.name}#${pr.number} (${about})`,
      event: () => ({ event: pullRequestEvent(world, repo, pr, "opened"), sha: pr.headSha }),
    };
  }
  scenarios.waive = {
    about: `lead-lina comments "/sdlc-guard waive jira …" on #${pg.waiverPr.number}: jira is waived, the check turns green`,
    event: () => {
      const thread = world.issues.list(repo.owner, repo.name).find((i) => i.number === pg.waiverPr.number)!;
      return {
        event: issueCommentEvent(world, repo, thread, { login: "lead-lina" }, `/sdlc-guard waive jira ${WAIVER_JUSTIFICATION}`),
        sha: pg.waiverPr.headSha,
      };
    },
  };
  scenarios["direct-push"] = {
    about: `mallory pushes a commit straight to ${repo.name}'s main: a failing run and a violation issue`,
    event: () => {
      const before = repo.git.branches.get(repo.defaultBranch)!;
      const commit = world.commit(repo, repo.defaultBranch, "hotfix: skip the review");
      return { event: pushEvent(world, repo, { shas: [commit], before, sender: "mallory" }), sha: commit };
    },
  };
  scenarios["bad-tag"] = {
    about: `mallory tags ${repo.name}'s main 1.2 (then 1.3, …): not a semantic version, a failing run and an issue`,
    event: () => {
      const head = repo.git.branches.get(repo.defaultBranch)!;
      const tag = `1.${repo.git.tags.size + 2}`;
      repo.git.tags.set(tag, { commitSha: head });
      return { event: tagCreateEvent(world, repo, tag, "mallory"), sha: head };
    },
  };
  return scenarios;
}
