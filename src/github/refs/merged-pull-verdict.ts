import type { MergedPullVerdict, OurRunState } from "../../facts/refs.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites, type OurRun } from "./pull-request-snapshot.js";

/**
 * The fields of a pull request that tell what a commit it brought inherits: where it merged, what it merged as, who
 * merged it, and our run on its last commit (its final head). Needs `$appId` in the query.
 */
export const MERGED_PULL_FIELDS = `number merged baseRefName headRefOid mergeCommit { oid } mergedBy { login }
          commits(last: 1) { nodes { commit { oid ${OUR_RUN_SELECTION} } } }`;

export interface GqlMergedPull {
  number: number;
  merged: boolean;
  baseRefName: string;
  headRefOid: string;
  mergeCommit: { oid: string } | null;
  mergedBy: { login: string } | null;
  commits: { nodes: ({ commit: { oid: string; checkSuites: GqlOurSuites } } | null)[] };
}

/** Our run as the gates read it: its state, or why it could not be read. */
export function ourRunState(run: OurRun | null | undefined): Fetched<OurRunState | null> {
  if (run === undefined) return unavailable("more check suites on the commit than one query lists");
  if (run === null) return fetched(null);
  return fetched({
    status: run.completed ? "completed" : run.status === "QUEUED" ? "queued" : "in_progress",
    conclusion: run.conclusion?.toLowerCase() ?? null,
    title: run.title,
  });
}

/** A merged PR with the verdict on its final head; null for a PR that is not merged. */
export function mergedPullOf(node: GqlMergedPull | null | undefined): MergedPullVerdict | null {
  if (!node?.merged) return null;
  const last = node.commits.nodes[0]?.commit;
  // The verdict is the one on the head it merged with: a last commit that is not that head is not its verdict.
  const headRun: Fetched<OurRunState | null> =
    last?.oid === node.headRefOid
      ? ourRunState(findOurRun(last.checkSuites))
      : unavailable(`GitHub did not list the head commit of PR #${node.number} as its last commit`);
  return {
    number: node.number,
    baseRefName: node.baseRefName,
    headSha: node.headRefOid,
    mergeCommitSha: node.mergeCommit?.oid ?? null,
    mergedBy: node.mergedBy?.login ?? null,
    headRun,
  };
}

/** The merged PRs among a commit's `associatedPullRequests`. */
export function mergedPullsOf(nodes: (GqlMergedPull | null)[] | undefined): MergedPullVerdict[] {
  return (nodes ?? []).flatMap((node) => mergedPullOf(node) ?? []);
}
