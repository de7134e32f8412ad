import type { RecentTag } from "../../controls/unannounced-tags.js";
import { decodeResults } from "../../report/check-run-state.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites } from "./pull-request-snapshot.js";

/** Recent tags read with each push and tag evaluation: a batch of more tags than this is caught up over several events. */
export const RECENT_TAGS = 10;

/**
 * The repository's latest tags (by commit date), each with our run on its commit, added to the push and tag queries
 * (no request of its own). Asked only when `$withRecentTags` (our app id known, tag controls on).
 */
export const RECENT_TAGS_SELECTION = `recentTags: refs(refPrefix: "refs/tags/", first: ${RECENT_TAGS}, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) @include(if: $withRecentTags) {
      nodes {
        name
        target {
          __typename oid
          ... on Tag { target { __typename oid ... on Commit { ${OUR_RUN_SELECTION} } } }
          ... on Commit { ${OUR_RUN_SELECTION} }
        }
      }
    }`;

interface GqlTagTarget {
  __typename: string;
  oid: string;
  checkSuites?: GqlOurSuites;
  target?: GqlTagTarget;
}
export type GqlRecentTags = { nodes: ({ name: string; target: GqlTagTarget | null } | null)[] | null } | null | undefined;

/** Rows a tag or release evaluation leaves on its commit's run, by their source ("tag `v1.4.0`", "release `v1.4.0`"). */
const TAG_SOURCE = /^(tag|release) `/;
const TAG_CONTROLS = new Set(["release-tag", "signed-release", "release-notes"]);

/** The recent tags, with whether their commit's run records a tag evaluation; undefined when not asked. */
export function toRecentTags(tags: GqlRecentTags): RecentTag[] | undefined {
  if (!tags?.nodes) return undefined;
  return tags.nodes.flatMap((node) => {
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
}
