import { Schema } from "effect"
import { makeResourceScans, type ResourceScans } from "./ResourceScans.js"

/** A generated template as the sandbox's CloudFormation front remembers it (the port knows it by `templateId`). */
export const TemplateRecord = Schema.Struct({
  region: Schema.String,
  templateId: Schema.String,
  arn: Schema.String,
  name: Schema.String,
  resources: Schema.Array(
    Schema.Struct({
      typeName: Schema.String,
      identifier: Schema.Record(Schema.String, Schema.String),
      logicalId: Schema.optional(Schema.String)
    })
  ),
  deletionPolicy: Schema.Literals(["DELETE", "RETAIN"]),
  updateReplacePolicy: Schema.Literals(["DELETE", "RETAIN"]),
  createdAt: Schema.Number,
  updatedAt: Schema.Number
})
export type TemplateRecord = typeof TemplateRecord.Type

/** A mutation request the sandbox handed out, for `ListResourceRequests`. */
export const RequestRecord = Schema.Struct({
  region: Schema.String,
  requestToken: Schema.String,
  at: Schema.Number
})
export type RequestRecord = typeof RequestRecord.Type

export const RegistryData = Schema.Struct({
  requests: Schema.Array(RequestRecord),
  templates: Schema.Array(TemplateRecord)
})
export type RegistryData = typeof RegistryData.Type

/** How many request tokens `ListResourceRequests` remembers (AWS keeps them for 7 days). */
const MAX_REQUESTS = 2_000

/**
 * What the wire protocols need beyond the ports: the request tokens handed out (Cloud Control's
 * `ListResourceRequests` has no port) and generated templates by name and ARN. Saved with the cloud's state.
 */
export class Registry {
  private requests: Array<RequestRecord>
  private templates: Array<TemplateRecord>
  /** Resource scans (kept in memory only: a restart forgets them, as they are cheap to run again). */
  scans: ResourceScans = makeResourceScans(300)

  constructor(data: RegistryData = { requests: [], templates: [] }) {
    this.requests = [...data.requests]
    this.templates = [...data.templates]
  }

  replace(data: RegistryData): void {
    this.requests = [...data.requests]
    this.templates = [...data.templates]
  }

  recordRequest(record: RequestRecord): void {
    if (this.requests.some((r) => r.region === record.region && r.requestToken === record.requestToken)) return
    this.requests.push(record)
    if (this.requests.length > MAX_REQUESTS) this.requests.splice(0, this.requests.length - MAX_REQUESTS)
  }

  /** Newest first. */
  requestsIn(region: string): ReadonlyArray<RequestRecord> {
    return this.requests.filter((r) => r.region === region).reverse()
  }

  addTemplate(record: TemplateRecord): void {
    this.templates.push(record)
  }

  updateTemplate(record: TemplateRecord): void {
    this.templates = this.templates.map((t) => (t.arn === record.arn ? record : t))
  }

  removeTemplate(record: TemplateRecord): void {
    this.templates = this.templates.filter((t) => t.arn !== record.arn)
  }

  templatesIn(region: string): ReadonlyArray<TemplateRecord> {
    return this.templates.filter((t) => t.region === region)
  }

  /** By name or ARN, as CloudFormation's `GeneratedTemplateName` parameter accepts either. */
  findTemplate(region: string, nameOrArn: string): TemplateRecord | undefined {
    return this.templatesIn(region).find((t) => t.arn === nameOrArn || t.name === nameOrArn)
  }

  toJSON(): RegistryData {
    return { requests: this.requests, templates: this.templates }
  }
}
