import type {
  ClientCapabilities,
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  ElicitResult
} from "@modelcontextprotocol/sdk/types.js"
import { afterEach, assert } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { ApprovalStoreMemory, CloudControl, Identity, TemplateGenerator } from "@ccapi/core"
import {
  BundledSchemas,
  FakeIdentity,
  FakeSecurityScanner,
  MemoryCloud,
  MemoryJournal,
  MemoryTemplateGenerator
} from "@ccapi/testkit"
import { IacConverter } from "@ccapi/iac-converter"
import { AjvPropertyValidator } from "@ccapi/validator"
import { approvalDeskLayer, loggerLayer, settingsLayer, templateGeneratorLayer } from "../../src/AppLayer.js"
import type { AppServices } from "../../src/AppServices.js"
import type { ServerConfig } from "../../src/Config.js"
import type { ServerOptions } from "../../src/Server.js"
import * as CryptoRandom from "../../src/CryptoRandom.js"
import { connectClient, testEra, type ElicitAnswer, type Era, type ToolResult } from "./Clients.js"

/** Put a resource straight into the memory cloud (not a mutation through the server, so not counted). */
export const seedResource = (typeName: string, desiredState: Record<string, unknown>, region = "us-east-1") =>
  Effect.gen(function* () {
    const inner = yield* MemoryCloud.MemoryCloud
    const event = yield* inner.create({
      typeName: typeName as never,
      desiredState: desiredState as never,
      clientToken: `seed-${Math.random().toString(36).slice(2)}` as never,
      region: region as never
    })
    return yield* inner.requestStatus({ requestToken: event.requestToken, region: region as never })
  }).pipe(Effect.orDie)

export interface TestServerOptions {
  readonly config?: Partial<ServerConfig>
  /** The scanner: testkit's rule-based fake (default), or missing (every scan fails with ScannerUnavailable). */
  readonly scanner?: "rules" | "missing"
  /** The client declares form elicitation and answers every request this way; absent: no elicitation capability. */
  readonly elicitation?: "approve" | "reject" | "decline" | "cancel"
  /** Override the client's declared capabilities (e.g. URL-mode elicitation only). */
  readonly capabilities?: ClientCapabilities
  /** Answers URL-mode elicitation requests (the client's consent to open the URL); default: accept. */
  readonly onUrlElicitation?: (params: ElicitRequestURLParams) => Promise<ElicitResult> | ElicitResult
  readonly registerMutatingTools?: boolean
  readonly cloud?: MemoryCloud.MemoryCloudOptions
  /** Make the identity port die (a bug), to see how a defect reaches the model. */
  readonly identityDefect?: boolean
  /** The protocol era its clients speak (default: this run's, `CCAPI_TEST_ERA`). */
  readonly era?: Era
}

export const testConfig = (overrides: Partial<ServerConfig> = {}): ServerConfig => ({
  readOnly: false,
  sandbox: false,
  securityScanning: "enabled",
  defaultTags: "enabled",
  logLevel: "Warn",
  approval: "auto",
  resultText: "summary",
  approvalPage: "on",
  approvalWebhook: undefined,
  approvalWebhookSecret: undefined,
  approvalWaitSeconds: 5,
  approvalTtlMinutes: 10,
  extraTags: [],
  disabledGuardrails: [],
  deleteLimit: undefined,
  mutationWaitSeconds: 5,
  templateWaitSeconds: 5,
  journalPath: undefined,
  tokenTtlMinutes: 15,
  ...overrides
})

/** Tool output, read loosely: its shape is checked by the client against the tool's output schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>

/** A tool call's outcome, with what a model would read. */
export interface Outcome {
  readonly ok: boolean
  readonly data: Loose
  readonly text: string
  readonly result: ToolResult
}

/**
 * Tool calls through any official client, read as a model reads them: `call` answers the outcome; `must` answers the
 * structured result of a call that must succeed, and fails the test with `who`, the tool and its text otherwise.
 */
export const callersOf = (
  client: { readonly callTool: (params: { name: string; arguments: Record<string, unknown> }) => Promise<unknown> },
  who = ""
) => {
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<Outcome> => {
    const result = (await client.callTool({ name, arguments: args })) as ToolResult
    const text = result.content.map((c) => (c.type === "text" ? (c.text ?? "") : "")).join("\n")
    return { ok: result.isError !== true, data: (result.structuredContent ?? {}) as Loose, text, result }
  }
  const must = async (name: string, args: Record<string, unknown> = {}) => {
    const outcome = await call(name, args)
    if (!outcome.ok) throw new Error(`${who}${name} failed: ${outcome.text}`)
    return outcome.data
  }
  return { call, must }
}

