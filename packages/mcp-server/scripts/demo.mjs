#!/usr/bin/env node
// The demo: a scripted MCP client session against `ccapi-mcp-server --sandbox`, printed for a person.
// It uses the MCP SDK's real Client over stdio, spawning the built bin, exactly as an MCP client would.
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "../../..")
const bin = join(here, "../dist/main.js")
const venvCheckov = join(root, ".venv/checkov/bin/checkov")

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code) => (text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)
const bold = paint("1")
const dim = paint("2")
const green = paint("32")
const red = paint("31")
const cyan = paint("36")

const out = (line = "") => process.stdout.write(`${line}\n`)
const step = (n, title) => out(`\n${bold(cyan(`── ${n}. ${title} `.padEnd(78, "─")))}`)
const indent = (text, prefix = "   ") =>
  String(text)
    .split("\n")
    .map((l) => prefix + l)
    .join("\n")

if (!existsSync(bin)) {
  console.error("The server is not built yet: run `npm run build` (or `npm run demo`, which builds first).")
  process.exit(1)
}

const scanning = existsSync(venvCheckov) || process.env.CCAPI_CHECKOV_BIN !== undefined
const env = {
  ...process.env,
  SECURITY_SCANNING: scanning ? "enabled" : "disabled",
  CCAPI_JOURNAL: "off",
  // A scripted demo has no person to ask: the model's accept_findings and confirmed=true decide, labelled as such.
  CCAPI_APPROVAL: "model",
  ...(existsSync(venvCheckov) && !process.env.CCAPI_CHECKOV_BIN ? { CCAPI_CHECKOV_BIN: venvCheckov } : {})
}
const transport = new StdioClientTransport({ command: process.execPath, args: [bin, "--sandbox"], env, stderr: "pipe" })
const serverLog = []
transport.stderr?.on("data", (chunk) => serverLog.push(String(chunk)))
const client = new Client({ name: "ccapi-demo", version: "1.0.0" })

/** Call a tool; print a failure and return it (isError results are part of the story). */
const call = async (name, args = {}) => {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 180_000 })
  const text = result.content?.find((c) => c.type === "text")?.text ?? ""
  return { ok: !result.isError, data: result.structuredContent ?? {}, text }
}
const must = async (name, args) => {
  const r = await call(name, args)
  if (!r.ok) throw new Error(`${name} failed unexpectedly: ${r.text}`)
  return r.data
}
const expectRefusal = async (name, args, tag) => {
  const r = await call(name, args)
  if (r.ok || !r.text.startsWith(tag)) throw new Error(`${name} should have been refused with ${tag}, got: ${r.text}`)
  out(`   ${red("✗ refused")} ${r.text.split("\n")[0]}`)
  return r
}

const bucket = `ccapi-demo-${Date.now().toString(36)}`

