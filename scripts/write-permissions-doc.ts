import { writeFileSync } from "node:fs";
import { renderPermissionsDoc } from "../src/github/permissions/render-permissions.js";

// Regenerates docs/permissions.md from the permission table (test/app-permissions.test.ts checks it is current).
const target = new URL("../../docs/permissions.md", import.meta.url);
writeFileSync(target, renderPermissionsDoc());
console.log(`wrote ${target.pathname}`);
