import { Effect, Result, Schema, SchemaIssue } from "effect"
import {
  decodePatch,
  decodeTokenId,
  Identifier,
  InvalidInput,
  isJsonObject,
  type JsonObject,
  JsonValue,
  Region,
  RequestToken,
  TemplateOutputFormat,
  TemplateResource,
  type TokenKind,
  TypeName
} from "@ccapi/core"

/*
 * The tools' arguments decoded into core's commands. Zod has checked the JSON types; what it cannot say (a type name's
 * shape, a token's kind, JSON given as text, a choice in any case) is decided here, and a failure is an `InvalidInput`
 * (or `TokenInvalid`, `PatchInvalid`) whose message names the MCP parameter and says what a valid value looks like.
 */

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** The first problem, worded as the model has always read it: "Expected string, actual 123" when the input is shown. */
const firstIssue = (error: Schema.SchemaError): string => {
  const message = formatIssue(error.issue).issues[0]?.message
  return message === undefined ? "invalid value" : message.replace(/^(Expected [^,]*), got /, "$1, actual ")
}

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

/** A value the reference's Python signatures let the model leave out by sending null or "". */
const isAbsent = (value: unknown): value is undefined | null | "" =>
  value === undefined || value === null || value === ""

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

/** A region argument; absent (the environment's region) when not given. */
export const decodeRegion = (parameter: string, value: unknown): Effect.Effect<Region | undefined, InvalidInput> =>
  isAbsent(value) ? Effect.succeed(undefined) : decodeRegionValue(parameter, value)

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

/** An optional JSON object argument. */
export const decodeOptionalJsonObject = (parameter: string, value: unknown) =>
  value === undefined || value === null ? Effect.succeed(undefined) : decodeJsonObject(parameter, value)

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

/** One of a fixed set of choices, in any case; `fallback` when not given. */
export const decodeChoice = <const L extends ReadonlyArray<string>>(
  schema: Schema.Literals<L>,
  parameter: string,
  value: unknown,
  fallback: L[number]
): Effect.Effect<L[number], InvalidInput> => {
  if (isAbsent(value)) return Effect.succeed(fallback)
  const choices = schema.literals.map((l) => JSON.stringify(l)).join(" | ")
  return Schema.decodeUnknownEffect(schema)(typeof value === "string" ? value.toUpperCase() : value).pipe(
    Effect.mapError(() => new InvalidInput({ message: `${parameter}: must be one of ${choices}.` }))
  )
}

/** A workflow token argument (`<kind>_token`): written as this server writes tokens of that kind. */
export { decodeTokenId }

/** An optional workflow token argument. */
export const decodeOptionalTokenId = <K extends TokenKind>(kind: K, value: unknown) =>
  isAbsent(value) ? Effect.succeed(undefined) : decodeTokenId(kind, value)

/** What every mutation tool is given: the resource type, the credentials and explained tokens, the region. */
export const decodeMutationArguments = Effect.fn("Arguments.mutation")(function* (args: {
  readonly resource_type: unknown
  readonly credentials_token: unknown
  readonly explained_token: unknown
  readonly region?: unknown
}) {
  return {
    typeName: yield* decodeTypeName("resource_type", args.resource_type),
    credentialsToken: yield* decodeTokenId("credentials", args.credentials_token),
    explainedToken: yield* decodeTokenId("explained", args.explained_token),
    region: yield* decodeRegion("region", args.region)
  }
})

/** The scan arguments of a create or an update. */
export const decodeScanArguments = Effect.fn("Arguments.scan")(function* (args: {
  readonly security_scan_token?: unknown
  readonly skip_security_check?: unknown
  readonly accept_findings?: unknown
}) {
  return {
    securityScanToken: yield* decodeOptionalTokenId("security_scan", args.security_scan_token),
    skipSecurityCheck: args.skip_security_check === true,
    acceptFindings: yield* decodeStringList("accept_findings", args.accept_findings)
  }
})

/** An RFC 6902 patch argument (an array, or JSON text of one); absent when not given or empty. */
export const decodeOptionalPatch = (value: unknown) =>
  value === undefined || value === null || (Array.isArray(value) && value.length === 0)
    ? Effect.succeed(undefined)
    : Effect.fromResult(decodePatch(value))

/** The token of a Cloud Control request. */
export const decodeRequestToken = (value: unknown) =>
  Effect.fromResult(
    Result.mapError(
      Schema.decodeUnknownResult(RequestToken)(value),
      () => new InvalidInput({ message: "request_token: pass the request_token a mutation returned." })
    )
  )

const ResourcesArgument = Schema.Array(
  Schema.Struct({
    ResourceType: Schema.String,
    ResourceIdentifier: Schema.Record(Schema.String, Schema.String)
  })
).check(Schema.isMinLength(1))

/**
 * create_template's `output_format`, in any case: the CloudFormation template (`JSON`, `YAML`) or the same resources as
 * code (`cdk-typescript`, `cdk-python`, `terraform`); YAML when not given.
 */
export const decodeTemplateOutputFormat = (value: unknown): Effect.Effect<TemplateOutputFormat, InvalidInput> => {
  if (isAbsent(value)) return Effect.succeed("YAML")
  const given = typeof value === "string" ? value.trim() : value
  const found = TemplateOutputFormat.literals.find(
    (format) => typeof given === "string" && format.toLowerCase() === given.toLowerCase()
  )
  return found !== undefined
    ? Effect.succeed(found)
    : Effect.fail(
        new InvalidInput({
          message: `output_format: must be one of ${TemplateOutputFormat.literals.map((l) => JSON.stringify(l)).join(" | ")} (the CloudFormation template as JSON or YAML, or the same resources as CDK TypeScript, CDK Python or Terraform for the awscc provider).`
        })
      )
}

/** create_template's `resources`: a non-empty list of `{ResourceType, ResourceIdentifier}`. */
export const decodeTemplateResources = Effect.fn("Arguments.templateResources")(function* (value: unknown) {
  if (value === undefined || value === null)
    return yield* new InvalidInput({
      message:
        'resources is required: a list of {"ResourceType": "AWS::S3::Bucket", "ResourceIdentifier": {"BucketName": "…"}}; or pass template_id to fetch a template started earlier.'
    })
  const raw = yield* Schema.decodeUnknownEffect(ResourcesArgument)(value).pipe(
    Effect.mapError(
      () =>
        new InvalidInput({
          message:
            'resources: a non-empty list of {"ResourceType": "AWS::S3::Bucket", "ResourceIdentifier": {"BucketName": "…"}}.'
        })
    )
  )
  return yield* Schema.decodeUnknownEffect(Schema.NonEmptyArray(TemplateResource))(
    raw.map((r) => ({ typeName: r.ResourceType, identifier: r.ResourceIdentifier }))
  ).pipe(
    Effect.mapError(() => new InvalidInput({ message: "resources: each ResourceType must be like AWS::S3::Bucket." }))
  )
})
