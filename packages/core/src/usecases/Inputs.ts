import { Effect, Schema, SchemaIssue } from "effect"
import { InvalidInput } from "../model/Errors.js"
import { Identifier, Region, TypeName } from "../model/Ids.js"
import { isJsonObject, type JsonObject, JsonValue } from "../model/Json.js"
import { Identity } from "../ports/Identity.js"

/*
 * Decoding of what the model sends. Everything from outside is `unknown` until it passes through here; a failure is
 * an `InvalidInput` whose message names the parameter and says what a valid value looks like.
 */

const decodeWith =
  <A, I>(schema: Schema.Codec<A, I>, hint: string) =>
  (parameter: string, value: unknown): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknownEffect(schema)(value, { reportInput: true }).pipe(
      Effect.mapError(
        (error) =>
          new InvalidInput({
            message: `${parameter}: ${firstIssue(error)}. ${hint}`
          })
      )
    )

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** The first problem, worded as the model has always read it: "Expected string, actual 123" when the input is shown. */
const firstIssue = (error: Schema.SchemaError): string => {
  const message = formatIssue(error.issue).issues[0]?.message
  return message === undefined ? "invalid value" : message.replace(/^(Expected [^,]*), got /, "$1, actual ")
}

export const decodeTypeName = decodeWith(
  TypeName,
  "Use the CloudFormation type name, e.g. AWS::S3::Bucket (see get_resource_schema_information)."
)

export const decodeIdentifier = decodeWith(
  Identifier,
  "Use the resource's primary identifier as Cloud Control returns it (list_resources shows them); join compound identifiers with '|'."
)

const decodeRegionValue = decodeWith(
  Region,
  "Use a region code such as us-east-1, or omit it to use the default region."
)

/** The region a call acts in: the argument when given, else the environment's (AWS_REGION, the profile, us-east-1). */
export const resolveRegion = Effect.fn("Inputs.resolveRegion")(function* (value: unknown) {
  if (value !== undefined && value !== null && value !== "") return yield* decodeRegionValue("region", value)
  const environment = yield* (yield* Identity).environment
  return yield* decodeRegionValue("region (from the environment)", environment.region)
})

/** A JSON object given as an object or as a JSON string of one. */
export const decodeJsonObject = (parameter: string, value: unknown): Effect.Effect<JsonObject, InvalidInput> => {
  let parsed: unknown = value
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value)
    } catch {
      return Effect.fail(new InvalidInput({ message: `${parameter}: not valid JSON. Send a JSON object.` }))
    }
  }
  if (!isJsonObject(parsed)) return Effect.fail(new InvalidInput({ message: `${parameter}: must be a JSON object.` }))
  return Schema.decodeUnknownEffect(JsonValue)(parsed).pipe(
    Effect.map((json) => json as JsonObject),
    Effect.mapError(() => new InvalidInput({ message: `${parameter}: must contain only JSON values.` }))
  )
}

/** A list of strings (check ids), given as an array or a comma-separated string. */
export const decodeStringList = (
  parameter: string,
  value: unknown
): Effect.Effect<ReadonlyArray<string>, InvalidInput> => {
  if (value === undefined || value === null) return Effect.succeed([])
  if (typeof value === "string")
    return Effect.succeed(
      value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    )
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return Effect.succeed(value)
  return Effect.fail(new InvalidInput({ message: `${parameter}: must be a list of strings.` }))
}
