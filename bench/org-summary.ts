import { speedUpWorld } from "./sim-speedups.js";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GitHubWorld } from "../sim/github-world.js";
import { buildOrg } from "../sim/org-scenario.js";
import { startSimulator } from "../sim/server.js";
import { imageNodeOptions, runNodeScript } from "./processes.js";
import { fixed, listFlag, numberFlag, parseArgs, table } from "./report.js";

// The org summary against the GitHub simulator over HTTP on 127.0.0.1: GitHub requests, wall time, memory and CPU of
// one full refresh (collect, judge, render, post) per organisation size. The refresh runs in its own process
// (bench/org-summary-child.ts), so its peak RSS is its own; the simulator and its world stay in this one.
// Prints a table; asserts nothing.
// Usage: npm run bench:summary [-- 100 1000 5000] [--latency-ms 20]

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface SummaryMeasurement {
  /** Repositories in the organisation (the generated ones plus its `.github`). */
  repositories: number;
  requests: number;
  /** GraphQL queries and REST writes: what Probot's throttling paces one per second per installation in the app. */
  pacedRequests: number;
  seconds: number;
  peakRssMb: number;
  appCpuSeconds: number;
  simCpuSeconds: number;
  comments: number;
}

export async function measureOrgSummary(repositories: number, latencyMs: number): Promise<SummaryMeasurement> {
  const world = new GitHubWorld();
  speedUpWorld(world);
  const org = buildOrg(world, { repositories });
  giveEnterpriseBudget(world);
  const simulator = await startSimulator(world, 0, latencyMs);
  const before = world.requests.length;
  const simCpu = process.cpuUsage();
  try {
    const child = await runNodeScript(
      root,
      resolve(root, "dist/bench/org-summary-child.js"),
      [JSON.stringify({ baseUrl: simulator.baseUrl, org: "acme", appId: world.appId, now: org.now })],
      {
        NODE_OPTIONS: imageNodeOptions(root), // the heap the app's summary gets in the image
      },
    );
    const used = process.cpuUsage(simCpu);
    const line = child.stdout.trim().split("\n").pop() ?? "";
    if (child.code !== 0 || !line.startsWith("{"))
      throw new Error(`${repositories} repositories: the summary process exited with ${child.code}`);
    const run = JSON.parse(line) as {
      status: string;
      reason?: string;
      requests: number;
      seconds: number;
      comments: number;
      peakRssMb: number;
      cpuSeconds: number;
    };
    if (run.status !== "ok") throw new Error(`${repositories} repositories: ${run.status}: ${run.reason}`);
    const seen = world.requests.slice(before);
    return {
      repositories: repositories + 1,
      requests: run.requests,
      pacedRequests: seen.filter((r) => r.path === "/graphql" || r.method !== "GET").length,
      seconds: run.seconds,
      peakRssMb: run.peakRssMb,
      appCpuSeconds: run.cpuSeconds,
      simCpuSeconds: (used.user + used.system) / 1e6,
      comments: run.comments,
    };
  } finally {
    await simulator.close();
  }
}

/**
 * The simulator's installation gets the rate limits of a GitHub App installed on a GitHub Enterprise Cloud
 * organisation (15,000 REST requests and 10,000 GraphQL points an hour, GitHub's documented figures), with the window
 * resetting 10 minutes from now, as a refresh started late in the hour would find it. The summary estimates its need
 * the way GitHub prices a query (connections asked for / 100): 5,000 repositories with their rules' bypass lists and merged
 * PRs are about 12,800 points, more than one hour of any plan, so the app's guard (rate-budget.ts, not
 * weakened here) plans the rest for the next window, which it accepts only when that window opens within 15 minutes.
 * The simulator itself charges one point per query, so the run never actually waits.
 */
function giveEnterpriseBudget(world: GitHubWorld): void {
  const reset = Math.floor(Date.now() / 1000) + 600;
  Object.assign(world.rateLimit.core, { limit: 15_000, remaining: 15_000, reset });
  Object.assign(world.rateLimit.graphql, { limit: 10_000, remaining: 10_000, reset });
}

export function printOrgSummaries(rows: SummaryMeasurement[], latencyMs: number, print: (line: string) => void = console.log): void {
  print(`org summary: one full refresh in its own process ↔ GitHub simulator over HTTP on 127.0.0.1, ${latencyMs} ms per request`);
  print(
    table(
      [
        "repositories",
        "GitHub requests",
        "of which GraphQL or writes",
        "wall time s",
        "paced in the app ≥ s",
        "peak RSS MB",
        "summary CPU s",
        "sim CPU s",
        "overflow comments",
      ],
      rows.map((r) => [
        String(r.repositories),
        String(r.requests),
        String(r.pacedRequests),
        fixed(r.seconds, 1),
        // In the app, Probot's throttling spaces GraphQL queries and writes one second apart (per installation).
        fixed(Math.max(r.seconds, r.pacedRequests - 1), 0),
        fixed(r.peakRssMb),
        fixed(r.appCpuSeconds, 1),
        fixed(r.simCpuSeconds, 1),
        String(r.comments),
      ]),
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { flags, words } = parseArgs(
    process.argv.slice(2).filter((a) => a !== "--sim-uncached"),
    ["latency-ms", "sizes"],
  );
  const latencyMs = numberFlag(flags, "latency-ms", 20);
  const sizes = words.length ? words.map(Number) : listFlag(flags, "sizes", [100, 1000, 5000]);
  const rows: SummaryMeasurement[] = [];
  for (const size of sizes) rows.push(await measureOrgSummary(size, latencyMs));
  printOrgSummaries(rows, latencyMs);
}
