import type { DeploymentSnapshot } from "../../facts/refs.js";
import { fetched, unavailable } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { MERGED_PULL_FIELDS, mergedPullsOf, ourRunState, type GqlMergedPull } from "./merged-pull-verdict.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites } from "./pull-request-snapshot.js";
import type { GitHubClient } from "../types.js";

/** The tag named like the deployment's ref, our run on the deployed commit, and the PRs merged with that commit. */
export const DEPLOYMENT_QUERY = `query SdlcGuardDeployment($owner: String!, $repo: String!, $tagRef: String!, $sha: GitObjectID!, $appId: Int!) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { name }
    ref(qualifiedName: $tagRef) { target { __typename oid ... on Tag { target { __typename oid } } } }
    object(oid: $sha) {
      ... on Commit {
        ${OUR_RUN_SELECTION}
        associatedPullRequests(first: 10) {
          nodes { ${MERGED_PULL_FIELDS} }
        }
      }
    }
  }
}`;

interface GqlDeployment {
  repository: {
    defaultBranchRef: { name: string } | null;
    ref: { target: { __typename: string; oid: string; target?: { __typename: string; oid: string } } | null } | null;
    object: {
      checkSuites?: GqlOurSuites;
      associatedPullRequests?: { nodes: (GqlMergedPull | null)[] } | null;
    } | null;
  } | null;
}

export interface DeploymentRequest {
  owner: string;
  repo: string;
  environment: string;
  ref: string;
  sha: string;
}

/** Reads what the deployment gate decides on, in one GraphQL query; what cannot be read is recorded, never guessed. */
export async function readDeployment(
  octokit: GitHubClient,
  request: DeploymentRequest,
  appId: number | undefined,
): Promise<DeploymentSnapshot> {
  // A ref given as refs/tags/x or as a bare name both name the tag x; a branch name simply finds no tag.
  const tagName = request.ref.replace(/^refs\/tags\//, "");
  const base = { ...request, ref: tagName, defaultBranch: null };
  const nothingRead = (why: string): DeploymentSnapshot => ({
    ...base,
    tagCommit: unavailable(why),
    ourRun: unavailable(why),
    mergedPullRequests: unavailable(why),
  });
  if (!appId) return nothingRead("the app id is unknown, so sdlc-guard's own check runs cannot be recognised");
  let data: GqlDeployment;
  try {
    data = await octokit.graphql<GqlDeployment>(DEPLOYMENT_QUERY, {
      owner: request.owner,
      repo: request.repo,
      tagRef: `refs/tags/${tagName}`,
      sha: request.sha,
      appId,
    });
  } catch (error) {
    return nothingRead(describeGitHubError(error));
  }
  const target = data.repository?.ref?.target ?? null;
  const commit = target?.__typename === "Tag" ? target.target : target;
  const object = data.repository?.object ?? null;
  const run = object ? findOurRun(object.checkSuites) : null;
  return {
    ...base,
    defaultBranch: data.repository?.defaultBranchRef?.name ?? null,
    tagCommit: fetched(commit?.__typename === "Commit" ? commit.oid : null),
    ourRun: ourRunState(run),
    mergedPullRequests: fetched(mergedPullsOf(object?.associatedPullRequests?.nodes)),
  };
}
