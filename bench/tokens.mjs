#!/usr/bin/env node
// Context cost only, without the rest of the bench: the tools/list answers of ccapi and of the reference (when its
// venv is installed: `npm run bench` installs it in bench/.work/reference-venv), and the text of one full create
// workflow on ccapi (--sandbox, scanning on; see lib/tokens.mjs). Prints JSON; `node bench/tokens.mjs` after
// `npm run build`. `npm run bench` measures the same in its "context cost" section.
import { existsSync, mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { startServer } from "./lib/mcp.mjs"
import { REFERENCE_PACKAGE } from "./lib/reference.mjs"
import { contextCost } from "./lib/tokens.mjs"

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(benchDir, "..")
const workDir = join(benchDir, ".work")
const stateDir = join(workDir, "tokens-state")
mkdirSync(stateDir, { recursive: true })

const baseEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIABENCHMARK0000001",
  AWS_SECRET_ACCESS_KEY: "bench-secret-key-not-a-real-one-000000001",
  AWS_CONFIG_FILE: join(workDir, "aws-config-absent"),
  AWS_SHARED_CREDENTIALS_FILE: join(workDir, "aws-credentials-absent"),
  AWS_EC2_METADATA_DISABLED: "true"
}

const main = async () => {
  const referenceBin = join(workDir, "reference-venv", "bin", REFERENCE_PACKAGE)
  const out = await contextCost({
    name: `ccapi-tokens-${process.pid}`,
    startOurs: () =>
      startServer({
        name: "ccapi",
        command: process.execPath,
        args: [join(repoRoot, "packages", "mcp-server", "bin", "ccapi-mcp-server.js"), "--sandbox"],
        cwd: workDir,
        env: {
          ...baseEnv,
          XDG_STATE_HOME: stateDir,
          SECURITY_SCANNING: "enabled",
          CCAPI_CHECKOV_BIN: join(repoRoot, ".venv", "checkov", "bin", "checkov")
        }
      }),
    startReference: existsSync(referenceBin)
      ? () =>
          startServer({
            name: "reference",
            command: referenceBin,
            args: [],
            cwd: workDir,
            env: { ...baseEnv, FASTMCP_LOG_LEVEL: "ERROR", SECURITY_SCANNING: "enabled" }
          })
      : undefined
  })
  if (!existsSync(referenceBin)) out.reference = { missing: `no ${referenceBin} (npm run bench installs it)` }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
