import { Result } from "effect"
import { applyDefaultTags, hasDefaultTags, readTags, type Tag } from "../policy/DefaultTags.js"
import { templateFor } from "./CfnTemplate.js"
import { InvalidInput, NotUpdatable, PatchInvalid, PropertiesInvalid, type Violation } from "../model/Errors.js"
import { sha256Hex } from "../internal/sha256.js"
import { applyPatch, decodePatch, diffPatch } from "../json/JsonPatch.js"
import { escapePointerSegment } from "../json/JsonPointer.js"
import {
  collect,
  isAncestorOf,
  isAtOrUnder,
  patternOf,
  rewrite,
  segmentsOf,
  type Segments
} from "../json/SchemaPaths.js"
import type { PatchDocument } from "../model/Cloud.js"
import { ClientToken, type Identifier, type Region } from "../model/Ids.js"
import { canonicalJson, isJsonObject, jsonEquals, type JsonObject, type JsonValue } from "../model/Json.js"
import {
  CreatePlan,
  DeletePlan,
  type DiffEntry,
  type GuardrailSubject,
  type GuardrailVerdict,
  type Plan,
  type PlannedTag,
  type PlanOperation,
  UpdatePlan
} from "../model/Plan.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"

/** What every plan builder needs besides its input: the schema, where the change goes, the time, tags and guardrails. */
export interface PlanContext {
  readonly schema: ResourceSchema
  readonly accountId: string
  readonly region: Region
  /** Epoch milliseconds, from `Clock`. */
  readonly now: number
  /** Empty when `DEFAULT_TAGS=disabled`. */
  readonly defaultTags: ReadonlyArray<Tag>
  readonly guardrails: (subject: GuardrailSubject) => ReadonlyArray<GuardrailVerdict>
}

/** Every field of a plan except its hash (of each operation's plan, for a union). */
export type PlanFields<P extends Plan = Plan> = P extends Plan ? Omit<P, "hash"> : never

/** The text written where a write-only value would be shown. */
export const MASK = "***"

// ── Schema pointer patterns ("/properties/A/*/B") ─────────────────────────────

/** A schema pattern as the model reads it: `BucketName`, `Rules/*\/Prefix`. */
const patternName = (pattern: Segments): string => pattern.join("/")

/** `value` (found at `at`, a pointer into the properties) with the write-only locations replaced by `***`. */
export const maskWriteOnlyAt = (value: JsonValue, at: string, writeOnlyPaths: ReadonlyArray<string>): JsonValue => {
  const where = segmentsOf(at)
  let out = value
  for (const path of writeOnlyPaths) {
    const pattern = patternOf(path)
    if (pattern.length === 0) continue
    if (isAtOrUnder(where, pattern)) return MASK
    if (isAncestorOf(where, pattern)) out = rewrite(out, pattern.slice(where.length), () => MASK)
  }
  return out
}

/** `value` with every write-only location (`/properties/X/Y`, `*` for any array item) replaced by `***`. */
export const maskWriteOnly = (value: JsonObject, writeOnlyPaths: ReadonlyArray<string>): JsonObject =>
  maskWriteOnlyAt(value, "", writeOnlyPaths) as JsonObject

/** `properties` without the values AWS sets (the schema's read-only locations). */
export const stripReadOnly = (schema: ResourceSchema, properties: JsonObject): JsonObject => {
  let out: JsonValue = properties
  for (const path of schema.readOnlyProperties) {
    const pattern = patternOf(path)
    if (pattern.length > 0) out = rewrite(out, pattern, () => undefined)
  }
  return out as JsonObject
}

const flagsFor = (schema: ResourceSchema, pointer: string): DiffEntry["flags"] => {
  const where = segmentsOf(pointer)
  const hit = (paths: ReadonlyArray<string>) => paths.some((p) => isAtOrUnder(where, patternOf(p)))
  const flags: Array<DiffEntry["flags"][number]> = []
  if (hit(schema.createOnlyProperties)) flags.push("createOnly")
  if (hit(schema.writeOnlyProperties)) flags.push("writeOnly")
  if (hit(schema.readOnlyProperties)) flags.push("readOnly")
  return flags
}

const diffEntries = (
  schema: ResourceSchema,
  before: JsonValue,
  after: JsonValue,
  at: string,
  out: Array<DiffEntry>
): void => {
  if (jsonEquals(before, after)) return
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))]
    for (const key of keys) {
      const path = `${at}/${escapePointerSegment(key)}`
      const inBefore = Object.prototype.hasOwnProperty.call(before, key)
      const inAfter = Object.prototype.hasOwnProperty.call(after, key)
      if (!inAfter) out.push({ path, kind: "removed", before: before[key]!, flags: flagsFor(schema, path) })
      else if (!inBefore) out.push({ path, kind: "added", after: after[key]!, flags: flagsFor(schema, path) })
      else diffEntries(schema, before[key]!, after[key]!, path, out)
    }
    return
  }
  out.push({ path: at, kind: "changed", before, after, flags: flagsFor(schema, at) })
}

