#!/usr/bin/env node
// Installs the services the store and journal tests start on loopback: redis-server and PostgreSQL, from Debian's
// packages (apt-get, as root). The tests start and stop their own instances; nothing is left running, and the
// packages' own system services are not used. Required under CI or CCAPI_REQUIRE_SERVICES=1; otherwise a failure is
// a warning, and the tests that need a service fail with a message naming this script (they never skip).
import { join } from "node:path"
import { ensureDebianPackages, findProgram, postgresBinDir } from "./lib/debian.mjs"

await ensureDebianPackages({
  name: "services",
  packages: [
    { deb: "redis-server", present: () => findProgram("redis-server", ["/usr/bin/redis-server"]) !== undefined },
    {
      deb: "postgresql",
      present: () => {
        const bin = postgresBinDir()
        return bin !== undefined && findProgram("pg_ctl", [join(bin, "pg_ctl")]) !== undefined
      }
    }
  ],
  required: Boolean(process.env.CI) || process.env.CCAPI_REQUIRE_SERVICES === "1",
  hint: "Install redis-server and postgresql (Debian: apt-get install redis-server postgresql), or run this script as root: node scripts/setup-services.mjs"
})
