import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";

const gunzip = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.gunzip);
const inflate = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflate);
const inflateRaw = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflateRaw);
const brotliDecompress = promisify<zlib.InputType, zlib.BrotliOptions, Buffer>(zlib.brotliDecompress);

type Agents = { http: http.Agent; https: https.Agent };

/**
 * `fetch` for Octokit's requests to GitHub over Node's own `http`/`https` with keep-alive agents.
 *
 * Node's global `fetch` (undici) costs the app more CPU per request than anything of its own: WHATWG streams, a
 * `Request`/`Response` pair and header validation, for what is a short JSON exchange (CPU profile of
 * `npm run bench`). This answers the subset Octokit asks of `fetch` (`@octokit/request`'s fetch wrapper, and
 * {@link RateLimitBook.fetchFor}): method, string or byte body, plain-object headers, `signal` and `redirect`; the
 * answer's status, headers, final URL and body (`text`, `json`, `arrayBuffer`, `body`, `clone`). The body is read whole
 * before the promise settles, so a keep-alive socket is always free again whether or not the caller reads it.
 *
 * Same behaviour as `fetch` where it matters to callers: `accept-encoding: gzip, deflate, br` unless the caller set one,
 * and the body decoded; redirects followed as the fetch standard says (at most 20; a 303, or a 301/302 answering a
 * POST, turns into a GET without body; `authorization` dropped when the origin changes), `redirect: "manual"` returns
 * the 3xx, `"error"` rejects; a network failure rejects with `TypeError("fetch failed")` whose `cause` is the error; an
 * abort rejects with the signal's reason. Anything else (a stream, form data or `Headers` as input) is handed to
 * `globalThis.fetch`, so nothing is refused that `fetch` would take.
 *
 * `bodyIsData`: for an Octokit request made with `request.parseSuccessResponseBody: false`, whose `data` is then the
 * answer's `body` as fetch gave it (@octokit/request). `body` is then what Octokit would have made of it: the parsed
 * JSON (with `JSON.parse`), text, or an ArrayBuffer. Octokit parses with `json-with-bigint`, which on Node 20 costs
 * about six times `JSON.parse` (a regular-expression pass and a reviver over every value); GitHub's numbers all fit a
 * double. Only {@link hardenRequests} asks for this, and only when the caller has not set the option.
 */
export function keepAliveFetch(
  agents: Agents = defaultAgents(),
  { bodyIsData = false }: { bodyIsData?: boolean } = {},
): typeof globalThis.fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const target = typeof input === "string" ? input : input instanceof URL ? input.href : undefined;
    const body = init.body;
    if (
      target === undefined ||
      !isPlainHeaders(init.headers) ||
      !(body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array)
    ) {
      const response = await globalThis.fetch(input, init);
      if (!bodyIsData) return response;
      // The caller still expects Octokit's data as the body (its parseSuccessResponseBody is off), not a stream.
      const bytes = Buffer.from(await response.arrayBuffer());
      return bufferedResponse(
        response.status,
        response.statusText,
        Object.fromEntries(response.headers),
        bytes,
        response.url,
        response.redirected,
        true,
      );
    }
    const request = {
      url: new URL(target),
      method: init.method?.toUpperCase() ?? "GET",
      headers: lowerCased(init.headers),
      body: body ?? undefined,
      signal: init.signal ?? undefined,
    };
    return send(agents, request, init.redirect ?? "follow", bodyIsData);
  }) as typeof globalThis.fetch;
}

let shared: Agents | undefined;
function defaultAgents() {
  // Sockets are reused; an idle one is closed after 4 s as undici does (or sooner if the server's `Keep-Alive: timeout=`
  // says so), before a server's idle timeout can close it under a request.
  const options = { keepAlive: true, timeout: 4_000 };
  shared ??= { http: new http.Agent(options), https: new https.Agent(options) };
  return shared;
}

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One request as it goes out (each redirect makes the next one). */
interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
}