/** The schema-aware difference between two states of a resource, leaf or subtree by subtree. */
export const diffStates = (schema: ResourceSchema, before: JsonObject, after: JsonObject): ReadonlyArray<DiffEntry> => {
  const out: Array<DiffEntry> = []
  diffEntries(schema, before, after, "", out)
  return out
}

// ── Hash and client token ─────────────────────────────────────────────────────

const planClasses = { create: CreatePlan, update: UpdatePlan, delete: DeletePlan } as const

/** The fields of each operation's plan that its hash covers: all of them but `hash`. */
export const hashedFields: { readonly [O in PlanOperation]: ReadonlyArray<string> } = {
  create: Object.keys(planClasses.create.fields).filter((k) => k !== "hash"),
  update: Object.keys(planClasses.update.fields).filter((k) => k !== "hash"),
  delete: Object.keys(planClasses.delete.fields).filter((k) => k !== "hash")
}

/** SHA-256 of the canonical JSON of every plan field except `hash`: any change to the plan changes it. */
export const planHash = (plan: PlanFields): string => {
  const fields: Record<string, JsonValue> = {}
  const values = plan as unknown as Record<string, unknown>
  for (const key of hashedFields[plan.operation]) {
    const value = values[key]
    if (value !== undefined) fields[key] = JSON.parse(JSON.stringify(value)) as JsonValue
  }
  return sha256Hex(canonicalJson(fields))
}

/**
 * The Cloud Control `ClientToken` of a plan, derived from what is applied — operation, account, region, type, and the
 * desired state (create) or the identifier, the patch and the live state it was planned from (update, delete) — never
 * from when it was planned. Re-planning the same change after an ambiguous failure gives the same token, so within
 * Cloud Control's idempotency window the retry returns the original request instead of applying the change twice.
 * `distinct` (a create the user wants as a second, separate resource) mixes the plan's own hash in.
 */
export const clientTokenFor = (plan: Plan, options: { readonly distinct?: boolean | undefined } = {}): ClientToken => {
  const applied: Record<string, JsonValue> = {
    operation: plan.operation,
    accountId: plan.accountId,
    region: plan.region,
    typeName: plan.typeName
  }
  if (plan.operation === "create") applied["desiredState"] = plan.desiredState
  else {
    applied["identifier"] = plan.identifier
    applied["base"] = plan.currentState
    if (plan.operation === "update") applied["patch"] = JSON.parse(JSON.stringify(plan.patch)) as JsonValue
  }
  if (options.distinct === true) applied["distinctFrom"] = plan.hash
  return ClientToken.make(sha256Hex(canonicalJson(applied)))
}

const sealCreate = (fields: PlanFields<CreatePlan>): CreatePlan => new CreatePlan({ ...fields, hash: planHash(fields) })
const sealUpdate = (fields: PlanFields<UpdatePlan>): UpdatePlan => new UpdatePlan({ ...fields, hash: planHash(fields) })
const sealDelete = (fields: PlanFields<DeletePlan>): DeletePlan => new DeletePlan({ ...fields, hash: planHash(fields) })

// ── Builders ─────────────────────────────────────────────────────────────────

const readOnlyViolations = (schema: ResourceSchema, properties: JsonObject): ReadonlyArray<Violation> => {
  const found: Array<string> = []
  for (const path of schema.readOnlyProperties) {
    const pattern = patternOf(path)
    if (pattern.length === 0) continue
    for (const [pointer] of collect(properties, pattern)) found.push(pointer)
  }
  const unique = [...new Set(found)].sort()
  return unique
    .filter((p) => !unique.some((q) => q !== p && p.startsWith(`${q}/`)))
    .map((path) => ({
      path,
      message: `${path} is read-only: AWS sets it and reports it after the resource exists; remove it from the properties`
    }))
}

const readOnlyRefusal = (schema: ResourceSchema, violations: ReadonlyArray<Violation>) =>
  new PropertiesInvalid({
    typeName: schema.typeName,
    violations,
    message:
      `The properties set read-only values of ${schema.typeName} (${violations.map((v) => v.path).join(", ")}). ` +
      "AWS sets these itself; remove them and generate the code again."
  })

const topLevelDiff = (schema: ResourceSchema, state: JsonObject, kind: "added" | "removed"): ReadonlyArray<DiffEntry> =>
  Object.keys(state).map((key) => {
    const path = `/${escapePointerSegment(key)}`
    return kind === "added"
      ? { path, kind, after: state[key]!, flags: flagsFor(schema, path) }
      : { path, kind, before: state[key]!, flags: flagsFor(schema, path) }
  })

