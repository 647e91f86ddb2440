import { isIP } from "node:net"
import { Result } from "effect"
import { allowedAlgorithms, type OAuthSettings } from "../auth/OAuth.js"

/** How the server is reached over Streamable HTTP (`--http`), and who may call it. */
export interface HttpSettings {
  readonly host: string
  readonly port: number
  /** Host header names accepted (DNS-rebinding protection); anything else is refused with 403. */
  readonly allowedHosts: ReadonlyArray<string>
  /** Origin host names accepted from browsers; a request with another Origin is refused with 403. */
  readonly allowedOrigins: ReadonlyArray<string>
  readonly maxBodyBytes: number
  /** The URL clients reach the server at (behind a proxy: its public https URL); names the metadata document. */
  readonly publicUrl: string
  /** Bearer-token verification; absent: no authentication, which is only allowed on loopback. */
  readonly oauth: OAuthSettings | undefined
  /** How long a SIGTERM waits for requests in flight before closing. */
  readonly drainSeconds: number
  /**
   * How 2025-11-25 clients are served: `stateful` gives each an `Mcp-Session-Id` session in this process's memory
   * (elicitation reaches it; a load balancer must send the session back here), `stateless` answers every request on
   * its own, as 2026-07-28 is served (any replica serves any request; no pushed elicitation). `CCAPI_HTTP_SESSIONS`;
   * by default `stateless` with a shared store (`CCAPI_STORE_URL`: a fleet), else `stateful`.
   */
  readonly sessions: "stateful" | "stateless"
}

/** The settings of the approval round trip (2026-07-28): its signing key, shared by a fleet's replicas. */
export interface RequestStateSettings {
  readonly key: string | undefined
}

const localhostNames = ["localhost", "127.0.0.1", "[::1]"]

/** Whether `host` is a loopback address or name: nothing off this machine can connect to it. */
export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || (isIP(host) === 4 && host.startsWith("127."))

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::" || host === "[::]"

const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "")

