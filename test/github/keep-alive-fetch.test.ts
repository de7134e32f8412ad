import { jest } from "@jest/globals";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync, brotliCompressSync, deflateRawSync } from "node:zlib";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { keepAliveFetch } from "../../src/github/transport/keep-alive-fetch.js";
import { hardenRequests } from "../../src/github/transport/harden-requests.js";
import type { GitHubClient } from "../../src/github/types.js";

/** A local HTTP server (the GitHub API is out of reach): each request is recorded and answered by `answer`. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: object;
}
async function server(answer: (seen: Seen, response: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const sockets = new Set<object>();
  const s = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const one = {
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        socket: request.socket,
      };
      seen.push(one);
      sockets.add(request.socket);
      answer(one, response);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    sockets,
    close: () => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))),
  };
}

const json = (response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  response.end(JSON.stringify(body));
};

// Only local servers here, and nock's interception of Node's http module would hide what is tested (it answers each
// request on a socket of its own): it is taken off for this file (test/setup/no-network.ts takes it off after each file).
beforeAll(() => nock.restore());

/** An Octokit as the tests build it (retries and throttling off) for a local server, with `request` defaults. */
const octokitAt = (origin: string, request: Record<string, unknown> = {}) =>
  new (ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }))({
    auth: { token: "t" },
    baseUrl: origin,
    request,
  }) as unknown as GitHubClient;

const agents = () => ({ http: new http.Agent({ keepAlive: true }), https: undefined as never });
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function started(answer: Parameters<typeof server>[0]) {
  const s = await server(answer);
  servers.push(s);
  return s;
}

describe("keepAliveFetch: what Octokit asks of fetch", () => {
  it("sends the method, headers and body, and answers status, headers and body as fetch does", async () => {
    const github = await started((_seen, response) =>
      json(response, 201, { id: 7 }, { etag: '"abc"', "x-ratelimit-remaining": "4999", "set-cookie": ["a=1", "b=2"] }),
    );
    const fetch = keepAliveFetch(agents());
    const body = JSON.stringify({ name: "sdlc-guard", head_sha: "a".repeat(40) });
    const response = await fetch(`${github.origin}/repos/o/r/check-runs`, {
      method: "POST",
      headers: { Authorization: "token t", "content-type": "application/json; charset=utf-8" },
      body,
    });

    expect(github.seen[0]).toMatchObject({ method: "POST", url: "/repos/o/r/check-runs", body });
    expect(github.seen[0]!.headers).toMatchObject({
      authorization: "token t",
      "content-length": String(body.length),
      "accept-encoding": "gzip, deflate, br",
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.redirected).toBe(false);
    expect(response.url).toBe(`${github.origin}/repos/o/r/check-runs`);
    expect(response.headers.get("etag")).toBe('"abc"');
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "x-ratelimit-remaining": "4999",
      "content-type": "application/json; charset=utf-8",
    });
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    const copy = response.clone();
    expect(await response.json()).toEqual({ id: 7 });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('{"id":7}');
  });

  it.each([
    ["gzip", gzipSync],
    ["br", brotliCompressSync],
    ["deflate", deflateRawSync],
  ] as const)("decodes a %s body (it asks for compression, as fetch does)", async (encoding, compress) => {
    const github = await started((_seen, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": encoding });
      response.end(compress(Buffer.from(JSON.stringify({ compressed: encoding }))));
    });
    const response = await keepAliveFetch(agents())(`${github.origin}/x`, {});
    expect(await response.json()).toEqual({ compressed: encoding });
  });

  it("keeps the connection open for the next request", async () => {
    const github = await started((_seen, response) => json(response, 200, {}));
    const fetch = keepAliveFetch(agents());
    for (let i = 0; i < 5; i++) await (await fetch(`${github.origin}/n/${i}`, {})).text();
    // A 204 whose body nobody reads frees its socket too (the body is read whole before the answer is given).
    const empty = await started((_seen, response) => (response.writeHead(204), response.end()));
    for (let i = 0; i < 3; i++) expect((await fetch(`${empty.origin}/e/${i}`, { method: "DELETE" })).status).toBe(204);
    expect(github.seen).toHaveLength(5);
    expect(github.sockets.size).toBe(1);
    expect(empty.sockets.size).toBe(1);
    expect(empty.seen[0]!.headers["content-length"]).toBe("0");
  });
});