/** A clock whose wall time can be moved forward (token expiry) while sleeps stay real. */
const shiftedClock = (offset: { millis: number }): Clock.Clock => {
  const base = Clock.Clock.defaultValue()
  return {
    currentTimeMillisUnsafe: () => base.currentTimeMillisUnsafe() + offset.millis,
    currentTimeMillis: Effect.sync(() => base.currentTimeMillisUnsafe() + offset.millis),
    currentTimeNanosUnsafe: () => base.currentTimeNanosUnsafe() + BigInt(offset.millis) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => base.currentTimeNanosUnsafe() + BigInt(offset.millis) * 1_000_000n),
    // Elapsed time is not wall time: moving the wall clock leaves durations alone.
    monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: base.monotonicTimeNanos,
    sleep: (duration) => base.sleep(duration)
  }
}

/** The memory cloud's IaC Generator with every call (`start`, `status`, `fetch`) reported to `count` first. */
export const countingTemplates = <C>(cloud: Layer.Layer<C>, count: (call: "start" | "status" | "fetch") => void) =>
  Layer.effect(
    TemplateGenerator,
    Effect.map(TemplateGenerator, (inner) =>
      TemplateGenerator.of({
        ...inner,
        start: (input) => Effect.suspend(() => (count("start"), inner.start(input))),
        status: (input) => Effect.suspend(() => (count("status"), inner.status(input))),
        fetch: (input) => Effect.suspend(() => (count("fetch"), inner.fetch(input)))
      })
    )
  ).pipe(Layer.provide(MemoryTemplateGenerator.layerMemory()), Layer.provide(cloud))

/**
 * The application over testkit's fakes, composed as the app layer composes the real parts: the memory cloud behind a
 * counting (or faulty) `CloudControl`, templates from reads when read-only, the real validator, converter, approval
 * desk and settings. Shared by this harness and support/FaultyServer, which bring their own cloud, journal and store.
 */
export const fakeAppLayer = <C, J, S, I, X>(
  config: ServerConfig,
  parts: {
    /** The memory cloud itself (seeding and peeking go around the counted one). */
    readonly cloud: Layer.Layer<C>
    readonly countedCloud: Layer.Layer<CloudControl>
    readonly templates: Layer.Layer<TemplateGenerator>
    readonly identity: Layer.Layer<I>
    readonly scanner: Layer.Layer<X>
    readonly journal: Layer.Layer<J>
    readonly store: Layer.Layer<S>
    readonly clock: Clock.Clock
    readonly approvalNow?: () => number
  }
) =>
  Layer.mergeAll(
    parts.cloud,
    parts.countedCloud,
    BundledSchemas.layerMemory,
    parts.identity,
    parts.scanner,
    parts.journal,
    // As the app layer does: templates from reads (through the counted cloud) when read-only.
    templateGeneratorLayer(config, Layer.mergeAll(parts.countedCloud, BundledSchemas.layerMemory, parts.templates)),
    AjvPropertyValidator.layer,
    IacConverter.layer,
    parts.store,
    approvalDeskLayer(config, parts.approvalNow),
    settingsLayer(config)
  ).pipe(
    Layer.provideMerge(Layer.mergeAll(loggerLayer(config), CryptoRandom.layer, Layer.succeed(Clock.Clock, parts.clock)))
  )

