import { freePort } from "../../sim/free-port.js";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { ProbotOctokit } from "probot";
import { runCli } from "../../src/cli/program.js";
import { keepAliveFetch } from "../../src/github/transport/keep-alive-fetch.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";

async function cli(args: string[], env: NodeJS.ProcessEnv, Octokit: typeof ProbotOctokit) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, { Octokit });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** Probot's Octokit as the CLI builds it (retries on, with their waits of 1, 4 and 9 s), over `agents`; `tried` gets each attempt's URL. */
const octokitOver = (agents: { http: http.Agent; https: https.Agent }, tried: string[] = []) => {
  const fetch = keepAliveFetch(agents);
  const counted = ((input: string | URL | Request, init?: RequestInit) => {
    tried.push(String(input));
    return fetch(input, init);
  }) as typeof globalThis.fetch;
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    request: { ...(options.request as object), fetch: counted },
  }));
};

describe("sdlc-guard CLI: network failures are named, and the ones retrying cannot mend fail at once", () => {
  it("an unresolvable GitHub host fails at once, after one lookup, with 'DNS lookup failed for <host>'", async () => {
    const lookups: string[] = [];
    // No real DNS: a name server that knows no name.
    const lookup = ((hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException) => void) => {
      lookups.push(hostname);
      process.nextTick(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname })));
    }) as unknown as LookupFunction;
    const agents = { http: new http.Agent({ lookup } as http.AgentOptions), https: new https.Agent({ lookup } as https.AgentOptions) };
    const tried: string[] = [];

    const { code, stdout, stderr } = await cli(
      ["evaluate", "acme/payments#1"],
      { GITHUB_TOKEN: TOKEN, GHE_HOST: "localhost:9", GHE_PROTOCOL: "http" },
      octokitOver(agents, tried),
    );

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("DNS lookup failed for localhost:9 (ENOTFOUND)");
    expect(stderr).not.toContain("HTTP 500");
    expect(stderr).not.toContain(TOKEN);
    // Not retried: each request the evaluation made was tried once (Probot's retry plugin would try it 4 times).
    expect(tried.length).toBeGreaterThan(0);
    expect(tried).toEqual([...new Set(tried)]);
    expect(lookups).toHaveLength(tried.length);
  });

  it("a GitHub host that refuses the connection says so", async () => {
    const port = await freePort(); // nothing listens on it
    const NoRetries = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false } }));

    const { code, stderr } = await cli(
      ["evaluate", "acme/payments#1"],
      { GITHUB_TOKEN: TOKEN, GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: "http" },
      NoRetries,
    );

    expect(code).toBe(2);
    expect(stderr).toContain(`connection refused by 127.0.0.1:${port}`);
    expect(stderr).not.toContain("HTTP 500");
  });
});
