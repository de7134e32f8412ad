import type { HeadCheck } from "../facts/pull-request.js";

/** One required check: its name and, when pinned, the slug of the only app whose check run of that name counts. */
export interface RequiredCheckSpec {
  name: string;
  app: string | null;
}

/** The configured checks as specs, each distinct (name, app) once, in configuration order. */
export function requiredCheckSpecs(config: { checks: readonly (string | { name: string; app: string })[] }): RequiredCheckSpec[] {
  const specs = new Map<string, RequiredCheckSpec>();
  for (const entry of config.checks) {
    const spec = typeof entry === "string" ? { name: entry, app: null } : { name: entry.name, app: entry.app.toLowerCase() };
    specs.set(`${spec.app ?? ""}\u0000${spec.name}`, spec);
  }
  return [...specs.values()];
}

/** Whether a report from this source can count for the spec: any source when unpinned, else only a run of the pinned app. */
export function countsFor(spec: RequiredCheckSpec, source: { kind: HeadCheck["kind"]; app: string | null }): boolean {
  return spec.app === null || (source.kind === "check run" && source.app?.toLowerCase() === spec.app);
}
