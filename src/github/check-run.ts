import type { CheckRunReport } from "../report/check-run-output.js";
import { CHECK_NAME } from "./pull-request-snapshot.js";
import type { GitHubClient, RepoRef } from "./types.js";

export interface CheckRunTarget extends RepoRef {
  headSha: string;
  /** Known id of the `sdlc-guard` run on this SHA: a number, `null` when GitHub said there is none, `undefined` when unknown. */
  existingId: number | null | undefined;
  appId: number | undefined;
  externalId: string;
  completedAt: string;
}

const RECENT_LIMIT = 5_000;

/**
 * Creates the single `sdlc-guard` check run of a head SHA, or updates it in place if it already exists.
 * `recentlyWritten` (ids by `owner/repo@sha`) covers the moment when GitHub's read still lags behind our own write.
 */
export async function ensureCheckRun(
  octokit: GitHubClient,
  target: CheckRunTarget,
  report: CheckRunReport,
  recentlyWritten: Map<string, number>,
): Promise<number> {
  const { owner, repo, headSha } = target;
  const key = `${owner}/${repo}@${headSha}`;
  const id = target.existingId ?? recentlyWritten.get(key) ?? (target.existingId === undefined ? await findCheckRun(octokit, target) : null);
  const fields = {
    owner,
    repo,
    status: "completed" as const,
    conclusion: report.conclusion,
    completed_at: target.completedAt,
    external_id: target.externalId,
    output: report.output,
  };
  const written = id ? await octokit.rest.checks.update({ ...fields, check_run_id: id }) : await createOnce(octokit, target, fields);
  if (recentlyWritten.size >= RECENT_LIMIT) recentlyWritten.delete(recentlyWritten.keys().next().value!);
  recentlyWritten.set(key, written.data.id);
  return written.data.id;
}

/**
 * A create that failed may still have been made by GitHub (a 502 after the write): it is never retried blindly.
 * After a failure, the run is looked up again, updated if it exists, and created only if it does not.
 */
async function createOnce(octokit: GitHubClient, target: CheckRunTarget, fields: Omit<Parameters<GitHubClient["rest"]["checks"]["update"]>[0], "check_run_id">) {
  const create = () => octokit.rest.checks.create({ ...fields, owner: target.owner, repo: target.repo, name: CHECK_NAME, head_sha: target.headSha, request: { retries: 0 } });
  try {
    return await create();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status < 500) throw error;
    const found = await findCheckRun(octokit, target);
    return found ? await octokit.rest.checks.update({ ...fields, owner: target.owner, repo: target.repo, check_run_id: found }) : await create();
  }
}

async function findCheckRun(octokit: GitHubClient, { owner, repo, headSha, appId }: CheckRunTarget): Promise<number | null> {
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    per_page: 1,
    ...(appId ? { app_id: appId } : {}),
  });
  return data.check_runs[0]?.id ?? null;
}
