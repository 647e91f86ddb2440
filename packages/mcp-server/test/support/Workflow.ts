import type { ToolClient, ToolResult } from "./Clients.js"
import { cleanBucket } from "./TestServer.js"

/**
 * Sends a 2026-07-28 `create_resource` again with a person's approval and `requestState` (through `client`'s raw
 * call); resolves with the JSON-RPC error it is refused with, or undefined when it was answered.
 */
export const approveWithState = (client: ToolClient, args: Record<string, unknown>, requestState: string) =>
  client.rawCall!({
    name: "create_resource",
    arguments: args,
    inputResponses: { approve: { action: "accept", content: { decision: "approve" } } },
    requestState
  }).then(
    () => undefined,
    (error: { code?: number }) => error
  )

/**
 * A bucket's whole create with scanning skipped, through `call` (a tool call that returns the structured result and
 * fails on an error, for any client): environment, session, plan, explanation, create. Returns the create's result.
 */
export const unscannedBucketCreate = async (
  call: (name: string, args?: Record<string, unknown>) => Promise<Record<string, unknown>>,
  bucketName: string
) => {
  const environment = await call("check_environment_variables")
  const info = await call("get_aws_session_info", { environment_token: environment["environment_token"] })
  const generated = await call("generate_infrastructure_code", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: info["credentials_token"],
    properties: { BucketName: bucketName }
  })
  const explained = await call("explain", { generated_code_token: generated["generated_code_token"] })
  return call("create_resource", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: info["credentials_token"],
    explained_token: explained["explained_token"],
    skip_security_check: true
  })
}

/**
 * The arguments of a confirmed delete of bucket `name`, step i through `steps[i % steps.length]` (calls that return
 * the structured result and fail on an error; one, or several that alternate): environment, session, explanation.
 */
export const explainedBucketDelete = async (
  steps: ReadonlyArray<(name: string, args?: Record<string, unknown>) => Promise<Record<string, unknown>>>,
  name: string
) => {
  const step = (i: number) => steps[i % steps.length]!
  const environment = await step(0)("check_environment_variables")
  const session = await step(1)("get_aws_session_info", { environment_token: environment["environment_token"] })
  const explained = await step(2)("explain", {
    content: { resource_type: "AWS::S3::Bucket", identifier: name },
    operation: "delete"
  })
  return {
    resource_type: "AWS::S3::Bucket",
    identifier: name,
    credentials_token: session["credentials_token"],
    explained_token: explained["explained_token"],
    confirmed: true
  }
}

/** The text of a tool result. */
export const textOf = (result: ToolResult) => result.content.map((c) => c.text ?? "").join("\n")

/** Calls a tool through `client` and returns its structured result; a failed call throws with its text. */
export const mustOf =
  (client: ToolClient) =>
  async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args }, { timeout: 60_000 })
    if (result.isError === true) throw new Error(`${name} failed: ${textOf(result)}`)
    return result.structuredContent as Record<string, unknown>
  }

/**
 * The steps of a bucket's create up to its submission, step i through `clients[i % clients.length]` (one client, or
 * clients that alternate): environment, session, plan, explanation and — unless scanning is off — the scan. Returns
 * the arguments of `create_resource` and the plan's hash.
 */
export const explainedBucket = async (
  clients: ReadonlyArray<ToolClient>,
  name: string,
  options: { readonly scanning?: boolean } = {}
) => {
  const step = (i: number) => mustOf(clients[i % clients.length]!)
  const env = await step(0)("check_environment_variables")
  const session = await step(1)("get_aws_session_info", { environment_token: env["environment_token"] })
  const creds = session["credentials_token"] as string
  const generated = await step(2)("generate_infrastructure_code", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: creds,
    properties: cleanBucket(name)
  })
  const explained = await step(3)("explain", { generated_code_token: generated["generated_code_token"] })
  const explainedToken = explained["explained_token"] as string
  const scan =
    options.scanning === false
      ? { skip_security_check: true }
      : {
          security_scan_token: (await step(4)("run_checkov", { explained_token: explainedToken }))[
            "security_scan_token"
          ] as string
        }
  return {
    planHash: (explained["plan"] as { readonly plan_hash: string }).plan_hash,
    create: { resource_type: "AWS::S3::Bucket", credentials_token: creds, explained_token: explainedToken, ...scan }
  }
}