describe("keepAliveFetch: answers it does not take whole", () => {
  it("refuses an answer larger than 32 MiB, as received or once decompressed (a compression bomb)", async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024)); // about 40 KB on the wire
    const github = await started((seen, response) => {
      if (seen.url === "/bomb")
        return (response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }), response.end(bomb));
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(Buffer.alloc(33 * 1024 * 1024));
    });
    const fetch = keepAliveFetch(agents());
    await expect(fetch(`${github.origin}/bomb`, {})).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
      cause: { code: "ERR_BUFFER_TOO_LARGE" },
    });
    await expect(fetch(`${github.origin}/big`, {})).rejects.toMatchObject({
      name: "TypeError",
      cause: { message: "GitHub's answer is larger than 33554432 bytes" },
    });
  });

  it("drops a UTF-8 byte-order mark from text, as fetch does", async () => {
    const github = await started(
      (_seen, response) => (
        response.writeHead(200, { "content-type": "application/json" }),
        response.end(Buffer.from('\ufeff{"bom":true}'))
      ),
    );
    expect(await (await keepAliveFetch(agents())(`${github.origin}/x`, {})).json()).toEqual({ bom: true });
    const asData = await keepAliveFetch(agents(), { bodyIsData: true })(`${github.origin}/x`, {});
    expect(asData.body).toEqual({ bom: true });
    expect(asData.body).toBe(asData.body); // made once
  });
});

describe("keepAliveFetch: redirects as the fetch standard has them", () => {
  it("follows a 301 of a GET (a renamed repository) and reports the final URL", async () => {
    const github = await started((seen, response) => {
      if (seen.url === "/repos/o/old") return (response.writeHead(301, { location: "/repositories/42" }), response.end());
      json(response, 200, { full_name: "o/new" });
    });
    const response = await keepAliveFetch(agents())(`${github.origin}/repos/o/old`, { headers: { authorization: "token t" } });
    expect(await response.json()).toEqual({ full_name: "o/new" });
    expect(response.url).toBe(`${github.origin}/repositories/42`);
    expect(response.redirected).toBe(true);
    expect(github.seen.map((s) => s.headers.authorization)).toEqual(["token t", "token t"]);
  });

  it("turns a POST answered 303 into a GET without body, and drops the token when the origin changes", async () => {
    const elsewhere = await started((_seen, response) => json(response, 200, { there: true }));
    const github = await started((_seen, response) => (response.writeHead(303, { location: `${elsewhere.origin}/done` }), response.end()));
    const response = await keepAliveFetch(agents())(`${github.origin}/start`, {
      method: "POST",
      headers: { authorization: "token t", "content-type": "application/json" },
      body: "{}",
    });
    expect(await response.json()).toEqual({ there: true });
    expect(elsewhere.seen[0]).toMatchObject({ method: "GET", body: "" });
    expect(elsewhere.seen[0]!.headers.authorization).toBeUndefined();
    expect(elsewhere.seen[0]!.headers["content-type"]).toBeUndefined();
  });

  it("re-sends method and body on a 307", async () => {
    const github = await started((seen, response) => {
      if (seen.url === "/a") return (response.writeHead(307, { location: "/b" }), response.end());
      json(response, 200, { got: seen.body });
    });
    const response = await keepAliveFetch(agents())(`${github.origin}/a`, { method: "PATCH", body: '{"x":1}' });
    expect(await response.json()).toEqual({ got: '{"x":1}' });
    expect(github.seen.map((s) => s.method)).toEqual(["PATCH", "PATCH"]);
  });

  it('returns the 3xx with redirect "manual", rejects with "error", and gives up after 20 redirects', async () => {
    const github = await started((seen, response) => (response.writeHead(302, { location: `/loop${seen.url.length}` }), response.end()));
    const fetch = keepAliveFetch(agents());
    expect((await fetch(`${github.origin}/x`, { redirect: "manual" })).status).toBe(302);
    await expect(fetch(`${github.origin}/x`, { redirect: "error" })).rejects.toThrow("fetch failed");
    const before = github.seen.length;
    await expect(fetch(`${github.origin}/x`, {})).rejects.toMatchObject({
      name: "TypeError",
      cause: { message: "redirect count exceeded" },
    });
    expect(github.seen.length - before).toBe(21);
  });
});

