import { GitHubWorld, type SimPullRequest, type SimRepo } from "./github-world.js";
import { buildOrg, type BuiltOrg } from "./org-scenario.js";
import { approval, compliantPullRequest, distinctSha, PAYMENTS_CONFIG } from "./scenarios.js";
import { encodeResults } from "../src/report/check-run-state.js";

// The playground's organisation (`npm run playground`): acme with eight repositories, compliant and not, and open pull
// requests in acme/payments that pass or fail different controls. Deterministic except for `now` (dates are relative).

export const PLAYGROUND_ORG = "acme";
export const PLAYGROUND_REPO = "payments";
export const WAIVER_JUSTIFICATION = "Hotfix for the card outage; ticket filed after the fact (INC-77)";

/** The organisation's policy (acme/.github): tech leads may waive a control; repositories inherit it. */
export const PLAYGROUND_ORG_CONFIG = `# acme's policy: every repository inherits it
exceptions:
  approvers: [acme/tech-leads]
  min_justification_length: 20
`;

export interface PlaygroundPullRequest {
  pr: SimPullRequest;
  /** What it shows, one line. */
  about: string;
  expected: "success" | "failure";
}

export interface PlaygroundOrg {
  world: GitHubWorld;
  built: BuiltOrg;
  repo: SimRepo;
  /** Open pull requests of acme/payments, by number. */
  pullRequests: PlaygroundPullRequest[];
  /** Repository names built to fail the org summary, with what they fail. */
  nonCompliant: { name: string; why: string }[];
  /** The PR a tech lead may waive `jira` on (the app's failing run is on its head). */
  waiverPr: SimPullRequest;
}

const NUMBERS = { compliant: 11, noJira: 12, oneApproval: 13, coAuthor: 14, waiver: 15 } as const;

/** Builds the playground organisation into a new world; `now` anchors every date (the summary's period ends at it). */
export function buildPlaygroundOrg(now: string): PlaygroundOrg {
  const world = new GitHubWorld();
  const built = buildOrg(world, {
    org: PLAYGROUND_ORG,
    repositories: 10,
    now,
    failures: ["unprotected", "one-approval", "secret-alerts", "missing-files", "direct-push"],
  });
  const repo = built.repositories.find((b) => b.name === PLAYGROUND_REPO && b.failure === null)?.repo;
  if (!repo) throw new Error(`the seed did not leave ${PLAYGROUND_ORG}/${PLAYGROUND_REPO} compliant`);
  // One more way to fail: secret scanning turned off on a repository built compliant.
  const scanningOff = built.repositories.find(
    (b) => b.failure === null && !b.archived && b.name !== PLAYGROUND_REPO && b.name !== ".github",
  )!;
  scanningOff.repo.secretScanning = { ...scanningOff.repo.secretScanning!, enabled: false, openAlerts: 0, genericAlerts: 0 };

  repo.files.set(".github/sdlc-guard.yml", PAYMENTS_CONFIG);
  built.dotGithub.repo.files.set(".github/sdlc-guard.yml", PLAYGROUND_ORG_CONFIG);
  // The app's runs on merged PRs carry their per-control rows, as the app writes them (the evidence export reads them).
  for (const { repo: r } of built.repositories)
    for (const run of r.checkRuns.filter((c) => c.output.summary === null && c.appId === world.appId))
      run.output.summary = mergedRunSummary(run.conclusion === "success");
  world.teams.set("acme/tech-leads", ["lead-lina"]);
  world.userEmails.set("bob@acme.example", "rev-bob");

  const head = (n: number) => distinctSha(`${PLAYGROUND_ORG}/${PLAYGROUND_REPO}#${n}`);
  const compliant = compliantPullRequest(world, repo, NUMBERS.compliant, { headSha: head(NUMBERS.compliant) });
  const noJira = compliantPullRequest(world, repo, NUMBERS.noJira, {
    headSha: head(NUMBERS.noJira),
    title: "Rotate card-token keys",
    headRef: "feature/rotate-keys",
  });
  const oneApproval = compliantPullRequest(world, repo, NUMBERS.oneApproval, { headSha: head(NUMBERS.oneApproval) });
  oneApproval.reviews = [approval("rev-bob", oneApproval.headSha)];
  const coAuthorHead = head(NUMBERS.coAuthor);
  const coAuthor = compliantPullRequest(world, repo, NUMBERS.coAuthor, {
    headSha: coAuthorHead,
    commits: [
      {
        sha: coAuthorHead,
        message: "PAY-114: rotate keys\n\nCo-authored-by: Bob Reviewer <bob@acme.example>",
        author: { name: "dev-alice", email: "dev-alice@acme.example", login: "dev-alice" },
      },
    ],
  });
  const waiverPr = compliantPullRequest(world, repo, NUMBERS.waiver, {
    headSha: head(NUMBERS.waiver),
    title: "Hotfix: card outage",
    headRef: "hotfix/card-outage",
  });
  world.issues.pullRequestThread(PLAYGROUND_ORG, PLAYGROUND_REPO, waiverPr.number, waiverPr.title);
  // The app evaluated the hotfix when it was opened: a waiver binds to the head of that run.
  repo.checkRuns.push({
    id: 900_001,
    appId: world.appId,
    name: "sdlc-guard",
    headSha: waiverPr.headSha,
    status: "completed",
    conclusion: "failure",
    output: { title: "1 required control(s) failing: jira", summary: null },
    externalId: `pr-${waiverPr.number}`,
    startedAt: now,
  });

  const why: Record<string, string> = {
    unprotected: "default branch unprotected",
    "one-approval": "default branch asks for 1 approval",
    "secret-alerts": "open secret scanning alerts",
    "missing-files": "README.md and CODEOWNERS missing",
    "direct-push": "direct pushes to main",
  };
  const nonCompliant = [
    ...built.repositories.filter((b) => b.failure).map((b) => ({ name: b.name, why: why[b.failure!] ?? b.failure! })),
    { name: scanningOff.name, why: "secret scanning disabled" },
  ];
  return {
    world,
    built,
    repo,
    waiverPr,
    nonCompliant,
    pullRequests: [
      { pr: compliant, about: "compliant: Jira key, two independent approvals", expected: "success" },
      { pr: noJira, about: "no Jira key in the title, branch or body", expected: "failure" },
      { pr: oneApproval, about: "one approval of the two required", expected: "failure" },
      { pr: coAuthor, about: "an approval by a co-author of the change does not count", expected: "failure" },
      { pr: waiverPr, about: "no Jira key; a tech lead may waive it (scenario `waive`)", expected: "failure" },
    ],
  };
}

function mergedRunSummary(passed: boolean): string {
  const rows = [
    { id: "reviews" as const, enforcement: "required" as const, outcome: passed ? ("pass" as const) : ("fail" as const), fix: "" },
    { id: "jira" as const, enforcement: "required" as const, outcome: "pass" as const, fix: "" },
  ].map((r) => ({ ...r, reason: r.outcome === "pass" ? "Passed." : "1 of 2 required approvals." }));
  return `**sdlc-guard** evaluated this pull request.\n\n${encodeResults(rows)}`;
}
