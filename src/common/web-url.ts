/** GitHub's web address: https://github.com, or the GitHub Enterprise Server named by GHE_HOST / GHE_PROTOCOL. */
export function webUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const host = env.GHE_HOST?.trim().replace(/\/+$/, "");
  if (!host) return "https://github.com";
  const protocol = (env.GHE_PROTOCOL?.trim() || "https").replace(/:\/*$/, "");
  if (protocol !== "https" && protocol !== "http") throw new Error(`GHE_PROTOCOL must be https or http, not "${protocol.slice(0, 20)}"`);
  return `${protocol}://${host}`;
}