const wholeNumber = (name: string, raw: string, min: number, max: number): Result.Result<number, string> => {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  return Number.isSafeInteger(value) && value >= min && value <= max
    ? Result.succeed(value)
    : Result.fail(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`)
}

const url = (name: string, raw: string): Result.Result<URL, string> => {
  try {
    const parsed = new URL(raw)
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return Result.succeed(parsed)
  } catch {
    // Reported below.
  }
  return Result.fail(`${name} must be an http(s) URL; got ${JSON.stringify(raw)}`)
}

/**
 * Takes `--http`, `--port N` and `--host H` (also `--port=N`, `--host=H`) out of the command line and reads the HTTP
 * settings from the environment. Returns the rest of the arguments for the other flags, and either no HTTP settings
 * (stdio) or valid ones; every problem is reported, naming the setting and what to do.
 */
export const parseHttpSettings = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Result.Result<
  {
    readonly http: HttpSettings | undefined
    readonly requestState: RequestStateSettings
    readonly rest: Array<string>
  },
  string
> => {
  const rest: Array<string> = []
  const problems: Array<string> = []
  let http = false
  let port: string | undefined
  let host: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const match = /^--(http|port|host)(?:=(.*))?$/.exec(arg)
    if (match === null) {
      rest.push(arg)
      continue
    }
    if (match[1] === "http") {
      if (match[2] !== undefined) problems.push(`--http takes no value; got ${JSON.stringify(arg)}`)
      http = true
      continue
    }
    const value = match[2] ?? argv[++i]
    if (value === undefined || value.startsWith("--")) {
      problems.push(`--${match[1]} needs a value (e.g. --${match[1]} ${match[1] === "port" ? "3000" : "127.0.0.1"})`)
      if (value !== undefined) i--
      continue
    }
    if (match[1] === "port") port = value
    else host = value
  }
  const stateKey = env["CCAPI_REQUEST_STATE_KEY"]?.trim() || undefined
  if (stateKey !== undefined && Buffer.byteLength(stateKey) < 32)
    problems.push("CCAPI_REQUEST_STATE_KEY must be at least 32 bytes (e.g. `openssl rand -base64 32`)")
  const requestState = { key: stateKey }
  const sharedStore = (env["CCAPI_STORE_URL"]?.trim() ?? "") !== ""
  if (http && sharedStore && stateKey === undefined)
    problems.push(
      "With --http and a shared store (CCAPI_STORE_URL: a fleet of replicas), set CCAPI_REQUEST_STATE_KEY to one key of 32 bytes or more shared by every replica (e.g. `openssl rand -base64 32`): without it each replica signs the approval round trip with a key of its own, and another replica refuses the answer"
    )
  const sessionsRaw = (env["CCAPI_HTTP_SESSIONS"]?.trim() || "auto").toLowerCase()
  if (http && !["auto", "stateful", "stateless"].includes(sessionsRaw))
    problems.push(`CCAPI_HTTP_SESSIONS must be auto, stateful or stateless; got ${JSON.stringify(sessionsRaw)}`)
  const sessions: HttpSettings["sessions"] =
    sessionsRaw === "stateful" || sessionsRaw === "stateless" ? sessionsRaw : sharedStore ? "stateless" : "stateful"
  if (!http) {
    if (port !== undefined || host !== undefined) problems.push("--port and --host only apply with --http")
    return problems.length > 0
      ? Result.fail(problems.join("\n"))
      : Result.succeed({ http: undefined, requestState, rest })
  }

  const bindHost = (host ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1")
  const portNumber = port === undefined ? Result.succeed(3000) : wholeNumber("--port", port, 0, 65535)
  if (Result.isFailure(portNumber)) problems.push(portNumber.failure)

  const issuer = env["CCAPI_OAUTH_ISSUER"]?.trim() || undefined
  const audience = env["CCAPI_OAUTH_AUDIENCE"]?.trim() || undefined
  const jwksUrl = env["CCAPI_OAUTH_JWKS_URL"]?.trim() || undefined
  let oauth: OAuthSettings | undefined
  const given = [issuer, audience, jwksUrl].filter((v) => v !== undefined).length
  if (given > 0 && given < 3) {
    problems.push(
      "OAuth needs all three of CCAPI_OAUTH_ISSUER, CCAPI_OAUTH_AUDIENCE and CCAPI_OAUTH_JWKS_URL (or none of them, on loopback only)"
    )
  } else if (given === 3) {
    const jwks = url("CCAPI_OAUTH_JWKS_URL", jwksUrl!)
    if (Result.isFailure(jwks)) problems.push(jwks.failure)
    else if (jwks.success.protocol !== "https:" && !isLoopback(jwks.success.hostname.replace(/^\[(.*)\]$/, "$1")))
      problems.push("CCAPI_OAUTH_JWKS_URL must be https (plain http is accepted on loopback only)")
    const algorithms = list(env["CCAPI_OAUTH_ALGORITHMS"]).map(
      (alg) => allowedAlgorithms.find((known) => known.toLowerCase() === alg) ?? alg
    )
    const unknown = algorithms.filter((alg) => !allowedAlgorithms.includes(alg))
    if (unknown.length > 0)
      problems.push(
        `CCAPI_OAUTH_ALGORITHMS accepts only ${allowedAlgorithms.join(", ")}; ${JSON.stringify(unknown.join(","))} is not accepted`
      )
    oauth = {
      issuer: issuer!,
      audience: audience!,
      jwksUrl: jwksUrl!,
      algorithms: algorithms.length > 0 ? algorithms : ["RS256", "ES256", "PS256", "EdDSA"]
    }
  }
  if (oauth === undefined && !isLoopback(bindHost))
    problems.push(
      `--http without OAuth listens on loopback only, and --host ${bindHost} is not loopback. Configure OAuth (CCAPI_OAUTH_ISSUER, CCAPI_OAUTH_AUDIENCE, CCAPI_OAUTH_JWKS_URL), or use --host 127.0.0.1.`
    )

  const configuredHosts = list(env["CCAPI_ALLOWED_HOSTS"])
  if (configuredHosts.length === 0 && isWildcard(bindHost))
    problems.push(
      `--host ${bindHost} listens on every interface: set CCAPI_ALLOWED_HOSTS to the host names clients use (e.g. mcp.example.com), so that requests for any other name are refused`
    )
  const ownName = isIP(bindHost) === 6 ? `[${bindHost}]` : bindHost
  const allowedHosts = [...new Set([...localhostNames, ...(isWildcard(bindHost) ? [] : [ownName]), ...configuredHosts])]
  const allowedOrigins = [...new Set([...localhostNames, ...list(env["CCAPI_ALLOWED_ORIGINS"])])]

  const body = wholeNumber("CCAPI_HTTP_MAX_BODY_BYTES", env["CCAPI_HTTP_MAX_BODY_BYTES"] ?? "1048576", 1024, 67_108_864)
  if (Result.isFailure(body)) problems.push(body.failure)
  const drain = wholeNumber("CCAPI_DRAIN_SECONDS", env["CCAPI_DRAIN_SECONDS"] ?? "30", 0, 3600)
  if (Result.isFailure(drain)) problems.push(drain.failure)
  const portValue = Result.isSuccess(portNumber) ? portNumber.success : 0
  const publicRaw = env["CCAPI_PUBLIC_URL"]?.trim() || `http://${ownName}:${portValue}`
  const publicUrl = url("CCAPI_PUBLIC_URL", publicRaw)
  if (Result.isFailure(publicUrl)) problems.push(publicUrl.failure)

  if (problems.length > 0) return Result.fail(problems.join("\n"))
  return Result.succeed({
    rest,
    requestState,
    http: {
      host: bindHost,
      port: portValue,
      allowedHosts,
      allowedOrigins,
      maxBodyBytes: Result.isSuccess(body) ? body.success : 0,
      publicUrl: publicRaw.replace(/\/+$/, ""),
      oauth,
      drainSeconds: Result.isSuccess(drain) ? drain.success : 0,
      sessions
    }
  })
}
