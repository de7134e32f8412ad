// Validates every ```mermaid block of the Markdown read on stdin with the real Mermaid parser.
// Prints `{ "blocks": n, "errors": [{ "block": i, "message": "..." }] }` and exits 1 on any error (or no parser).
// Run as a separate process: jest's ESM VM cannot load mermaid.
import { Buffer } from "node:buffer";
import process from "node:process";
import { JSDOM } from "jsdom";

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
};

/** The bodies of the fenced ```mermaid blocks (fence of three or more backticks or tildes, closed by the same kind). */
function mermaidBlocks(markdown) {
  const blocks = [];
  let open = null;
  let lines = [];
  for (const line of markdown.split(/\r?\n/)) {
    if (open === null) {
      const start = /^ {0,3}(`{3,}|~{3,})\s*mermaid\s*$/.exec(line);
      if (start) {
        open = start[1];
        lines = [];
      }
    } else if (line.trim().startsWith(open[0].repeat(open.length)) && /^ {0,3}(`{3,}|~{3,})\s*$/.test(line)) {
      blocks.push(lines.join("\n"));
      open = null;
    } else {
      lines.push(line);
    }
  }
  if (open !== null) blocks.push(lines.join("\n")); // an unclosed fence runs to the end of the document
  return blocks;
}

const main = async () => {
  const blocks = mermaidBlocks(await readStdin());
  const errors = [];
  // Mermaid expects a browser: give it a DOM before it is loaded.
  const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  const { default: mermaid } = await import("mermaid");
  mermaid.initialize({ startOnLoad: false });
  for (const [index, text] of blocks.entries()) {
    try {
      await mermaid.parse(text);
    } catch (error) {
      errors.push({ block: index, message: String(error?.message ?? error) });
    }
  }
  process.stdout.write(`${JSON.stringify({ blocks: blocks.length, errors })}\n`);
  process.exitCode = errors.length ? 1 : 0;
};

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ blocks: 0, errors: [{ block: -1, message: String(error?.stack ?? error) }] })}\n`);
  process.exitCode = 1;
});
