import { Presets, SingleBar } from "cli-progress";
import type { CliOutput } from "./io.js";

/** A progress bar on stderr when it is a terminal (never in pipes, logs or tests), fed by a collection's progress. */
export function progressBar(
  stderr: CliOutput,
): { onProgress: (p: { phase: string; done: number; total: number }) => void; stop: () => void } | undefined {
  const stream = stderr as CliOutput & Partial<NodeJS.WriteStream>;
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar(
    { stream: stream as NodeJS.WriteStream, format: "{bar} {value}/{total} {phase}", hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  bar.start(1, 0, { phase: "starting" });
  return {
    onProgress: ({ phase, done, total }) => {
      bar.setTotal(total);
      bar.update(done, { phase });
    },
    stop: () => bar.stop(),
  };
}