/** Plan a create: the desired state with default tags, its template, its guardrail verdicts; read-only values refused. */
export const planCreate = (ctx: PlanContext, properties: JsonObject): Result.Result<CreatePlan, PropertiesInvalid> => {
  const { schema } = ctx
  const violations = readOnlyViolations(schema, properties)
  if (violations.length > 0) return Result.fail(readOnlyRefusal(schema, violations))
  const tagged = applyDefaultTags(schema, properties, ctx.defaultTags)
  const desiredState = tagged.properties
  return Result.succeed(
    sealCreate({
      operation: "create",
      accountId: ctx.accountId,
      region: ctx.region,
      typeName: schema.typeName,
      desiredState,
      diff: topLevelDiff(schema, desiredState, "added"),
      tags: tagged.tags,
      template: templateFor(schema.typeName, desiredState),
      guardrails: ctx.guardrails({ operation: "create", typeName: schema.typeName, properties: desiredState }),
      writeOnlyPaths: schema.writeOnlyProperties,
      createdAt: ctx.now
    })
  )
}

const readOnlyPatchViolations = (schema: ResourceSchema, patch: PatchDocument): ReadonlyArray<Violation> => {
  const patterns = schema.readOnlyProperties.map(patternOf).filter((p) => p.length > 0)
  const violations: Array<Violation> = []
  patch.forEach((op, i) => {
    if (op.op === "test") return
    const members: ReadonlyArray<"path" | "from"> = op.op === "move" ? ["path", "from"] : ["path"]
    for (const member of members) {
      const pointer = op[member]!
      const where = segmentsOf(pointer)
      const under = patterns.find((p) => isAtOrUnder(where, p))
      if (under !== undefined) {
        violations.push({
          path: `/${i}/${member}`,
          message: `operation ${i} (${op.op} ${pointer}) touches ${patternName(under)}, which is read-only: AWS sets it; remove this operation`
        })
        continue
      }
      if (member === "path" && (op.op === "add" || op.op === "replace") && isJsonObject(op.value as JsonValue)) {
        for (const p of patterns.filter((p) => isAncestorOf(where, p))) {
          if (collect(op.value as JsonValue, p.slice(where.length)).length > 0)
            violations.push({
              path: `/${i}/value`,
              message: `operation ${i} (${op.op} ${pointer}) sets ${patternName(p)} inside its value, which is read-only: AWS sets it; leave it out of the value`
            })
        }
      }
    }
  })
  return violations
}

const touchesPattern = (patch: PatchDocument, pattern: Segments): boolean =>
  patch.some(
    (op) =>
      op.op !== "test" &&
      [op.path, ...(op.op === "move" && op.from !== undefined ? [op.from] : [])].some((pointer) => {
        const where = segmentsOf(pointer)
        return isAtOrUnder(where, pattern) || isAncestorOf(where, pattern)
      })
  )

const createOnlyChanges = (schema: ResourceSchema, before: JsonObject, after: JsonObject): ReadonlyArray<string> =>
  schema.createOnlyProperties.flatMap((path) => {
    const pattern = patternOf(path)
    if (pattern.length === 0) return []
    const was = collect(before, pattern)
    const now = collect(after, pattern)
    const same =
      was.length === now.length &&
      was.every(([pointer, value]) => now.some(([p, v]) => p === pointer && jsonEquals(v, value)))
    return same ? [] : [patternName(pattern)]
  })

const tagsOfState = (
  schema: ResourceSchema,
  state: JsonObject,
  defaults: ReadonlyArray<Tag>
): ReadonlyArray<PlannedTag> =>
  readTags(schema, state).map((t) => ({
    ...t,
    source: defaults.some((d) => d.key === t.key && d.value === t.value) ? "default" : "user"
  }))

/**
 * Plan an update from new top-level `properties` (merged over the current state) or from an RFC 6902 patch: the exact
 * patch sent, the preview, the schema-aware diff. Read-only and create-only changes and empty changes are refused.
 */
