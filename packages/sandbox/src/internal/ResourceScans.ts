import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { isJsonObject, type JsonObject, type Region, ResourceSchemas, type TypeName } from "@ccapi/core"
import { type ApiError, clientError, serverError } from "./ApiError.js"
import { SandboxState } from "../SandboxState.js"
import { ACCOUNT_ID, isoTime } from "./wire.js"

/** A scanned resource: its type and primary identifier properties, as the IaC Generator lists them. */
interface ScannedResource {
  readonly typeName: string
  readonly identifier: Readonly<Record<string, string>>
  /** Every string in its properties, to find what it is related to. */
  readonly strings: ReadonlySet<string>
}

interface Scan {
  readonly id: string
  readonly region: string
  readonly startedAt: number
  readonly completesAt: number
  readonly resources: ReadonlyArray<ScannedResource>
}

/** How many scans a region keeps (AWS keeps them for 30 days and allows a few a day). */
const MAX_SCANS = 20

type Params = ReadonlyMap<string, string>
type XmlObject = { readonly [key: string]: unknown }

const stringsOf = (value: unknown, out: Set<string>): Set<string> => {
  if (typeof value === "string") out.add(value)
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out)
  else if (isJsonObject(value as never)) for (const item of Object.values(value as JsonObject)) stringsOf(item, out)
  return out
}

const scanNotFound = (id: string) =>
  clientError(
    "ResourceScanNotFound",
    `The resource scan ${id} cannot be found. List the scans (ListResourceScans) for the ids that exist.`
  )
const inProgress = (id: string) =>
  clientError(
    "ResourceScanInProgress",
    `The resource scan ${id} is still in progress. Poll DescribeResourceScan until its status is COMPLETE, then retry.`
  )

const page = <A>(
  items: ReadonlyArray<A>,
  params: Params,
  max = 100
): Effect.Effect<{ items: ReadonlyArray<A>; next?: string }, ApiError> => {
  const maxResults = Number(params.get("MaxResults") ?? String(max))
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max)
    return Effect.fail(clientError("ValidationError", `MaxResults must be between 1 and ${max}.`))
  const offset = Number(params.get("NextToken") ?? "0")
  if (!Number.isInteger(offset) || offset < 0)
    return Effect.fail(
      clientError("ValidationError", "NextToken is not one this endpoint issued; start again without it.")
    )
  return Effect.succeed({
    items: items.slice(offset, offset + maxResults),
    ...(offset + maxResults < items.length ? { next: String(offset + maxResults) } : {})
  })
}

const summaryOf = (scan: Scan, now: number): XmlObject => {
  const done = now >= scan.completesAt
  const share = Math.min(1, (now - scan.startedAt) / Math.max(1, scan.completesAt - scan.startedAt))
  return {
    ResourceScanId: scan.id,
    Status: done ? "COMPLETE" : "IN_PROGRESS",
    StatusReason: done ? "Resource scan complete" : "Resource scan in progress",
    StartTime: isoTime(scan.startedAt),
    ...(done ? { EndTime: isoTime(scan.completesAt) } : {}),
    PercentageCompleted: done ? 100 : Math.floor(share * 100),
    ScanType: "FULL"
  }
}

const scannedWire = (resource: ScannedResource): XmlObject => ({
  ResourceType: resource.typeName,
  ResourceIdentifier: { entry: Object.entries(resource.identifier).map(([key, value]) => ({ key, value })) },
  ManagedByStack: false
})

/** The `prefix.member.N` indexes of a query list. */
const memberIndexes = (params: Params, prefix: string): ReadonlyArray<number> => {
  const indexes = new Set<number>()
  const pattern = new RegExp(`^${prefix}\\.member\\.(\\d+)\\.`)
  for (const key of params.keys()) {
    const match = pattern.exec(key)
    if (match?.[1] !== undefined) indexes.add(Number(match[1]))
  }
  return [...indexes].sort((a, b) => a - b)
}

const entriesOf = (params: Params, prefix: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (let i = 1; params.has(`${prefix}.entry.${i}.key`); i++)
    out[params.get(`${prefix}.entry.${i}.key`)!] = params.get(`${prefix}.entry.${i}.value`) ?? ""
  return out
}

