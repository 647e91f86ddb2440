#!/usr/bin/env node
// The ccapi-mcp-server command. It exists before the first build, so npm links it at install time; it turns on
// Node's compile cache (later starts skip compiling), lets the handshake front (dist/front.js, Node.js built-ins only)
// answer `initialize` and `tools/list` from the answers recorded at build time while the full server loads, and then
// starts the full server (dist/main.js), which takes the connection over (`npm run build` makes both).
import { existsSync } from "node:fs"
import module from "node:module"

const dist = new URL("../dist/", import.meta.url)
const main = new URL("main.js", dist)
if (!existsSync(main)) {
  process.stderr.write("ccapi-mcp-server: dist/main.js is missing; run `npm run build` in the repository first.\n")
  process.exit(2)
}
module.enableCompileCache?.()
const { openFront } = await import(new URL("front.js", dist).href)
const handoff = await openFront(process.argv.slice(2), process.env)
const { start } = await import(main.href)
start(handoff)
