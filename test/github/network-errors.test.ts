import { freePort } from "../../sim/free-port.js";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo, type LookupFunction } from "node:net";
import { ProbotOctokit } from "probot";
import { describeFailure, describeGitHubError } from "../../src/common/describe-error.js";
import { networkFailure } from "../../src/common/network-error.js";
import { hardenRequests } from "../../src/github/transport/harden-requests.js";
import { keepAliveFetch } from "../../src/github/transport/keep-alive-fetch.js";
import type { GitHubClient } from "../../src/github/types.js";

/** A port nothing listens on: one the system gave a server that is closed again. */
const closedPort = freePort;

/** A name server that knows no name (no real DNS is asked): counts the lookups, so retries show. */
function failingLookup(code: "ENOTFOUND" | "EAI_AGAIN") {
  const calls: string[] = [];
  const lookup = ((hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException) => void) => {
    calls.push(hostname);
    const error: NodeJS.ErrnoException & { hostname?: string } = new Error(`getaddrinfo ${code} ${hostname}`);
    error.code = code;
    error.syscall = "getaddrinfo";
    error.hostname = hostname;
    process.nextTick(() => callback(error));
  }) as unknown as LookupFunction;
  return { lookup, calls };
}

/** Probot's Octokit with its retry plugin on (waits of 1, 4, 9 ms instead of seconds), as hardened by the app. */
function client(baseUrl: string, agents: { http: http.Agent; https: https.Agent } = { http: new http.Agent(), https: new https.Agent() }) {
  const octokit = new ProbotOctokit({
    baseUrl,
    retry: { retryAfterBaseValue: 1 },
    throttle: { enabled: false },
    request: { fetch: keepAliveFetch(agents) },
  }) as unknown as GitHubClient;
  hardenRequests(octokit);
  return octokit;
}

async function failure(request: Promise<unknown>): Promise<unknown> {
  try {
    await request;
  } catch (error) {
    return error;
  }
  throw new Error("the request was expected to fail");
}

describe("network failures are named as such, not as 'GitHub answered HTTP 500'", () => {
  it("a refused connection says 'connection refused by <host>', and is retried (the server may be restarting)", async () => {
    const port = await closedPort();
    const attempts: number[] = [];
    const agent = new http.Agent();
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
      attempts.push(port);
      return createConnection(...args);
    }) as typeof agent.createConnection;

    const error = await failure(client(`http://127.0.0.1:${port}`, { http: agent, https: new https.Agent() }).rest.meta.get());

    expect(describeGitHubError(error)).toBe(`network error, no answer from GitHub: connection refused by 127.0.0.1:${port}`);
    expect(networkFailure(error)).toMatchObject({ kind: "refused", code: "ECONNREFUSED", permanent: false });
    expect(attempts).toHaveLength(4);
  });

  it("a name that does not resolve says 'DNS lookup failed for <host>' and is not retried", async () => {
    const { lookup, calls } = failingLookup("ENOTFOUND");
    const agents = { http: new http.Agent({ lookup } as http.AgentOptions), https: new https.Agent({ lookup } as https.AgentOptions) };

    const error = await failure(client("http://localhost:8443/api/v3", agents).rest.meta.get());

    expect(describeGitHubError(error)).toBe("network error, no answer from GitHub: DNS lookup failed for localhost:8443 (ENOTFOUND)");
    expect(describeGitHubError(error)).not.toContain("HTTP 500");
    expect(calls).toEqual(["localhost"]);
  });

  it("a temporary DNS failure (EAI_AGAIN) is named as one and retried", async () => {
    const { lookup, calls } = failingLookup("EAI_AGAIN");
    const agents = { http: new http.Agent({ lookup } as http.AgentOptions), https: new https.Agent() };

    const error = await failure(client("http://localhost:8443", agents).rest.meta.get());

    expect(describeFailure(error)).toBe(
      "network error, no answer from GitHub: DNS lookup failed for localhost:8443 (EAI_AGAIN: temporary failure)",
    );
    expect(calls).toHaveLength(4);
  });

  it("a TLS handshake that fails says 'TLS handshake … failed' with the code, and is not retried", async () => {
    // A server that answers in plain HTTP where TLS is expected: the client's handshake fails (no certificate needed).
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.on("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"));
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await failure(client(`https://127.0.0.1:${port}`).rest.meta.get());

      // OpenSSL reads the plain-text answer as a record of a wrong version: Node names it EPROTO.
      expect(describeGitHubError(error)).toBe(`network error, no answer from GitHub: TLS handshake with 127.0.0.1:${port} failed (EPROTO)`);
      expect(networkFailure(error)).toMatchObject({ kind: "tls", permanent: true });
      expect(connections).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    ["ECONNRESET", "connection reset by api.github.com", "reset"],
    ["ETIMEDOUT", "connection to api.github.com timed out", "timeout"],
    ["CERT_HAS_EXPIRED", "TLS handshake with api.github.com failed (CERT_HAS_EXPIRED)", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "TLS handshake with api.github.com failed (ERR_TLS_CERT_ALTNAME_INVALID)", "tls"],
  ])("%s, as Octokit reports it (HTTP 500 caused by 'fetch failed'), reads '%s'", (code, sentence, kind) => {
    const cause = Object.assign(new Error(`${code} something`), { code });
    const error = Object.assign(new Error(cause.message), {
      name: "HttpError",
      status: 500,
      request: { url: "https://api.github.com/repos/acme/payments" },
      cause: new TypeError("fetch failed", { cause }),
    });
    expect(describeGitHubError(error)).toBe(`network error, no answer from GitHub: ${sentence}`);
    expect(networkFailure(error)?.kind).toBe(kind);
  });

  it("a real HTTP 500 from GitHub is still reported as one", () => {
    const error = Object.assign(new Error("Internal Server Error"), { status: 500, request: { url: "https://api.github.com/x" } });
    expect(describeGitHubError(error)).toBe("GitHub answered HTTP 500 (Internal Server Error)");
    expect(networkFailure(error)).toBeUndefined();
  });
});
