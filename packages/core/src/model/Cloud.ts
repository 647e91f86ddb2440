import { Schema } from "effect"
import { Identifier, RequestToken, TypeName } from "./Ids.js"
import { JsonObject } from "./Json.js"

/** One RFC 6902 operation. */
export const PatchOperation = Schema.Struct({
  op: Schema.Literals(["add", "remove", "replace", "move", "copy", "test"]),
  path: Schema.String,
  value: Schema.optional(Schema.Unknown),
  from: Schema.optional(Schema.String)
})
export type PatchOperation = typeof PatchOperation.Type

/** An RFC 6902 JSON Patch document. */
export const PatchDocument = Schema.Array(PatchOperation)
export type PatchDocument = typeof PatchDocument.Type

export const Operation = Schema.Literals(["CREATE", "UPDATE", "DELETE"])
export type Operation = typeof Operation.Type

export const OperationStatus = Schema.Literals([
  "PENDING",
  "IN_PROGRESS",
  "SUCCESS",
  "FAILED",
  "CANCEL_IN_PROGRESS",
  "CANCEL_COMPLETE"
])
export type OperationStatus = typeof OperationStatus.Type

/** The state of a Cloud Control mutation request (Cloud Control's `ProgressEvent`). */
export class ProgressEvent extends Schema.Class<ProgressEvent>("ProgressEvent")({
  typeName: TypeName,
  identifier: Schema.optional(Identifier),
  requestToken: RequestToken,
  operation: Operation,
  status: OperationStatus,
  /** Epoch milliseconds. */
  eventTime: Schema.optional(Schema.Number),
  resourceModel: Schema.optional(JsonObject),
  statusMessage: Schema.optional(Schema.String),
  /** Cloud Control's handler error code (`NotFound`, `AlreadyExists`, `InvalidRequest`, …) when FAILED. */
  errorCode: Schema.optional(Schema.String),
  /** Epoch milliseconds before which polling is pointless. */
  retryAfter: Schema.optional(Schema.Number)
}) {
  get isComplete(): boolean {
    return this.status === "SUCCESS" || this.status === "FAILED" || this.status === "CANCEL_COMPLETE"
  }
}

/** A live resource: its identifier and its current properties. */
export class ResourceDescription extends Schema.Class<ResourceDescription>("ResourceDescription")({
  identifier: Identifier,
  properties: JsonObject
}) {}

/** One page of a `list`. */
export class ResourcePage extends Schema.Class<ResourcePage>("ResourcePage")({
  typeName: TypeName,
  resources: Schema.Array(ResourceDescription),
  nextToken: Schema.optional(Schema.String)
}) {}

/** Where credentials came from, as the SDK reports it. */
export const CredentialSource = Schema.Literals([
  "environment",
  "profile",
  "sso",
  "assume-role",
  "process",
  "web-identity",
  "container",
  "instance",
  "static",
  "sandbox",
  "unknown"
])
export type CredentialSource = typeof CredentialSource.Type

/** Who the server acts as. */
export class CallerIdentity extends Schema.Class<CallerIdentity>("CallerIdentity")({
  accountId: Schema.String,
  arn: Schema.String,
  userId: Schema.String,
  credentialSource: CredentialSource,
  profile: Schema.optional(Schema.String),
  region: Schema.String,
  /** Set when the calls go to a non-AWS endpoint (the sandbox, `AWS_ENDPOINT_URL`). */
  endpoint: Schema.optional(Schema.String)
}) {}

/** The AWS environment the server sees before any call is made. */
export class EnvironmentInfo extends Schema.Class<EnvironmentInfo>("EnvironmentInfo")({
  profile: Schema.optional(Schema.String),
  region: Schema.String,
  /** How the region was chosen: `AWS_REGION`, the profile, or the default. */
  regionSource: Schema.Literals(["argument", "environment", "profile", "default"]),
  /** The names (never the values) of the AWS variables that are set. */
  variablesSet: Schema.Array(Schema.String),
  endpoint: Schema.optional(Schema.String)
}) {}

/** A resource to include in a generated template: its type and identifier properties. */
export const TemplateResource = Schema.Struct({
  typeName: TypeName,
  /** Primary identifier properties, e.g. `{ BucketName: "my-bucket" }`. */
  identifier: Schema.Record(Schema.String, Schema.String)
})
export type TemplateResource = typeof TemplateResource.Type

export const TemplateStatus = Schema.Literals([
  "CREATE_PENDING",
  "UPDATE_PENDING",
  "DELETE_PENDING",
  "CREATE_IN_PROGRESS",
  "UPDATE_IN_PROGRESS",
  "DELETE_IN_PROGRESS",
  "FAILED",
  "COMPLETE"
])
export type TemplateStatus = typeof TemplateStatus.Type

export class GeneratedTemplateState extends Schema.Class<GeneratedTemplateState>("GeneratedTemplateState")({
  templateId: Schema.String,
  templateName: Schema.optional(Schema.String),
  status: TemplateStatus,
  statusReason: Schema.optional(Schema.String)
}) {}

export const DeletionPolicy = Schema.Literals(["DELETE", "RETAIN"])
export type DeletionPolicy = typeof DeletionPolicy.Type
export const UpdateReplacePolicy = Schema.Literals(["DELETE", "RETAIN"])
export type UpdateReplacePolicy = typeof UpdateReplacePolicy.Type
export const TemplateFormat = Schema.Literals(["JSON", "YAML"])
export type TemplateFormat = typeof TemplateFormat.Type
/** The formats a CloudFormation template can be converted to (`TemplateConverter`). */
export const CodeFormat = Schema.Literals(["cdk-typescript", "cdk-python", "terraform"])
export type CodeFormat = typeof CodeFormat.Type
/** What a template export can return: the CloudFormation template (JSON, YAML) or the same resources as code. */
export const TemplateOutputFormat = Schema.Literals(["JSON", "YAML", ...CodeFormat.literals])
export type TemplateOutputFormat = typeof TemplateOutputFormat.Type

/** A security finding: one failed check on one resource. */
export class Finding extends Schema.Class<Finding>("Finding")({
  checkId: Schema.String,
  title: Schema.String,
  resource: Schema.String,
  severity: Schema.NullOr(Schema.String),
  guideline: Schema.NullOr(Schema.String),
  /** JSON pointer or file path the scanner named, when it did. */
  location: Schema.optional(Schema.String)
}) {}

/** The outcome of a security scan of one template. */
export class ScanReport extends Schema.Class<ScanReport>("ScanReport")({
  scanner: Schema.String,
  scannerVersion: Schema.optional(Schema.String),
  passed: Schema.Number,
  failed: Schema.Number,
  skipped: Schema.Number,
  /** The failed checks. */
  findings: Schema.Array(Finding),
  /** Ids of the checks that passed. */
  passedCheckIds: Schema.Array(Schema.String)
}) {
  get failedCheckIds(): ReadonlyArray<string> {
    return [...new Set(this.findings.map((f) => f.checkId))].sort()
  }
}