export const planUpdate = (
  ctx: PlanContext,
  input: {
    readonly identifier: Identifier
    readonly currentState: JsonObject
    readonly properties?: JsonObject | undefined
    readonly patchDocument?: unknown
  }
): Result.Result<UpdatePlan, PatchInvalid | PropertiesInvalid | NotUpdatable | InvalidInput> =>
  Result.gen(function* () {
    const { schema } = ctx
    const current = input.currentState
    const hasProperties = input.properties !== undefined
    const hasPatch = input.patchDocument !== undefined
    if (hasProperties === hasPatch)
      return yield* Result.fail(
        new InvalidInput({
          message: hasProperties
            ? "Both properties and a patch were given for an update; send exactly one: properties to set (merged over the current ones) or an RFC 6902 patch."
            : "An update needs either properties (the top-level properties to set) or an RFC 6902 patch; neither was given."
        })
      )
    const writable = stripReadOnly(schema, current)
    let userPatch: PatchDocument
    let merged: JsonObject | undefined
    if (input.properties !== undefined) {
      const violations = readOnlyViolations(schema, input.properties)
      if (violations.length > 0) return yield* Result.fail(readOnlyRefusal(schema, violations))
      merged = { ...writable, ...input.properties }
      userPatch = diffPatch(writable, merged)
    } else {
      const decoded = yield* decodePatch(input.patchDocument)
      const violations = readOnlyPatchViolations(schema, decoded)
      if (violations.length > 0)
        return yield* Result.fail(
          new PatchInvalid({
            violations,
            message:
              `The patch changes read-only properties of ${schema.typeName}: ${violations.map((v) => v.message).join("; ")}. ` +
              "AWS sets read-only properties itself; remove those operations and generate the code again."
          })
        )
      userPatch = decoded
    }
    const userPreview = yield* applyPatch(current, userPatch)
    if (userPatch.every((op) => op.op === "test") || jsonEquals(userPreview, current))
      return yield* Result.fail(
        new InvalidInput({
          message: `There is nothing to change: the requested update leaves ${schema.typeName} ${input.identifier} exactly as it is. Compare with the live resource and send the properties or patch that differ.`
        })
      )

    const { tagging } = schema
    const tagPattern = tagging.tagProperty !== undefined ? patternOf(tagging.tagProperty) : undefined
    const tagsCreateOnly =
      tagPattern !== undefined && schema.createOnlyProperties.some((p) => isAtOrUnder(tagPattern, patternOf(p)))
    const wantsDefaults =
      ctx.defaultTags.length > 0 &&
      tagging.taggable &&
      tagging.tagUpdatable &&
      tagPattern !== undefined &&
      !tagsCreateOnly &&
      (touchesPattern(userPatch, tagPattern) || !hasDefaultTags(schema, current, ctx.defaultTags))
    // New properties are diffed once with their tags merged in; a patch document keeps the user's operations and
    // gets the default tags as operations appended after them.
    const patch: PatchDocument = !wantsDefaults
      ? userPatch
      : merged !== undefined
        ? diffPatch(writable, applyDefaultTags(schema, merged, ctx.defaultTags).properties)
        : [...userPatch, ...diffPatch(userPreview, applyDefaultTags(schema, userPreview, ctx.defaultTags).properties)]
    const previewState = patch === userPatch ? userPreview : yield* applyPatch(current, patch)

    const frozen = createOnlyChanges(schema, current, previewState)
    if (frozen.length > 0)
      return yield* Result.fail(
        new NotUpdatable({
          properties: frozen,
          message:
            `Cloud Control cannot change ${frozen.join(", ")} of an existing ${schema.typeName} in place: ` +
            `${frozen.length === 1 ? "it is a create-only property" : "they are create-only properties"}. ` +
            "Create a new resource with the new value (and delete the old one once nothing depends on it) instead, " +
            "or leave these properties as they are in this update."
        })
      )

    return sealUpdate({
      operation: "update",
      accountId: ctx.accountId,
      region: ctx.region,
      typeName: schema.typeName,
      identifier: input.identifier,
      patch,
      currentState: current,
      previewState,
      diff: diffStates(schema, current, previewState),
      tags: tagging.taggable ? tagsOfState(schema, previewState, ctx.defaultTags) : [],
      template: templateFor(schema.typeName, stripReadOnly(schema, previewState)),
      guardrails: ctx.guardrails({
        operation: "update",
        typeName: schema.typeName,
        properties: previewState,
        patch,
        currentState: current
      }),
      writeOnlyPaths: schema.writeOnlyProperties,
      createdAt: ctx.now
    })
  })

/** Plan a delete of exactly the live resource read: every property removed, its template, its guardrail verdicts. */
export const planDelete = (
  ctx: PlanContext,
  input: { readonly identifier: Identifier; readonly currentState: JsonObject }
): DeletePlan => {
  const { schema } = ctx
  return sealDelete({
    operation: "delete",
    accountId: ctx.accountId,
    region: ctx.region,
    typeName: schema.typeName,
    identifier: input.identifier,
    currentState: input.currentState,
    diff: topLevelDiff(schema, input.currentState, "removed"),
    tags: [],
    template: templateFor(schema.typeName, stripReadOnly(schema, input.currentState)),
    guardrails: ctx.guardrails({
      operation: "delete",
      typeName: schema.typeName,
      properties: input.currentState,
      currentState: input.currentState
    }),
    writeOnlyPaths: schema.writeOnlyProperties,
    createdAt: ctx.now
  })
}
