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

/** What every plan holds, whatever its operation. */
const planFields = {
  accountId: Schema.String,
  region: Region,
  typeName: TypeName,
  diff: Schema.Array(DiffEntry),
  tags: Schema.Array(PlannedTag),
  /** The one-resource CloudFormation template that is scanned. */
  template: JsonObject,
  guardrails: Schema.Array(GuardrailVerdict),
  /** JSON pointers of write-only properties, masked wherever the plan is shown. */
  writeOnlyPaths: Schema.Array(Schema.String),
  /** Epoch milliseconds. */
  createdAt: Schema.Number,
  /** SHA-256 (hex) of the canonical JSON of every other field of the plan. */
  hash: Schema.String
}

/** A create: the exact desired state sent, default tags included. The identifier is known only once AWS made it. */
export class CreatePlan extends Schema.Class<CreatePlan>("CreatePlan")({
  operation: Schema.tag("create"),
  ...planFields,
  desiredState: JsonObject
}) {}

/** An update of one live resource: the exact RFC 6902 patch sent, the state it was planned from and the preview. */
export class UpdatePlan extends Schema.Class<UpdatePlan>("UpdatePlan")({
  operation: Schema.tag("update"),
  ...planFields,
  identifier: Identifier,
  patch: PatchDocument,
  /** The live properties read when the plan was made. */
  currentState: JsonObject,
  /** The live properties with the patch applied. */
  previewState: JsonObject
}) {}

/** A delete of exactly the live resource read when the plan was made. */
export class DeletePlan extends Schema.Class<DeletePlan>("DeletePlan")({
  operation: Schema.tag("delete"),
  ...planFields,
  identifier: Identifier,
  /** The live properties read when the plan was made. */
  currentState: JsonObject
}) {}

/**
 * The exact change the server will make, built by the server. What is explained, scanned and applied is this
 * value and nothing the model sends later. Each operation carries exactly the fields it needs; `hash` covers
 * every other field.
 */
export const Plan = Schema.Union([CreatePlan, UpdatePlan, DeletePlan])
export type Plan = CreatePlan | UpdatePlan | DeletePlan

/** The plan of one operation. */
export type PlanOf<O extends PlanOperation> = Extract<Plan, { readonly operation: O }>

/** The identifier of the resource a plan changes; undefined for a create (AWS assigns it). */
export const identifierOf = (plan: Plan): Identifier | undefined =>
  plan.operation === "create" ? undefined : plan.identifier

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
