import { cpus, loadavg } from "node:os";
import { measureOrgSummary, printOrgSummaries, type SummaryMeasurement } from "./org-summary.js";
import { printPrBench, prOptionsFrom, PR_FLAGS, runPrBench, type PhaseResult, type PrBenchResult } from "./pr-evaluations.js";
import { fixed, listFlag, parseArgs, table } from "./report.js";

// `npm run bench`: the PR-evaluation benchmark and the org-summary benchmark, then the figures against the goals.
// Prints; never asserts (performance is not a test verdict). Flags (all optional):
//   --latency-ms 20          simulated GitHub latency per request
//   --deliveries 300         deliveries per row (pacing off / throttling off), at least 10 per slot in flight
//   --in-flight 1,10,100     outstanding deliveries per row
//   --offered-rates 200      throttling off, one more row per rate: deliveries sent at that steady rate (open loop)
//   --repos 50 --prs-per-repo 25
//   --modes off,unpaced,shipped   Probot's Octokit throttling: bypassed, without its 1/s pacing, as shipped
//   --paced-deliveries 5     deliveries per as-shipped row (about 2 s each); --paced-in-flight 1
//   --paced-installations 50 as shipped, one more row: that many repositories, each in its own installation
//   --paced-gap-ms 1500      as shipped, one more row: one webhook at a time, this pause before each (0: skip)
//   --one-repo-row on|off    the busiest row again with every PR in one repository
//   --summary-sizes 100,1000,5000   org sizes (empty: skip)
//   --only prs|summary
//   --sim-uncached           keep the simulator's full walk for node(id:) lookups (see sim-speedups.ts)
// Quick run: npm run bench -- --deliveries 100 --modes off --summary-sizes 100,1000

const GOALS = { evaluationsPerSecond: 200, addedP99Ms: 100, steadyRequests: 3, rssMb: 200, summaryRequests: 150 };

const argv = process.argv.slice(2).filter((a) => a !== "--sim-uncached");
const { flags } = parseArgs(argv, [...PR_FLAGS, "summary-sizes", "only"]);
const only = flags.get("only");
if (only !== undefined && only !== "prs" && only !== "summary") throw new Error(`--only takes prs or summary, not "${only}"`);
const progress = (line: string) => console.error(line);
const started = performance.now();
const loadAtStart = loadavg()[0]!;

const prOptions = prOptionsFrom(flags, progress);
let prs: PrBenchResult | undefined;
if (only !== "summary") {
  progress("PR evaluations…");
  prs = await runPrBench(prOptions);
}
const sizes = only === "prs" ? [] : listFlag(flags, "summary-sizes", [100, 1000, 5000]);
const summaries: SummaryMeasurement[] = [];
for (const size of sizes) {
  progress(`org summary, ${size} repositories…`);
  summaries.push(await measureOrgSummary(size, prOptions.latencyMs));
}

console.log("");
// Other processes on the machine take cores from the app and the simulator: the figures are only as good as this.
console.log(
  `machine: ${cpus().length} CPUs, Node ${process.version}; load average (1 min) ${fixed(loadAtStart, 1)} at start, ${fixed(loadavg()[0]!, 1)} at end`,
);
console.log("");
if (prs) {
  printPrBench(prs);
  console.log("");
}
if (summaries.length) {
  printOrgSummaries(summaries, prOptions.latencyMs);
  console.log("");
}
printGoals(prs, summaries);
console.log(`\n(${fixed((performance.now() - started) / 1000)} s in all)`);

function printGoals(result: PrBenchResult | undefined, rows: SummaryMeasurement[]): void {
  const verdict = (ok: boolean | undefined) => (ok === undefined ? "–" : ok ? "PASS" : "MISS");
  const lines: string[][] = [];
  const phases = result?.phases ?? [];
  const modes = [...new Set(phases.map((p) => p.mode))];
  const byMode = (mode: PhaseResult["mode"]) => phases.filter((p) => p.mode === mode);
  for (const mode of modes) {
    const best = Math.max(...byMode(mode).map((p) => p.perSecond));
    lines.push([
      `≥ ${GOALS.evaluationsPerSecond} evaluations/s`,
      mode,
      `${fixed(best, best < 10 ? 2 : 0)} (best row)`,
      verdict(best >= GOALS.evaluationsPerSecond),
    ]);
  }
  for (const mode of modes) {
    for (const p of byMode(mode)) {
      const load = p.ratePerSecond
        ? `${p.ratePerSecond}/s offered`
        : `${p.inFlight} in flight${p.gapMs ? `, ${fixed(p.gapMs / 1000, 1)} s apart` : ""}`;
      const where = `${mode}, ${load}, ${p.repositories} repos${p.installations > 1 ? ` / ${p.installations} installations` : ""}`;
      lines.push([
        `p99 added latency ≤ ${GOALS.addedP99Ms} ms`,
        where,
        `${fixed(p.added.p99)} ms`,
        verdict(p.added.p99 <= GOALS.addedP99Ms),
      ]);
    }
  }
  if (phases.length) {
    const steady = Math.max(...phases.map((p) => p.requestsPerEvaluation));
    lines.push([
      `≤ ${GOALS.steadyRequests} requests per steady-state evaluation`,
      "every row",
      `${fixed(steady, 2)} (first of a repository: ${Math.max(...(result?.firstEvaluation.requests ?? [Number.NaN]))})`,
      verdict(steady <= GOALS.steadyRequests),
    ]);
    const rss = Math.max(...phases.map((p) => p.peakRssMb));
    lines.push([`RSS ≤ ${GOALS.rssMb} MB`, "app process, every row", `${fixed(rss)} MB peak`, verdict(rss <= GOALS.rssMb)]);
  }
  for (const r of rows) {
    const at1000 = r.repositories - 1 === 1000;
    lines.push([
      at1000 ? `1,000-repo summary ≤ ${GOALS.summaryRequests} requests` : "summary (no goal)",
      `${r.repositories} repositories`,
      `${r.requests} requests, ${fixed(r.peakRssMb)} MB`,
      at1000 ? verdict(r.requests <= GOALS.summaryRequests) : "–",
    ]);
    if (at1000 || r.repositories - 1 === 5000)
      lines.push([
        `RSS ≤ ${GOALS.rssMb} MB`,
        `summary, ${r.repositories} repositories`,
        `${fixed(r.peakRssMb)} MB peak`,
        verdict(r.peakRssMb <= GOALS.rssMb),
      ]);
  }
  console.log("goals (printed, not asserted)");
  console.log(table(["goal", "where", "measured", "verdict"], lines, "text"));
}
