import { Identity, Journal, JournalEntry } from "@ccapi/core"
import { FakeIdentity, FakeSecurityScanner, MemoryJournal } from "@ccapi/testkit"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

describe("FakeIdentity", () => {
  it.effect("fails like expired or missing credentials when told to", () =>
    Effect.gen(function* () {
      const expired = yield* Effect.flip(
        Effect.flatMap(Identity, (i) => i.whoAmI()).pipe(
          Effect.provide(FakeIdentity.layerTest({ fail: "CredentialsExpired", profile: "dev" }))
        )
      )
      assert.strictEqual(expired._tag, "CredentialsExpired")
      assert.include(expired.message, "aws sso login --profile dev")
      const missing = yield* Effect.flip(
        Effect.flatMap(Identity, (i) => i.whoAmI()).pipe(
          Effect.provide(FakeIdentity.layerTest({ fail: "CredentialsMissing" }))
        )
      )
      assert.strictEqual(missing._tag, "CredentialsMissing")
    })
  )
})

describe("FakeSecurityScanner", () => {
  it("finds a public SSH port and a policy inside a role, given as a JSON string", () => {
    const report = FakeSecurityScanner.scanTemplate({
      Resources: {
        Sg: {
          Type: "AWS::EC2::SecurityGroup",
          Properties: { SecurityGroupIngress: [{ CidrIp: "0.0.0.0/0", FromPort: 22, ToPort: 22, IpProtocol: "tcp" }] }
        },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            Policies: [
              {
                PolicyName: "p",
                PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["*"], Resource: "*" }] })
              }
            ]
          }
        }
      }
    })
    assert.includeMembers([...report.failedCheckIds], ["CKV_AWS_24", "CKV_AWS_62"])
    assert.include(report.passedCheckIds, "CKV_AWS_25")
    assert.strictEqual(report.findings.find((f) => f.checkId === "CKV_AWS_24")?.location, "/Resources/Sg")
  })

  it.effect("can be unavailable or crash", () =>
    Effect.gen(function* () {
      const scan = (options: FakeSecurityScanner.FakeSecurityScannerOptions) =>
        Effect.flip(FakeSecurityScanner.make(options).scan({ Resources: {} }))
      assert.strictEqual((yield* scan({ unavailable: true }))._tag, "ScannerUnavailable")
      const crashed = yield* scan({ crash: "out of memory" })
      assert.strictEqual(crashed._tag, "ScanFailed")
      assert.include(crashed.message, "out of memory")
    })
  )
})

describe("MemoryJournal", () => {
  it.effect("keeps what was appended, in order", () =>
    Effect.gen(function* () {
      const journal = yield* Journal
      const reader = yield* MemoryJournal.MemoryJournal
      yield* journal.append(new JournalEntry({ at: "2026-01-01T00:00:00Z", event: "plan", details: { n: 1 } }))
      yield* journal.append(new JournalEntry({ at: "2026-01-01T00:00:01Z", event: "refused", details: { n: 2 } }))
      assert.deepStrictEqual(
        (yield* reader.entries).map((e) => e.event),
        ["plan", "refused"]
      )
      yield* reader.clear
      assert.lengthOf(yield* reader.entries, 0)
    }).pipe(Effect.provide(MemoryJournal.layerMemory))
  )
})
