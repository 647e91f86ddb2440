import { Effect, Schema, SchemaIssue } from "effect"
import { InvalidInput } from "../model/Errors.js"
import { Region } from "../model/Ids.js"
import { Identity } from "../ports/Identity.js"

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** The region a call acts in: the command's when given, else the environment's (AWS_REGION, the profile, us-east-1). */
export const resolveRegion = Effect.fn("Region.resolve")(function* (region: Region | undefined) {
  if (region !== undefined) return region
  const environment = yield* (yield* Identity).environment
  return yield* Schema.decodeUnknownEffect(Region)(environment.region, { reportInput: true }).pipe(
    Effect.mapError((error) => {
      const issue = formatIssue(error.issue).issues[0]?.message
      const detail = issue === undefined ? "invalid value" : issue.replace(/^(Expected [^,]*), got /, "$1, actual ")
      return new InvalidInput({
        message: `region (from the environment): ${detail}. Use a region code such as us-east-1, or omit it to use the default region.`
      })
    })
  )
})
