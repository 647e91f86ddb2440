import { Effect } from "effect"
import { z } from "zod"
import { requestStatus } from "@ccapi/core"
import { decodeRegion, decodeRequestToken } from "./Arguments.js"
import { defineTool, readAnnotations } from "../Tool.js"
import { regionField, RequestStatusOut } from "./Shapes.js"

/** Follow a mutation that was still running when its tool returned. */
export const get_resource_request_status = defineTool({
  name: "get_resource_request_status",
  title: "Get a request's status",
  description: [
    "Returns the current state of a create, update or delete request by the request_token that the mutation returned (Cloud Control GetResourceRequestStatus): status, is_complete, identifier, error_code, status_message, retry_after, and the resource's properties when it completed.",
    "Use it when a mutation returned IN_PROGRESS; wait until retry_after before asking again. Not for reading a resource (get_resource)."
  ].join(" "),
  mutating: false,
  input: {
    request_token: z.string().describe("The request_token returned from the long running operation"),
    region: regionField
  },
  output: RequestStatusOut,
  annotations: readAnnotations(true),
  run: (args) =>
    Effect.gen(function* () {
      const requestToken = yield* decodeRequestToken(args.request_token)
      const region = yield* decodeRegion("region", args.region)
      return yield* requestStatus({ requestToken, region })
    })
})
