import type { GitHubWorld, SimBranchRule, SimResponse } from "./github-world.js";
import { exampleResponse } from "./openapi.js";

// Organisation rulesets of the simulated GitHub (`/orgs/{org}/rulesets`): created and updated by an owner, and
// applied as GitHub does to the default branch of each repository their `repository_name` condition includes (the
// branch rules the app reads). Only `~DEFAULT_BRANCH` targets and name lists are modelled.

type Json = Record<string, unknown>;

export interface SimOrgRuleset {
  id: number;
  org: string;
  body: Json & { name: string; conditions?: Json; rules?: Json[] };
}

export class SimOrgRulesets {
  readonly rulesets: SimOrgRuleset[] = [];
  private nextId = 5000;

  constructor(private readonly world: GitHubWorld) {}

  /** Answers `/orgs/{org}/rulesets[/{id}]`, or undefined for other paths. */
  route(method: string, path: string, body: unknown): SimResponse | undefined {
    const m = path.match(/^\/orgs\/([^/]+)\/rulesets(?:\/(\d+))?$/);
    if (!m) return undefined;
    const org = decodeURIComponent(m[1]!);
    const id = m[2] === undefined ? undefined : Number(m[2]);
    const ofOrg = this.rulesets.filter((r) => r.org.toLowerCase() === org.toLowerCase());
    if (method === "GET" && id === undefined)
      return json(
        200,
        ofOrg.map((r) => this.toJson(r, false)),
      );
    if (method === "POST" && id === undefined) {
      const ruleset: SimOrgRuleset = { id: this.nextId++, org, body: body as SimOrgRuleset["body"] };
      this.rulesets.push(ruleset);
      this.enforce(ruleset);
      return json(201, this.toJson(ruleset, true));
    }
    const ruleset = ofOrg.find((r) => r.id === id);
    if (!ruleset) return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    if (method === "GET") return json(200, this.toJson(ruleset, true));
    if (method === "PUT") {
      ruleset.body = { ...ruleset.body, ...(body as Json) } as SimOrgRuleset["body"];
      this.enforce(ruleset);
      return json(200, this.toJson(ruleset, true));
    }
    return undefined;
  }

  /** The ruleset's rules on the default branch of each repository it includes (and off those it no longer does). */
  private enforce(ruleset: SimOrgRuleset): void {
    const include = ((ruleset.body.conditions?.repository_name as { include?: string[] } | undefined)?.include ?? []).map((n) =>
      n.toLowerCase(),
    );
    const active = (ruleset.body.enforcement ?? "active") === "active";
    for (const repo of this.world.repos.filter((r) => r.owner.toLowerCase() === ruleset.org.toLowerCase())) {
      const current = (repo.branchRules.get(repo.defaultBranch) ?? []).filter((rule) => rule.ruleset_id !== ruleset.id);
      const applies = active && (include.includes(repo.name.toLowerCase()) || include.includes("~all"));
      const added = applies
        ? (ruleset.body.rules ?? []).map((rule): SimBranchRule => ({
            ...(rule as SimBranchRule),
            ruleset_source_type: "Organization",
            ruleset_source: ruleset.org,
            ruleset_id: ruleset.id,
          }))
        : [];
      repo.branchRules.set(repo.defaultBranch, [...current, ...added]);
    }
  }

  private toJson(ruleset: SimOrgRuleset, full: boolean): Json {
    const example = exampleResponse("POST", "/orgs/{org}/rulesets", 201);
    const summary: Json = {
      id: ruleset.id,
      name: ruleset.body.name,
      target: ruleset.body.target ?? "branch",
      source_type: "Organization",
      source: ruleset.org,
      enforcement: ruleset.body.enforcement ?? "active",
      node_id: `RRS_${ruleset.id}`,
      _links: example._links,
    };
    if (!full) return summary;
    return {
      ...summary,
      bypass_actors: ruleset.body.bypass_actors ?? [],
      conditions: ruleset.body.conditions ?? null,
      rules: ruleset.body.rules ?? [],
      created_at: example.created_at,
      updated_at: example.updated_at,
    };
  }
}

const json = (status: number, body: unknown): SimResponse => ({ status, headers: { "content-type": "application/json" }, body });