/** The MCP server over testkit fakes, connected to a real SDK `Client` through the in-memory transport. */
export const makeTestServer = async (options: TestServerOptions = {}) => {
  const config = testConfig(options.config)
  const counts = { create: 0, update: 0, delete: 0, templates: 0, statusPolls: 0 }
  const offset = { millis: 0 }
  const elicitations: Array<ElicitRequestFormParams> = []
  const urlElicitations: Array<ElicitRequestURLParams> = []
  const era = options.era ?? testEra()

  const cloud = MemoryCloud.layerWith(options.cloud).pipe(Layer.provide(BundledSchemas.layerMemory))
  const countedCloud = Layer.effect(
    CloudControl,
    Effect.map(MemoryCloud.MemoryCloud, (inner) =>
      CloudControl.of({
        ...inner,
        create: (input) => Effect.suspend(() => ((counts.create += 1), inner.create(input))),
        update: (input) => Effect.suspend(() => ((counts.update += 1), inner.update(input))),
        delete: (input) => Effect.suspend(() => ((counts.delete += 1), inner.delete(input))),
        requestStatus: (input) => Effect.suspend(() => ((counts.statusPolls += 1), inner.requestStatus(input)))
      })
    )
  ).pipe(Layer.provide(cloud))

  // Counts what starts a template (the IaC Generator's work), not the reads that follow it.
  const countedTemplates = countingTemplates(cloud, (call) => {
    if (call === "start") counts.templates += 1
  })

  const layer: Layer.Layer<AppServices | MemoryCloud.MemoryCloud | MemoryJournal.MemoryJournal> = fakeAppLayer(config, {
    cloud,
    countedCloud,
    templates: countedTemplates,
    identity: options.identityDefect
      ? Layer.succeed(
          Identity,
          Identity.of({ environment: Effect.die("identity exploded"), whoAmI: () => Effect.die("identity exploded") })
        )
      : FakeIdentity.layerTest({ profile: "test", credentialSource: "profile" }),
    scanner: FakeSecurityScanner.layerTest(options.scanner === "missing" ? { unavailable: true } : {}),
    journal: MemoryJournal.layerMemory,
    store: ApprovalStoreMemory.layerMemory({ capacity: 1000 }),
    clock: shiftedClock(offset),
    approvalNow: () => Date.now() + offset.millis
  })
  const runtime = ManagedRuntime.make(layer)
  const sessions: Array<Scope.Closeable> = []

  /** A session of its own on the same application (runtime): a new server from the factory, and a client. */
  const connectSession = async (
    session: Pick<TestServerOptions, "elicitation" | "capabilities" | "onUrlElicitation"> & {
      readonly approvalState?: ServerOptions["approvalState"]
    } = options
  ) => {
    const scope = Scope.makeUnsafe()
    sessions.push(scope)
    const capabilities = session.capabilities ?? (session.elicitation ? { elicitation: { form: {} } } : {})
    const answer = session.elicitation ?? "decline"
    const client = await connectClient({
      era,
      runtime: runtime as never,
      scope,
      sessionId: `test-session-${sessions.length}`,
      ...(session.approvalState ? { approvalState: session.approvalState } : {}),
      server: {
        context: {
          readOnly: config.readOnly,
          sandbox: false,
          securityScanning: config.securityScanning,
          resultText: config.resultText
        },
        ...(options.registerMutatingTools ? { registerMutatingTools: true } : {})
      },
      capabilities,
      ...(capabilities.elicitation === undefined
        ? {}
        : {
            onElicit: async (request): Promise<ElicitAnswer> => {
              if (request.mode === "url") {
                urlElicitations.push(request as unknown as ElicitRequestURLParams)
                return session.onUrlElicitation
                  ? ((await session.onUrlElicitation(request as unknown as ElicitRequestURLParams)) as ElicitAnswer)
                  : { action: "accept" }
              }
              elicitations.push(request as unknown as ElicitRequestFormParams)
              if (answer === "approve") return { action: "accept", content: { decision: "approve" } }
              if (answer === "reject") return { action: "accept", content: { decision: "reject" } }
              return { action: answer }
            }
          })
    })

    // `must`: a call that must succeed; it fails the test with the tool's message otherwise.
    const { call, must } = callersOf(client)
    /** End this session: its server closes, and a call still running on it is interrupted. */
    const close = async () => {
      await client.close()
      await runtime.runPromise(Scope.close(scope, Exit.void))
    }
    return { client, call, must, close }
  }

  const { client, call, must } = await connectSession()

  const memoryCloud = () => runtime.runPromise(MemoryCloud.MemoryCloud)

  return {
    era,
    client,
    runtime,
    call,
    must,
    /** Open another session against the same application: its own server, delete counter and approver. */
    connectSession,
    counts,
    journal: () => runtime.runPromise(Effect.flatMap(MemoryJournal.MemoryJournal, (journal) => journal.entries)),
    elicitations,
    urlElicitations,
    /** Move wall-clock time forward (token expiry). */
    advance: (duration: Duration.Input) => {
      offset.millis += Duration.toMillis(duration)
    },
    /** Put a resource straight into the fake cloud (not counted as a mutation through the server). */
    seed: (typeName: string, desiredState: Record<string, unknown>, region = "us-east-1") =>
      runtime.runPromise(seedResource(typeName, desiredState, region)),
    peek: async (typeName: string, identifier: string, region = "us-east-1") =>
      (await memoryCloud()).peek({ typeName, identifier, region }).pipe(Effect.runPromise),
    close: async () => {
      await client.close()
      // Closing a session's scope closes its server (and interrupts any call still running on it).
      for (const scope of sessions.splice(0)) await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}

export type TestServer = Awaited<ReturnType<typeof makeTestServer>>

/** Steps 1–2: the credentials token of a fresh session. */
export const credentials = async (t: Pick<TestServer, "must">): Promise<string> => {
  const env = await t.must("check_environment_variables")
  const session = await t.must("get_aws_session_info", { environment_token: env["environment_token"] })
  return session["credentials_token"] as string
}

/** Steps 3–4 of a create: the tokens of an explained plan. */
export const explainCreate = async (
  t: Pick<TestServer, "must">,
  creds: string,
  properties: Record<string, unknown>,
  typeName = "AWS::S3::Bucket",
  region?: string
) => {
  const generated = await t.must("generate_infrastructure_code", {
    resource_type: typeName,
    credentials_token: creds,
    properties,
    ...(region ? { region } : {})
  })
  const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
  return { generated, explained, explainedToken: explained["explained_token"] as string }
}

/**
 * Steps 1–4 of a create of clean bucket `name` for a server with scanning disabled: the credentials, the explained
 * token and the create_resource arguments (with skip_security_check).
 */
export const unscannedCreate = async (t: Pick<TestServer, "must">, name: string) => {
  const creds = await credentials(t)
  const { generated, explainedToken } = await explainCreate(t, creds, cleanBucket(name))
  const args = {
    resource_type: "AWS::S3::Bucket",
    credentials_token: creds,
    explained_token: explainedToken,
    skip_security_check: true
  }
  return { creds, generated, explainedToken, args }
}

/** Steps 3–5 of a create: planned, explained and scanned; the scan and the create_resource arguments. */
export const scannedCreate = async (
  t: Pick<TestServer, "must">,
  creds: string,
  properties: Record<string, unknown>,
  typeName = "AWS::S3::Bucket"
) => {
  const { explainedToken } = await explainCreate(t, creds, properties, typeName)
  const scan = await t.must("run_checkov", { explained_token: explainedToken })
  const args = {
    resource_type: typeName,
    credentials_token: creds,
    explained_token: explainedToken,
    security_scan_token: scan["security_scan_token"] as string
  }
  return { explainedToken, scan, args }
}

/** Steps 3–5 of an update of bucket `identifier` by `patchDocument`: the scan and the update_resource arguments. */
export const scannedUpdate = async (
  t: Pick<TestServer, "must">,
  creds: string,
  identifier: string,
  patchDocument: unknown
) => {
  const generated = await t.must("generate_infrastructure_code", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: creds,
    identifier,
    patch_document: patchDocument
  })
  const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
  const scan = await t.must("run_checkov", { explained_token: explained["explained_token"] })
  const args = {
    resource_type: "AWS::S3::Bucket",
    identifier,
    credentials_token: creds,
    explained_token: explained["explained_token"] as string,
    security_scan_token: scan["security_scan_token"] as string
  }
  return { generated, scan, args }
}

/** The explained token of deleting the resource `identifier` (a bucket unless `typeName` says). */
export const explainDelete = async (t: Pick<TestServer, "must">, identifier: string, typeName = "AWS::S3::Bucket") =>
  (await t.must("explain", { content: { resource_type: typeName, identifier }, operation: "delete" }))[
    "explained_token"
  ] as string

/** Bucket `identifier` read back by both read tools (get_resource, then list_resources), each answered: the outcomes. */
export const readBack = async (t: Pick<TestServer, "call">, identifier: string) => {
  const reads: Array<readonly [tool: string, outcome: Outcome]> = []
  for (const [tool, args] of [
    ["get_resource", { resource_type: "AWS::S3::Bucket", identifier }],
    ["list_resources", { resource_type: "AWS::S3::Bucket" }]
  ] as const) {
    const outcome = await t.call(tool, args)
    assert.isTrue(outcome.ok, `${tool}: ${outcome.text}`)
    reads.push([tool, outcome])
  }
  return reads
}

/** A refusal with this error tag (a regular expression) at the start of the text the model reads. */
export const refused = (outcome: Pick<Outcome, "ok" | "text">, tag: string) => {
  assert.isFalse(outcome.ok, `expected ${tag}, got success: ${outcome.text}`)
  assert.match(outcome.text, new RegExp(`^${tag}: `), outcome.text)
}

const publicAccessBlocked = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true
}

