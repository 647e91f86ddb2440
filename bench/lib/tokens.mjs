// What a server costs a model's context, in tokens: its tools/list answer and the results of a workflow.
// Counted with OpenAI's o200k_base encoding (gpt-tokenizer, a dev dependency: never in the shipped bundle). Other
// models' tokenizers differ by some percent; the ratios between the servers and between before and after are what
// these figures are for.
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base"

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
    result.structuredContent === undefined ? { characters: 0, tokens: 0 } : cost(JSON.stringify(result.structuredContent))
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
