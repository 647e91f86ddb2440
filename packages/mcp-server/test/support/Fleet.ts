import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { AwsAdapter } from "@ccapi/aws-adapter"
import { IacConverter } from "@ccapi/iac-converter"
import { FakeSecurityScanner } from "@ccapi/testkit"
import { AjvPropertyValidator } from "@ccapi/validator"
import {
  approvalDeskLayer,
  approvalStoreLayer,
  journalLayer,
  loggerLayer,
  sandboxCredentials,
  settingsLayer
} from "../../src/AppLayer.js"
import type { AppServices } from "../../src/AppServices.js"
import type { ServerConfig } from "../../src/Config.js"
import * as CryptoRandom from "../../src/CryptoRandom.js"
import { makeServer } from "../../src/Server.js"
import { testApprovalState } from "./Clients.js"
import { callersOf, testConfig } from "./TestServer.js"

/**
 * One replica of a fleet: a whole application composed as `makeAppLayer` composes it — the store and journal chosen by
 * URL through the app layer's own `approvalStoreLayer` and `journalLayer`, the AWS adapter over HTTP to a sandbox all
 * replicas share — except the scanner (testkit's rule-based fake: the fleet tests are about shared state, and real
 * Checkov is tested elsewhere). Its sessions are served to the official MCP client over the in-memory transport.
 */
export const startReplica = async (options: {
  readonly name: string
  readonly sandboxUrl: string
  readonly storeUrl: string
  readonly journalUrl: string
  readonly config?: Partial<ServerConfig>
}) => {
  // The model's confirmation stands for a person's (CCAPI_APPROVAL=model): these tests are about the shared state; the
  // approval channels are tested in Approvals.test.ts.
  const config = testConfig({
    approval: "model",
    ...options.config,
    storeUrl: options.storeUrl,
    journalUrl: options.journalUrl
  })
  const layer: Layer.Layer<AppServices, unknown> = Layer.mergeAll(
    AwsAdapter.layerConfig({
      endpoint: options.sandboxUrl,
      credentials: sandboxCredentials,
      region: "us-east-1",
      sandbox: true,
      schemaCache: { directory: false }
    }),
    FakeSecurityScanner.layerTest({}),
    AjvPropertyValidator.layer,
    IacConverter.layer,
    journalLayer(config),
    approvalStoreLayer(config),
    approvalDeskLayer(config),
    settingsLayer(config)
  ).pipe(Layer.provideMerge(Layer.merge(loggerLayer(config), CryptoRandom.layer)))
  const runtime = ManagedRuntime.make(layer)
  await runtime.runPromise(Effect.void)
  const scopes: Array<Scope.Closeable> = []
  let sessions = 0

  /** A session on this replica; `sessionId` as a load balancer would route one MCP session to any replica. */
  const connect = async (sessionId = `${options.name}-session-${++sessions}`) => {
    const scope = Scope.makeUnsafe()
    scopes.push(scope)
    const server = await runtime.runPromise(
      makeServer({
        sessionId,
        context: { readOnly: config.readOnly, sandbox: true, securityScanning: config.securityScanning },
        // One key for the replicas, as CCAPI_REQUEST_STATE_KEY gives a fleet.
        approvalState: testApprovalState
      }).pipe(Scope.provide(scope))
    )
    const client = new Client({ name: `fleet-client-${options.name}`, version: "1.0.0" })
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
    await Promise.all([server.connect(serverTransport as never), client.connect(clientTransport)])
    return { client, ...callersOf(client, `${options.name}: `) }
  }

  let disposed = false
  return {
    name: options.name,
    connect,
    /** Stop the replica: its sessions close, its Redis and PostgreSQL clients disconnect. */
    dispose: async () => {
      if (disposed) return
      disposed = true
      for (const scope of scopes.splice(0)) await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}

export type Replica = Awaited<ReturnType<typeof startReplica>>
export type FleetSession = Awaited<ReturnType<Replica["connect"]>>
