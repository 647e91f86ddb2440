import { afterEach, assert } from "@effect/vitest"
import { Clock, Context, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import {
  ApprovalStore,
  ApprovalStoreMemory,
  CloudControl,
  Identity,
  Journal,
  JournalUnavailable,
  OutcomeUnknown,
  reconcilePending,
  StoreUnavailable
} from "@ccapi/core"
import { BundledSchemas, FakeIdentity, FakeSecurityScanner, MemoryCloud, MemoryJournal } from "@ccapi/testkit"
import type { ServerConfig } from "../../src/Config.js"
import { connectClient, type ElicitAnswer, type Era, type ToolClient } from "./Clients.js"
import {
  callersOf,
  cleanBucket,
  countingTemplates,
  credentials,
  explainCreate as explainCreateOf,
  explainDelete,
  fakeAppLayer,
  refused,
  scannedCreate,
  seedResource,
  testConfig
} from "./TestServer.js"

export { credentials, explainDelete, type Outcome, refused } from "./TestServer.js"

/*
 * The MCP server over testkit's memory cloud, with faults a hostile network or a hostile environment brings: answers
 * lost after Cloud Control acted, credentials that switch account, a journal or a token store that fails, a slow
 * network. Each session is an official SDK client of the chosen era (support/Clients.ts) with its own capabilities
 * and its own answer to approval questions; the harness counts what reached Cloud Control and the IaC Generator.
 */

export interface FaultControls {
  /** The next this-many mutation calls act in the cloud, then lose their answer (OutcomeUnknown). */
  loseAnswers: number
  /** The account the credentials resolve to right now. */
  accountId: string
  /** Journal events that fail with JournalUnavailable while listed. */
  readonly journalFails: Set<string>
  /** Store operations that fail with StoreUnavailable while listed. */
  readonly storeFails: Set<"get" | "put" | "take" | "spend">
  /** Delay (ms) inside every mutation before it reaches the cloud. */
  latencyMs: number
}

/** How a session's client answers every approval question (form elicitation). */
export type ElicitationAnswer = "approve" | "reject" | "decline" | "cancel"

export interface SessionOptions {
  /** The client answers every elicitation this way; absent: the client declares no elicitation. */
  readonly elicitation?: ElicitationAnswer
  /** Override the declared capabilities (e.g. the legacy `elicitation: {}`, or URL mode only). */
  readonly capabilities?: Record<string, unknown>
}

export interface FaultyServerOptions extends SessionOptions {
  readonly config?: Partial<ServerConfig>
  /** The protocol era of every session's client (default 2025-11-25; `testEra()` follows the vitest project). */
  readonly era?: Era
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const makeFaultyServer = async (options: FaultyServerOptions = {}) => {
  const config = testConfig(options.config)
  const counts = { create: 0, update: 0, delete: 0, templates: 0, elicitations: 0 }
  /** The message of every approval question a client was asked, in order. */
  const elicitations: Array<string> = []
  const controls: FaultControls = {
    loseAnswers: 0,
    accountId: "123456789012",
    journalFails: new Set(),
    storeFails: new Set(),
    latencyMs: 0
  }

  const cloud = MemoryCloud.layerWith({}).pipe(Layer.provide(BundledSchemas.layerMemory))
  const faulty = <A extends { readonly clientToken: string; readonly typeName: string }, R, E>(
    operation: "create" | "update" | "delete",
    input: A,
    act: (input: A) => Effect.Effect<R, E>
  ): Effect.Effect<R, E | OutcomeUnknown> =>
    Effect.gen(function* () {
      counts[operation] += 1
      if (controls.latencyMs > 0) yield* Effect.promise(() => sleep(controls.latencyMs))
      const result = yield* act(input)
      if (controls.loseAnswers > 0) {
        controls.loseAnswers -= 1
        return yield* new OutcomeUnknown({
          operation,
          typeName: input.typeName,
          clientToken: input.clientToken,
          message: "CloudControl CreateResource in us-east-1 was sent, but its answer was lost (socket hang up)."
        })
      }
      return result
    })
  const faultyCloud = Layer.effect(
    CloudControl,
    Effect.map(MemoryCloud.MemoryCloud, (inner) =>
      CloudControl.of({
        ...inner,
        create: (input) => faulty("create", input, inner.create),
        update: (input) => faulty("update", input, inner.update),
        delete: (input) => faulty("delete", input, inner.delete)
      })
    )
  ).pipe(Layer.provide(cloud))
  const templates = countingTemplates(cloud, () => {
    counts.templates += 1
  })

  const journal = Layer.effectContext(
    Effect.map(MemoryJournal.make, ({ journal, reader }) =>
      Context.make(
        Journal,
        Journal.of({
          pendingIntents: journal.pendingIntents,
          append: (entry) =>
            controls.journalFails.has(entry.event)
              ? Effect.fail(new JournalUnavailable({ message: "the journal's disk is full" }))
              : journal.append(entry)
        })
      ).pipe(Context.add(MemoryJournal.MemoryJournal, reader))
    )
  )
  const store = Layer.effect(
    ApprovalStore,
    Effect.map(ApprovalStoreMemory.make({ capacity: 1000 }), (inner) => {
      const guard =
        (op: "get" | "put" | "take" | "spend") =>
        <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | StoreUnavailable> =>
          Effect.suspend(
            (): Effect.Effect<A, E | StoreUnavailable> =>
              controls.storeFails.has(op)
                ? Effect.fail(new StoreUnavailable({ message: "the token store did not answer" }))
                : effect
          )
      return ApprovalStore.of({
        put: (id, record) => guard("put")(inner.put(id, record)),
        get: (id) => guard("get")(inner.get(id)),
        take: (id) => guard("take")(inner.take(id)),
        spend: (tombstone) => guard("spend")(inner.spend(tombstone)),
        size: inner.size
      })
    })
  )
  const identity = Layer.succeed(
    Identity,
    Identity.of({
      environment: FakeIdentity.make({ profile: "test", credentialSource: "profile" }).environment,
      whoAmI: (region) =>
        FakeIdentity.make({ profile: "test", credentialSource: "profile", accountId: controls.accountId }).whoAmI(
          region
        )
    })
  )

  const layer = fakeAppLayer(config, {
    cloud,
    countedCloud: faultyCloud,
    templates,
    identity,
    scanner: FakeSecurityScanner.layerTest({}),
    journal,
    store,
    clock: Clock.Clock.defaultValue()
  })
  const runtime = ManagedRuntime.make(layer)
  const scopes: Array<Scope.Closeable> = []
  const clients: Array<ToolClient> = []

  const connectSession = async (session: SessionOptions = {}) => {
    const scope = Scope.makeUnsafe()
    scopes.push(scope)
    const capabilities = session.capabilities ?? (session.elicitation ? { elicitation: { form: {} } } : {})
    const answer = session.elicitation ?? "approve"
    const client = await connectClient({
      era: options.era ?? "2025-11-25",
      runtime: runtime as never,
      scope,
      sessionId: `faulty-session-${scopes.length}`,
      name: "hostile",
      server: { context: { readOnly: config.readOnly, sandbox: false, securityScanning: config.securityScanning } },
      capabilities,
      ...(session.elicitation !== undefined || capabilities["elicitation"] !== undefined
        ? {
            onElicit: async (request): Promise<ElicitAnswer> => {
              counts.elicitations += 1
              elicitations.push(String(request.message))
              // A real user takes a moment: the model's other calls run meanwhile.
              await sleep(50)
              if (answer === "approve" || answer === "reject")
                return { action: "accept", content: { decision: answer } }
              return { action: answer }
            }
          }
        : {})
    })
    clients.push(client)
    return callersOf(client)
  }

  const main = await connectSession(options)
  const memory = () => runtime.runPromise(MemoryCloud.MemoryCloud)
  return {
    ...main,
    connectSession,
    counts,
    controls,
    elicitations,
    journal: () => runtime.runPromise(Effect.flatMap(MemoryJournal.MemoryJournal, (j) => j.entries)),
    pending: () => runtime.runPromise(Effect.flatMap(Journal, (j) => j.pendingIntents)),
    /** What a restarted server does first: settle the pending intents. */
    reconcile: () => runtime.runPromise(reconcilePending()),
    seed: (typeName: string, desiredState: Record<string, unknown>, region = "us-east-1") =>
      runtime.runPromise(seedResource(typeName, desiredState, region)),
    peek: async (typeName: string, identifier: string, region = "us-east-1") =>
      (await memory()).peek({ typeName, identifier, region }).pipe(Effect.runPromise),
    resources: async (region = "us-east-1") => (await memory()).resources(region).pipe(Effect.runPromise),
    /** Change the cloud behind the server's back (another tool, a colleague), and let the change complete. */
    outOfBand: async <A, E>(f: (cloud: MemoryCloud.MemoryCloud["Service"]) => Effect.Effect<A, E>) => {
      const value = await runtime.runPromise(Effect.flatMap(MemoryCloud.MemoryCloud, f).pipe(Effect.orDie))
      await sleep(100)
      return value
    },
    close: async () => {
      for (const client of clients.splice(0)) await client.close().catch(() => undefined)
      for (const scope of scopes.splice(0)) await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}

export type FaultyServer = Awaited<ReturnType<typeof makeFaultyServer>>
export type Session = Pick<FaultyServer, "call" | "must">

/** A `start` for a test file: each server is closed after the test that made it. */
export const useFaultyServers = () => {
  const servers: Array<FaultyServer> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((t) => t.close()))
  })
  return async (options: FaultyServerOptions = {}) => {
    const t = await makeFaultyServer(options)
    servers.push(t)
    return t
  }
}

export const BUCKET = "AWS::S3::Bucket"

/** A create of `properties` planned and explained (not scanned): its explained token. */
export const explainCreate = async (s: Session, creds: string, properties: Record<string, unknown>) =>
  (await explainCreateOf(s, creds, properties)).explainedToken

/** A create of `properties` planned, explained and scanned (the fake scanner passes clean buckets). */
export const readyCreate = async (s: Session, properties: Record<string, unknown>, creds?: string) =>
  (await scannedCreate(s, creds ?? (await credentials(s)), properties)).args

/** What can stop a create right before it is sent: a journal entry, a store operation, or another account. */
export type SendFault =
  | { readonly journal: string }
  | { readonly store: "get" | "put" | "take" | "spend" }
  | { readonly account: string }

const inject = (t: FaultyServer, fault: SendFault, on: boolean) => {
  if ("journal" in fault) {
    if (on) t.controls.journalFails.add(fault.journal)
    else t.controls.journalFails.clear()
  } else if ("store" in fault) {
    if (on) t.controls.storeFails.add(fault.store)
    else t.controls.storeFails.clear()
  } else t.controls.accountId = on ? fault.account : "123456789012"
}

/**
 * A ready create of clean bucket `name` submitted while `fault` holds: refused with `tag`, nothing sent; then, the
 * fault gone, the same arguments create it once (the token was not lost). The refusal, for what a test checks next.
 */
export const refusedUntilCleared = async (t: FaultyServer, name: string, fault: SendFault, tag: string) => {
  const ready = await readyCreate(t, cleanBucket(name))
  inject(t, fault, true)
  const refusal = await t.call("create_resource", ready)
  refused(refusal, tag)
  assert.strictEqual(t.counts.create, 0, "nothing sent")
  inject(t, fault, false)
  const retried = await t.call("create_resource", ready)
  assert.isTrue(retried.ok, `the token was not lost: ${retried.text}`)
  assert.strictEqual(t.counts.create, 1)
  return { ready, refusal }
}

/**
 * Clean buckets `identifiers` seeded and each delete explained, then every delete submitted at once (confirmed): the
 * outcomes, in the order of `identifiers`.
 */
export const deletesAtOnce = async (t: FaultyServer, identifiers: ReadonlyArray<string>) => {
  for (const identifier of identifiers) await t.seed(BUCKET, cleanBucket(identifier))
  const creds = await credentials(t)
  const tokens: Array<string> = []
  for (const identifier of identifiers) tokens.push(await explainDelete(t, identifier))
  return Promise.all(
    identifiers.map((identifier, i) =>
      t.call("delete_resource", {
        resource_type: BUCKET,
        identifier,
        credentials_token: creds,
        explained_token: tokens[i],
        confirmed: true
      })
    )
  )
}

/** A bucket without a name (the cloud names it), clean for the fake scanner. */
export const unnamedBucket = () => {
  const properties: Record<string, unknown> = { ...cleanBucket("x") }
  delete properties["BucketName"]
  return properties
}
