import type { ScanReport } from "../model/Cloud.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { Plan, UpdatePlan } from "../model/Plan.js"
import { MASK, maskWriteOnly, maskWriteOnlyAt } from "../workflow/Plans.js"
import { revealUnsafe } from "./Sanitiser.js"

/*
 * Markdown renderings of plans. Every string that came from the plan or the scan is shown inside a code span or a
 * fenced block sized to its content, with unsafe characters (render/Sanitiser.ts) made visible as \u escapes,
 * so no value can close a block, open a heading or hide text.
 */

// Unsafe characters (controls, format and default-ignorable characters, separators, private use, …) are shown as
// escapes: the explanation must show what will be sent, hidden characters included (render/Sanitiser.ts).
const visible = revealUnsafe

const longestRun = (text: string, char: string): number => {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    if (run > longest) longest = run
  }
  return longest
}

/** A fenced code block that no content can close early. */
const fenced = (content: string, language = ""): string => {
  const body = visible(content)
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1))
  return `${fence}${language}\n${body}\n${fence}`
}

/** An inline code span, safe inside a table cell. */
const code = (text: string): string => {
  const body = visible(text)
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(/\|/g, "\\|")
  const fence = "`".repeat(longestRun(body, "`") + 1)
  const pad = body.startsWith("`") || body.endsWith("`") || body === "" ? " " : ""
  return `${fence}${pad}${body}${pad}${fence}`
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) ?? "null"
const compact = (value: unknown): string => JSON.stringify(value) ?? "null"

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

const hasMask = (value: JsonValue): boolean =>
  value === MASK ||
  (Array.isArray(value) ? value.some(hasMask) : isJsonObject(value) && Object.values(value).some(hasMask))

const OPERATION_TITLE: Record<Plan["operation"], string> = {
  create: "Create",
  update: "Update",
  delete: "Delete"
}

const stateSection = (title: string, lead: string, state: JsonObject, plan: Plan): string => {
  const masked = maskWriteOnly(state, plan.writeOnlyPaths)
  const note = hasMask(masked) ? "\n\nWrite-only values (secrets AWS never returns) are shown as `***`." : ""
  return `## ${title}\n\n${lead}\n\n${fenced(json(masked), "json")}${note}`
}

const patchSection = (plan: UpdatePlan): string => {
  const ops = plan.patch.map((op) => {
    const shown: Record<string, unknown> = { op: op.op, path: op.path }
    if (op.from !== undefined) shown["from"] = op.from
    if (op.value !== undefined) shown["value"] = maskWriteOnlyAt(op.value as JsonValue, op.path, plan.writeOnlyPaths)
    return shown
  })
  return `## Patch sent to Cloud Control\n\nThese ${ops.length} RFC 6902 operation(s) are applied, in order, to the live resource:\n\n${fenced(json(ops), "json")}`
}

const diffSection = (plan: Plan): string => {
  if (plan.diff.length === 0) return "## Changes\n\nNo property changes."
  const cell = (value: JsonValue | undefined, path: string) =>
    value === undefined ? "—" : code(compact(maskWriteOnlyAt(value, path, plan.writeOnlyPaths)))
  const rows = plan.diff.map((d) => [
    code(d.path),
    d.kind,
    cell(d.before, d.path),
    cell(d.after, d.path),
    d.flags.length === 0 ? "" : d.flags.join(", ")
  ])
  const frozen = plan.diff.some((d) => d.flags.includes("createOnly"))
  const note =
    frozen && plan.operation === "create"
      ? "\n\nProperties marked createOnly cannot be changed after the resource exists."
      : ""
  return `## Changes\n\n${table(["Path", "Change", "Before", "After", "Schema flags"], rows)}${note}`
}

const tagsSection = (plan: Plan): string => {
  if (plan.operation === "delete") return ""
  if (plan.tags.length === 0) return "## Tags\n\nNo tags are sent with this change."
  const rows = plan.tags.map((t) => [
    code(t.key),
    code(t.value),
    t.source === "default" ? "default (added by the server)" : "user"
  ])
  return `## Tags\n\n${table(["Key", "Value", "Source"], rows)}`
}

