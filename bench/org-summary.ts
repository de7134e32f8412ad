import { pino, type Logger } from "pino";
import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../sim/github-world.js";
import { buildOrg } from "../sim/org-scenario.js";
import { startSimulator } from "../sim/server.js";
import { runOrgSummary } from "../src/evaluation/refresh-org-summary.js";
import type { GitHubClient } from "../src/github/types.js";

// The org summary against the GitHub simulator over HTTP on 127.0.0.1: GitHub requests, wall time and memory of one
// full refresh (collect, judge, render, post) per organisation size. Prints a table; asserts nothing.
// Usage: npm run bench:summary [-- 100 1000 5000] [--latency-ms 20]

const args = process.argv.slice(2);
const latencyIndex = args.indexOf("--latency-ms");
const latencyMs = latencyIndex >= 0 ? Number(args[latencyIndex + 1]) : 20;
const sizes = args.filter((a, i) => /^\d+$/.test(a) && (latencyIndex < 0 || i !== latencyIndex + 1)).map(Number);

async function measure(repositories: number) {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories });
  const simulator = await startSimulator(world, 0, latencyMs);
  const Octokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
  const octokit = new Octokit({ auth: { token: "ghs_bench" }, baseUrl: simulator.baseUrl }) as GitHubClient;
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const start = performance.now();
  const run = await runOrgSummary({ octokit, log: pino({ level: "silent" }) as Logger, appId: world.appId, now: () => new Date(org.now), webUrl: "http://127.0.0.1" }, "acme", { post: true, trigger: "bench" });
  const ms = performance.now() - start;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await simulator.close();
  if (run.status !== "ok") throw new Error(`${repositories} repositories: ${run.status}: ${run.reason}`);
  return { repositories: repositories + 1, requests: run.requests, seconds: ms / 1000, peakRssMb: peakRss / 2 ** 20, comments: run.rendered.parts.length };
}

const rows = [];
for (const size of sizes.length ? sizes : [100, 1000, 5000]) rows.push(await measure(size));
console.log(`org summary, GitHub simulator over HTTP with ${latencyMs} ms latency per request (goal: 1,000 repositories in ≤ 150 requests)`);
console.log("| repositories | GitHub requests | wall time (s) | peak RSS (MB) | overflow comments |");
console.log("|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.repositories} | ${r.requests} | ${r.seconds.toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.comments} |`);
