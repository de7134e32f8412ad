import type { RecentTag, RecentTagWindow } from "../../controls/unannounced-tags.js";
import { decodeResults } from "../../report/check-run-state.js";
import type { GitHubClient } from "../types.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites } from "./pull-request-snapshot.js";

/**
 * Recent tags read with each push and tag evaluation (in its own query, no request of its own). When none of them was
 * evaluated and GitHub has older ones (a batch of more than this many pushed at once), older pages are read until an
 * evaluated tag is reached: {@link readOlderTags}.
 */
export const RECENT_TAGS = 10;
/** Tags per page read further back, and how many such pages at most (past them, no tag is caught up: see catch-up-tags.ts). */
export const OLDER_TAGS_PAGE = 50;
export const OLDER_TAG_PAGES = 4;

const TAG_NODES = `pageInfo { hasNextPage endCursor }
      nodes {
        name
        target {
          __typename oid
          ... on Tag { target { __typename oid ... on Commit { ${OUR_RUN_SELECTION} } } }
          ... on Commit { ${OUR_RUN_SELECTION} }
        }
      }`;

/**
 * The repository's latest tags (by commit date), each with our run on its commit, added to the push and tag queries
 * (no request of its own). Asked only when `$withRecentTags` (our app id known, tag controls on).
 */
export const RECENT_TAGS_SELECTION = `recentTags: refs(refPrefix: "refs/tags/", first: ${RECENT_TAGS}, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) @include(if: $withRecentTags) {
      ${TAG_NODES}
    }`;

const OLDER_TAGS_QUERY = `query SdlcGuardOlderTags($owner: String!, $repo: String!, $after: String!, $appId: Int!) {
  repository(owner: $owner, name: $repo) {
    recentTags: refs(refPrefix: "refs/tags/", first: ${OLDER_TAGS_PAGE}, after: $after, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {
      ${TAG_NODES}
    }
  }
}`;

/** The page of tags after `after` (older ones), as {@link toRecentTags} reads the first. */
export async function readOlderTags(
  octokit: GitHubClient,
  where: { owner: string; repo: string },
  after: string,
  appId: number,
): Promise<RecentTagWindow> {
  const data = await octokit.graphql<{ repository: { recentTags: GqlRecentTags } | null }>(OLDER_TAGS_QUERY, {
    owner: where.owner,
    repo: where.repo,
    after,
    appId,
  });
  if (!data.repository) throw new Error(`GitHub returned no repository ${where.owner}/${where.repo}`);
  return toRecentTags(data.repository.recentTags) ?? { tags: [] };
}

interface GqlTagTarget {
  __typename: string;
  oid: string;
  checkSuites?: GqlOurSuites;
  target?: GqlTagTarget;
}
export type GqlRecentTags =
  | {
      pageInfo?: { hasNextPage: boolean; endCursor: string | null };
      nodes: ({ name: string; target: GqlTagTarget | null } | null)[] | null;
    }
  | null
  | undefined;

/** Rows a tag or release evaluation leaves on its commit's run, by their source ("tag `v1.4.0`", "release `v1.4.0`"). */
const TAG_SOURCE = /^(tag|release) `/;
const TAG_CONTROLS = new Set(["release-tag", "signed-release", "release-notes"]);

/** The recent tags, with whether their commit's run records a tag evaluation; undefined when not asked. */
export function toRecentTags(tags: GqlRecentTags): RecentTagWindow | undefined {
  if (!tags?.nodes) return undefined;
  const read = tags.nodes.flatMap((node): RecentTag[] => {
    const object = node?.target;
    if (!node || !object) return [];
    const commit = object.__typename === "Tag" ? object.target : object;
    if (!commit || commit.__typename !== "Commit") return []; // a tag of a tree or blob: nothing the tag controls judge
    const run = findOurRun(commit.checkSuites);
    const evaluated =
      run === undefined
        ? undefined
        : run !== null && decodeResults(run.summary).some((row) => TAG_CONTROLS.has(row.id) && TAG_SOURCE.test(row.source ?? ""));
    return [{ name: node.name, commitSha: commit.oid, evaluated }];
  });
  const older = tags.pageInfo?.hasNextPage ? tags.pageInfo.endCursor : null;
  return older ? { tags: read, olderCursor: older } : { tags: read };
}