/** The IaC Generator's resource scans: a scan takes an inventory of the region, IN_PROGRESS for the completion delay, then COMPLETE. */
export const makeResourceScans = (durationMs: number) => {
  const scans: Array<Scan> = []

  const start = (params: Params, region: Region): Effect.Effect<XmlObject, ApiError, ResourceSchemas> =>
    Effect.gen(function* () {
      const now = Date.now()
      if (scans.some((s) => s.region === region && now < s.completesAt))
        return yield* Effect.fail(
          clientError(
            "ResourceScanInProgress",
            "A resource scan is already in progress in this region. Wait for it to complete (DescribeResourceScan), then start another."
          )
        )
      if (params.has("ScanFilters.member.1.Types.member.1"))
        return yield* Effect.fail(
          clientError(
            "ValidationError",
            "ScanFilters are not supported by this sandbox; start a full scan (no ScanFilters)."
          )
        )
      const state = yield* Effect.serviceOption(SandboxState)
      const inventory = state._tag === "Some" ? state.value.resources : undefined
      if (inventory === undefined)
        return yield* Effect.fail(
          serverError("InternalFailure", "This sandbox's backend cannot list its resources, so it cannot scan them.")
        )
      const schemas = yield* ResourceSchemas
      const found: Array<ScannedResource> = []
      for (const [typeName, id, properties] of yield* inventory(region)) {
        const schema = yield* schemas.describe(typeName as TypeName, region).pipe(Effect.option)
        const names = schema._tag === "Some" ? schema.value.primaryIdentifierNames : []
        const parts = id.split("|")
        const identifier: Record<string, string> = {}
        names.forEach((name, i) => {
          const value = properties[name]
          identifier[name] = typeof value === "string" || typeof value === "number" ? String(value) : (parts[i] ?? id)
        })
        found.push({ typeName, identifier, strings: stringsOf(properties, new Set()) })
      }
      const scan: Scan = {
        id: `arn:aws:cloudformation:${region}:${ACCOUNT_ID}:resourceScan/${randomUUID()}`,
        region,
        startedAt: now,
        completesAt: now + durationMs,
        resources: found
      }
      scans.push(scan)
      const mine = scans.filter((s) => s.region === region)
      if (mine.length > MAX_SCANS) scans.splice(scans.indexOf(mine[0]!), 1)
      return { ResourceScanId: scan.id }
    })

  const find = (params: Params, region: Region, complete: boolean): Effect.Effect<Scan, ApiError> => {
    const id = params.get("ResourceScanId")
    if (id === undefined || id === "")
      return Effect.fail(
        clientError(
          "ValidationError",
          "1 validation error detected: Value null at 'resourceScanId' failed to satisfy constraint: Member must not be null"
        )
      )
    const scan = scans.find((s) => s.region === region && s.id === id)
    if (scan === undefined) return Effect.fail(scanNotFound(id))
    if (complete && Date.now() < scan.completesAt) return Effect.fail(inProgress(id))
    return Effect.succeed(scan)
  }

  const describe = (params: Params, region: Region): Effect.Effect<XmlObject, ApiError> =>
    Effect.map(find(params, region, false), (scan) => {
      const summary = summaryOf(scan, Date.now())
      const done = summary["Status"] === "COMPLETE"
      return {
        ...summary,
        ...(done
          ? {
              ResourceTypes: { member: [...new Set(scan.resources.map((r) => r.typeName))].sort() },
              ResourcesScanned: scan.resources.length,
              ResourcesRead: scan.resources.length
            }
          : {})
      }
    })

  const list = (params: Params, region: Region): Effect.Effect<XmlObject, ApiError> => {
    const now = Date.now()
    const mine = scans.filter((s) => s.region === region).reverse()
    return Effect.map(page(mine, params), ({ items, next }) => ({
      ResourceScanSummaries: { member: items.map((s) => summaryOf(s, now)) },
      ...(next !== undefined ? { NextToken: next } : {})
    }))
  }

  const resources = (params: Params, region: Region): Effect.Effect<XmlObject, ApiError> =>
    Effect.gen(function* () {
      const scan = yield* find(params, region, true)
      const prefix = params.get("ResourceTypePrefix")
      const wantedId = params.get("ResourceIdentifier")
      if (params.has("TagKey") || params.has("TagValue"))
        return yield* Effect.fail(
          clientError("ValidationError", "TagKey and TagValue filters are not supported by this sandbox.")
        )
      const matching = scan.resources.filter(
        (r) =>
          (prefix === undefined || r.typeName.startsWith(prefix)) &&
          (wantedId === undefined || Object.values(r.identifier).includes(wantedId))
      )
      const { items, next } = yield* page(matching, params)
      return { Resources: { member: items.map(scannedWire) }, ...(next !== undefined ? { NextToken: next } : {}) }
    })

  const related = (params: Params, region: Region): Effect.Effect<XmlObject, ApiError> =>
    Effect.gen(function* () {
      const scan = yield* find(params, region, true)
      const asked = memberIndexes(params, "Resources").map((i) => ({
        typeName: params.get(`Resources.member.${i}.ResourceType`) ?? "",
        identifier: entriesOf(params, `Resources.member.${i}.ResourceIdentifier`)
      }))
      if (asked.length === 0)
        return yield* Effect.fail(clientError("ValidationError", "Resources must name at least one scanned resource."))
      const same = (a: ScannedResource, b: { typeName: string; identifier: Readonly<Record<string, string>> }) =>
        a.typeName === b.typeName && Object.entries(b.identifier).every(([k, v]) => a.identifier[k] === v)
      const roots = scan.resources.filter((r) => asked.some((a) => same(r, a)))
      // Related: a resource whose properties name a root's identifier, or whose identifier a root's properties name.
      const related = scan.resources.filter(
        (candidate) =>
          !roots.includes(candidate) &&
          roots.some(
            (root) =>
              Object.values(root.identifier).some((v) => candidate.strings.has(v)) ||
              Object.values(candidate.identifier).some((v) => root.strings.has(v))
          )
      )
      const { items, next } = yield* page(related, params)
      return {
        RelatedResources: { member: items.map(scannedWire) },
        ...(next !== undefined ? { NextToken: next } : {})
      }
    })
  return { start, describe, list, resources, related }
}

export type ResourceScans = ReturnType<typeof makeResourceScans>
