import { assert, describe, it } from "@effect/vitest"
import type { JsonObject, JsonValue } from "../src/model/Json.js"
import { typeName } from "../src/model/Ids.js"
import { evaluateGuardrails } from "../src/policy/Guardrails.js"
import { intBetween } from "./arbitraries.js"
import { schemaOf } from "./schemaData.js"
import { seededRandom } from "./support/SeededRandom.js"

/*
 * Property tests: semantically equal variants of a forbidden document — JSON strings with escaped key spellings,
 * element names and actions in any case, statements and keys in any order, actions split across statements, scalars
 * and arrays, address space split into blocks in any IPv6 spelling — must all be refused; the same variations of a
 * harmless neighbour must all pass.
 */

/** A deterministic random source from a generated seed. */
const randomFrom = (seed: number) => {
  const source = seededRandom(seed)
  const next = () => source.nextDoubleUnsafe()
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p = 0.5) => next() < p,
    shuffle: <A>(items: ReadonlyArray<A>): Array<A> => {
      const out = [...items]
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[out[i], out[j]] = [out[j]!, out[i]!]
      }
      return out
    }
  }
}
type Random = ReturnType<typeof randomFrom>
const seed = intBetween(0, 0x7fffffff)

const randomCase = (r: Random, text: string) =>
  [...text].map((c) => (r.chance() ? c.toUpperCase() : c.toLowerCase())).join("")

const scalarOrArray = (r: Random, values: ReadonlyArray<string>): JsonValue =>
  values.length === 1 && r.chance() ? values[0]! : [...values]

interface Grant {
  readonly effect: "Allow" | "Deny"
  readonly actions: ReadonlyArray<string>
  readonly resource: ReadonlyArray<string>
  readonly extra?: JsonObject
}

/** A policy document for the grants: actions split across statements at random, any case, any order, any shape. */
const documentOf = (r: Random, grants: ReadonlyArray<Grant>): JsonObject => {
  const statements: Array<JsonObject> = []
  for (const grant of grants) {
    const actions = r.shuffle(grant.actions)
    let start = 0
    while (start < actions.length) {
      const size = 1 + r.int(actions.length - start)
      const part = actions.slice(start, start + size).map((a) => (r.chance() ? randomCase(r, a) : a))
      start += size
      const entries: Array<[string, JsonValue]> = [
        ["Effect", r.chance(0.3) ? randomCase(r, grant.effect) : grant.effect],
        ["Action", scalarOrArray(r, part)],
        ["Resource", scalarOrArray(r, grant.resource)],
        ...Object.entries(grant.extra ?? {})
      ]
      statements.push(Object.fromEntries(r.shuffle(entries)))
    }
  }
  const ordered = r.shuffle(statements)
  return Object.fromEntries(
    r.shuffle<[string, JsonValue]>([
      ["Version", "2012-10-17"],
      ["Statement", ordered.length === 1 && r.chance() ? ordered[0]! : ordered]
    ])
  )
}

/** JSON text of a value with random characters of its object keys written as \u escapes. */
const escapedJson = (r: Random, value: JsonValue): string => {
  if (Array.isArray(value)) return `[${value.map((v) => escapedJson(r, v)).join(r.chance() ? ", " : ",")}]`
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value).map(([key, v]) => {
      const spelled = [...key]
        .map((c) =>
          r.chance(0.4)
            ? `\\u${c
                .charCodeAt(0)
                .toString(16)
                .padStart(4, r.chance() ? "0" : "0")}`
            : c
        )
        .join("")
      return `"${spelled}":${r.chance() ? " " : ""}${escapedJson(r, v)}`
    })
    return `${r.chance() ? "\n " : ""}{${members.join(",")}}`
  }
  return JSON.stringify(value)
}

/** The document where a type keeps it: as an object or an escaped JSON string, directly or in Policies[*]. */
const placed = (r: Random, document: JsonObject) => {
  const value = r.chance() ? escapedJson(r, document) : document
  switch (r.int(3)) {
    case 0:
      return { type: "AWS::IAM::ManagedPolicy", properties: { PolicyDocument: value } }
    case 1:
      return { type: "AWS::IAM::Role", properties: { Policies: [{ PolicyName: "p", PolicyDocument: value }] } }
    default:
      return { type: "AWS::IAM::Policy", properties: { PolicyName: "p", PolicyDocument: value } }
  }
}

const rulesFor = (type: string, properties: JsonObject, operation: "create" | "update" = "create") =>
  new Set(
    evaluateGuardrails({ operation, typeName: typeName(type), properties }, new Set(), schemaOf(type)).map(
      (v) => v.rule
    )
  )

