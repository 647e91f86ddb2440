#!/usr/bin/env node
// Context cost only, without the rest of the bench: the tools/list answers of ccapi and of the reference (when its
// venv is installed: `npm run bench` installs it in bench/.work/reference-venv), and the text of one full create
// workflow on ccapi (--sandbox, scanning on): explain → generate → run_checkov → create → status, with the two
// steps before them. Prints JSON; `node bench/tokens.mjs` after `npm run build`.
import { existsSync, mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { startServer } from "./lib/mcp.mjs"
import { REFERENCE_PACKAGE } from "./lib/reference.mjs"
import { ENCODING, toolsListCost, workflowCost } from "./lib/tokens.mjs"
import { WORKFLOW_TYPE, workflowProperties } from "./lib/workflow.mjs"

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

/** One create workflow on a started ccapi session; every raw result kept. */
export const createWorkflowResults = async (session, name) => {
  const steps = []
  const call = async (tool, args) => {
    const result = await session.client.callTool({ name: tool, arguments: args }, undefined, { timeout: 600_000 })
    if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content).slice(0, 400)}`)
    steps.push({ tool, result })
    return result.structuredContent
  }
  const env = await call("check_environment_variables", {})
  const creds = await call("get_aws_session_info", { environment_token: env.environment_token })
  const generated = await call("generate_infrastructure_code", {
    resource_type: WORKFLOW_TYPE,
    credentials_token: creds.credentials_token,
    properties: workflowProperties(name)
  })
  const explained = await call("explain", { generated_code_token: generated.generated_code_token })
  const scan = await call("run_checkov", { explained_token: explained.explained_token })
  const created = await call("create_resource", {
    resource_type: WORKFLOW_TYPE,
    credentials_token: creds.credentials_token,
    explained_token: explained.explained_token,
    security_scan_token: scan.security_scan_token
  })
  await call("get_resource_request_status", { request_token: created.request_token })
  return steps
}

const main = async () => {
  const out = { encoding: ENCODING }
  const ours = await startServer({
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
  })
  try {
    out.ours = { toolsList: toolsListCost(ours.tools) }
    const steps = await createWorkflowResults(ours, `ccapi-tokens-${process.pid}`)
    out.ours.createWorkflow = workflowCost(steps)
    if (process.env.TOKENS_DUMP) out.ours.raw = steps
  } finally {
    await ours.close()
  }
  const referenceBin = join(workDir, "reference-venv", "bin", REFERENCE_PACKAGE)
  if (existsSync(referenceBin)) {
    const reference = await startServer({
      name: "reference",
      command: referenceBin,
      args: [],
      cwd: workDir,
      env: { ...baseEnv, FASTMCP_LOG_LEVEL: "ERROR", SECURITY_SCANNING: "enabled" }
    })
    try {
      out.reference = { toolsList: toolsListCost(reference.tools) }
    } finally {
      await reference.close()
    }
  } else {
    out.reference = { missing: `no ${referenceBin} (npm run bench installs it)` }
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
