import type { Logger } from "pino";
import { type ExistingCheckRun } from "../github/writes/check-run.js";
import { writeCommitCheckRun } from "./commit-lock.js";
import { describeGitHubError } from "../common/describe-error.js";
import type { RequestPolicy } from "../github/transport/harden-requests.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites } from "../github/refs/pull-request-snapshot.js";
import type { GitHubClient } from "../github/types.js";
import type { CheckRunReport } from "../report/check-run-output.js";
import { clampMarkdown, inlineCode, tableCell } from "../common/markdown.js";
import { withRepositoryLock, type EvaluationMemory } from "./evaluate-pull-request.js";
import { audit } from "../audit/audit-log.js";

/** Entries of a merge queue read at most (GitHub queues are far shorter in practice). */
const MAX_QUEUE_ENTRIES = 100;

/**
 * The merge queue of the group's base branch, each entry's PR with our run on its head, and our run on the group's
 * head commit (to update it rather than create a second one).
 */
export const MERGE_GROUP_QUERY = `query SdlcGuardMergeGroup($owner: String!, $repo: String!, $branch: String!, $groupSha: GitObjectID!, $appId: Int!) {
  repository(owner: $owner, name: $repo) {
    mergeQueue(branch: $branch) {
      entries(first: ${MAX_QUEUE_ENTRIES}) {
        pageInfo { hasNextPage }
        nodes {
          position
          headCommit { oid }
          pullRequest { number headRefOid commits(last: 1) { nodes { commit { oid ${OUR_RUN_SELECTION} } } } }
        }
      }
    }
    object(oid: $groupSha) { ... on Commit { ${OUR_RUN_SELECTION} } }
  }
}`;

interface GqlEntry {
  position: number;
  headCommit: { oid: string } | null;
  pullRequest: {
    number: number;
    headRefOid: string;
    commits: { nodes: ({ commit: { oid: string; checkSuites: GqlOurSuites } } | null)[] };
  } | null;
}
interface GqlMergeGroup {
  repository: {
    mergeQueue: { entries: { pageInfo: { hasNextPage: boolean }; nodes: (GqlEntry | null)[] } | null } | null;
    object: { checkSuites?: GqlOurSuites } | null;
  } | null;
}

export interface MergeGroup {
  owner: string;
  repo: string;
  headSha: string;
  /** `refs/heads/main` or `main`. */
  baseRef: string;
  /** The group's temporary branch, `refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`: names its last PR. */
  headRef?: string;
}

/** The PR number GitHub puts in a merge group's branch name (`gh-readonly-queue/main/pr-104-<sha>`). */
export function lastPullNumberOf(headRef: string | undefined): number | undefined {
  const match = headRef?.match(/\/pr-([0-9]{1,10})-[0-9a-f]{40}$/);
  return match ? Number(match[1]) : undefined;
}

