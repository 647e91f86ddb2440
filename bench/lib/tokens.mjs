// What a server costs a model's context, in tokens: its tools/list answer and the results of a workflow.
// Counted with OpenAI's o200k_base encoding (gpt-tokenizer, a dev dependency: never in the shipped bundle). Other
// models' tokenizers differ by some percent; the ratios between the servers and between before and after are what
// these figures are for.
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base"
import { WORKFLOW_TYPE, workflowProperties } from "./workflow.mjs"

export const ENCODING = "o200k_base"

/** Tokens of a text in the o200k_base encoding. */
export const countTokens = (text) => countO200k(text)

const cost = (text) => ({ characters: text.length, tokens: countTokens(text) })

/**
 * The cost of a tools/list answer as a client sends it on to the model (each tool's JSON, compact), in total and by
 * part: descriptions (with titles and annotations), input schemas and output schemas.
 */
export const toolsListCost = (tools) => {
  const total = cost(JSON.stringify({ tools }))
  const part = (pick) => cost(tools.map((tool) => JSON.stringify(pick(tool) ?? "")).join(""))
  return {
    tools: tools.length,
    ...total,
    descriptions: part((tool) => ({ description: tool.description, title: tool.title, annotations: tool.annotations })),
    inputSchemas: part((tool) => tool.inputSchema),
    outputSchemas: part((tool) => tool.outputSchema),
    perTool: Object.fromEntries(tools.map((tool) => [tool.name, countTokens(JSON.stringify(tool))]))
  }
}

/**
 * What a model can receive of one tool result: its structured content (compact JSON; what Claude Code passes on), its
 * text blocks (what a client without structured content passes on), and both (a client that passes the whole result).
 */
export const resultCost = (result) => {
  const structured =
    result.structuredContent === undefined
      ? { characters: 0, tokens: 0 }
      : cost(JSON.stringify(result.structuredContent))
  const text = cost(
    (result.content ?? [])
      .filter((part) => part.type === "text")
      .map((part) => part.text)
      .join("\n")
  )
  return {
    structured,
    text,
    both: { characters: structured.characters + text.characters, tokens: structured.tokens + text.tokens }
  }
}

const add = (a, b) => ({ characters: a.characters + b.characters, tokens: a.tokens + b.tokens })
const zero = () => ({ characters: 0, tokens: 0 })

/** The results of a workflow, step by step and summed, in the three views of `resultCost`. */
export const workflowCost = (steps) => {
  const perStep = steps.map(({ tool, result }) => ({ tool, ...resultCost(result) }))
  const sum = (view) => perStep.reduce((total, step) => add(total, step[view]), zero())
  return { steps: perStep, structured: sum("structured"), text: sum("text"), both: sum("both") }
}

/**
 * One create workflow on a started ccapi session, every raw result kept: check_environment_variables →
 * get_aws_session_info → generate_infrastructure_code → explain → run_checkov → create_resource →
 * get_resource_request_status (scanning on).
 */
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

/**
 * The context cost of both servers: ccapi's tools/list and one create workflow (`startOurs` starts a session with
 * scanning on), the reference's tools/list (`startReference`, when it is installed); `toolsList` holds the two
 * tools/list token counts for the goal table.
 */
export const contextCost = async ({ startOurs, startReference, name }) => {
  const out = { encoding: ENCODING }
  const ours = await startOurs()
  try {
    out.ours = { toolsList: toolsListCost(ours.tools) }
    out.ours.createWorkflow = workflowCost(await createWorkflowResults(ours, name))
  } finally {
    await ours.close()
  }
  if (startReference) {
    const reference = await startReference()
    try {
      out.reference = { toolsList: toolsListCost(reference.tools) }
    } finally {
      await reference.close()
    }
  }
  // The figures the report's goal table reads (bench/lib/report.mjs, issue 17's goals).
  out.toolsList = { ours: out.ours.toolsList.tokens, reference: out.reference?.toolsList.tokens, encoding: ENCODING }
  return out
}