const forbiddenPolicies: ReadonlyArray<readonly [string, ReadonlyArray<Grant>]> = [
  ["iam-admin-wildcard", [{ effect: "Allow", actions: ["*"], resource: ["*"] }]],
  ["iam-admin-wildcard", [{ effect: "Allow", actions: ["*:*", "s3:GetObject"], resource: ["arn:*"] }]],
  ["iam-privilege-escalation", [{ effect: "Allow", actions: ["iam:*"], resource: ["*"] }]],
  [
    "iam-privilege-escalation",
    [{ effect: "Allow", actions: ["iam:PassRole", "lambda:CreateFunction", "s3:ListBucket"], resource: ["*"] }]
  ],
  [
    "iam-privilege-escalation",
    [{ effect: "Allow", actions: ["iam:AttachRolePolicy", "iam:GetRole"], resource: ["arn:aws:iam::*:role/*"] }]
  ]
]

const harmlessPolicies: ReadonlyArray<ReadonlyArray<Grant>> = [
  [{ effect: "Allow", actions: ["s3:GetObject", "s3:PutObject"], resource: ["arn:aws:s3:::bucket/*"] }],
  [{ effect: "Allow", actions: ["iam:GetRole", "iam:ListRoles", "ec2:Describe*"], resource: ["*"] }],
  [{ effect: "Deny", actions: ["*", "iam:*"], resource: ["*"] }],
  [{ effect: "Allow", actions: ["iam:PassRole"], resource: ["arn:aws:iam::123456789012:role/app"] }]
]

describe("variants of forbidden policies", () => {
  it.prop("are all refused, by the rule that names them", [seed], ([s]) => {
    const r = randomFrom(s)
    const [rule, grants] = forbiddenPolicies[r.int(forbiddenPolicies.length)]!
    const { type, properties } = placed(r, documentOf(r, grants))
    assert.isTrue(rulesFor(type, properties).has(rule), `${rule}: ${JSON.stringify(properties)}`)
  })

  it.prop("their harmless neighbours all pass", [seed], ([s]) => {
    const r = randomFrom(s)
    const grants = harmlessPolicies[r.int(harmlessPolicies.length)]!
    const { type, properties } = placed(r, documentOf(r, grants))
    assert.deepStrictEqual([...rulesFor(type, properties)], [], JSON.stringify(properties))
  })
})

const publicStatement = (r: Random, principal: JsonValue, condition?: JsonObject): JsonObject =>
  Object.fromEntries(
    r.shuffle<[string, JsonValue]>([
      ["Effect", r.chance() ? "Allow" : randomCase(r, "allow")],
      ["Principal", principal],
      ["Action", scalarOrArray(r, ["s3:GetObject"])],
      ["Resource", "arn:aws:s3:::b/*"],
      ...(condition !== undefined ? [["Condition", condition] as [string, JsonValue]] : [])
    ])
  )

const publicPrincipals = (r: Random): JsonValue =>
  [
    "*",
    { AWS: "*" },
    { AWS: ["arn:aws:iam::123456789012:root", "*"] },
    { CanonicalUser: "*" },
    { Federated: ["*"] },
    { AWS: "arn:aws:iam::*:root" }
  ][r.int(6)]!
const hollowConditions = (r: Random): JsonObject | undefined =>
  [
    undefined,
    {},
    { StringLike: { "aws:SourceAccount": "*" } },
    { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } },
    { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": ["o-abcdefghij"] } },
    { Bool: { "aws:SecureTransport": "true" } },
    { StringNotEquals: { "aws:SourceAccount": "123456789012" } },
    { ArnLike: { "aws:SourceArn": "arn:aws:*" } }
  ][r.int(8)]
