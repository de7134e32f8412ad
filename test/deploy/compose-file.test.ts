import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

type Service = {
  build?: unknown;
  profiles?: string[];
  image?: string;
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { required?: boolean }>;
};
const compose = load(readFileSync("compose.yaml", "utf8")) as { services: Record<string, Service> };
const envExample = readFileSync(".env.example", "utf8");
/** `NAME=value` lines of .env.example, by name. */
const exampleValues = new Map([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.[jt]s$/.test(name) ? [path] : [];
  });
}
// Our code and Probot's (which reads APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, HOST, PORT, LOG_*, GHE_* itself).
const code = [...sources("src"), ...sources("node_modules/probot/lib")].map((file) => readFileSync(file, "utf8")).join("\n");
const app = compose.services.app!;

describe("compose.yaml: one replica, consistent with .env.example and the code", () => {
  it("the app is built from the Dockerfile and reads .env (made from .env.example)", () => {
    expect(app.build).toBe(".");
    expect(app.env_file).toBe(".env");
    expect(app.profiles).toBeUndefined();
  });

  it("every variable it passes is in .env.example and read by the code", () => {
    const passed = Object.keys(app.environment ?? {});
    expect(passed.length).toBeGreaterThan(0);
    for (const name of passed) {
      expect({ name, inEnvExample: exampleValues.has(name) }).toEqual({ name, inEnvExample: true });
      expect({ name, read: code.includes(name) }).toEqual({ name, read: true });
    }
  });

  it("the published port is the port the server listens on, and the Dockerfile exposes", () => {
    const port = app.environment!.PORT!;
    expect(readFileSync("Dockerfile", "utf8")).toContain(`EXPOSE ${port}`);
    expect(app.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(app.healthcheck!.test.join(" ")).toContain(`http://127.0.0.1:${port}/`);
  });

  it("the healthcheck asks a path the server answers", () => {
    const path = /127\.0\.0\.1:\d+(\/[a-z]+)/.exec(app.healthcheck!.test.join(" "))![1]!;
    expect(path).toBe("/health");
    expect(readFileSync("src/operations/operations.ts", "utf8")).toContain(`path === "${path}"`);
  });

  it("Redis only in the optional `redis` profile, and the app does not require it", () => {
    const withRedis = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith("redis"));
    expect(withRedis.map(([name, s]) => [name, s.profiles])).toEqual([["redis", ["redis"]]]);
    expect(app.depends_on?.redis?.required).toBe(false);
    expect(Object.keys(app.environment ?? {})).not.toContain("REDIS_URL");
    expect(exampleValues.get("REDIS_URL")).toBe("");
  });

  it("single replica: no service is scaled", () => {
    for (const service of Object.values(compose.services)) expect(service).not.toHaveProperty("deploy.replicas");
  });
});

describe("metrics are not served to the network without a token by default", () => {
  it(".env.example binds the server to localhost, or sets a metrics token", () => {
    const host = exampleValues.get("HOST");
    const token = exampleValues.get("SDLC_GUARD_METRICS_TOKEN") ?? "";
    expect(host === "127.0.0.1" || host === "localhost" || token !== "").toBe(true);
  });

  it("compose.yaml publishes the port on the host's loopback only, or sets a metrics token", () => {
    const token = app.environment?.SDLC_GUARD_METRICS_TOKEN ?? "";
    expect(app.ports!.every((port) => port.startsWith("127.0.0.1:")) || token !== "").toBe(true);
  });
});