/** A bucket the fake scanner fails on two checks only: CKV_AWS_18 (no logging) and CKV_AWS_21 (no versioning). */
export const unloggedBucket = (name: string) => ({
  BucketName: name,
  PublicAccessBlockConfiguration: publicAccessBlocked
})

/** A bucket the fake scanner passes (public access blocked, logging and versioning configured). */
export const cleanBucket = (name: string) => ({
  BucketName: name,
  PublicAccessBlockConfiguration: publicAccessBlocked,
  VersioningConfiguration: { Status: "Enabled" },
  LoggingConfiguration: { DestinationBucketName: "central-logs" }
})

/** Steps 1–6: create a resource through the whole workflow; returns its identifier. */
export const createThroughWorkflow = async (
  t: TestServer,
  properties: Record<string, unknown>,
  typeName = "AWS::S3::Bucket"
) => {
  const creds = await credentials(t)
  const { scan, args } = await scannedCreate(t, creds, properties, typeName)
  // Failed checks need a person: the user approves them on ccapi's approval page, then the model calls again.
  const created = scan["passed"]
    ? await t.must("create_resource", args)
    : await approvedByPerson(t, "create_resource", args)
  return { creds, identifier: created["identifier"] as string, created }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * For a call that waits on Cloud Control (a slow mutation): once the server polls for it, `stop` ends the call (a
 * cancellation, a closed session); the call must end, and the server must poll no more.
 */
export const stopsPolling = async (t: TestServer, pending: Promise<unknown>, stop: () => unknown) => {
  await sleep(1500)
  assert.isAbove(t.counts.statusPolls, 0, "the server was waiting")
  await stop()
  await pending.then(
    () => assert.fail("the call should have ended"),
    () => undefined
  )
  await sleep(300)
  const polls = t.counts.statusPolls
  await sleep(2500)
  assert.strictEqual(t.counts.statusPolls, polls, "the server stopped polling")
}

/** A `start` for a test file: each server it makes is closed after the test that made it. */
export const useTestServers = () => {
  const servers: Array<TestServer> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((t) => t.close()))
  })
  return async (options: TestServerOptions = {}): Promise<TestServer> => {
    const t = await makeTestServer(options)
    servers.push(t)
    return t
  }
}

