import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { applyPatch } from "../src/json/JsonPatch.js"
import type { JsonObject } from "../src/model/Json.js"
import { region, typeName } from "../src/model/Ids.js"
import type { GuardrailSubject } from "../src/model/Plan.js"
import { evaluateGuardrails, type GuardrailExample, guardrailRules } from "../src/policy/Guardrails.js"
import { renderExplanation } from "../src/render/Explanation.js"
import { planCreate } from "../src/workflow/Plans.js"
import { schemaOf } from "./schemaData.js"
import { accountId } from "./support/Workflow.js"

/* Every rule ships the subjects it refuses and the harmless neighbours it lets through; each one is a test here. */

const subjectOf = (example: GuardrailExample): GuardrailSubject => ({
  operation: example.patch !== undefined ? "update" : "create",
  typeName: typeName(example.typeName),
  properties: example.properties,
  ...(example.patch !== undefined ? { patch: example.patch } : {}),
  ...(example.currentState !== undefined ? { currentState: example.currentState } : {})
})

const verdictsOf = (example: GuardrailExample) =>
  evaluateGuardrails(subjectOf(example), new Set(), schemaOf(example.typeName))

describe("every guardrail rule's examples", () => {
  for (const rule of guardrailRules) {
    describe(rule.id, () => {
      it("has refused and allowed examples", () => {
        assert.isAtLeast(rule.examples.refused.length, 1)
        assert.isAtLeast(rule.examples.allowed.length, 1)
      })
      for (const example of rule.examples.refused)
        it(`refuses: ${example.note}`, () => {
          const found = verdictsOf(example).filter((v) => v.rule === rule.id)
          assert.isAtLeast(found.length, 1, JSON.stringify(example))
          for (const verdict of found) {
            assert.isAbove(verdict.reason.length, 40)
            assert.match(verdict.path, /^(|\/.*)$/)
          }
        })
      for (const example of rule.examples.allowed)
        it(`lets through: ${example.note}`, () => {
          assert.deepStrictEqual(
            verdictsOf(example).filter((v) => v.rule === rule.id),
            []
          )
        })
      for (const example of [...rule.examples.refused, ...rule.examples.allowed])
        if (example.currentState !== undefined && example.patch !== undefined)
          it(`the update example's properties are its preview: ${example.note}`, () => {
            const preview = Result.getOrThrow(applyPatch(example.currentState!, example.patch!))
            assert.deepStrictEqual(preview, example.properties)
          })
    })
  }
})

describe("explanations of guardrail verdicts", () => {
  it("name the rule, the path and the reason", () => {
    const schema = schemaOf("AWS::IAM::ManagedPolicy")
    const properties: JsonObject = {
      PolicyDocument: { Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:*" }] }
    }
    const plan = Result.getOrThrow(
      planCreate(
        {
          schema,
          accountId,
          region: region("us-east-1"),
          now: 0,
          defaultTags: [],
          guardrails: (s) => evaluateGuardrails(s, new Set(), schema)
        },
        properties
      )
    )
    const text = renderExplanation(plan)
    assert.include(text, "iam-admin-wildcard")
    assert.include(text, "/PolicyDocument/Statement/0")
    assert.include(text, "NotAction with Allow")
  })
})
