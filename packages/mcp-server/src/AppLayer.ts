import { existsSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Config, Context, Duration, Effect, Layer } from "effect"
import { AwsAdapter } from "@ccapi/aws-adapter"
import { CheckovScanner } from "@ccapi/checkov-adapter"
import { IacConverter } from "@ccapi/iac-converter"
import {
  ApprovalStoreMemory,
  type CloudControl,
  defaultTags,
  type ResourceSchemas,
  type TemplateGenerator,
  WorkflowSettings
} from "@ccapi/core"
import type { SandboxStartFailed } from "@ccapi/sandbox"
import * as StderrLogger from "@ccapi/sandbox/StderrLogger"
import { AjvPropertyValidator } from "@ccapi/validator"
import type { AppServices } from "./AppServices.js"
import type { ServerConfig } from "./Config.js"
import * as ApprovalDesk from "./approval/ApprovalDesk.js"
import * as CryptoRandom from "./CryptoRandom.js"
import * as JsonlJournal from "./JsonlJournal.js"
import { serverInfo, sourceUrl } from "./Server.js"
import * as TemplatesFromReads from "./TemplatesFromReads.js"

/**
 * Log lines go to stderr, never stdout (stdout carries JSON-RPC), at the configured level: the stderr logger the
 * sandbox's bin uses too, imported through its own subpath so that it does not load the sandbox.
 */
export const loggerLayer = (config: Pick<ServerConfig, "logLevel">) =>
  StderrLogger.layer({ minimumLevel: config.logLevel })

/** The operator's workflow settings, from the parsed configuration. */
export const settingsLayer = (config: ServerConfig) => {
  const workflowTtl = config.tokenTtlMinutes * 60_000
  const sessionTtl = Math.max(workflowTtl, 60 * 60_000)
  return Layer.succeed(
    WorkflowSettings,
    WorkflowSettings.of({
      readOnly: config.readOnly,
      securityScanning: config.securityScanning,
      defaultTags:
        config.defaultTags === "disabled"
          ? []
          : defaultTags({ version: serverInfo.version, sourceUrl, extra: config.extraTags }),
      disabledGuardrails: new Set(config.disabledGuardrails),
      approval: config.approval,
      tokenTtl: { environment: sessionTtl, credentials: sessionTtl, workflow: workflowTtl },
      deleteLimit: config.deleteLimit,
      mutationWait: Duration.seconds(config.mutationWaitSeconds),
      templateWait: Duration.seconds(config.templateWaitSeconds),
      listPageSize: { default: 50, max: 100 }
    })
  )
}

/** The approval page, webhook and their bounds, from the parsed configuration. */
export const approvalDeskLayer = (config: ServerConfig, now?: () => number) =>
  ApprovalDesk.layer({
    page: config.approvalPage,
    webhook:
      config.approvalWebhook === undefined
        ? undefined
        : { url: config.approvalWebhook, secret: config.approvalWebhookSecret },
    waitMillis: config.approvalWaitSeconds * 1000,
    ttlMillis: config.approvalTtlMinutes * 60_000,
    storeUrl: config.storeUrl,
    ...(now !== undefined ? { now } : {})
  })

/** Where the sandbox endpoint listens, when the server runs with `--sandbox`. */
export class SandboxEndpoint extends Context.Service<SandboxEndpoint, { readonly url: string }>()(
  "@ccapi/mcp-server/SandboxEndpoint"
) {}

/**
 * The in-process sandbox on an ephemeral loopback port; it stops when the runtime is disposed (the scope closes).
 * `@ccapi/sandbox` (and the in-memory cloud behind it) is loaded here, on first use, so a server without `--sandbox`
 * never loads it.
 */
export const sandboxLayer = Layer.effect(
  SandboxEndpoint,
  Effect.gen(function* () {
    const { start } = yield* Effect.promise(() => import("@ccapi/sandbox"))
    const sandbox = yield* start({ port: 0, host: "127.0.0.1" })
    return { url: sandbox.url }
  })
)

/** The static credentials the AWS adapter signs sandbox requests with (the sandbox accepts any). */
export const sandboxCredentials = { accessKeyId: "SANDBOXACCESSKEY", secretAccessKey: "sandbox-secret" } as const

/** The region the sandbox uses: `AWS_REGION`, else us-east-1 (never the user's profile). */
const sandboxRegion = () => {
  const region = process.env["AWS_REGION"]
  return region !== undefined && region !== "" ? region : "us-east-1"
}