describe("keepAliveFetch: failures", () => {
  it("rejects as fetch does when nothing listens: TypeError 'fetch failed' with the cause", async () => {
    const github = await started(() => undefined);
    const origin = github.origin;
    await github.close();
    servers.length = 0;
    await expect(keepAliveFetch(agents())(`${origin}/x`, {})).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
      cause: { code: "ECONNREFUSED" },
    });
  });

  it("rejects with the signal's reason when it aborts, before sending or while waiting for the answer", async () => {
    let answered = 0;
    const deadline = new AbortController();
    const github = await started((_seen, response) => {
      answered++;
      // The deadline passes while the server holds the request (as AbortSignal.timeout would, without timing).
      deadline.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      setTimeout(() => json(response, 200, {}), 2_000).unref();
    });
    const fetch = keepAliveFetch(agents());
    const aborted = new AbortController();
    aborted.abort();
    await expect(fetch(`${github.origin}/x`, { signal: aborted.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(answered).toBe(0);
    await expect(fetch(`${github.origin}/slow`, { signal: deadline.signal })).rejects.toMatchObject({ name: "TimeoutError" });
    expect(answered).toBe(1);
  });

  it("hands what it does not take (a Headers object) to the global fetch", async () => {
    const github = await started((seen, response) => json(response, 200, { auth: seen.headers.authorization }));
    const response = await keepAliveFetch(agents())(`${github.origin}/x`, { headers: new Headers({ authorization: "token h" }) });
    expect(await response.json()).toEqual({ auth: "token h" });
  });

  it("refuses a protocol other than http and https", async () => {
    await expect(keepAliveFetch(agents())("ftp://example.invalid/x", {})).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
    });
  });
});

describe("keepAliveFetch under Octokit", () => {
  const octokit = (origin: string) => octokitAt(origin, { fetch: keepAliveFetch(agents()) });

  it("gives Octokit parsed data, and its errors with GitHub's status and message", async () => {
    const github = await started((seen, response) => {
      if (seen.url.startsWith("/repos/o/r/pulls/1")) return json(response, 200, { number: 1, head: { sha: "b".repeat(40) } });
      json(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    });
    const client = octokit(github.origin);
    const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "o", repo: "r", pull_number: 1 });
    expect(data).toMatchObject({ number: 1, head: { sha: "b".repeat(40) } });
    await expect(client.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "gone" })).rejects.toMatchObject({
      status: 404,
      message: "Not Found - https://docs.github.com/rest",
    });
    expect(github.seen.map((s) => s.headers.authorization)).toEqual(["token t", "token t"]);
  });

  it("reads a GraphQL answer (POST /graphql)", async () => {
    const github = await started((seen, response) => json(response, 200, { data: { echo: JSON.parse(seen.body).variables.v } }));
    expect(await octokit(github.origin).graphql("query($v: String!) { echo(v: $v) }", { v: "hi" })).toEqual({ echo: "hi" });
  });
});

