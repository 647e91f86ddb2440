import { existsSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { startChild } from "@ccapi/testkit/services"
import { isolatedEnv } from "./BinProcess.js"

/*
 * A fleet of real processes for tests: the sandbox as its own `ccapi-sandbox` process, and replicas as the built
 * `ccapi-mcp-server` bin, each with the environment an operator gives a replica (static credentials, the sandbox as
 * `AWS_ENDPOINT_URL`, the shared store and journal). Needs `npm run build` (the root pretest runs it).
 */

const built = (relative: string) => {
  const file = fileURLToPath(new URL(`../../../${relative}`, import.meta.url))
  const dist = path.join(path.dirname(path.dirname(file)), "dist", "main.js")
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` (the root pretest does) first.`)
  return file
}
export const mcpServerBin = () => built("mcp-server/bin/ccapi-mcp-server.js")
const sandboxBin = () => built("sandbox/bin/ccapi-sandbox.js")

/** The static credentials every replica signs its AWS calls with (the sandbox takes any). */
export const fleetCredentials = { accessKeyId: "AKIAFLEETTEST0000001", secretAccessKey: "fleet-test-secret" } as const

/** The sandbox in a process of its own (`ccapi-sandbox --port 0`); its URL is what it prints. */
export const startSandboxProcess = async (options: { readonly delayMs?: number } = {}) => {
  const child = startChild(process.execPath, [sandboxBin(), "--port", "0", "--delay-ms", String(options.delayMs ?? 20)])
  const [url] = await child.waitForOutput(/http:\/\/127\.0\.0\.1:\d+/, 30_000)
  return { url, stop: () => child.stop() }
}

/**
 * A replica's environment: isolated from the machine's AWS and ccapi settings (`isolatedEnv`), then static
 * credentials, the sandbox as the AWS endpoint, scanning disabled (the fleet tests are about shared state; Checkov is
 * tested elsewhere), the shared store and journal, and `extra`.
 */
export const replicaEnv = (options: {
  readonly sandboxUrl: string
  readonly storeUrl: string
  readonly journalUrl: string
  /** OAuth against the test's issuer, and the fleet's shared request-state key (both needed for a fleet). */
  readonly oauth?: {
    readonly issuer: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string }
    readonly algorithms: string
    readonly requestStateKey: string
  }
  readonly extra?: Record<string, string>
}): Record<string, string> =>
  isolatedEnv({
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: fleetCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fleetCredentials.secretAccessKey,
    AWS_ENDPOINT_URL: options.sandboxUrl,
    SECURITY_SCANNING: "disabled",
    CCAPI_STORE_URL: options.storeUrl,
    CCAPI_JOURNAL_URL: options.journalUrl,
    ...(options.oauth === undefined
      ? {}
      : {
          CCAPI_OAUTH_ISSUER: options.oauth.issuer.issuer,
          CCAPI_OAUTH_AUDIENCE: options.oauth.issuer.audience,
          CCAPI_OAUTH_JWKS_URL: options.oauth.issuer.jwksUrl,
          CCAPI_OAUTH_ALGORITHMS: options.oauth.algorithms,
          CCAPI_REQUEST_STATE_KEY: options.oauth.requestStateKey
        }),
    ...options.extra
  })

/** A replica process serving Streamable HTTP (`--http --port 0`): its URL once it listens; SIGKILL or SIGTERM it. */
export const startHttpReplica = async (name: string, env: Record<string, string>) => {
  const child = startChild(process.execPath, [mcpServerBin(), "--http", "--port", "0"], { env })
  const match = await child.waitForOutput(/listening on (http:\/\/\S+\/mcp)/, 60_000)
  return {
    name,
    url: match[1]!,
    output: child.output,
    exited: child.exited,
    exitReason: child.exitReason,
    kill: () => child.stop("SIGKILL"),
    stop: () => child.stop("SIGTERM")
  }
}

export type HttpReplica = Awaited<ReturnType<typeof startHttpReplica>>