/** The Checkov of `npm run setup` (`<repo>/.venv/checkov`), when the server runs from the repository. */
export const projectCheckov = (): string | undefined => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const bin = process.platform === "win32" ? path.join("Scripts", "checkov.exe") : path.join("bin", "checkov")
  const candidates = [
    path.join(process.cwd(), ".venv", "checkov", bin),
    path.resolve(here, "..", "..", "..", ".venv", "checkov", bin)
  ]
  return candidates.find((candidate) => existsSync(candidate))
}

/** The AWS ports: against AWS through the SDK's credential chain, or against the in-process sandbox. */
export const awsLayer = (config: ServerConfig) =>
  config.sandbox
    ? Layer.unwrap(
        Effect.map(SandboxEndpoint, (endpoint) =>
          AwsAdapter.layerConfig({
            endpoint: endpoint.url,
            credentials: sandboxCredentials,
            region: sandboxRegion(),
            sandbox: true,
            schemaCache: { directory: false }
          })
        )
      ).pipe(Layer.provide(sandboxLayer))
    : AwsAdapter.layerConfig()

/**
 * The template generator `create_template` uses: the IaC Generator of `ports`; in read-only mode templates built from
 * reads through `ports` instead (`TemplatesFromReads`), since the IaC Generator would create a template in the account.
 */
export const templateGeneratorLayer = <ROut, E, RIn>(
  config: Pick<ServerConfig, "readOnly">,
  ports: Layer.Layer<ROut | CloudControl | ResourceSchemas | TemplateGenerator, E, RIn>
): Layer.Layer<ROut | CloudControl | ResourceSchemas | TemplateGenerator, E, RIn> =>
  config.readOnly ? TemplatesFromReads.layer.pipe(Layer.provideMerge(ports)) : ports

/** Most workflow tokens one store keeps (in memory, or in Redis for the whole fleet). */
const storeCapacity = 10_000

/**
 * Where workflow tokens are kept: in this process's memory by default; with `CCAPI_STORE_URL`, in Redis, shared by
 * every replica (`@ccapi/redis-store`, loaded only then), and each session's delete counter with them.
 */
export const approvalStoreLayer = (config: Pick<ServerConfig, "storeUrl">) => {
  const url = config.storeUrl
  return url === undefined
    ? ApprovalStoreMemory.layerMemory({ capacity: storeCapacity })
    : Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@ccapi/redis-store")),
          ({ RedisApprovalStore }) => RedisApprovalStore.layerWithSessionCounters({ url, capacity: storeCapacity })
        )
      )
}

/**
 * Where the journal is written: the JSONL file by default (or nowhere with `CCAPI_JOURNAL=off`); with
 * `CCAPI_JOURNAL_URL`, PostgreSQL, shared by every replica (`@ccapi/postgres-journal`, loaded only then), with the same
 * redaction of secret-looking keys as the file.
 */
export const journalLayer = (config: Pick<ServerConfig, "journalPath" | "journalUrl">) => {
  const url = config.journalUrl
  if (url !== undefined)
    return Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("@ccapi/postgres-journal")),
        ({ PostgresJournal }) => PostgresJournal.layer({ url, redact: JsonlJournal.redact })
      )
    )
  return config.journalPath === undefined ? JsonlJournal.layerOff : JsonlJournal.layer(config.journalPath)
}

/**
 * The one place the application is composed: AWS (or the sandbox; templates from reads when read-only), Checkov, the
 * template converter (CDK, Terraform), the Ajv validator, the journal (JSONL, or PostgreSQL), the approval store (in memory, or Redis), the workflow settings, a stderr logger and the CSPRNG (Effect's `Random` and core's
 * `TokenIds`, which mints the workflow tokens). Built once per process and
 * shared by every session; each session's own services (id, delete counter, approver) are built with its server.
 */
export const makeAppLayer = (config: ServerConfig): Layer.Layer<AppServices, Config.ConfigError | SandboxStartFailed> =>
  Layer.mergeAll(
    templateGeneratorLayer(config, awsLayer(config)),
    CheckovScanner.layerConfig({ fallbackBin: projectCheckov() }),
    // create_template's CDK and Terraform formats; cdk-from-cfn (WebAssembly) is loaded on the first CDK conversion.
    IacConverter.layer,
    AjvPropertyValidator.layer,
    journalLayer(config),
    approvalStoreLayer(config),
    approvalDeskLayer(config),
    settingsLayer(config)
  ).pipe(Layer.provideMerge(Layer.merge(loggerLayer(config), CryptoRandom.layer)))
