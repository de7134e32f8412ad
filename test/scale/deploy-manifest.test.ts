import { readFileSync } from "node:fs";
import { loadAll } from "js-yaml";

// deploy/kubernetes.yaml is an example, but one that must stay true to the app: what it sets is what the app reads.

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
}
interface Container {
  name: string;
  args?: string[];
  envFrom?: { secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
}
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number };

const objects = (loadAll(readFileSync("deploy/kubernetes.yaml", "utf8")) as K8sObject[]).filter(Boolean);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;

describe("the Kubernetes example (deploy/kubernetes.yaml)", () => {
  it("runs two or more replicas of the app, configured from one Secret that holds REDIS_URL and the app's credentials", () => {
    const deployment = find("Deployment", "sdlc-guard");
    expect((deployment.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    const app = podSpec(deployment).containers[0]!;
    expect(app.envFrom).toEqual([{ secretRef: { name: "sdlc-guard" } }]);
    const secret = find("Secret", "sdlc-guard");
    expect(Object.keys(secret.stringData!)).toEqual(expect.arrayContaining(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "REDIS_URL"]));
    expect(secret.stringData!.REDIS_URL).toMatch(/^redis:\/\/:[^@]+@sdlc-guard-redis:6379\/0$/);
  });

  it("probes /health (liveness, start-up) and /ready (readiness), and gives a shutdown more time than the app's own bound", () => {
    const spec = podSpec(find("Deployment", "sdlc-guard"));
    const app = spec.containers[0]!;
    expect([app.startupProbe?.httpGet?.path, app.livenessProbe?.httpGet?.path, app.readinessProbe?.httpGet?.path]).toEqual([
      "/health",
      "/health",
      "/ready",
    ]);
    const bound = Number(app.env!.find((e) => e.name === "SDLC_GUARD_SHUTDOWN_TIMEOUT_MS")!.value);
    expect(spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(bound);
    expect(app.env!.find((e) => e.name === "SDLC_GUARD_REPLICA_ID")!.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
  });

  it("has Redis keep its data (append-only file) and never evict (BullMQ's jobs are webhooks), behind its Service", () => {
    const redis = podSpec(find("StatefulSet", "sdlc-guard-redis")).containers[0]!;
    expect(redis.args).toEqual(expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]));
    expect(find("Service", "sdlc-guard-redis")).toBeDefined();
  });

  it("publishes only the webhook path, with room for GitHub's 25 MB payloads", () => {
    const ingress = find("Ingress", "sdlc-guard");
    expect(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-body-size"]).toBe("25m");
    const paths = (ingress.spec as { rules: { http: { paths: { path: string }[] } }[] }).rules.flatMap((r) =>
      r.http.paths.map((p) => p.path),
    );
    expect(paths).toEqual(["/api/github/webhooks"]);
    expect(objects.every((o) => o.kind === "Namespace" || o.metadata.namespace === "sdlc-guard")).toBe(true);
  });
});
