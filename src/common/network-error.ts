/** A failure below HTTP (no answer from the server), named by what went wrong: DNS, refused, reset, timeout, TLS. */
export interface NetworkFailure {
  kind: "dns" | "refused" | "reset" | "timeout" | "tls";
  /** The system or TLS error code (`ENOTFOUND`, `CERT_HAS_EXPIRED`…). */
  code: string;
  /** Retrying cannot help: the name does not exist, or the certificate is refused. */
  permanent: boolean;
  /** "DNS lookup failed for api.github.com (ENOTFOUND)", fit for a check run, a log line or the CLI. */
  sentence: string;
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "EPROTO",
]);

interface Coded {
  code?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
  request?: { url?: unknown };
}

/**
 * The network failure behind `error` (an Octokit `RequestError` whose cause is `TypeError("fetch failed")`, that
 * TypeError, or the system error itself), or undefined when the error is not one.
 */
export function networkFailure(error: unknown): NetworkFailure | undefined {
  let host = hostOfUrl((error as Coded | undefined)?.request?.url);
  for (let e = error as Coded | undefined, depth = 0; e && typeof e === "object" && depth < 5; e = e.cause as Coded | undefined, depth++) {
    if (typeof e.code !== "string") continue;
    host ??= typeof e.hostname === "string" ? e.hostname : typeof e.address === "string" ? withPort(e.address, e.port) : undefined;
    const named = name(e.code, host ?? "the server");
    if (named) return { ...named, code: e.code };
  }
  return undefined;
}

function name(code: string, host: string): Omit<NetworkFailure, "code"> | undefined {
  switch (code) {
    case "ENOTFOUND":
      return { kind: "dns", permanent: true, sentence: `DNS lookup failed for ${host} (${code})` };
    case "EAI_AGAIN":
      return { kind: "dns", permanent: false, sentence: `DNS lookup failed for ${host} (${code}: temporary failure)` };
    case "ECONNREFUSED":
      return { kind: "refused", permanent: false, sentence: `connection refused by ${host}` };
    case "ECONNRESET":
    case "EPIPE":
      return { kind: "reset", permanent: false, sentence: `connection reset by ${host}` };
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return { kind: "timeout", permanent: false, sentence: `connection to ${host} timed out` };
  }
  if (code.startsWith("CERT_") || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || TLS_CODES.has(code))
    return { kind: "tls", permanent: true, sentence: `TLS handshake with ${host} failed (${code})` };
  return undefined;
}

function hostOfUrl(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function withPort(address: string, port: unknown): string {
  return typeof port === "number" ? `${address}:${port}` : address;
}
