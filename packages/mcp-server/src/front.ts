import { frontSettings, serveHandshake, type HandshakeData, type StdioHandoff } from "./transports/HandshakeFront.js"

/*
 * The bin's first step (a bundle entry of its own, `dist/front.js`, that imports only Node.js built-ins): answers the
 * stdio handshake from the answers recorded at build time (`dist/handshake.js`) while the full server loads. See
 * transports/HandshakeFront.ts.
 */

declare const __CCAPI_BUILD_ID__: string | undefined

/** The id of the build this bundle came from (the recorded answers carry the same one). */
export const buildId: string | undefined = typeof __CCAPI_BUILD_ID__ === "string" ? __CCAPI_BUILD_ID__ : undefined

/**
 * Serves the handshake when it can — stdio (no `--http`, no other argument), the recorded answers present and from
 * this very build, `CCAPI_HANDSHAKE_FRONT` not `off` — and resolves with what the full server takes over; else
 * resolves undefined at once, having read nothing.
 */
export const openFront = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Promise<StdioHandoff | undefined> => {
  if ((env["CCAPI_HANDSHAKE_FRONT"] ?? "").trim().toLowerCase() === "off" || buildId === undefined) return undefined
  const settings = frontSettings(argv, env)
  if (settings === undefined) return undefined
  let data: HandshakeData
  try {
    data = ((await import(new URL("./handshake.js", import.meta.url).href)) as { default: HandshakeData }).default
  } catch {
    return undefined
  }
  if (data.buildId !== buildId) return undefined
  const handoff = serveHandshake({ input: process.stdin, output: process.stdout, data, settings })
  if (handoff === undefined) return undefined
  // A signal before the full server runs: nothing is in flight (the front answers no tool call), so end as it would.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`ccapi-mcp-server: shutting down (${signal}) before the full server had loaded.\n`)
    process.exit(0)
  }
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal)
  return handoff.finally(() => process.off("SIGINT", onSignal).off("SIGTERM", onSignal))
}
