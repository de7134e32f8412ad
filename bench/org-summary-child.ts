import { pino, type Logger } from "pino";
import { ProbotOctokit } from "probot";
import { runOrgSummary } from "../src/evaluation/refresh-org-summary.js";
import type { GitHubClient } from "../src/github/types.js";
import { statusMb } from "./processes.js";

// The org summary's own process for bench/org-summary.ts: one full refresh (collect, judge, render, post) against the
// simulator at `baseUrl`, then one JSON line on stdout with what it cost. Its memory is the summary's alone (the
// simulator and its world live in the parent). Octokit's retries and throttling are off, as in the CLI: the GraphQL
// queries and writes the app would pace one per second are counted by the parent instead.

interface ChildArgs {
  baseUrl: string;
  org: string;
  appId: number;
  now: string;
}

const args = JSON.parse(process.argv[2] ?? "{}") as ChildArgs;
const Octokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
const octokit = new Octokit({ auth: { token: "ghs_bench" }, baseUrl: args.baseUrl }) as GitHubClient;
const log = pino({ level: "silent" }) as Logger;
const start = performance.now();
const run = await runOrgSummary({ octokit, log, appId: args.appId, now: () => new Date(args.now), webUrl: "http://127.0.0.1" }, args.org, {
  post: true,
  trigger: "bench",
});
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    status: run.status,
    reason: run.status === "ok" ? undefined : run.reason,
    requests: run.requests,
    seconds,
    comments: run.status === "ok" ? run.rendered.parts.length : 0,
    peakRssMb: statusMb("self", "VmHWM"),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);
