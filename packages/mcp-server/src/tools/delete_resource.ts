import { Effect } from "effect"
import { z } from "zod"
import { deleteResource } from "@ccapi/core"
import { decodeIdentifier, decodeMutationArguments } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import {
  credentialsTokenField,
  identifierField,
  mutationOut,
  MutationOut,
  regionField,
  resourceTypeField
} from "./Shapes.js"

/** Delete the one resource a delete explanation was built for. */
export const delete_resource = defineTool({
  name: "delete_resource",
  title: "Delete an AWS resource",
  description: [
    'Deletes exactly the resource that explain(content={resource_type, identifier}, operation="delete") read; type, identifier and region must match. Needs credentials_token, that explained_token and confirmed=true, only after the user confirmed.',
    "The user then approves (a form, or a one-time link; then call again with the same arguments). One resource per call, maybe capped per session. Irreversible."
  ].join(" "),
  mutating: true,
  input: {
    resource_type: resourceTypeField,
    identifier: identifierField,
    credentials_token: credentialsTokenField,
    explained_token: z.string().describe('From explain(operation="delete")'),
    region: regionField,
    confirmed: z.boolean().nullish().describe("true only after the user confirmed")
  },
  output: MutationOut,
  annotations: () => ({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true }),
  run: (args, call) =>
    Effect.map(
      Effect.gen(function* () {
        const target = yield* decodeMutationArguments(args)
        const identifier = yield* decodeIdentifier("identifier", args.identifier)
        return yield* deleteResource(
          { ...target, identifier, confirmed: args.confirmed === true },
          { onProgress: call.onProgress }
        )
      }),
      mutationOut
    )
})
