import { Clock, Effect } from "effect"
import { sha256Hex } from "../internal/sha256.js"
import type { Region } from "../model/Ids.js"
import { Identity } from "../ports/Identity.js"
import { decide, requireApprovalChannel } from "../workflow/Approval.js"
import { TemplateGenerationFailed } from "../model/Errors.js"
import { canonicalJson, isJsonObject } from "../model/Json.js"
import { TemplateGenerator } from "../ports/TemplateGenerator.js"
import type { CreateTemplateCommand } from "./Commands.js"
import { TemplatePending, TemplateReady } from "./NextStep.js"
import { resolveRegion } from "./Region.js"
import type { TemplateResult } from "./Results.js"
import { WorkflowSettings } from "../workflow/Settings.js"
import { pollUntilDone } from "../workflow/Waiter.js"

/** Resources listed in a JSON template body. */
const resourcesOf = (body: string): TemplateResult["resources"] => {
  try {
    const parsed: unknown = JSON.parse(body)
    const resources = isJsonObject(parsed) ? parsed["Resources"] : undefined
    if (!isJsonObject(resources)) return []
    return Object.entries(resources).map(([logicalId, r]) => ({
      logicalId,
      typeName: isJsonObject(r) && typeof r["Type"] === "string" ? r["Type"] : "unknown"
    }))
  } catch {
    return []
  }
}

/**
 * The IaC Generator writes a generated template into the account: under CCAPI_APPROVAL=required that is a change a
 * person approves, bound to a hash of the request (region, resources, policies, name).
 */
const approveTemplate = Effect.fn("Workflow.approveTemplate")(function* (
  command: Extract<CreateTemplateCommand, { readonly _tag: "StartTemplate" }>,
  region: Region,
  templateName: string
) {
  if ((yield* WorkflowSettings).approval !== "required") return
  yield* requireApprovalChannel("template")
  const identity = yield* (yield* Identity).whoAmI(region)
  const resources = command.resources.map((r) => ({ typeName: r.typeName, identifier: { ...r.identifier } }))
  const bound = {
    region,
    resources,
    deletionPolicy: command.deletionPolicy,
    updateReplacePolicy: command.updateReplacePolicy,
    templateName: command.templateName ?? null
  }
  yield* decide(
    {
      operation: "template",
      accountId: identity.accountId,
      region,
      typeName: "AWS::CloudFormation::GeneratedTemplate",
      identifier: templateName,
      summary: [
        `**CREATE TEMPLATE** with the CloudFormation IaC Generator (a generated template is stored in the account).`,
        `Account ${identity.accountId}, region ${region}; deletion policy ${command.deletionPolicy}, update-replace policy ${command.updateReplacePolicy}.`,
        `Resources (${resources.length}): ${resources.map((r) => `${r.typeName} ${JSON.stringify(r.identifier)}`).join("; ")}`
      ].join("\n"),
      diff: [],
      findings: [],
      failedCheckIds: [],
      planHash: sha256Hex(canonicalJson(bound))
    },
    Effect.void
  )
})

/**
 * Export existing resources as a CloudFormation template with the `TemplateGenerator` the application chose: the IaC
 * Generator, or (read-only) `TemplatesFromReads`.
 */
export const createTemplate = Effect.fn("Workflow.createTemplate")(function* (command: CreateTemplateCommand) {
  const settings = yield* WorkflowSettings
  const region = yield* resolveRegion(command.region)
  const format = command.format
  const generator = yield* TemplateGenerator

  const finish = Effect.fn("Workflow.createTemplate.finish")(function* (templateId: string, templateName: string) {
    const { value: state, completed } = yield* pollUntilDone({
      check: generator.status({ region, templateId }),
      isDone: (state) => state.status === "FAILED" || state.status === "COMPLETE",
      bound: settings.templateWait,
      lastCheckAtBound: false
    })
    if (state.status === "FAILED")
      return yield* new TemplateGenerationFailed({
        templateId,
        message: `The IaC Generator failed: ${state.statusReason ?? "no reason given"}. Check the resource types and identifiers, then try again.`
      })
    if (completed) {
      const json = yield* generator.fetch({ region, templateId, format: "JSON" })
      const body = format === "JSON" ? json.body : (yield* generator.fetch({ region, templateId, format: "YAML" })).body
      return {
        // A template built from reads is complete at once: there is nothing to come back for.
        templateId: generator.source === "reads" ? undefined : templateId,
        templateName: state.templateName ?? templateName,
        status: state.status,
        statusReason: state.statusReason,
        format,
        body,
        resources: resourcesOf(json.body),
        source: generator.source,
        next: TemplateReady.make({ fromReads: generator.source === "reads" })
      } satisfies TemplateResult
    }
    return {
      templateId,
      templateName: state.templateName ?? templateName,
      status: state.status,
      statusReason: state.statusReason,
      format,
      body: undefined,
      resources: [],
      source: generator.source,
      next: TemplatePending.make({ templateId })
    } satisfies TemplateResult
  })

  if (command._tag === "FetchTemplate") return yield* finish(command.templateId, command.templateId)
  const now = yield* Clock.currentTimeMillis
  const templateName =
    command.templateName !== undefined && command.templateName !== ""
      ? command.templateName
      : `ccapi-template-${new Date(now).toISOString().replace(/[:.]/g, "-")}`

  if (generator.source !== "reads") yield* approveTemplate(command, region, templateName)
  const { templateId } = yield* generator.start({
    region,
    templateName,
    resources: command.resources,
    deletionPolicy: command.deletionPolicy,
    updateReplacePolicy: command.updateReplacePolicy
  })
  return yield* finish(templateId, templateName)
})
