// One full create workflow, driven the same way against either server:
// check_environment_variables → get_aws_session_info → generate_infrastructure_code → explain → [run_checkov] → create_resource.
import { findField, timedCall } from "./mcp.mjs"

export const WORKFLOW_TYPE = "AWS::SQS::Queue"
// A queue encrypted with a KMS key passes every Checkov check for its type (CKV_AWS_27), so neither server has
// findings to accept and both run the same path.
export const workflowProperties = (name) => ({ QueueName: name, KmsMasterKeyId: "alias/aws/sqs" })

export const STEPS = ["environment", "session", "generate", "explain", "scan", "create"]

const need = (payload, field, step) => {
  const value = findField(payload, field)
  if (value === undefined) {
    throw new Error(`${step}: the result has no ${field}: ${JSON.stringify(payload).slice(0, 400)}`)
  }
  return value
}

/**
 * Run one workflow; returns per-step client-observed milliseconds, the sandbox time spent inside each step
 * (from the timing proxy), and the create result's status. With `pollUntilComplete`, a server whose create
 * returns before the resource exists is polled through `get_resource_request_status` as a client would have to.
 */
export const runWorkflow = async (session, { scanning, name, proxy, pollUntilComplete = false }) => {
  const steps = {}
  const backend = {}
  const requestsBefore = proxy?.requests() ?? 0
  const step = async (key, tool, args) => {
    const before = proxy?.backendMs() ?? 0
    const { ms, payload } = await timedCall(session, tool, args)
    steps[key] = (steps[key] ?? 0) + ms
    backend[key] = (backend[key] ?? 0) + ((proxy?.backendMs() ?? 0) - before)
    return payload
  }

  const environment = await step("environment", "check_environment_variables", {})
  const environmentToken = need(environment, "environment_token", "check_environment_variables")
  const credentials = await step("session", "get_aws_session_info", { environment_token: environmentToken })
  const credentialsToken = need(credentials, "credentials_token", "get_aws_session_info")
  const generated = await step("generate", "generate_infrastructure_code", {
    resource_type: WORKFLOW_TYPE,
    credentials_token: credentialsToken,
    properties: workflowProperties(name)
  })
  const generatedToken = need(generated, "generated_code_token", "generate_infrastructure_code")
  const explained = await step("explain", "explain", { generated_code_token: generatedToken, operation: "create" })
  const explainedToken = need(explained, "explained_token", "explain")
  let scanToken
  let scanStatus
  if (scanning) {
    const scan = await step("scan", "run_checkov", { explained_token: explainedToken })
    scanToken = need(scan, "security_scan_token", "run_checkov")
    scanStatus = findField(scan, "scan_status") ?? findField(scan, "status")
  }
  const created = await step("create", "create_resource", {
    resource_type: WORKFLOW_TYPE,
    credentials_token: credentialsToken,
    explained_token: explainedToken,
    ...(scanning ? { security_scan_token: scanToken } : { skip_security_check: true })
  })
  const createStatus = findField(created, "status")
  let finalStatus = createStatus
  let polls = 0
  const requestsBeforePoll = proxy?.requests() ?? 0
  if (pollUntilComplete && created && created.is_complete === false) {
    const requestToken = need(created, "request_token", "create_resource")
    for (;;) {
      polls += 1
      const status = await step("poll", "get_resource_request_status", { request_token: requestToken })
      finalStatus = findField(status, "status")
      if (status.is_complete !== false || polls >= 200) break
    }
  }
  const requestsAfter = proxy?.requests() ?? 0
  return {
    steps,
    backend,
    createStatus,
    finalStatus,
    polls,
    scanStatus,
    requests: requestsBeforePoll - requestsBefore,
    requestsWithPoll: requestsAfter - requestsBefore
  }
}