const guardrailSection = (plan: Plan): string => {
  if (plan.guardrails.length === 0) return "## Guardrails\n\nNone: the plan breaks no guardrail rule."
  const rows = plan.guardrails.map((g) => [code(g.rule), code(g.path), code(g.reason)])
  return `## Guardrails\n\n**This plan breaks ${plan.guardrails.length} guardrail rule(s) and cannot be applied as it is.**\n\n${table(["Rule", "Path", "Reason"], rows)}`
}

const scanSection = (scan: ScanReport | undefined): string => {
  if (scan === undefined) return "## Security scan\n\nNo scan results are attached to this explanation."
  const version = scan.scannerVersion === undefined ? "" : ` ${code(scan.scannerVersion)}`
  const summary = `Scanner ${code(scan.scanner)}${version}: ${scan.passed} passed, ${scan.failed} failed, ${scan.skipped} skipped.`
  if (scan.findings.length === 0) return `## Security scan\n\n${summary}\n\nNo failed checks.`
  const rows = scan.findings.map((f) => [
    code(f.checkId),
    code(f.title),
    code(f.resource),
    f.severity === null ? "—" : code(f.severity),
    f.guideline === null ? "—" : code(f.guideline)
  ])
  return `## Security scan\n\n${summary}\n\n${table(["Check", "Title", "Resource", "Severity", "Guideline"], rows)}`
}

/** The complete Markdown explanation of a plan (and its scan): the same plan always renders the same text. */
export const renderExplanation = (plan: Plan, scan?: ScanReport): string => {
  const header = table(
    ["Field", "Value"],
    [
      ["Operation", code(plan.operation)],
      ["Account", code(plan.accountId)],
      ["Region", code(plan.region)],
      ["Resource type", code(plan.typeName)],
      [
        "Identifier",
        plan.operation === "create" ? "assigned by AWS when the resource is created" : code(plan.identifier)
      ],
      ["Planned at", code(new Date(plan.createdAt).toISOString())]
    ]
  )
  const sections: Array<string> = [`# ${OPERATION_TITLE[plan.operation]} ${code(plan.typeName)}`, header]
  if (plan.operation === "create") {
    sections.push(
      stateSection(
        "Properties that will be sent",
        "The exact desired state sent to Cloud Control, default tags included:",
        plan.desiredState,
        plan
      )
    )
  }
  if (plan.operation === "update") {
    sections.push(
      patchSection(plan),
      diffSection(plan),
      stateSection(
        "Properties after the update",
        "The live properties with the patch applied (values AWS sets included):",
        plan.previewState,
        plan
      )
    )
  }
  if (plan.operation === "delete") {
    sections.push(
      stateSection(
        "Resource that will be deleted",
        "The live resource, as read when this plan was made. All of it is deleted:",
        plan.currentState,
        plan
      )
    )
  }
  sections.push(tagsSection(plan), guardrailSection(plan), scanSection(scan), `## Plan hash\n\n${code(plan.hash)}`)
  return sections.filter((s) => s !== "").join("\n\n") + "\n"
}

const describeValue = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return `list of ${value.length}`
  if (typeof value === "object") return `object with ${Object.keys(value).length} key(s)`
  return typeof value
}

/** A Markdown explanation of arbitrary content, for `explain` without a plan: its shape and its full value. */
export const renderContent = (content: unknown): string => {
  const sections: Array<string> = ["# Explanation of the content"]
  if (content === undefined) {
    sections.push("Nothing was given to explain.")
    return sections.join("\n\n") + "\n"
  }
  if (typeof content === "object" && content !== null && !Array.isArray(content)) {
    const entries = Object.entries(content as Record<string, unknown>)
    sections.push(
      entries.length === 0
        ? "An empty object."
        : table(
            ["Key", "Kind", "Value"],
            entries.map(([k, v]) => [
              code(k),
              describeValue(v),
              typeof v === "object" && v !== null ? "see below" : code(compact(v))
            ])
          )
    )
  } else {
    sections.push(`A ${describeValue(content)}.`)
  }
  sections.push(
    `## Full content\n\n${fenced(typeof content === "string" ? content : json(content), typeof content === "string" ? "" : "json")}`
  )
  sections.push(
    "This is not a plan: nothing here can be applied. To change a resource, generate the code for the change and explain that plan."
  )
  return sections.join("\n\n") + "\n"
}
