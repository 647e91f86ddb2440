import { Effect, Schema } from "effect"
import { z } from "zod"
import {
  DescribeContent,
  Explanation,
  explain as explainUseCase,
  ExplainDelete,
  ExplainPlan,
  InvalidInput,
  isJsonObject,
  type JsonObject
} from "@ccapi/core"
import { decodeIdentifier, decodeRegion, decodeTokenId, decodeTypeName } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import { PlanOut } from "./Shapes.js"
import { NextStepText } from "./Wire.js"

/** What `explain` is asked: a plan to explain, a live resource to explain deleting, or content to describe. */
const explainCommand = Effect.fn("explain.command")(function* (args: {
  readonly generated_code_token?: string | null | undefined
  readonly content?: unknown
  readonly operation?: string | null | undefined
}) {
  if (args.generated_code_token !== undefined && args.generated_code_token !== null && args.generated_code_token !== "")
    return ExplainPlan.make({
      generatedCodeToken: yield* decodeTokenId("generated_code", args.generated_code_token)
    })
  if (args.operation?.toLowerCase() === "delete") {
    const content = deleteContent(args.content)
    if (content === undefined)
      return yield* new InvalidInput({
        message:
          'To explain a delete, send content={"resource_type": "AWS::…", "identifier": "…"} with operation="delete".'
      })
    return ExplainDelete.make({
      typeName: yield* decodeTypeName("content.resource_type", content["resource_type"] ?? content["ResourceType"]),
      identifier: yield* decodeIdentifier("content.identifier", content["identifier"] ?? content["Identifier"]),
      region: yield* decodeRegion("region", content["region"])
    })
  }
  if (args.content === undefined || args.content === null)
    return yield* new InvalidInput({
      message:
        'Give generated_code_token (to explain a planned change), or content with operation="delete" (to explain a delete), or content to describe.'
    })
  return DescribeContent.make({ content: args.content })
})

/** The delete's `content`: an object, or JSON text of one. */
const deleteContent = (content: unknown): JsonObject | undefined => {
  let value: unknown = content
  if (typeof content === "string") {
    try {
      value = JSON.parse(content)
    } catch {
      value = undefined
    }
  }
  return isJsonObject(value) ? value : undefined
}

/** Step 4: the plan rendered in full; the delete explanation built from the live resource. */
export const explain = defineTool({
  name: "explain",
  title: "Explain a change",
  description: [
    "Step 4 of every change. With generated_code_token: renders the stored plan in full (properties or patch, diff, tags, guardrails, template) and returns the explained_token that run_checkov and the mutation tools need. Show the explanation to the user in full first.",
    'For a delete: content={"resource_type": …, "identifier": …} with operation="delete"; the server reads the live resource and binds the token to deleting exactly it.',
    "With only content: describes data, authorizes nothing. No token when a guardrail blocks the plan. Over 64 KiB, a long string the explanation shows is in the plan as its sha256."
  ].join(" "),
  mutating: false,
  input: {
    content: z.unknown().optional().describe('A delete\'s {"resource_type", "identifier"}, or data to describe'),
    generated_code_token: z.string().nullish().describe("From generate_infrastructure_code"),
    context: z.string().nullish().describe("What the data represents"),
    operation: z.string().nullish().describe("create, update, delete or analyze"),
    format: z.string().nullish().describe("detailed, summary or technical"),
    user_intent: z.string().nullish().describe("The user's stated purpose")
  },
  output: Schema.Struct({ ...Explanation.fields, plan: Schema.optional(PlanOut), next: NextStepText }).pipe(
    Schema.encodeKeys({ explainedToken: "explained_token", next: "next_step" })
  ),
  annotations: () => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true }),
  fullText: "explanation",
  run: (args) => Effect.flatMap(explainCommand(args), explainUseCase)
})
