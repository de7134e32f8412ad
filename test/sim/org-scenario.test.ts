import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg, DEFAULT_SETUP_CONFIGURATION, ORG_FAILURES, type BuiltOrg, type OrgFailure } from "../../sim/org-scenario.js";
import { worldsInTest } from "../support/github-mock.js";

type Json = Record<string, unknown>;

function built(options: Parameters<typeof buildOrg>[1]) {
  const world = new GitHubWorld();
  worldsInTest.push(world);
  const org = buildOrg(world, options);
  const get = <T>(url: string): T => {
    const answer = world.handle("GET", url, undefined);
    expect(answer.status).toBe(200);
    return answer.body as T;
  };
  const graphql = (query: string, variables: Json = {}) => {
    const answer = world.handle("POST", "/graphql", { query, variables }).body as { data: Json; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };
  return { world, org, get, graphql };
}

const shape = (org: BuiltOrg) =>
  org.repositories.map((b) => [b.name, b.failure, b.protection, b.codeScanning, b.files, b.latestRelease, b.mergedInPeriod]);
const SEMVER = /^v?\d+\.\d+\.\d+$/;

describe("org scenario", () => {
  it("is deterministic for a seed, places every failure once in 30 repositories, most of them compliant, .github last", () => {
    const a = built({ repositories: 30, seed: 7 }).org;
    const b = built({ repositories: 30, seed: 7 }).org;
    const c = built({ repositories: 30, seed: 8 }).org;
    expect(shape(a)).toEqual(shape(b));
    expect(shape(a)).not.toEqual(shape(c));
    expect(a.repositories).toHaveLength(31);
    expect(a.dotGithub).toBe(a.repositories.at(-1));
    expect(a.dotGithub.name).toBe(".github");
    expect(
      a.repositories
        .filter((r) => r.failure)
        .map((r) => r.failure)
        .sort(),
    ).toEqual(Object.keys(ORG_FAILURES).sort());
    expect(a.compliant.length).toBeGreaterThan(a.repositories.length / 2);
    expect(a.withFailure("archived")).toMatchObject({ archived: true, failing: [] });
    expect(a.withFailure("inactive")!.failing).toEqual(["activity"]);
  });

  it("places only the failures asked for; small orgs stay mostly compliant", () => {
    expect(built({ repositories: 3, failures: ["archived"] }).org.repositories.map((r) => r.failure)).toContain("archived");
    const small = built({ repositories: 5 }).org;
    expect(small.repositories.filter((r) => r.failure)).toHaveLength(2);
    expect(() => built({ repositories: 1, failures: ["archived", "inactive"] })).toThrow("2 failures do not fit in 1 repositories");
  });

  it("what the API reports matches what was built, both ways", () => {
    const { world, org, get, graphql } = built({ repositories: 30, seed: 3, org: "acme" });
    const failing = (kind: OrgFailure) => org.withFailure(kind)!.name;
    const active = org.repositories.filter((r) => !r.archived);

    // Repository list: all of them, archived included, with secret scanning settings.
    type Repo = {
      name: string;
      node_id: string;
      archived: boolean;
      pushed_at: string;
      security_and_analysis: { secret_scanning_push_protection: { status: string } };
    };
    const repos = [...get<Repo[]>("/orgs/acme/repos?type=all&per_page=20"), ...get<Repo[]>("/orgs/acme/repos?type=all&per_page=20&page=2")];
    expect(repos.map((r) => r.name).sort()).toEqual(org.repositories.map((r) => r.name).sort());
    expect(repos.filter((r) => r.archived).map((r) => r.name)).toEqual([failing("archived")]);
    expect(repos.filter((r) => r.security_and_analysis.secret_scanning_push_protection.status === "disabled").map((r) => r.name)).toEqual([
      failing("no-push-protection"),
    ]);
    expect(repos.find((r) => r.name === failing("inactive"))!.pushed_at).toBe("2025-10-16T09:00:00Z"); // 400 days before now

    // Alerts: open secrets and critical/high Dependabot alerts only where built.
    const secretRepos = new Set(
      get<{ repository: { name: string } }[]>("/orgs/acme/secret-scanning/alerts?state=open&per_page=100").map((a) => a.repository.name),
    );
    expect([...secretRepos]).toEqual([failing("secret-alerts")]);
    const dependabotRepos = new Set(
      get<{ repository: { name: string } }[]>("/orgs/acme/dependabot/alerts?state=open&severity=critical,high&per_page=100").map(
        (a) => a.repository.name,
      ),
    );
    expect([...dependabotRepos]).toEqual([failing("critical-dependabot")]);

    // Code scanning: default setup through configuration 17, or a workflow; neither for the failing one.
    const attached = get<{ repository: { name: string } }[]>(
      `/orgs/acme/code-security/configurations/${DEFAULT_SETUP_CONFIGURATION}/repositories?status=attached&per_page=100`,
    ).map((a) => a.repository.name);
    expect(attached.sort()).toEqual(
      org.repositories
        .filter((r) => r.codeScanning === "default-setup")
        .map((r) => r.name)
        .sort(),
    );

    // GraphQL per repository: protection, files, latest release, merged PRs in the period.
    const query = `query($ids: [ID!]!, $appId: Int!) { nodes(ids: $ids) { ... on Repository { name pushedAt
      defaultBranchRef { branchProtectionRule { requiredApprovingReviewCount allowsForcePushes allowsDeletions }
        rules(first: 20) { nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount } } } } }
      root: object(expression: "HEAD:") { ... on Tree { entries { name type } } }
      github: object(expression: "HEAD:.github") { ... on Tree { entries { name type } } }
      docs: object(expression: "HEAD:docs") { ... on Tree { entries { name type } } }
      workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name } } }
      latestRelease { tagName }
      pullRequests(states: [MERGED], first: 20, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { number mergedAt
        commits(last: 1) { nodes { commit { checkSuites(first: 5, filterBy: { appId: $appId }) { nodes { checkRuns(first: 5, filterBy: { checkName: "sdlc-guard" }) { nodes { conclusion } } } } } } } } } } } }`;
    type Tree = { entries: { name: string; type: string }[] } | null;
    type RepoNode = {
      name: string;
      defaultBranchRef: {
        branchProtectionRule: { requiredApprovingReviewCount: number; allowsForcePushes: boolean; allowsDeletions: boolean } | null;
        rules: { nodes: { type: string; parameters: { requiredApprovingReviewCount?: number } | null }[] };
      };
      root: Tree;
      github: Tree;
      docs: Tree;
      workflows: Tree;
      latestRelease: { tagName: string } | null;
      pullRequests: {
        nodes: {
          number: number;
          mergedAt: string;
          commits: { nodes: { commit: { checkSuites: { nodes: { checkRuns: { nodes: { conclusion: string }[] } }[] } } }[] };
        }[];
      };
    };
    const data = graphql(query, { ids: active.map((r) => `R_${r.repo.id}`), appId: world.appId }) as { nodes: RepoNode[] };
    const approvals = (n: RepoNode) =>
      n.defaultBranchRef.branchProtectionRule?.requiredApprovingReviewCount ??
      n.defaultBranchRef.rules.nodes.find((r) => r.type === "PULL_REQUEST")?.parameters?.requiredApprovingReviewCount ??
      0;
    const blocksForcePush = (n: RepoNode) =>
      n.defaultBranchRef.branchProtectionRule
        ? !n.defaultBranchRef.branchProtectionRule.allowsForcePushes
        : n.defaultBranchRef.rules.nodes.some((r) => r.type === "NON_FAST_FORWARD");
    const has = (n: RepoNode, file: string) =>
      [n.root, n.github, n.docs].some((t) => t?.entries.some((e) => e.name === file && e.type === "blob"));
    for (const node of data.nodes) {
      const b = org.repositories.find((r) => r.name === node.name)!;
      const protectedWell = approvals(node) >= 2 && blocksForcePush(node);
      expect([node.name, protectedWell]).toEqual([node.name, !["unprotected", "one-approval"].includes(b.failure ?? "")]);
      expect([node.name, has(node, "README.md") && has(node, "CODEOWNERS")]).toEqual([node.name, b.failure !== "missing-files"]);
      expect([node.name, b.codeScanning === "workflow"]).toEqual([
        node.name,
        Boolean(node.workflows?.entries.some((e) => e.name === "codeql.yml")),
      ]);
      expect([node.name, SEMVER.test(node.latestRelease!.tagName)]).toEqual([node.name, b.failure !== "non-semver-release"]);
      const inPeriod = node.pullRequests.nodes
        .filter((p) => p.mergedAt >= org.period.since)
        .map((p) => ({
          number: p.number,
          mergedAt: p.mergedAt,
          conclusion: p.commits.nodes[0]!.commit.checkSuites.nodes[0]!.checkRuns.nodes[0]!.conclusion,
        }));
      expect(inPeriod).toEqual(b.mergedInPeriod);
      expect([node.name, inPeriod.some((p) => p.conclusion !== "SUCCESS")]).toEqual([node.name, b.failure === "failing-merged-pr"]);
    }
    // Every compliant repository merged PRs in the period; every one also has an older failing one outside it.
    expect(org.repositories.filter((r) => r.failure === null).every((r) => r.mergedInPeriod.length > 0)).toBe(true);

    // Pushes the app recorded in the period: its open violation issues (decoys: an old closed one, a person's copy).
    const search = graphql(
      `
        query ($q: String!) {
          search(type: ISSUE, query: $q, first: 100) {
            issueCount
            nodes {
              ... on Issue {
                body
                author {
                  login
                }
                repository {
                  name
                }
                comments(first: 50) {
                  nodes {
                    body
                    author {
                      login
                    }
                  }
                }
              }
            }
          }
        }
      `,
      {
        q: `org:acme label:sdlc-guard is:issue is:open author:app/sdlc-guard updated:>=${org.period.since.slice(0, 10)}`,
      },
    ) as { search: { nodes: { body: string; repository: { name: string }; comments: { nodes: { body: string }[] } }[] } };
    const occurrences = (control: string) =>
      Object.fromEntries(
        search.search.nodes
          .filter((n) => n.body.includes(`sdlc-guard-violation: ${control}`))
          .map((n) => [n.repository.name, 1 + n.comments.nodes.length]),
      );
    expect(occurrences("direct-push")).toEqual({ [failing("direct-push")]: org.withFailure("direct-push")!.pushes.direct });
    expect(occurrences("force-push")).toEqual({ [failing("force-push")]: org.withFailure("force-push")!.pushes.forced });
    const everything = graphql(`
      {
        search(type: ISSUE, query: "org:acme label:sdlc-guard", first: 100) {
          issueCount
        }
      }
    `) as { search: { issueCount: number } };
    expect(everything.search.issueCount).toBe(4); // the two above, and the decoys

    expect(get<Json>("/orgs/acme")).toMatchObject({ two_factor_requirement_enabled: true });
    expect(world.violations).toEqual([]);
  });
});