async function send(
  agents: Agents,
  first: Outgoing,
  redirect: NonNullable<RequestInit["redirect"]>,
  bodyIsData: boolean,
): Promise<Response> {
  let request = first;
  for (let redirects = 0; ; redirects++) {
    const answer = await exchange(agents, request);
    const location = answer.headers.location;
    if (!REDIRECTS.has(answer.status) || location === undefined || redirect === "manual")
      return answer.toResponse(request.url.href, redirects > 0, bodyIsData);
    if (redirect === "error")
      throw new TypeError("fetch failed", { cause: new Error(`redirect (${answer.status}) refused: redirect is "error"`) });
    if (redirects >= MAX_REDIRECTS) throw new TypeError("fetch failed", { cause: new Error("redirect count exceeded") });
    const { method, url } = request;
    const next = { ...request, url: new URL(location, url) };
    if (
      answer.status === 303 ? method !== "GET" && method !== "HEAD" : (answer.status === 301 || answer.status === 302) && method === "POST"
    ) {
      Object.assign(next, { method: "GET", body: undefined, headers: withoutHeaders(next.headers, (name) => name.startsWith("content-")) });
    }
    if (next.url.origin !== url.origin)
      next.headers = withoutHeaders(
        next.headers,
        (name) => name === "authorization" || name === "cookie" || name === "proxy-authorization",
      );
    request = next;
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  toResponse(url: string, redirected: boolean, bodyIsData: boolean): Response;
}

function exchange(agents: Agents, { url, method, headers, body, signal }: Outgoing): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:")
      return reject(new TypeError("fetch failed", { cause: new Error(`unsupported protocol ${url.protocol}`) }));
    const outgoing: Record<string, string | number> = { "accept-encoding": "gzip, deflate, br", ...headers };
    if (body !== undefined) outgoing["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    else if (method !== "GET" && method !== "HEAD") outgoing["content-length"] = 0;
    const request = (secure ? https : http).request(url, { method, headers: outgoing, agent: secure ? agents.https : agents.http });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    };
    const onAbort = () => {
      fail(abortReason(signal!));
      request.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received <= MAX_ANSWER_BYTES) return void chunks.push(chunk);
        fail(new TypeError("fetch failed", { cause: new Error(`GitHub's answer is larger than ${MAX_ANSWER_BYTES} bytes`) }));
        request.destroy();
      });
      response.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
      response.on("end", async () => {
        if (settled) return;
        let bytes: Buffer;
        try {
          bytes = await decoded(Buffer.concat(chunks), response.headers["content-encoding"], method);
        } catch (error) {
          return fail(new TypeError("fetch failed", { cause: error }));
        }
        if (settled) return; // the deadline passed while it was decoded
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        const status = response.statusCode ?? 0;
        const statusText = response.statusMessage ?? "";
        const headerList = response.headers;
        resolve({
          status,
          headers: headerList,
          toResponse: (...answer) => bufferedResponse(status, statusText, headerList, bytes, ...answer),
        });
      });
    });
    request.end(body);
  });
}

/** Largest answer taken, as received and once decoded (GitHub's API answers are far smaller; the app's heap is 192 MB). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** The body as sent before its content coding; decoded off the main thread, and never past {@link MAX_ANSWER_BYTES}. */
async function decoded(bytes: Buffer, encoding: string | undefined, method: string): Promise<Buffer> {
  if (!encoding || bytes.length === 0 || method === "HEAD") return bytes;
  const options = { maxOutputLength: MAX_ANSWER_BYTES };
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return gunzip(bytes, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case "deflate":
      // "deflate" is zlib-wrapped by the standard, raw by some servers: fetch takes both.
      return (bytes[0]! & 0x0f) === 0x08 ? inflate(bytes, options) : inflateRaw(bytes, options);
    case "br":
      return brotliDecompress(bytes, options);
    default:
      return bytes;
  }
}

function bufferedResponse(
  status: number,
  statusText: string,
  raw: http.IncomingHttpHeaders | Record<string, string>,
  bytes: Buffer,
  url: string,
  redirected: boolean,
  bodyIsData: boolean,
): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, value);
  }
  let used = false;
  let bodyMade = false;
  let bodyValue: unknown;
  const take = () => {
    if (used) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
    return bytes;
  };
  const response = {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    redirected,
    type: "basic",
    url,
    headers,
    get bodyUsed() {
      return used;
    },
    get body() {
      // Made once, as fetch's is; reading it does not consume text(), json()… (nothing here reads both).
      if (!bodyMade) {
        bodyMade = true;
        if (bodyIsData) bodyValue = octokitData(raw["content-type"], bytes);
        else
          bodyValue =
            status === 204 || status === 205 || status === 304
              ? null
              : (Readable.toWeb(Readable.from([bytes])) as ReadableStream<Uint8Array>);
      }
      return bodyValue;
    },
    text: async () => utf8(take()),
    json: async () => JSON.parse(utf8(take())) as unknown,
    arrayBuffer: async () => {
      const copy = take();
      return copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength);
    },
    bytes: async () => new Uint8Array(take()),
    blob: async () => new Blob([take()]),
    formData: async () => {
      throw new TypeError("formData() is not supported for a GitHub API answer");
    },
    clone: () => {
      if (used) throw new TypeError("Response.clone: Body has already been consumed.");
      return bufferedResponse(status, statusText, raw, bytes, url, redirected, bodyIsData);
    },
  };
  return response as unknown as Response;
}

/** What @octokit/request makes of a successful answer's body (its getResponseData), with `JSON.parse` for JSON. */
function octokitData(contentType: string | undefined, bytes: Buffer): unknown {
  if (!contentType) return utf8(bytes);
  const [type = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type === "application/json" || type === "application/scim+json") {
    const text = utf8(bytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  const charset = parameters
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/^"|"$/g, "");
  if (type.startsWith("text/") || (charset === "utf-8" && type !== "application/octet-stream")) return utf8(bytes);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** UTF-8 text without a leading byte-order mark, as fetch's `text()` gives it. */
function utf8(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function isPlainHeaders(headers: RequestInit["headers"]): headers is Record<string, string> | undefined {
  if (headers === undefined) return true;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers) || headers instanceof Headers) return false;
  return Object.values(headers).every((value) => typeof value === "string");
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function withoutHeaders(headers: Record<string, string>, drop: (name: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name)));
}
