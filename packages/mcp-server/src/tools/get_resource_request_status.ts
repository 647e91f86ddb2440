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
    "The state of a create, update or delete request by its request_token (GetResourceRequestStatus). Wait until retry_after before asking again."
  ].join(" "),
  mutating: false,
  input: {
    request_token: z.string().describe("A mutation's request_token"),
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
