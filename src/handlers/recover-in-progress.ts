import type { Logger } from "pino";
import type { Probot } from "probot";
import { evaluatePullRequest, type EvaluationDeps } from "../evaluation/evaluate-pull-request.js";
import { withCommitLock } from "../evaluation/commit-lock.js";
import { CHECK_NAME } from "../common/product.js";
import { describeGitHubError } from "../common/describe-error.js";
import { installationOctokit } from "../github/transport/installation-octokit.js";
import type { GitHubClient } from "../github/types.js";
import type { HandlerDeps, RecoverInProgressOptions, RecoveryReport } from "./app-options.js";

export type { RecoverInProgressOptions, RecoveryReport };
import { evaluationDepsFor, hardenForInstallation } from "./evaluate-from-event.js";

/** Open (and recently closed) PRs with our `sdlc-guard` runs in progress on their last commits. */
export const IN_PROGRESS_QUERY = `query SdlcGuardInProgress($search: String!, $appId: Int!, $after: String) {
  search(query: $search, type: ISSUE, first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ... on PullRequest {
        number state headRefOid
        repository { nameWithOwner }
        commits(last: 10) {
          nodes {
            commit {
              oid
              checkSuites(first: 10, filterBy: { appId: $appId }) {
                nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", appId: $appId, status: IN_PROGRESS }) { nodes { databaseId status startedAt } } }
              }
            }
          }
        }
      }
    }
  }
}`;

interface GqlPullRequest {
  number?: number;
  state?: string;
  headRefOid?: string;
  repository?: { nameWithOwner: string };
  commits?: {
    nodes: ({
      commit: {
        oid: string;
        checkSuites: {
          nodes: ({
            checkRuns: { nodes: ({ databaseId: number | null; status: string; startedAt: string | null } | null)[] } | null;
          } | null)[];
        } | null;
      };
    } | null)[];
  };
}
interface SearchPage {
  search: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (GqlPullRequest | null)[] };
}

interface StaleRun {
  owner: string;
  repo: string;
  number: number;
  open: boolean;
  headSha: string;
  sha: string;
  id: number;
}

/**
 * At start-up: our `sdlc-guard` runs left in progress (the process stopped in the middle of an evaluation, or the event
 * that would have completed a pending run was lost while it was down) are found, with one search sweep per
 * installation, and none is left hanging: a run on an open PR's head is completed by evaluating the PR again; any other
 * (the PR is closed, or the commit is no longer its head) fails with the reason. Runs younger than `olderThanMs` are
 * left to whoever is writing them.
 */
export async function recoverInProgressRuns(app: Probot, deps: HandlerDeps, options: RecoverInProgressOptions): Promise<RecoveryReport> {
  const log = app.log as unknown as Logger;
  const report: RecoveryReport = { installations: 0, found: 0, reevaluated: 0, failed: 0, errors: 0 };
  if (!deps.appId) {
    log.warn("APP_ID is not set: check runs left in progress cannot be told from other apps' and are not recovered");
    return report;
  }
  const appOctokit = (await app.auth()) as GitHubClient;
  const installations = await appOctokit.paginate(appOctokit.rest.apps.listInstallations, { per_page: 100 });
  for (const installation of installations) {
    const account = installation.account as { login?: string; type?: string } | null;
    if (!account?.login || installation.suspended_at) continue;
    report.installations++;
    try {
      const octokit = hardenForInstallation(await installationOctokit(app, installation.id), deps, installation.id);
      const evaluation = evaluationDepsFor(octokit, log, deps);
      for (const run of await findStaleRuns(octokit, deps.appId, account.login, account.type === "Organization", options)) {
        report.found++;
        try {
          report[(await recover(evaluation, run)) ? "reevaluated" : "failed"]++;
        } catch (error) {
          report.errors++;
          log.error(
            { owner: run.owner, repo: run.repo, number: run.number, check_run_id: run.id, reason: describeGitHubError(error) },
            "a check run left in progress could not be completed",
          );
        }
      }
    } catch (error) {
      report.errors++;
      log.error(
        { installation: installation.id, account: account.login, reason: describeGitHubError(error) },
        "could not look for check runs left in progress",
      );
    }
  }
  log.info({ ...report }, "check runs left in progress: recovered");
  return report;
}

