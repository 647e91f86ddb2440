import { randomUUID } from "node:crypto"
import { Schema } from "effect"
import { Region } from "@ccapi/core"

/** The account every sandbox response speaks for. */
export const ACCOUNT_ID = "123456789012"
export const DEFAULT_REGION = Region.make("us-east-1")

/** An HTTP response, protocol-encoded. */
export interface WireResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** An incoming request, already read. */
export interface WireRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: string
  readonly requestId: string
}

export const newRequestId = (): string => randomUUID()

export const header = (request: WireRequest, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}

const isRegion = Schema.is(Region)

/**
 * The region and service a SigV4-signed request was signed for, from the `Authorization` header's credential scope
 * (`Credential=AKID/20261125/us-east-1/cloudcontrolapi/aws4_request`). Signatures are not verified.
 */
export const signingScope = (request: WireRequest): { readonly region: Region; readonly service?: string } => {
  const authorization = header(request, "authorization") ?? ""
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization)
  if (match === null) return { region: DEFAULT_REGION }
  const [, region, service] = match
  return { region: region !== undefined && isRegion(region) ? region : DEFAULT_REGION, ...(service ? { service } : {}) }
}

/** Epoch milliseconds → the epoch seconds AWS JSON protocols carry timestamps in. */
export const epochSeconds = (millis: number): number => Math.round(millis) / 1000

/** Epoch milliseconds → ISO-8601 as the query protocol carries timestamps. */
export const isoTime = (millis: number): string => new Date(millis).toISOString()
