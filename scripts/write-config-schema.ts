import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/config/schema.js";

// Regenerates the committed JSON Schema from the zod schema (test/config/schema-file.test.ts checks it is current).
const target = new URL("../../schema/sdlc-guard.schema.json", import.meta.url);
writeFileSync(target, JSON.stringify(configJsonSchema(), null, 2) + "\n");
console.log(`wrote ${target.pathname}`);
