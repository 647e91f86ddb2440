import { Layer, Logger, type LogLevel, References } from "effect"

/*
 * The one stderr logger of the Node edges (the MCP server's bin and app layer, the sandbox's bin and `startSandbox`):
 * their stdout carries the program's output — JSON-RPC, the sandbox's URL — and Effect's default logger writes there.
 * It lives here because both the sandbox and the MCP server can import it (mcp-server → sandbox) and core stays free
 * of Node; the MCP server imports it through its own subpath, so that loading it does not load the sandbox.
 */

/** One logfmt line per log entry, on stderr. */
export const logger = Logger.map(Logger.formatLogFmt, (line) => {
  process.stderr.write(`${line}\n`)
})

/**
 * Effect's loggers replaced by the stderr logger, keeping the tracer logger (it records logs as span events), at
 * `minimumLevel` when one is given.
 */
export const layer = (options: { readonly minimumLevel?: LogLevel.LogLevel } = {}): Layer.Layer<never> => {
  const loggers = Logger.layer([logger, Logger.tracerLogger])
  return options.minimumLevel === undefined
    ? loggers
    : Layer.merge(loggers, Layer.succeed(References.MinimumLogLevel, options.minimumLevel))
}
