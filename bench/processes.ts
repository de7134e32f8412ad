import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { StringDecoder } from "node:string_decoder";
import { join, resolve } from "node:path";

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
  // The app logs to a file, as under a container runtime's log driver, never to a pipe this process drains: Node writes
  // to a pipe synchronously, so a benchmark busy simulating GitHub would stall the app it measures on every log line.
  const logDir = mkdtempSync(join(tmpdir(), "sdlc-guard-bench-"));
  const logPath = join(logDir, "app.log");
  const logFd = openSync(logPath, "a");
  const child = spawn(process.execPath, [...nodeArgs, "node_modules/probot/bin/probot.js", "run", "./dist/src/index.js"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_FORMAT: "json", NODE_OPTIONS: imageNodeOptions(cwd), ...env },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd); // the child has its own copy
  const logLines: string[] = [];
  // Whole lines only (a read may end mid-line), each to `onLine`; kept in `logLines` when at warn or above (pino's
  // level 40), or not a JSON log line at all (a crash).
  const tail = tailFile(logPath, (line) => {
    onLine?.(line);
    if (!line.startsWith('{"level":') || Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 50) >= 40) logLines.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      tail.stop();
      throw new Error(`the app exited with code ${child.exitCode}:\n${logLines.slice(-20).join("\n")}`);
    }
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      tail.stop();
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
      tail.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/**
 * Follows a file being appended to: every new whole line to `onLine`, as soon as the file changes (inotify), and at
 * least every 20 ms (a change notification may be coalesced or missed). `stop` reads what is left, then stops.
 */
function tailFile(path: string, onLine: (line: string) => void): { stop(): void } {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(1 << 20);
  let position = 0;
  let rest = "";
  let stopped = false;
  const decoder = new StringDecoder("utf8"); // a read may end inside a character
  const drain = () => {
    if (stopped) return;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read <= 0) return;
      position += read;
      const lines = (rest + decoder.write(buffer.subarray(0, read))).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line) onLine(line);
    }
  };
  const watcher = watch(path, drain);
  const timer = setInterval(drain, 20);
  return {
    stop: () => {
      drain();
      if (rest) onLine(rest);
      stopped = true;
      watcher.close();
      clearInterval(timer);
      closeSync(fd);
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
