import { Effect } from "effect"
import { z } from "zod"
import { deleteResource } from "@ccapi/core"
import { decodeIdentifier } from "./Arguments.js"
import { defineMutationTool } from "./MutationTool.js"
import { credentialsTokenField, identifierField, regionField, resourceTypeField } from "./Shapes.js"

/** Delete the one resource a delete explanation was built for. */
export const delete_resource = defineMutationTool({
  name: "delete_resource",
  title: "Delete an AWS resource",
  description: [
    'Deletes exactly the resource that explain(content={resource_type, identifier}, operation="delete") read; type, identifier and region must match. Needs credentials_token, that explained_token and confirmed=true, only after the user confirmed.',
    "The user then approves (a form, or a one-time link; then call again with the same arguments). One resource per call, maybe capped per session. Irreversible."
  ].join(" "),
  input: {
    resource_type: resourceTypeField,
    identifier: identifierField,
    credentials_token: credentialsTokenField,
    explained_token: z.string().describe('From explain(operation="delete")'),
    region: regionField,
    confirmed: z.boolean().nullish().describe("true only after the user confirmed")
  },
  destructive: true,
  idempotent: true,
  run: (args, target, options) =>
    Effect.flatMap(decodeIdentifier("identifier", args.identifier), (identifier) =>
      deleteResource({ ...target, identifier, confirmed: args.confirmed === true }, options)
    )
})
