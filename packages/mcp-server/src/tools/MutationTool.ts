import { Effect } from "effect"
import type { z } from "zod"
import type { MutationResult } from "@ccapi/core"
import { decodeMutationArguments } from "./Arguments.js"
import { defineTool, type DomainFailure, type ToolCall, type ToolDefinition, type ToolServices } from "../Tool.js"
import { mutationOut, MutationOut } from "./Shapes.js"

/** The parameters every mutating tool has: what it acts on and the workflow's tokens. */
type MutationInput = z.ZodRawShape &
  Record<"resource_type" | "credentials_token" | "explained_token" | "region", z.ZodType>

/** Those parameters decoded. */
type MutationTarget = Effect.Success<ReturnType<typeof decodeMutationArguments>>

/**
 * One of the three tools that change resources (create_resource, update_resource, delete_resource): hidden and
 * refused in read-only mode, open-world, its result core's `MutationResult` on the wire as `MutationOut`. `run` gets
 * the decoded target (type, tokens, region) and the progress sink, and calls its use-case with its own arguments.
 */
export const defineMutationTool = <In extends MutationInput>(tool: {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly input: In
  readonly destructive: boolean
  readonly idempotent: boolean
  readonly run: (
    args: z.output<z.ZodObject<In>>,
    target: MutationTarget,
    options: Pick<ToolCall, "onProgress">
  ) => Effect.Effect<MutationResult, DomainFailure, ToolServices>
}): ToolDefinition<In, typeof MutationOut> =>
  defineTool({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    mutating: true,
    input: tool.input,
    output: MutationOut,
    annotations: () => ({
      readOnlyHint: false,
      destructiveHint: tool.destructive,
      idempotentHint: tool.idempotent,
      openWorldHint: true
    }),
    run: (args, call) =>
      // `In` has these four parameters (MutationInput); zod's output type of a generic shape cannot show it.
      decodeMutationArguments(args as Parameters<typeof decodeMutationArguments>[0]).pipe(
        Effect.flatMap((target) => tool.run(args, target, { onProgress: call.onProgress })),
        Effect.map(mutationOut)
      )
  })