/** The base branch of a merge group's temporary branch (`gh-readonly-queue/<base>/pr-...`), for a Re-run. */
export function baseOfQueueBranch(branch: string): string | undefined {
  return branch.replace(/^refs\/heads\//, "").match(/^gh-readonly-queue\/(.+)\/pr-[0-9]{1,10}-[0-9a-f]{40}$/)?.[1];
}

export interface MergeGroupDeps {
  memory: EvaluationMemory;
  octokit: GitHubClient;
  log: Logger;
  appId: number | undefined;
  requestPolicy?: RequestPolicy;
  now?: () => Date;
}

export interface GroupMember {
  number: number;
  headSha: string;
  /** Our run's state on the PR's head: `success` only when completed successfully. */
  result: "success" | "failure" | "pending" | "missing";
}

/**
 * A merge group gets a `sdlc-guard` run on its head commit that succeeds only when every PR in the group (the queue's
 * entries up to and including the one whose merge commit is the group's head) has a successful `sdlc-guard` run on
 * its own head. A group that cannot be read, or that is no longer in the queue, fails: never a blanket success.
 */
export function evaluateMergeGroup(
  deps: MergeGroupDeps,
  group: MergeGroup,
): Promise<{ report: CheckRunReport; members: GroupMember[]; checkRunId: number }> {
  // Serialized with the repository's PR evaluations: a redelivered event must not create a second run.
  return withRepositoryLock(deps.memory, group.owner, group.repo, () => evaluateNow(deps, group));
}

async function evaluateNow(
  deps: MergeGroupDeps,
  group: MergeGroup,
): Promise<{ report: CheckRunReport; members: GroupMember[]; checkRunId: number }> {
  const { octokit, log, appId, memory } = deps;
  const { evaluatedAt, readMark } = beginEvaluation(deps);
  const branch = group.baseRef.replace(/^refs\/heads\//, "");
  let members: GroupMember[] = [];
  let problem: string | undefined;
  let existing: ExistingCheckRun | null | undefined;
  try {
    const data = await octokit.graphql<GqlMergeGroup>(MERGE_GROUP_QUERY, {
      owner: group.owner,
      repo: group.repo,
      branch,
      groupSha: group.headSha,
      appId: appId ?? 0,
    });
    existing = appId ? findOurRun(data.repository?.object?.checkSuites) : undefined;
    const entries = data.repository?.mergeQueue?.entries;
    if (!entries) problem = `GitHub returned no merge queue for ${inlineCode(branch)}`;
    else {
      const all = entries.nodes.filter((e): e is GqlEntry => !!e).sort((a, b) => a.position - b.position);
      // The group's branch names its last PR; the entry's head commit is the fallback when the name is not GitHub's usual.
      const lastNumber = lastPullNumberOf(group.headRef);
      const last =
        lastNumber !== undefined
          ? all.find((e) => e.pullRequest?.number === lastNumber)
          : all.find((e) => e.headCommit?.oid === group.headSha);
      if (!last) {
        problem = entries.pageInfo.hasNextPage
          ? `the merge queue of ${inlineCode(branch)} has more than ${MAX_QUEUE_ENTRIES} entries`
          : `the merge queue of ${inlineCode(branch)} no longer holds this group's last pull request${lastNumber ? ` #${lastNumber}` : ""} (the queue changed; GitHub builds a new group)`;
      } else {
        members = all.filter((e) => e.position <= last.position).map(toMember);
      }
    }
  } catch (error) {
    problem = `could not read the merge queue: ${describeGitHubError(error)}`;
  }
  const report = renderMergeGroup(group.headSha, members, problem, evaluatedAt);
  const target = {
    owner: group.owner,
    repo: group.repo,
    headSha: group.headSha,
    existing,
    appId,
    externalId: "merge-group",
    completedAt: evaluatedAt,
    readMark,
  };
  const checkRunId = await writeCommitCheckRun(memory, octokit, target, report);
  audit(
    log,
    "merge_group.evaluated",
    {
      repository: `${group.owner}/${group.repo}`,
      head_sha: group.headSha,
      conclusion: report.conclusion,
      pull_requests: members,
      problem,
      check_run_id: checkRunId,
    },
    `sdlc-guard ${report.conclusion} for merge group ${group.headSha.slice(0, 7)}`,
  );
  return { report, members, checkRunId };
}

function toMember(entry: GqlEntry): GroupMember {
  const pr = entry.pullRequest;
  if (!pr) return { number: 0, headSha: "", result: "missing" };
  const head = pr.commits.nodes[0]?.commit;
  const run = head?.oid === pr.headRefOid ? findOurRun(head.checkSuites) : null;
  const result = !run ? "missing" : !run.completed ? "pending" : run.conclusion === "SUCCESS" ? "success" : "failure";
  return { number: pr.number, headSha: pr.headRefOid, result };
}

const RESULT_TEXT: Record<GroupMember["result"], string> = {
  success: "✅ success",
  failure: "❌ failure",
  pending: "⏳ still being evaluated",
  missing: "❌ no sdlc-guard result on its head",
};

export function renderMergeGroup(
  headSha: string,
  members: GroupMember[],
  problem: string | undefined,
  evaluatedAt: string,
): CheckRunReport {
  const failing = members.filter((m) => m.result !== "success");
  const conclusion = problem || failing.length || members.length === 0 ? "failure" : "success";
  const title = problem
    ? "Merge group could not be verified"
    : failing.length
      ? `${failing.length} of ${members.length} pull request(s) in the group lack a successful sdlc-guard result: ${failing.map((m) => `#${m.number}`).join(", ")}`
      : `All ${members.length} pull request(s) in the group passed sdlc-guard`;
  const rows = members.map((m) => `| #${m.number} | ${inlineCode(m.headSha.slice(0, 12))} | ${tableCell(RESULT_TEXT[m.result])} |`);
  const summary = [
    `**sdlc-guard** checked merge group ${inlineCode(headSha.slice(0, 12))} on ${evaluatedAt}: it passes only when every pull request in it has a successful \`sdlc-guard\` check run on its own head commit.`,
    "",
    ...(problem ? [`**Not verified:** ${problem}. The group fails rather than pass unchecked.`, ""] : []),
    ...(members.length ? ["| Pull request | Head | sdlc-guard |", "|---|---|---|", ...rows] : []),
    ...(failing.length
      ? ["", "Fix each listed pull request (its own `sdlc-guard` check run says what fails), then add it to the queue again."]
      : []),
  ].join("\n");
  return { conclusion, output: { title, summary: clampMarkdown(summary) } };
}