/** The approval page link a tool's answer asked the user to open (ApprovalPending), if any. */
export const approvalLink = (outcome: Pick<Outcome, "text">): string | undefined => {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]+)/.exec(outcome.text)
  return match?.[1]
}

/** A person at a browser, without the browser: opens the approval page (keeping its cookie) and presses a button. */
export const person = {
  open: async (link: string, sent?: string) => {
    const response = await fetch(link, sent !== undefined ? { headers: { cookie: sent } } : {})
    const html = await response.text()
    const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? sent
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
    return { status: response.status, html, cookie, csrf, headers: response.headers }
  },
  decide: async (link: string, decision: "approve" | "reject") => {
    const page = await person.open(link)
    if (page.status !== 200 || page.cookie === undefined || page.csrf === undefined)
      throw new Error(`the approval page did not open (${page.status}): ${page.html}`)
    return person.post(link, { csrf: page.csrf, decision }, page.cookie)
  },
  post: async (link: string, form: Record<string, string>, cookie?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(link, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: new URL(link).origin,
        ...(cookie !== undefined ? { cookie } : {}),
        ...headers
      },
      body: new URLSearchParams(form).toString()
    })
    return { status: response.status, html: await response.text() }
  }
}

/**
 * Call a mutation that needs a person: the first call must answer ApprovalPending with the approval page's link; the
 * person approves there; the same call again goes through.
 */
export const approvedByPerson = async (
  t: Pick<TestServer, "call" | "must">,
  tool: string,
  args: Record<string, unknown>
) => {
  const first = await t.call(tool, args)
  const link = approvalLink(first)
  if (first.ok || link === undefined) throw new Error(`${tool} did not ask for a person's approval: ${first.text}`)
  const decided = await person.decide(link, "approve")
  if (decided.status !== 200) throw new Error(`the approval was not recorded (${decided.status}): ${decided.html}`)
  return t.must(tool, args)
}
