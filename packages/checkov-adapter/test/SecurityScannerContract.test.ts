import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe } from "@effect/vitest"
import { securityScannerContract } from "@ccapi/testkit/contracts"
import { CheckovScanner } from "../src/index.js"

// The same real Checkov as CheckovScanner.test.ts (which also fails the run when CCAPI_REQUIRE_CHECKOV=1 and it is missing).
const venvBin = fileURLToPath(new URL("../../../.venv/checkov/bin/checkov", import.meta.url))
const bin = process.env.CCAPI_CHECKOV_BIN ?? venvBin

describe.skipIf(!existsSync(bin))(`contract against the real Checkov at ${bin}`, () => {
  securityScannerContract("CheckovScanner", { live: true, layer: () => CheckovScanner.layer({ bin }) })
})
