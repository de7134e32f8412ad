import { createHash } from "node:crypto";
import { GitHubWorld, sha, strictClassicRule, type SimPullRequest, type SimRepo, type SimReview } from "./github-world.js";

export const PAYMENTS_CONFIG = `# acme/payments: POL-008 with our Jira projects
controls:
  jira:
    projects: [PAY, OPS]
`;

/** acme/payments: `main` protected (2 approvals, no force push, no deletion), secret scanning on, a config file. */
export function compliantRepo(world: GitHubWorld, owner = "acme", name = "payments"): SimRepo {
  const repo = world.addRepo(owner, name);
  repo.classicRules.set("main", strictClassicRule("main", 2));
  repo.files.set(".github/sdlc-guard.yml", PAYMENTS_CONFIG);
  return repo;
}

export const approval = (login: string, commitSha: string, minute = 10): SimReview => ({
  author: { login },
  state: "APPROVED",
  commitSha,
  submittedAt: `2026-11-20T10:${String(minute).padStart(2, "0")}:00Z`,
});

/** A PR that satisfies every core control: Jira key in the title, two human approvals on the head commit. */
export function compliantPullRequest(
  world: GitHubWorld,
  repo: SimRepo,
  number: number,
  overrides: Partial<SimPullRequest> = {},
): SimPullRequest {
  const headSha = overrides.headSha ?? sha(`${repo.name}-pr-${number}`);
  return world.addPullRequest(repo, {
    number,
    title: `PAY-${100 + number}: rotate card-token keys`,
    body: "## Description\nRotates keys.\n\n## Testing\nUnit tests.\n\n## Security considerations\nKeys never leave the vault.",
    headRef: `feature/pay-${100 + number}-rotate`,
    headSha,
    author: { login: "dev-alice" },
    reviews: [approval("rev-bob", headSha, 10), approval("rev-carol", headSha, 20)],
    ...overrides,
  });
}

/** A 40-hex SHA that differs from the start for names that share a prefix (`sha()` keeps a common prefix common). */
export function distinctSha(name: string): string {
  return createHash("sha1").update(name).digest("hex");
}