try {
  await client.connect(transport)
  const { tools } = await client.listTools()
  out(bold("ccapi demo — an LLM's-eye view of the Cloud Control MCP server, against the local sandbox"))
  out(dim(`server ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}; ${tools.length} tools`))
  if (!scanning)
    out(
      red(
        "Checkov is not installed (run `node scripts/setup-checkov.mjs`): security scanning is disabled for this run."
      )
    )

  step(1, "Who am I? (get_aws_account_info)")
  const account = await must("get_aws_account_info")
  out(indent(JSON.stringify(account, null, 2)))

  step(2, "The environment and the session (check_environment_variables → get_aws_session_info)")
  const environment = await must("check_environment_variables")
  out(`   region ${environment.aws_region ?? environment.region}, read-only ${environment.readonly_mode}`)
  const session = await must("get_aws_session_info", { environment_token: environment.environment_token })
  out(`   account ${session.account_id}, credential source ${session.credential_source}`)
  const credentials_token = session.credentials_token

  step(3, `Create an S3 bucket "${bucket}" through the full workflow`)
  const generated = await must("generate_infrastructure_code", {
    credentials_token,
    resource_type: "AWS::S3::Bucket",
    properties: {
      BucketName: bucket,
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }]
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true
      },
      Tags: [{ Key: "team", Value: "platform" }]
    }
  })
  out("   The server built the plan (default tags added):")
  const explained = await must("explain", { generated_code_token: generated.generated_code_token })
  out(indent(explained.explanation, "   │ "))

  let scanArgs = { skip_security_check: true }
  if (scanning) {
    const scan = await must("run_checkov", { explained_token: explained.explained_token })
    const failed = scan.failed_check_ids ?? []
    out(
      `   Checkov: ${scan.passed_count ?? "?"} passed, ${failed.length} failed ${failed.length ? `(${failed.join(", ")})` : ""}`
    )
    for (const f of (scan.failed_checks ?? []).slice(0, 5))
      out(dim(`     ${f.check_id}  ${f.check_name ?? f.title ?? ""}`))
    scanArgs = { security_scan_token: scan.security_scan_token }
    if (failed.length > 0) {
      out("   Creating without accepting the failed checks is blocked:")
      await expectRefusal(
        "create_resource",
        {
          resource_type: "AWS::S3::Bucket",
          credentials_token,
          explained_token: explained.explained_token,
          ...scanArgs
        },
        "ScanBlocked"
      )
      out(`   The user accepts exactly these findings: ${failed.join(", ")}`)
      scanArgs = { ...scanArgs, accept_findings: failed }
    }
  }
  const created = await must("create_resource", {
    resource_type: "AWS::S3::Bucket",
    credentials_token,
    explained_token: explained.explained_token,
    ...scanArgs
  })
  out(`   ${green("✓")} ${created.status} — identifier ${created.identifier}, request ${created.request_token}`)
  out("   Replaying the same explained token:")
  await expectRefusal(
    "create_resource",
    { resource_type: "AWS::S3::Bucket", credentials_token, explained_token: explained.explained_token, ...scanArgs },
    "TokenSpent"
  )

  step(4, "A guardrail: an IAM policy allowing * on *")
  const risky = await must("generate_infrastructure_code", {
    credentials_token,
    resource_type: "AWS::IAM::ManagedPolicy",
    properties: {
      PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }
    }
  })
  for (const g of risky.plan?.guardrails ?? []) out(`   ${red("✗")} ${g.rule} at ${g.path}: ${g.reason}`)
  const riskyExplained = await must("explain", { generated_code_token: risky.generated_code_token })
  out(
    `   explained_token issued: ${riskyExplained.explained_token ? red("yes (bug!)") : green("no — the plan cannot be applied")}`
  )
  if (riskyExplained.explained_token) throw new Error("a guardrail-breaking plan got an explained token")

  step(5, "List the buckets (list_resources)")
  const listed = await must("list_resources", { resource_type: "AWS::S3::Bucket" })
  for (const id of listed.resources ?? []) out(`   • ${id}`)

  step(6, "Update: suspend versioning, with the diff shown before anything is applied")
  const update = await must("generate_infrastructure_code", {
    credentials_token,
    resource_type: "AWS::S3::Bucket",
    identifier: created.identifier,
    patch_document: [{ op: "replace", path: "/VersioningConfiguration/Status", value: "Suspended" }]
  })
  for (const d of update.plan?.diff ?? []) out(`   ${d.path}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`)
  const updateExplained = await must("explain", { generated_code_token: update.generated_code_token })
  let updateScan = { skip_security_check: true }
  if (scanning) {
    const scan = await must("run_checkov", { explained_token: updateExplained.explained_token })
    updateScan = { security_scan_token: scan.security_scan_token, accept_findings: scan.failed_check_ids ?? [] }
  }
  out("   Sending a different patch than the one explained:")
  await expectRefusal(
    "update_resource",
    {
      resource_type: "AWS::S3::Bucket",
      identifier: created.identifier,
      credentials_token,
      explained_token: updateExplained.explained_token,
      patch_document: [{ op: "remove", path: "/BucketEncryption" }],
      ...updateScan
    },
    "PlanMismatch"
  )
  const updated = await must("update_resource", {
    resource_type: "AWS::S3::Bucket",
    identifier: created.identifier,
    credentials_token,
    explained_token: updateExplained.explained_token,
    ...updateScan
  })
  out(`   ${green("✓")} ${updated.status}`)

  step(7, "Export the bucket as a CloudFormation template (create_template)")
  const template = await must("create_template", {
    resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: created.identifier } }],
    output_format: "YAML"
  })
  out(
    indent(
      String(template.template_body ?? template.body ?? "")
        .split("\n")
        .slice(0, 24)
        .join("\n"),
      "   │ "
    )
  )

  step(8, "The same bucket as Terraform for awscc (create_template, terraform)")
  const terraform = await must("create_template", {
    resources: [{ ResourceType: "AWS::S3::Bucket", ResourceIdentifier: { BucketName: created.identifier } }],
    output_format: "terraform"
  })
  if (terraform.conversion_error) throw new Error(`the Terraform conversion failed: ${terraform.conversion_error}`)
  const hcl = String(terraform.template_body ?? "").split("\n")
  const firstResource = hcl.findIndex((line) => line.startsWith("resource "))
  out(indent(hcl.slice(firstResource, firstResource + 14).join("\n"), "   │ "))
  out(dim("   │ …"))
  const importBlock = hcl.findIndex((line) => line.startsWith("import {"))
  out(indent(hcl.slice(importBlock, importBlock + 4).join("\n"), "   │ "))
  out(dim(`   ${terraform.next_step}`))
  out(
    dim("   (also: output_format cdk-typescript / cdk-python; session_changes=true exports what this session changed)")
  )

  step(9, "Delete, explained from the live resource and confirmed")
  const del = await must("explain", {
    content: { resource_type: "AWS::S3::Bucket", identifier: created.identifier },
    operation: "delete"
  })
  out(indent(del.explanation.split("\n").slice(0, 12).join("\n"), "   │ "))
  out("   Without confirmed=true:")
  await expectRefusal(
    "delete_resource",
    {
      resource_type: "AWS::S3::Bucket",
      identifier: created.identifier,
      credentials_token,
      explained_token: del.explained_token
    },
    "DeleteNotConfirmed"
  )
  const deleted = await must("delete_resource", {
    resource_type: "AWS::S3::Bucket",
    identifier: created.identifier,
    credentials_token,
    explained_token: del.explained_token,
    confirmed: true
  })
  out(`   ${green("✓")} ${deleted.status}`)
  const gone = await call("get_resource", { resource_type: "AWS::S3::Bucket", identifier: created.identifier })
  out(`   get_resource afterwards: ${gone.ok ? red("still there") : gone.text.split(":")[0]}`)

  out(`\n${green(bold("Demo complete."))}`)
  await client.close()
  process.exit(0)
} catch (error) {
  console.error(red(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`))
  if (serverLog.length) console.error(dim(`server stderr:\n${serverLog.join("").slice(-4000)}`))
  await client.close().catch(() => {})
  process.exit(1)
}
