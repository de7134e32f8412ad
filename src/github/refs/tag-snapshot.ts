import type { ReleaseFacts, TagSignature, TagSnapshot } from "../../facts/refs.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { MERGED_PULL_FIELDS, mergedPullsOf, type GqlMergedPull } from "./merged-pull-verdict.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites, type OurRun } from "./pull-request-snapshot.js";
import { RECENT_TAGS_SELECTION, toRecentTags, type GqlRecentTags } from "./recent-tags.js";
import type { RecentTagWindow } from "../../controls/unannounced-tags.js";
import type { GitHubClient } from "../types.js";

/** Our run on the tagged commit, and the merged PRs (with their verdicts) that may vouch for it. */
const TAGGED_COMMIT_FIELDS = `${OUR_RUN_SELECTION}
        associatedPullRequests(first: 10) { nodes { ${MERGED_PULL_FIELDS} } }`;

/**
 * The tag (peeled through an annotated tag object), whether its commit is on the default branch (GitHub's compare of
 * the default branch with the tag: BEHIND or IDENTICAL), the release of the tag when asked, and our run on the commit.
 */
export const TAG_QUERY = `query SdlcGuardTag($owner: String!, $repo: String!, $ref: String!, $tag: String!, $appId: Int!, $withRelease: Boolean!, $withRecentTags: Boolean = false) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { name compare(headRef: $ref) { status } }
    ref(qualifiedName: $ref) {
      target {
        __typename oid
        ... on Tag { target { __typename oid ... on Commit { ${TAGGED_COMMIT_FIELDS} } } }
        ... on Commit { ${TAGGED_COMMIT_FIELDS} }
      }
    }
    release(tagName: $tag) @include(if: $withRelease) { tagName name description isDraft isPrerelease }
    ${RECENT_TAGS_SELECTION}
  }
}`;

interface GqlTarget {
  __typename: string;
  oid: string;
  checkSuites?: GqlOurSuites;
  associatedPullRequests?: { nodes: (GqlMergedPull | null)[] } | null;
  target?: GqlTarget;
}
interface GqlTag {
  repository: {
    defaultBranchRef: { name: string; compare: { status: "AHEAD" | "BEHIND" | "DIVERGED" | "IDENTICAL" } | null } | null;
    ref: { target: GqlTarget | null } | null;
    release?: { tagName: string; name: string | null; description: string | null; isDraft: boolean; isPrerelease: boolean } | null;
    recentTags?: GqlRecentTags;
  } | null;
}

export interface TagRead {
  snapshot: TagSnapshot;
  existingCheckRun: OurRun | null | undefined;
  /** The annotated tag object, whose signature `readTagSignature` reads; null for a lightweight tag. */
  tagObjectSha: string | null;
  /** Asked for a release that GitHub does not have (deleted since), or a draft: nothing to evaluate. */
  releaseMissing: boolean;
  /** The repository's latest tags, when asked (`withRecentTags`): to catch up on tags GitHub sent no event for. */
  recentTags?: RecentTagWindow;
}

/**
 * Reads a tag for the tag controls in one GraphQL query. An annotated tag's signature is left unread (GraphQL has
 * none): `readTagSignature` reads it when `signed-release` needs it.
 */
export async function readTag(
  octokit: GitHubClient,
  target: { owner: string; repo: string; tag: string; withRelease: boolean; withRecentTags?: boolean },
  appId: number | undefined,
): Promise<TagRead> {
  const { owner, repo, tag, withRelease } = target;
  // Which tags were evaluated is told by our runs: without our app id they cannot be found.
  const withRecentTags = (target.withRecentTags ?? false) && appId !== undefined;
  const data = await octokit.graphql<GqlTag>(TAG_QUERY, {
    owner,
    repo,
    ref: `refs/tags/${tag}`,
    tag,
    appId: appId ?? 0,
    withRelease,
    withRecentTags,
  });
  const repository = data.repository;
  if (!repository) throw new Error(`GitHub returned no repository ${owner}/${repo}`);
  const object = repository.ref?.target ?? null;
  const annotated = object?.__typename === "Tag";
  const commit = annotated ? object.target : object;
  const commitSha = commit?.__typename === "Commit" ? commit.oid : null;
  const defaultBranch = repository.defaultBranchRef?.name ?? "";
  const status = repository.defaultBranchRef?.compare?.status;
  const onDefaultBranch: Fetched<boolean> = !repository.defaultBranchRef
    ? unavailable("the repository has no default branch")
    : status
      ? fetched(status === "BEHIND" || status === "IDENTICAL")
      : unavailable(`GitHub could not compare ${defaultBranch} with the tag`);
  const signature = annotated ? unavailable<TagSignature | null>("not read: signed-release is off") : fetched<TagSignature | null>(null);
  const release = repository.release;
  const snapshot: TagSnapshot = {
    owner,
    repo,
    name: tag,
    defaultBranch,
    commitSha,
    annotated,
    signature,
    onDefaultBranch,
    mergedPullRequests: fetched(mergedPullsOf(commit?.associatedPullRequests?.nodes)),
    ...(release ? { release: toRelease(release) } : {}),
  };
  return {
    snapshot,
    existingCheckRun: appId && commit ? findOurRun(commit.checkSuites) : undefined,
    tagObjectSha: annotated ? object.oid : null,
    releaseMissing: withRelease && (!release || release.isDraft),
    recentTags: toRecentTags(repository.recentTags),
  };
}

const toRelease = (r: NonNullable<NonNullable<GqlTag["repository"]>["release"]>): ReleaseFacts => ({
  tagName: r.tagName,
  name: r.name,
  notes: r.description ?? "",
  isDraft: r.isDraft,
  isPrerelease: r.isPrerelease,
});

/** GraphQL's Tag has no signature: GitHub's verification of an annotated tag comes from the git tags endpoint (one REST read). */
export async function readTagSignature(octokit: GitHubClient, read: TagRead): Promise<TagSnapshot> {
  if (!read.tagObjectSha) return read.snapshot;
  return { ...read.snapshot, signature: await readSignature(octokit, read.snapshot.owner, read.snapshot.repo, read.tagObjectSha) };
}

async function readSignature(octokit: GitHubClient, owner: string, repo: string, tagSha: string): Promise<Fetched<TagSignature | null>> {
  try {
    const { verification } = (await octokit.rest.git.getTag({ owner, repo, tag_sha: tagSha })).data;
    return verification
      ? fetched({ verified: verification.verified, reason: verification.reason })
      : unavailable("GitHub returned no signature verification for the tag");
  } catch (error) {
    return unavailable(`the tag's signature (${describeGitHubError(error)})`);
  }
}
