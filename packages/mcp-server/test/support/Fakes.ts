import { Effect, Layer } from "effect"
import {
  CallerIdentity,
  CloudControl,
  EnvironmentInfo,
  Finding,
  GeneratedTemplateState,
  Identity,
  isJsonObject,
  Journal,
  type JournalEntry,
  type JsonObject,
  ResourceNotFound,
  ScannerUnavailable,
  ScanReport,
  SecurityScanner,
  TemplateGenerator,
  typeName as makeTypeName,
  identifier as makeIdentifier
} from "@ccapi/core"

/*
 * Small fakes for the ports the MCP tests need beyond testkit's in-memory cloud and schemas.
 */

export const ACCOUNT_ID = "123456789012"

export const identityLayer = Layer.succeed(
  Identity,
  Identity.of({
    environment: Effect.succeed(
      new EnvironmentInfo({
        profile: "test",
        region: "us-east-1",
        regionSource: "environment",
        variablesSet: ["AWS_PROFILE", "AWS_REGION"]
      })
    ),
    whoAmI: (region) =>
      Effect.succeed(
        new CallerIdentity({
          accountId: ACCOUNT_ID,
          arn: `arn:aws:iam::${ACCOUNT_ID}:user/tester`,
          userId: "AIDATESTUSER",
          credentialSource: "profile",
          profile: "test",
          region: region ?? "us-east-1"
        })
      )
  })
)

const rules: ReadonlyArray<{
  readonly id: string
  readonly title: string
  readonly type: string
  readonly fails: (properties: JsonObject) => boolean
}> = [
  {
    id: "CKV_AWS_18",
    title: "Ensure the S3 bucket has access logging enabled",
    type: "AWS::S3::Bucket",
    fails: (p) => p["LoggingConfiguration"] === undefined
  },
  {
    id: "CKV_AWS_21",
    title: "Ensure the S3 bucket has versioning enabled",
    type: "AWS::S3::Bucket",
    fails: (p) => !isJsonObject(p["VersioningConfiguration"]) || p["VersioningConfiguration"]["Status"] !== "Enabled"
  }
]

/** A rule-based scanner: S3 buckets fail CKV_AWS_18 without logging and CKV_AWS_21 without versioning. */
export const rulesScannerLayer = Layer.succeed(
  SecurityScanner,
  SecurityScanner.of({
    scan: (template) =>
      Effect.sync(() => {
        const resources = isJsonObject(template["Resources"]) ? template["Resources"] : {}
        const findings: Array<Finding> = []
        const passed: Array<string> = []
        for (const [logicalId, resource] of Object.entries(resources)) {
          if (!isJsonObject(resource)) continue
          const properties = isJsonObject(resource["Properties"]) ? resource["Properties"] : {}
          for (const rule of rules) {
            if (resource["Type"] !== rule.type) continue
            if (rule.fails(properties)) {
              findings.push(
                new Finding({
                  checkId: rule.id,
                  title: rule.title,
                  resource: `${rule.type}.${logicalId}`,
                  severity: "MEDIUM",
                  guideline: null
                })
              )
            } else passed.push(rule.id)
          }
        }
        return new ScanReport({
          scanner: "fake-rules",
          passed: passed.length,
          failed: findings.length,
          skipped: 0,
          findings,
          passedCheckIds: passed
        })
      })
  })
)

export const missingScannerLayer = Layer.succeed(
  SecurityScanner,
  SecurityScanner.of({
    scan: () =>
      Effect.fail(
        new ScannerUnavailable({ message: "Checkov is not installed. Run `npm run setup` or set CCAPI_CHECKOV_BIN." })
      )
  })
)

export const journalLayer = (entries: Array<JournalEntry>) =>
  Layer.succeed(Journal, Journal.of({ append: (entry) => Effect.sync(() => void entries.push(entry)) }))

/** The IaC Generator over the in-memory cloud: completes at once with the resources' current properties. */
export const templateGeneratorLayer = (onStart: () => void) =>
  Layer.effect(
    TemplateGenerator,
    Effect.gen(function* () {
      const cloud = yield* CloudControl
      const templates = new Map<string, { name: string; body: JsonObject }>()
      return TemplateGenerator.of({
        start: (input) =>
          Effect.gen(function* () {
            onStart()
            const resources: Record<string, JsonObject> = {}
            let n = 0
            for (const resource of input.resources) {
              const identifier = Object.values(resource.identifier).join("|")
              const found = yield* cloud
                .get({ typeName: resource.typeName, identifier: makeIdentifier(identifier), region: input.region })
                .pipe(Effect.orDie)
              resources[`Resource${++n}`] = {
                Type: resource.typeName,
                DeletionPolicy: input.deletionPolicy === "DELETE" ? "Delete" : "Retain",
                Properties: found.properties
              }
            }
            const templateId = `arn:aws:cloudformation:${input.region}:123456789012:generatedtemplate/${templates.size + 1}`
            templates.set(templateId, { name: input.templateName, body: { Resources: resources } })
            return { templateId }
          }),
        status: (input) =>
          templates.has(input.templateId)
            ? Effect.succeed(
                new GeneratedTemplateState({
                  templateId: input.templateId,
                  templateName: templates.get(input.templateId)!.name,
                  status: "COMPLETE"
                })
              )
            : Effect.fail(
                new ResourceNotFound({
                  typeName: makeTypeName("AWS::CloudFormation::GeneratedTemplate"),
                  identifier: input.templateId,
                  message: "No such generated template."
                })
              ),
        fetch: (input) =>
          Effect.succeed({ body: JSON.stringify(templates.get(input.templateId)?.body ?? {}, null, 2) }),
        remove: (input) => Effect.sync(() => void templates.delete(input.templateId))
      })
    })
  )