async function findStaleRuns(
  octokit: GitHubClient,
  appId: number,
  login: string,
  organization: boolean,
  options: RecoverInProgressOptions,
): Promise<StaleRun[]> {
  const scope = `${organization ? "org" : "user"}:${login}`;
  const since = new Date(Date.now() - (options.closedWithinMs ?? 7 * 24 * 3_600_000)).toISOString().slice(0, 19) + "Z";
  const runs: StaleRun[] = [];
  const startedBefore = Date.now() - options.olderThanMs;
  for (const search of [`is:pr is:open archived:false ${scope}`, `is:pr is:closed archived:false ${scope} updated:>=${since}`]) {
    let after: string | null = null;
    for (let seen = 0; seen < (options.maxPullRequests ?? 1_000);) {
      const page: SearchPage = await octokit.graphql<SearchPage>(IN_PROGRESS_QUERY, { search, appId, after });
      for (const pr of page.search.nodes) {
        if (!pr?.repository || pr.number === undefined || !pr.headRefOid) continue;
        seen++;
        const [owner, repo] = pr.repository.nameWithOwner.split("/") as [string, string];
        for (const node of pr.commits?.nodes ?? []) {
          for (const suite of node?.commit.checkSuites?.nodes ?? []) {
            const run = suite?.checkRuns?.nodes[0];
            // Without a start time a run is taken as old: left alone, it could hang for ever.
            if (!run?.databaseId || run.status !== "IN_PROGRESS" || (run.startedAt && Date.parse(run.startedAt) > startedBefore)) continue;
            runs.push({
              owner,
              repo,
              number: pr.number,
              open: pr.state === "OPEN",
              headSha: pr.headRefOid,
              sha: node!.commit.oid,
              id: run.databaseId,
            });
          }
        }
      }
      if (!page.search.pageInfo.hasNextPage || !page.search.pageInfo.endCursor) break;
      after = page.search.pageInfo.endCursor;
    }
  }
  return runs;
}

/** True: the PR was evaluated again and the run is its current one; false: the run was failed with the reason. */
async function recover(deps: EvaluationDeps, run: StaleRun): Promise<boolean> {
  let skipped: string | undefined;
  if (run.open && run.sha === run.headSha) {
    const outcome = await evaluatePullRequest(deps, { owner: run.owner, repo: run.repo, number: run.number, announcedHeadSha: run.sha });
    if (outcome.status === "reported" && outcome.checkRunId === run.id) return true;
    skipped = outcome.status === "skipped" ? outcome.reason : undefined;
  }
  const why =
    !run.open || skipped
      ? `pull request #${run.number} is ${skipped?.replace(/^pull request is /, "") ?? "closed"}, so it was not evaluated again`
      : `commit \`${run.sha.slice(0, 7)}\` is no longer the head of pull request #${run.number} (its head is \`${run.headSha.slice(0, 7)}\`, which carries the current result)`;
  await withCommitLock(deps.memory.shared, run.owner, run.repo, run.sha, () =>
    deps.octokit.rest.checks.update({
      owner: run.owner,
      repo: run.repo,
      check_run_id: run.id,
      status: "completed",
      conclusion: "failure",
      completed_at: new Date().toISOString(),
      output: {
        title: "Not evaluated: sdlc-guard stopped during the evaluation",
        summary: `This check run was left in progress when sdlc-guard stopped (a crash or a restart during its evaluation). The ${why}: it fails rather than stay in progress for ever. Push a commit or use Re-run on the pull request's current head to evaluate it.`,
      },
    }),
  );
  deps.log.warn(
    { owner: run.owner, repo: run.repo, number: run.number, check_run_id: run.id },
    "a check run left in progress was failed with the reason",
  );
  return false;
}
