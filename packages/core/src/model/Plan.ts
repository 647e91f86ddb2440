import { Schema } from "effect"
import { Identifier, Region, TypeName } from "./Ids.js"
import { JsonObject, JsonValue } from "./Json.js"
import { PatchDocument } from "./Cloud.js"

export const PlanOperation = Schema.Literals(["create", "update", "delete"])
export type PlanOperation = typeof PlanOperation.Type

/** One changed leaf or subtree between the current and the planned state. */
export const DiffEntry = Schema.Struct({
  /** JSON pointer into the properties. */
  path: Schema.String,
  kind: Schema.Literals(["added", "removed", "changed"]),
  before: Schema.optional(JsonValue),
  after: Schema.optional(JsonValue),
  /** The property is create-only, write-only or read-only, as the schema says. */
  flags: Schema.Array(Schema.Literals(["createOnly", "writeOnly", "readOnly"]))
})
export type DiffEntry = typeof DiffEntry.Type

/** A tag the plan sends, and whether the server added it or the user set it. */
export const PlannedTag = Schema.Struct({
  key: Schema.String,
  value: Schema.String,
  source: Schema.Literals(["default", "user"])
})
export type PlannedTag = typeof PlannedTag.Type

/** A guardrail rule that the plan breaks, at a path, with the reason. */
export const GuardrailVerdict = Schema.Struct({
  rule: Schema.String,
  path: Schema.String,
  reason: Schema.String
})
export type GuardrailVerdict = typeof GuardrailVerdict.Type

/**
 * The exact change the server will make, built by the server. What is explained, scanned and applied is this
 * value and nothing the model sends later. `hash` covers every other field.
 */
export class Plan extends Schema.Class<Plan>("Plan")({
  operation: PlanOperation,
  accountId: Schema.String,
  region: Region,
  typeName: TypeName,
  /** Absent for a create: the identifier is known only when Cloud Control has made the resource. */
  identifier: Schema.optional(Identifier),
  /** create: the exact desired state sent, default tags included. */
  desiredState: Schema.optional(JsonObject),
  /** update: the exact RFC 6902 patch sent. */
  patch: Schema.optional(PatchDocument),
  /** update / delete: the live properties read when the plan was made. */
  currentState: Schema.optional(JsonObject),
  /** update: the live properties with the patch applied. */
  previewState: Schema.optional(JsonObject),
  diff: Schema.Array(DiffEntry),
  tags: Schema.Array(PlannedTag),
  /** The one-resource CloudFormation template that is scanned. */
  template: JsonObject,
  guardrails: Schema.Array(GuardrailVerdict),
  /** JSON pointers of write-only properties, masked wherever the plan is shown. */
  writeOnlyPaths: Schema.Array(Schema.String),
  /** Epoch milliseconds. */
  createdAt: Schema.Number,
  /** SHA-256 (hex) of the canonical JSON of every field above. */
  hash: Schema.String
}) {}

/** What a guardrail rule inspects: the properties that will exist after the change, and the patch itself. */
export interface GuardrailSubject {
  readonly operation: PlanOperation
  readonly typeName: TypeName
  /** create: the desired state; update: the preview (current state with the patch applied); delete: the live state. */
  readonly properties: JsonObject
  /** update: the patch that will be sent. */
  readonly patch?: PatchDocument | undefined
  /** update / delete: the live state before the change. */
  readonly currentState?: JsonObject | undefined
}
