import { jsonEquals, type JsonObject, type JsonValue } from "../model/Json.js"
import type { PatchDocument, ProgressEvent } from "../model/Cloud.js"
import { identifierOf, type Plan } from "../model/Plan.js"
import { maskWriteOnly, maskWriteOnlyAt } from "../workflow/Plans.js"
import type { PlanView, RequestStatus } from "./Results.js"

/** A patch with write-only values masked, also where they sit inside a larger value. */
export const maskPatch = (patch: PatchDocument, writeOnlyPaths: ReadonlyArray<string>): PatchDocument =>
  patch.map((op) =>
    op.value !== undefined ? { ...op, value: maskWriteOnlyAt(op.value as JsonValue, op.path, writeOnlyPaths) } : op
  )

/** The properties a plan shows: the desired state of a create, the preview of an update, the live state deleted. */
const stateAfter = (plan: Plan): JsonObject => {
  switch (plan.operation) {
    case "create":
      return plan.desiredState
    case "update":
      return plan.previewState
    case "delete":
      return plan.currentState
  }
}

/** The plan as the model sees it: everything, with write-only values masked. */
export const planView = (plan: Plan): PlanView => ({
  operation: plan.operation,
  accountId: plan.accountId,
  region: plan.region,
  typeName: plan.typeName,
  identifier: identifierOf(plan),
  properties: maskWriteOnly(stateAfter(plan), plan.writeOnlyPaths),
  patch: plan.operation === "update" ? maskPatch(plan.patch, plan.writeOnlyPaths) : undefined,
  diff: plan.diff.map((entry) => ({
    ...entry,
    ...(entry.before !== undefined ? { before: maskWriteOnlyAt(entry.before, entry.path, plan.writeOnlyPaths) } : {}),
    ...(entry.after !== undefined ? { after: maskWriteOnlyAt(entry.after, entry.path, plan.writeOnlyPaths) } : {})
  })),
  tags: plan.tags,
  guardrails: plan.guardrails,
  template: maskTemplate(plan),
  hash: plan.hash
})

const maskTemplate = (plan: Plan): JsonObject => {
  if (plan.writeOnlyPaths.length === 0) return plan.template
  const resources = plan.template["Resources"]
  if (typeof resources !== "object" || resources === null || Array.isArray(resources)) return plan.template
  const masked: Record<string, JsonObject> = {}
  for (const [logicalId, resource] of Object.entries(resources as JsonObject)) {
    const r = resource as JsonObject
    const properties = r["Properties"]
    masked[logicalId] =
      typeof properties === "object" && properties !== null && !Array.isArray(properties)
        ? { ...r, Properties: maskWriteOnly(properties as JsonObject, plan.writeOnlyPaths) }
        : r
  }
  return { ...plan.template, Resources: masked }
}

const isoTime = (epochMillis: number | undefined): string | undefined =>
  epochMillis === undefined ? undefined : new Date(epochMillis).toISOString()

/** A Cloud Control request as its progress event tells it: the fields a mutation's result and a status poll share. */
export const progressView = (event: ProgressEvent): Omit<RequestStatus, "operation" | "resourceModel"> => ({
  typeName: event.typeName,
  identifier: event.identifier,
  requestToken: event.requestToken,
  status: event.status,
  isComplete: event.isComplete,
  errorCode: event.errorCode,
  statusMessage: event.statusMessage,
  eventTime: isoTime(event.eventTime),
  retryAfter: isoTime(event.retryAfter)
})

export const requestStatusView = (event: ProgressEvent): RequestStatus => ({
  ...progressView(event),
  operation: event.operation,
  resourceModel: event.resourceModel
})

const asJson = (patch: PatchDocument): JsonValue => JSON.parse(JSON.stringify(patch)) as JsonValue

/**
 * Whether a patch the model re-sends is the explained one: the same document, or the model's own ops without the
 * default-tag ops the server appended (those touch only the tag property).
 */
export const samePatch = (sent: PatchDocument, planned: PatchDocument, tagProperty: string | undefined): boolean => {
  if (jsonEquals(asJson(sent), asJson(planned))) return true
  if (tagProperty === undefined || sent.length >= planned.length) return false
  const appended = planned.slice(sent.length)
  return (
    jsonEquals(asJson(sent), asJson(planned.slice(0, sent.length))) &&
    appended.every((op) => op.path === `/${tagProperty}` || op.path.startsWith(`/${tagProperty}/`))
  )
}
