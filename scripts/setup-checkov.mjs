#!/usr/bin/env node
// Installs the pinned Checkov into <repo>/.venv/checkov (see lib/venv.mjs). Required under CI or
// CCAPI_REQUIRE_CHECKOV=1; otherwise a failure is a warning and the Checkov adapter's tests are skipped.
import { ensureVenv } from "./lib/venv.mjs"

const CHECKOV_VERSION = "3.3.30"

await ensureVenv({
  name: "checkov",
  packages: [`checkov==${CHECKOV_VERSION}`],
  probe: { bin: "checkov", args: ["--version"] },
  version: (output) => output.split("\n").at(-1)?.trim(),
  expected: CHECKOV_VERSION,
  required: Boolean(process.env.CI) || process.env.CCAPI_REQUIRE_CHECKOV === "1"
})
