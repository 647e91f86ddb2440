#!/usr/bin/env node
// Installs the browser the approval-page tests drive (through playwright-core): Debian's `chromium` package, with
// apt-get when it is missing and the machine lets us (root). Prints the browser's path. `CCAPI_CHROMIUM` names a
// browser already installed elsewhere. A machine where it cannot be installed fails here, with what to do, rather
// than later in a test.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]

const found = () => {
  const configured = process.env.CCAPI_CHROMIUM
  if (configured !== undefined && configured !== "") return existsSync(configured) ? configured : undefined
  return candidates.find((path) => existsSync(path))
}

const version = (bin) => spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim()

let bin = found()
if (bin === undefined) {
  if (process.env.CCAPI_CHROMIUM) {
    console.error(`setup-chromium: CCAPI_CHROMIUM=${process.env.CCAPI_CHROMIUM} does not exist.`)
    process.exit(1)
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0
  const apt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0
  if (!root || !apt) {
    console.error(
      "setup-chromium: Chromium is not installed and cannot be installed here (needs apt-get as root). Install Debian's chromium package, or set CCAPI_CHROMIUM to a Chromium binary."
    )
    process.exit(1)
  }
  console.error("setup-chromium: installing Debian's chromium package (apt-get)…")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env }).status
  if (install() !== 0) {
    execFileSync("apt-get", ["update"], { stdio: "inherit", env })
    if (install() !== 0) {
      console.error("setup-chromium: apt-get install chromium failed (see above).")
      process.exit(1)
    }
  }
  bin = found()
  if (bin === undefined) {
    console.error("setup-chromium: apt-get installed chromium, but no binary is at /usr/bin/chromium.")
    process.exit(1)
  }
}
console.error(`setup-chromium: ${version(bin)} at ${bin}`)
