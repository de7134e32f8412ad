import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Socket } from "node:net";
import { freePort } from "../../sim/free-port.js";

/** The redis-server binary, or undefined when it is not installed (`.ci/run` installs it; locally it may be missing). */
export function redisServerBinary(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/** `describe` when redis-server is installed, else `describe.skip` with the reason printed once. */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerBinary()) {
    describe(name, body);
    return;
  }
  console.warn(`SKIPPED "${name}": redis-server is not installed (apt-get install -y redis-server; .ci/run installs it).`);
  describe.skip(name, body);
}

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A throw-away redis-server on a free loopback port, nothing persisted. */
/** A redis-server on a free port, or on `port` (e.g. to start one again where a stopped one was). */
export async function startRedisServer(port?: number): Promise<RunningRedis> {
  const binary = redisServerBinary();
  if (!binary) throw new Error("redis-server is not installed");
  port ??= await freePort();
  const child: ChildProcess = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start on port ${port}: ${output.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        // "close": the process exited and its output pipes are closed (nothing left open for Jest).
        // (A killed process has a signalCode and no exitCode: a second stop() must not wait for a "close" already past.)
        if ((child.exitCode !== null || child.signalCode !== null) && child.stdout?.destroyed !== false) return resolve();
        child.once("close", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (d: Buffer) => done(d.toString().startsWith("+PONG")));
  });
}
