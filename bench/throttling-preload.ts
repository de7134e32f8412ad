import { createRequire } from "node:module";

// Preloaded into the app process by the benchmark (`node --import .../throttling-preload.js`), never in production, to
// take Probot's Octokit throttling (@octokit/plugin-throttling, on Bottleneck) out of the figures step by step.
// BENCH_THROTTLING (in the app's environment):
//   "unpaced": the plugin sends every write AND every GraphQL query of an installation through one Bottleneck group
//              with `maxConcurrent: 1, minTime: 1000`: at most one per second per installation, as GitHub advises.
//              An evaluation is one GraphQL query plus one check-run write, so that pacing alone caps an installation
//              at 0.5 evaluations/s. This removes that group's spacing, and only it: the other groups (at most 10
//              concurrent requests per installation) and the retry limiter stay as shipped.
//   "off":     every Bottleneck job runs at once, as if the plugin were disabled (`throttle: { enabled: false }`):
//              the app's own cost. Its rate-limit retries are then off too; the benchmark keeps the simulator's
//              rate-limit buckets full, so none is needed.

interface BottleneckGroup {
  /** The group's id (`octokit-write`, `octokit-global`, ...); each key's limiter is built from `limiterOptions`. */
  id: string;
  limiterOptions: Record<string, unknown>;
  key(key?: string): unknown;
}
type Job = (...args: unknown[]) => unknown;
interface BottleneckClass {
  Group: { prototype: BottleneckGroup };
  prototype: { schedule(...args: unknown[]): Promise<unknown> };
}

const mode = process.env.BENCH_THROTTLING ?? "unpaced";
const require = createRequire(import.meta.url);
// The same module instance @octokit/plugin-throttling imports (CommonJS: one copy in node_modules, one require cache).
const Bottleneck = require("bottleneck/light.js") as BottleneckClass;

if (mode === "unpaced") {
  const key = Bottleneck.Group.prototype.key;
  Bottleneck.Group.prototype.key = function (this: BottleneckGroup, name?: string) {
    if (this.id === "octokit-write") Object.assign(this.limiterOptions, { minTime: 0, maxConcurrent: null });
    return key.call(this, name);
  };
} else if (mode === "off") {
  // schedule([options,] job, ...args): the job's promise, with no queue, no timers.
  Bottleneck.prototype.schedule = async function (...args: unknown[]) {
    if (typeof args[0] !== "function") args.shift();
    const [job, ...rest] = args as [Job, ...unknown[]];
    return job(...rest);
  };
} else {
  throw new Error(`BENCH_THROTTLING must be unpaced or off, not "${mode}"`);
}