const pinningConditions = (r: Random): JsonObject =>
  [
    { StringEquals: { "aws:SourceAccount": "123456789012" } },
    { StringEquals: { "aws:PrincipalOrgID": ["o-abcdefghij"] } },
    { ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*" } },
    { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" }, Bool: { "aws:SecureTransport": "true" } }
  ][r.int(4)]!

describe("variants of public principals", () => {
  const bucketPolicy = (r: Random, statement: JsonObject) => {
    const document = { Version: "2012-10-17", Statement: [statement] }
    return { Bucket: "b", PolicyDocument: r.chance() ? escapedJson(r, document) : document }
  }

  it.prop("with conditions that restrict nothing are all refused", [seed], ([s]) => {
    const r = randomFrom(s)
    const properties = bucketPolicy(r, publicStatement(r, publicPrincipals(r), hollowConditions(r)))
    assert.isTrue(rulesFor("AWS::S3::BucketPolicy", properties).has("public-principal"), JSON.stringify(properties))
  })

  it.prop("pinned to concrete callers, or named, all pass", [seed], ([s]) => {
    const r = randomFrom(s)
    const statement = r.chance()
      ? publicStatement(r, publicPrincipals(r), pinningConditions(r))
      : publicStatement(r, r.chance() ? { AWS: "arn:aws:iam::123456789012:root" } : { Service: "s3.amazonaws.com" })
    const properties = bucketPolicy(r, statement)
    assert.deepStrictEqual([...rulesFor("AWS::S3::BucketPolicy", properties)], [], JSON.stringify(properties))
  })
})

// ── Network ───────────────────────────────────────────────────────────────────

/** Blocks that together are the whole IPv4 space: /0 split at random, down to /6 at most. */
const splitSpace = (r: Random, first: number, prefix: number, out: Array<[number, number]> = []) => {
  if (prefix < 6 && r.chance(prefix === 0 ? 0.7 : 0.4)) {
    splitSpace(r, first, prefix + 1, out)
    splitSpace(r, first + 2 ** (32 - prefix - 1), prefix + 1, out)
  } else out.push([first, prefix])
  return out
}
const ipv4 = (r: Random, [first, prefix]: [number, number]) =>
  `${[24, 16, 8, 0].map((shift) => String((first / 2 ** shift) & 255).padStart(r.chance(0.2) ? 3 : 0, "0")).join(".")}/${prefix}`
const ipv6Whole = (r: Random) =>
  ["::/0", "::0/0", "0:0:0:0:0:0:0:0/0", "0000:0000:0000:0000:0000:0000:0000:0000/0", "0::0/0", "::/0 "][r.int(6)]!
const protocols = (r: Random) => [-1, "-1", "all", "ALL", "tcp", "TCP", "6", 6][r.int(8)]!
const adminPorts = [22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200, 5984, 11211]

const ingressRule = (r: Random, cidr: JsonObject, port: number): JsonObject => {
  const from = r.chance() ? port : Math.max(0, port - r.int(1000))
  const to = r.chance() ? port : Math.min(65535, port + r.int(1000))
  return Object.fromEntries(
    r.shuffle<[string, JsonValue]>([
      ["IpProtocol", protocols(r)],
      ["FromPort", r.chance(0.2) ? String(from) : from],
      ["ToPort", to],
      ...Object.entries(cidr)
    ])
  )
}

describe("variants of ingress open to the internet", () => {
  it.prop("rules whose ranges together cover IPv4 or IPv6 on an admin port are all refused", [seed], ([s]) => {
    const r = randomFrom(s)
    const port = adminPorts[r.int(adminPorts.length)]!
    const rules = r.chance(0.7)
      ? splitSpace(r, 0, 0).map((block) => ingressRule(r, { CidrIp: ipv4(r, block) }, port))
      : [ingressRule(r, { CidrIpv6: r.chance() ? ipv6Whole(r) : ipv6Whole(r).toUpperCase() }, port)]
    const others = [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" }]
    const properties = { GroupDescription: "g", SecurityGroupIngress: r.shuffle([...rules, ...others]) }
    assert.isTrue(
      rulesFor("AWS::EC2::SecurityGroup", properties).has("sg-open-admin-ports"),
      JSON.stringify(properties)
    )
  })

  it.prop("the same rules with one block left out, or on a web port, all pass", [seed], ([s]) => {
    const r = randomFrom(s)
    const port = adminPorts[r.int(adminPorts.length)]!
    const blocks = splitSpace(r, 0, 0)
    const dropped = r.int(blocks.length)
    const kept = blocks.filter((_, i) => i !== dropped)
    const web = [80, 443][r.int(2)]!
    const rules = [
      ...kept.map((block) => ingressRule(r, { CidrIp: ipv4(r, block) }, port)),
      { IpProtocol: "tcp", FromPort: web, ToPort: web, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: web, ToPort: web, CidrIpv6: ipv6Whole(r) }
    ]
    const properties = { GroupDescription: "g", SecurityGroupIngress: r.shuffle(rules) }
    const hits = rulesFor("AWS::EC2::SecurityGroup", properties)
    assert.isFalse(hits.has("sg-open-admin-ports"), JSON.stringify(properties))
  })
})

// ── Switches ──────────────────────────────────────────────────────────────────

const flags = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
const truthy = (r: Random): JsonValue => [true, "true", "TRUE", " True "][r.int(4)]!

describe("variants of public buckets", () => {
  it.prop(
    "a block with any flag missing or false, or a public canned ACL in any spelling, is refused",
    [seed],
    ([s]) => {
      const r = randomFrom(s)
      const off = flags[r.int(4)]!
      const block = Object.fromEntries(
        r.shuffle(
          flags.flatMap(
            (f): Array<[string, JsonValue]> =>
              f === off ? (r.chance() ? [] : [[f, [false, "false", "False"][r.int(3)]!]]) : [[f, truthy(r)]]
          )
        )
      )
      const acl = ["public-read", "PublicRead", "PUBLIC_READ_WRITE", "publicReadWrite", "authenticated-read"][r.int(5)]!
      const properties = r.chance() ? { PublicAccessBlockConfiguration: block } : { AccessControl: acl }
      assert.isTrue(rulesFor("AWS::S3::Bucket", properties).has("s3-public-access"), JSON.stringify(properties))
    }
  )

  it.prop("a full block in any spelling with a private ACL passes", [seed], ([s]) => {
    const r = randomFrom(s)
    const block = Object.fromEntries(r.shuffle(flags.map((f): [string, JsonValue] => [f, truthy(r)])))
    const properties = {
      PublicAccessBlockConfiguration: block,
      AccessControl: ["Private", "BucketOwnerFullControl", "LogDeliveryWrite"][r.int(3)]!
    }
    assert.deepStrictEqual([...rulesFor("AWS::S3::Bucket", properties)], [], JSON.stringify(properties))
  })
})
