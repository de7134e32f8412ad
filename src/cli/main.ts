#!/usr/bin/env node
// The `sdlc-guard` command (package.json "bin"): everything is in program.ts, which the tests drive.
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv, process.env, { stdout: process.stdout, stderr: process.stderr });
