import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { run } from "probot";
import { createSdlcGuardApp } from "../src/app.js";
import { appOptionsFromEnv } from "../src/handlers/app-options.js";
import { markdownForTerminal, TERMINAL_WIDTH } from "../src/report/terminal-text.js";
import { simulatedAppEnv } from "../sim/app-env.js";
import { GitHubWorld, type SimPullRequest } from "../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo, distinctSha } from "../sim/scenarios.js";
import { freePort } from "../sim/free-port.js";
import { startSimulator } from "../sim/server.js";
import { deliverWebhook } from "../sim/signed-delivery.js";
import { pullRequestEvent, pushEvent, tagCreateEvent, type WebhookEvent } from "../sim/webhook-payloads.js";

// `npm run demo`: the real app (Probot's own server, signature check and Octokit over HTTP) against the GitHub
// simulator on 127.0.0.1, configured exactly as production is, through GHE_HOST / GHE_PROTOCOL. No credentials, no network.

export interface DemoCase {
  name: string;
  expected: "success" | "failure";
  /** The commit evaluated. */
  sha: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
}

export async function runDemo(
  print: (line: string) => void = console.log,
): Promise<{ cases: DemoCase[]; badSignatureStatus: number; githubRequestsAfterBadSignature: number }> {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  // Head SHAs that differ in their first characters, as real ones do: the output shows them short.
  const head = (n: number) => ({ headSha: distinctSha(`${repo.owner}/${repo.name}#${n}`) });
  const cases: { name: string; expected: DemoCase["expected"]; pr: SimPullRequest }[] = [
    { name: "compliant PR", expected: "success", pr: compliantPullRequest(world, repo, 1, head(1)) },
    { name: "one approval only", expected: "failure", pr: compliantPullRequest(world, repo, 2, head(2)) },
    {
      name: "no Jira key",
      expected: "failure",
      pr: compliantPullRequest(world, repo, 3, {
        ...head(3),
        title: "Rotate card-token keys",
        headRef: "feature/rotate-keys",
        body: "## Description\nRotates keys.\n\n## Testing\nUnit tests.\n\n## Security considerations\nKeys never leave the vault.",
      }),
    },
    { name: "unprotected base branch", expected: "failure", pr: compliantPullRequest(world, repo, 4, { ...head(4), baseRef: "legacy" }) },
  ];
  const onlyOne = cases[1]!.pr;
  onlyOne.reviews = [approval("rev-bob", onlyOne.headSha)];

  const simulator = await startSimulator(world);
  const secret = randomBytes(16).toString("hex");
  const port = await freePort();
  const env = simulatedAppEnv(
    simulator,
    { appId: world.appId, secret },
    {
      PORT: String(port),
      // Quiet by default; LOG_LEVEL=info shows everything (the forged delivery: one line, without its payload).
      LOG_LEVEL: process.env.LOG_LEVEL ?? "fatal",
      // GitHub links a merge to its commits a moment after the push; the simulator does it at once.
      SDLC_GUARD_ASSOCIATION_RETRY_MS: "100",
    },
  );
  // The server verifies webhook bodies on the stream with WEBHOOK_SECRET from the process's environment (as `probot run` reads it).
  process.env.WEBHOOK_SECRET = secret;
  const server = await run(createSdlcGuardApp(appOptionsFromEnv(env)), { env });
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  // The app answers a webhook once it is handled, but start-up work (schedules, the in-progress sweep) shares its
  // request pacing: wait, boundedly, for the commit's run to complete rather than reading it at once.
  const completedRun = async (headSha: string) => {
    const find = () => repo.checkRuns.find((r) => r.headSha === headSha && r.name === "sdlc-guard");
    for (let waited = 0; waited < 30_000 && find()?.status !== "completed"; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return find();
  };
  print(`sdlc-guard listening on ${webhookUrl}; GitHub simulator at ${simulator.baseUrl}\n`);

  try {
    const results: DemoCase[] = [];
    for (const { name, expected, pr } of cases) {
      const delivery = await deliverWebhook(webhookUrl, pullRequestEvent(world, repo, pr, "opened"), secret);
      const run = await completedRun(pr.headSha);
      results.push({
        name,
        expected,
        sha: pr.headSha,
        conclusion: run?.conclusion ?? null,
        title: run?.output.title ?? null,
        summary: run?.output.summary ?? null,
      });
      print(
        `━━ PR #${pr.number} (${name}) → webhook HTTP ${delivery.status}; check run sdlc-guard: ${(run?.conclusion ?? "none").toUpperCase()} (expected ${expected})`,
      );
      print(`   ${run?.output.title ?? "(no check run)"}`);
      print(tableOf(run?.output.summary ?? ""));
      print("");
    }
    // A commit pushed straight to main, and a tag that is not a semantic version: each fails its commit's check run
    // and opens (or adds to) one `sdlc-guard` issue per control.
    const root = repo.git.branches.get("main")!;
    const direct = world.commit(repo, "main", "hotfix: skip the review");
    repo.git.tags.set("1.2", { commitSha: direct });
    const refCases: { name: string; sha: string; event: WebhookEvent }[] = [
      { name: "direct push to main", sha: direct, event: pushEvent(world, repo, { shas: [direct], before: root, sender: "mallory" }) },
      { name: "tag 1.2", sha: direct, event: tagCreateEvent(world, repo, "1.2", "mallory") },
    ];
    for (const { name, sha, event } of refCases) {
      const delivery = await deliverWebhook(webhookUrl, event, secret);
      const run = await completedRun(sha);
      results.push({
        name,
        expected: "failure",
        sha,
        conclusion: run?.conclusion ?? null,
        title: run?.output.title ?? null,
        summary: run?.output.summary ?? null,
      });
      print(
        `━━ ${name} (${sha.slice(0, 7)}) → webhook HTTP ${delivery.status}; check run sdlc-guard: ${(run?.conclusion ?? "none").toUpperCase()} (expected failure)`,
      );
      print(`   ${run?.output.title ?? "(no check run)"}`);
      print(tableOf(run?.output.summary ?? ""));
      print("");
    }
    const issues = world.issues.list(repo.owner, repo.name);
    print(`━━ violation issues in ${repo.owner}/${repo.name}: ${issues.map((i) => `#${i.number} "${i.title}"`).join(", ") || "none"}\n`);

    const before = world.requests.length;
    const forged = await deliverWebhook(webhookUrl, pullRequestEvent(world, repo, cases[0]!.pr, "synchronize"), "not-the-secret");
    const githubRequestsAfterBadSignature = world.requests.length - before;
    print(`━━ forged webhook (wrong signature) → HTTP ${forged.status}; GitHub requests it caused: ${githubRequestsAfterBadSignature}`);
    return { cases: results, badSignatureStatus: forged.status, githubRequestsAfterBadSignature };
  } finally {
    await server.stop();
    await simulator.close();
  }
}

/** The check run's table as a terminal shows it, indented, within 120 columns. */
function tableOf(summary: string): string {
  const table = summary
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .join("\n");
  return markdownForTerminal(table, TERMINAL_WIDTH - 3)
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runDemo()
    .then(({ cases, badSignatureStatus, githubRequestsAfterBadSignature }) => {
      const wrong = cases.filter((c) => c.conclusion !== c.expected);
      const forgedOk = badSignatureStatus >= 400 && badSignatureStatus < 500 && githubRequestsAfterBadSignature === 0;
      console.log(
        wrong.length === 0 && forgedOk
          ? "\nDemo OK: every check run has the expected conclusion."
          : `\nDemo FAILED: ${wrong.map((c) => c.name).join(", ")}`,
      );
      process.exit(wrong.length === 0 && forgedOk ? 0 : 1);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