describe("hardened Octokits", () => {
  it("ask GitHub over keep-alive connections unless the Octokit brings its own fetch", async () => {
    const github = await started((_seen, response) => json(response, 200, { ok: true }));
    const hardened = octokitAt(github.origin);
    hardenRequests(hardened);
    const viaNodeHttp = jest.spyOn(http, "request");
    for (let i = 0; i < 4; i++)
      expect((await hardened.request("GET /repos/{owner}/{repo}", { owner: "o", repo: `r${i}` })).data).toEqual({ ok: true });
    expect(viaNodeHttp).toHaveBeenCalledTimes(4);
    expect(github.sockets.size).toBe(1);
    viaNodeHttp.mockRestore();
    // Parsed by that fetch with JSON.parse, not by Octokit's json-with-bigint: a number is a number (a BigInt would
    // break comparisons with ids and JSON.stringify of what the app stores).
    const big = await started(
      (_seen, response) => (response.writeHead(200, { "content-type": "application/json" }), response.end('{"id":12345678901234567890}')),
    );
    const answer = await octokitAt(big.origin).request("GET /x");
    const hardenedBig = octokitAt(big.origin);
    hardenRequests(hardenedBig);
    expect(typeof answer.data.id).toBe("bigint"); // Octokit's own parsing, for comparison
    expect(typeof (await hardenedBig.request("GET /x")).data.id).toBe("number");

    const own = await started((_seen, response) => json(response, 200, { ok: true }));
    const calls: string[] = [];
    const withOwnFetch = octokitAt(own.origin, {
      fetch: (url: string, init: RequestInit) => (calls.push(url), globalThis.fetch(url, init)),
    });
    hardenRequests(withOwnFetch);
    await withOwnFetch.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(calls).toEqual([`${own.origin}/repos/o/r`]);
  });
});

describe("keepAliveFetch with bodyIsData: the answer's body is what Octokit makes of it", () => {
  const octokit = (origin: string) =>
    octokitAt(origin, { fetch: keepAliveFetch(agents(), { bodyIsData: true }), parseSuccessResponseBody: false });

  it.each([
    [
      "JSON",
      "application/json; charset=utf-8",
      Buffer.from('{"id":12,"name":"r","nested":{"list":[1,"2",null]}}'),
      { id: 12, name: "r", nested: { list: [1, "2", null] } },
    ],
    ["SCIM JSON", "application/scim+json", Buffer.from('{"schemas":[]}'), { schemas: [] }],
    ["JSON that does not parse (as text, as Octokit does)", "application/json", Buffer.from("{oops"), "{oops"],
    ["text", "text/plain", Buffer.from("# a README"), "# a README"],
    ["another type in UTF-8", 'application/vnd.github.raw; charset="UTF-8"', Buffer.from("raw file"), "raw file"],
  ])("%s", async (_name, contentType, bytes, data) => {
    const github = await started((_seen, response) => (response.writeHead(200, { "content-type": contentType }), response.end(bytes)));
    expect((await octokit(github.origin).request("GET /x")).data).toEqual(data);
  });

  it("also when the request goes to the global fetch (a body it does not send itself)", async () => {
    const github = await started((seen, response) => json(response, 200, { got: seen.body }));
    const response = await keepAliveFetch(agents(), { bodyIsData: true })(`${github.origin}/x`, {
      method: "POST",
      body: new TextEncoder().encode("hi").buffer as ArrayBuffer,
    });
    expect(response.body).toEqual({ got: "hi" });
  });

  it("bytes, as an ArrayBuffer", async () => {
    const github = await started(
      (_seen, response) => (
        response.writeHead(200, { "content-type": "application/octet-stream; charset=utf-8" }),
        response.end(Buffer.from([1, 2, 3]))
      ),
    );
    const { data } = await octokit(github.origin).request("GET /x");
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  it("an error answer is still Octokit's to read", async () => {
    const github = await started((_seen, response) => json(response, 422, { message: "Validation Failed", errors: [{ code: "invalid" }] }));
    await expect(octokit(github.origin).request("POST /x", { data: 1 })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Validation Failed" } },
    });
  });

  it("a hardened Octokit whose caller asked for the body as a stream still gets a stream", async () => {
    const github = await started((_seen, response) => json(response, 200, { streamed: true }));
    const client = octokitAt(github.origin);
    hardenRequests(client);
    const { data } = await client.request("GET /x", { request: { parseSuccessResponseBody: false } });
    expect(data).toBeInstanceOf(ReadableStream);
    expect(await new Response(data as ReadableStream).json()).toEqual({ streamed: true });
  });
});
