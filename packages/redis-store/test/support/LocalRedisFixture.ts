import { freePort, type LocalRedis, startLocalRedis } from "@ccapi/testkit/services"
import { afterAll, beforeAll } from "@effect/vitest"

/**
 * One real redis-server for the whole test file, on a random loopback port (each store under test takes its own key
 * prefix), and a loopback port nothing listens on: what a Redis that is down looks like to the client.
 */
export const useLocalRedis = () => {
  let redis: LocalRedis | undefined
  let closedPort = 0
  beforeAll(async () => {
    redis = await startLocalRedis()
    closedPort = await freePort()
  })
  afterAll(async () => {
    await redis?.dispose()
  })
  const running = () => {
    if (redis === undefined) throw new Error("redis-server is not started yet (use it inside a test)")
    return redis
  }
  return {
    get server(): LocalRedis {
      return running()
    },
    get url(): string {
      return running().url
    },
    get downUrl(): string {
      return `redis://127.0.0.1:${closedPort}`
    }
  }
}
