import { Effect } from "effect"
import { PlanMismatch } from "../model/Errors.js"
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { Plan } from "../model/Plan.js"
import { CloudControl } from "../ports/CloudControl.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"
import { sha256Hex } from "../internal/sha256.js"

/*
 * What "the resource that was explained" means at apply time. An update or a delete is planned from the live
 * resource; right before sending, the live resource is read again and compared with the plan's `currentState`
 * through this digest. It covers every property the service returns except:
 *   - write-only properties (never returned; masked anyway), and
 *   - read-only properties whose value the service changes by itself (a status, a timestamp of the last change, a
 *     count or size, an approximate figure), judged by the schema's `readOnlyProperties` and the property's name.
 * Other read-only properties (an ARN, an id, a creation time) stay in: they tell a resource that was deleted and
 * re-created under the same identifier from the one that was explained.
 */

/** Read-only property names whose values change without anyone changing the resource. */
const volatileName =
  /^(.*status|.*state|last.*|.*modified.*|.*updated.*|.*count|.*size|approximate.*|.*progress.*|latest.*|.*timestamp|version(id)?)$/i

const pathOf = (pointer: string): ReadonlyArray<string> | undefined => {
  const parts = pointer.split("/").slice(1)
  if (parts[0] !== "properties" || parts.length < 2 || parts.includes("*")) return undefined
  return parts.slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
}

const without = (value: JsonValue, path: ReadonlyArray<string>): JsonValue => {
  if (path.length === 0 || !isJsonObject(value)) return value
  const [head, ...rest] = path as [string, ...Array<string>]
  if (!Object.hasOwn(value, head)) return value
  const out: Record<string, JsonValue> = { ...value }
  if (rest.length === 0) delete out[head]
  else out[head] = without(value[head]!, rest)
  return out
}

/** The JSON pointers the live-state digest leaves out for a type: write-only, and volatile read-only properties. */
export const volatilePaths = (schema: ResourceSchema): ReadonlyArray<string> => [
  ...schema.writeOnlyProperties,
  ...schema.readOnlyProperties.filter((pointer) => volatileName.test(pointer.split("/").pop() ?? ""))
]

/** The properties of a live resource as the digest sees them. */
export const stableState = (properties: JsonObject, schema: ResourceSchema): JsonObject => {
  let out: JsonValue = properties
  for (const pointer of volatilePaths(schema)) {
    const path = pathOf(pointer)
    if (path !== undefined) out = without(out, path)
  }
  return out as JsonObject
}

/** SHA-256 of the canonical JSON of a resource's stable state: equal digests, the same resource as explained. */
export const liveDigest = (properties: JsonObject, schema: ResourceSchema): string =>
  sha256Hex(canonicalJson(stableState(properties, schema)))

/**
 * Guarantee 9, right before an update or a delete is sent: the live resource is still the one that was explained.
 * It is read again and its digest compared with the plan's `currentState`; a resource that is gone, was replaced
 * (deleted and re-created under the same identifier with other content) or changed since is refused, asking for a new
 * explanation. A create has nothing live to check.
 */
export const liveStateGate = Effect.fn("Gate.liveState")(function* (plan: Plan) {
  if (plan.operation === "create") return
  const schema = yield* (yield* ResourceSchemas).describe(plan.typeName, plan.region)
  const live = yield* (yield* CloudControl).get({
    typeName: plan.typeName,
    identifier: plan.identifier,
    region: plan.region
  })
  if (liveDigest(live.properties, schema) === liveDigest(plan.currentState, schema)) return
  const changed = changedProperties(stableState(plan.currentState, schema), stableState(live.properties, schema))
  return yield* new PlanMismatch({
    field: "resource",
    planned: plan.identifier,
    requested: plan.identifier,
    message: `${plan.typeName} "${plan.identifier}" is no longer the resource that was explained: ${
      changed.length > 0 ? `${changed.slice(0, 10).join(", ")} changed` : "its properties changed"
    } since the ${plan.operation} was explained (changed out of band, or deleted and re-created). Nothing was sent. Read it again and explain the ${plan.operation} again (${plan.operation === "delete" ? "explain the delete again" : "plan the update again, then explain it"}), so the user sees what it is now.`
  })
})

/** The top-level properties whose values differ between two states (names only: values may be secret). */
const changedProperties = (before: JsonObject, after: JsonObject): ReadonlyArray<string> =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => canonicalJson(before[key] ?? null) !== canonicalJson(after[key] ?? null)
  )
