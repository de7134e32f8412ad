import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

// Helpers of the benchmarks: free ports, child processes, and what Linux says about a process's memory and CPU.

/** A `/proc/<pid>/status` field in MB (VmRSS: resident now; VmHWM: the peak resident size since start). */
export function statusMb(pid: number | "self", field: "VmRSS" | "VmHWM"): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number.parseInt(line.slice(field.length + 1), 10) / 1024 : 0;
  } catch {
    return 0; // the process has exited
  }
}

/** CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`. */
export function cpuSeconds(pid: number | "self"): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, so it is skipped up to its closing parenthesis).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks (100 per second on Linux)
  } catch {
    return 0;
  }
}

/** Samples a process's resident memory every `everyMs` and keeps the peak (VmHWM covers the whole life, not a phase). */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number | "self",
    everyMs = 25,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    this.peak = Math.max(this.peak, statusMb(this.pid, "VmRSS"));
  }

  /** The peak seen so far (MB); `stop` ends sampling. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** The app's log lines (LOG_LEVEL=warn: warnings and errors only). */
  logLines: string[];
  stop(): Promise<void>;
}

/**
 * The Node options the Docker image runs the app with (its `ENV NODE_OPTIONS`, e.g. the JS heap cap), read from the
 * Dockerfile so that the benchmarks measure the process as it is deployed.
 */
export function imageNodeOptions(root: string): string {
  const line = /\bNODE_OPTIONS="([^"]*)"/.exec(readFileSync(resolve(root, "Dockerfile"), "utf8"));
  if (!line) throw new Error('the Dockerfile sets no NODE_OPTIONS: bench/processes.ts expects NODE_OPTIONS="..." in an ENV');
  return line[1]!;
}

/**
 * Starts the real app as production does (`probot run ./dist/src/index.js`, with the image's NODE_OPTIONS) in a child
 * process, so that its memory and CPU are the app's alone, and waits until Probot answers `GET /ping`.
 */
export async function startAppProcess(
  cwd: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  onLine?: (line: string) => void,
): Promise<AppProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "node_modules/probot/bin/probot.js", "run", "./dist/src/index.js"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_FORMAT: "json", NODE_OPTIONS: imageNodeOptions(cwd), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logLines: string[] = [];
  // Whole lines only (a chunk may end mid-line), each to `onLine`; kept in `logLines` when at warn or above (pino's
  // level 40), or not a JSON log line at all (a crash).
  const collector = () => {
    let rest = "";
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (!line) continue;
        onLine?.(line);
        if (!line.startsWith('{"level":') || Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 50) >= 40) logLines.push(line);
      }
    };
  };
  child.stdout!.on("data", collector());
  child.stderr!.on("data", collector());
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}:\n${logLines.slice(-20).join("\n")}`);
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not answer /ping within 30 s:\n${logLines.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    pid: child.pid!,
    url,
    logLines,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a Node script to its end and returns its standard output (standard error is passed through). */
export async function runNodeScript(
  cwd: string,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; pid: number; code: number | null }> {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  return { stdout, pid: child.pid!, code };
}
