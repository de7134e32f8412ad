import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** A literal address that must never receive a notification: loopback, private, link-local, unspecified, CGNAT, ULA. */
export function isInternalAddress(address: string): boolean {
  const v4 = isIP(address) === 4 ? address : mappedV4(address);
  if (v4) {
    const [a, b] = v4.split(".").map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6);
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:127.0.0.1`, which URL writes `::ffff:7f00:1`). */
function mappedV4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * Whether a notification may be sent to `raw`: https only, and a host that is not (and does not resolve to) a loopback,
 * private or link-local address, so a config cannot aim the app at its own network. `allowInternal` (the
 * SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS testing flag) lifts both. Reasons never quote the URL (it is a secret).
 */
export async function checkNotificationUrl(
  raw: string,
  allowInternal: boolean,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "a URL with credentials" };
  if (allowInternal) {
    return url.protocol === "https:" || url.protocol === "http:" ? { ok: true, url } : { ok: false, reason: "not http(s)" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "not https" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "a loopback host" };
  if (isIP(host)) return isInternalAddress(host) ? { ok: false, reason: "a loopback, private or link-local address" } : { ok: true, url };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return { ok: false, reason: "a host that does not resolve" };
  }
  if (addresses.length === 0 || addresses.some(isInternalAddress))
    return { ok: false, reason: "a host resolving to a loopback, private or link-local address" };
  return { ok: true, url };
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((entry) => entry.address);
}
