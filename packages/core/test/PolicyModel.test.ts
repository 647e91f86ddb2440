import { assert, describe, it } from "@effect/vitest"
import { adminAccessOf, escalationActions } from "../src/policy/iam/AdminAccess.js"
import { conditionPinsCaller } from "../src/policy/iam/Conditions.js"
import { documentsIn, parseJsonText } from "../src/policy/iam/PolicyDocument.js"
import { isPublicEntry, publicAccessOf } from "../src/policy/iam/Principals.js"
import { actionMatches, resourceMatches } from "../src/policy/iam/Wildcards.js"
import { coversWholeSpace, parseCidr } from "../src/policy/network/Cidr.js"
import { openAdminPorts, ingressRulesOf } from "../src/policy/network/Ingress.js"
import { principalLocationsOf, withSchemaDefaults } from "../src/policy/SchemaFacts.js"
import type { JsonObject, JsonValue } from "../src/model/Json.js"
import { schemaOf, syntheticSchema } from "./schemaData.js"

const statementOf = (statement: JsonObject) => documentsIn({ Statement: [statement] })[0]!.statements[0]!
const adminKinds = (...Statement: Array<JsonObject>) => adminAccessOf(documentsIn({ Statement })[0]!).map((f) => f.kind)

describe("IAM wildcards", () => {
  it("match actions case-insensitively and ARNs case-sensitively, * across colons, ? one character", () => {
    assert.isTrue(actionMatches("IAM:pass*", "iam:PassRole"))
    assert.isTrue(actionMatches("i?m:PassRole", "iam:PassRole"))
    assert.isFalse(actionMatches("iam:Pass?", "iam:PassRole"))
    assert.isTrue(resourceMatches("arn:*", "arn:aws:iam::123456789012:role/x"))
    assert.isTrue(resourceMatches("arn:aws:*:*:*:*", "arn:aws:s3:::bucket"))
    assert.isFalse(resourceMatches("ARN:*", "arn:aws:s3:::bucket"))
    assert.isFalse(resourceMatches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"))
    assert.isTrue(resourceMatches("a.b(c)+", "a.b(c)+"), "regex characters are literal")
  })

  it("never backtrack exponentially on long runs of *", () => {
    const pattern = "*a".repeat(40) + "b"
    assert.isFalse(actionMatches(pattern, "a".repeat(200)))
  })
})

describe("policy documents", () => {
  it("are parsed from JSON strings with any escapes and whitespace, without a literal pre-check", () => {
    const text = ' \n{"St\\u0061tement": {"\\u0045ffect": "allow", "Action": "*", "Resource": "*"}}'
    const [doc] = documentsIn({ PolicyDocument: text })
    assert.strictEqual(doc?.statements[0]?.effect, "Allow")
    assert.strictEqual(doc?.statements[0]?.path, "/PolicyDocument/Statement")
    assert.isUndefined(parseJsonText("Statement: not json"))
  })

  it("normalise element names in any case and single values to lists", () => {
    const s = statementOf({ effect: "Allow", notaction: "s3:*", RESOURCE: "arn:aws:s3:::b" })
    assert.deepStrictEqual(s.actions, { negated: true, values: ["s3:*"] })
    assert.deepStrictEqual(s.resources, { negated: false, values: ["arn:aws:s3:::b"] })
  })
})

describe("admin-equivalent grants", () => {
  it("find every action on every resource in one statement or split across several", () => {
    assert.deepStrictEqual(adminKinds({ Effect: "Allow", Action: "*", Resource: "*" }), ["every-action"])
    assert.deepStrictEqual(adminKinds({ Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::x" }), [
      "every-action"
    ])
    assert.include(adminKinds({ Effect: "Allow", NotAction: "s3:*", Resource: "*" }), "not-action")
    assert.deepStrictEqual(adminKinds({ Effect: "Allow", Action: "*", Resource: "*", Condition: {} }), ["every-action"])
  })

  it("find each escalation action on any resource", () => {
    for (const { action, resource } of escalationActions) {
      assert.deepStrictEqual(adminKinds({ Effect: "Allow", Action: action.toUpperCase(), Resource: resource }), [
        "escalation"
      ])
      assert.deepStrictEqual(adminKinds({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::only-this" }), [])
    }
  })

  it("find iam:PassRole with a compute action only together", () => {
    const passRole = { Effect: "Allow", Action: "iam:PassRole", Resource: "*" }
    assert.deepStrictEqual(adminKinds(passRole), [])
    assert.deepStrictEqual(adminKinds(passRole, { Effect: "Allow", Action: "lambda:Create*", Resource: "*" }), [
      "escalation"
    ])
  })

  it("an unconditional Deny takes an action away; a conditional one does not", () => {
    const allow = { Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "*" }
    assert.deepStrictEqual(adminKinds(allow, { Effect: "Deny", Action: "iam:*", Resource: "*" }), [])
    assert.deepStrictEqual(
      adminKinds(allow, {
        Effect: "Deny",
        Action: "iam:*",
        Resource: "*",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } }
      }),
      ["escalation"]
    )
  })
})

describe("conditions that pin the caller", () => {
  const pins = (operator: string, key: string, values: JsonValue) =>
    conditionPinsCaller({ operator, key, values: Array.isArray(values) ? values : [values] })

  it("count concrete values of caller keys", () => {
    assert.isTrue(pins("StringEquals", "aws:SourceAccount", "123456789012"))
    assert.isTrue(pins("ForAnyValue:StringEquals", "aws:PrincipalOrgID", ["o-abcdefghij"]))
    assert.isTrue(pins("ArnLike", "aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:*"))
    assert.isTrue(pins("StringLike", "aws:PrincipalOrgPaths", "o-abcdefghij/r-abcd/ou-*"))
    assert.isTrue(pins("IpAddress", "aws:SourceIp", "203.0.113.0/24"))
    assert.isTrue(pins("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32", "198.51.100.7"]))
    assert.isTrue(pins("stringequals", "AWS:SOURCEVPCE", "vpce-1a2b3c4d"))
  })

  it("do not count wildcards, negations, IfExists, ForAllValues, presence tests or other keys", () => {
    assert.isFalse(pins("StringLike", "aws:SourceAccount", "*"))
    assert.isFalse(pins("StringEquals", "aws:SourceAccount", ["123456789012", "*"]))
    assert.isFalse(pins("ArnLike", "aws:SourceArn", "arn:aws:*"))
    assert.isFalse(pins("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/admin"))
    assert.isFalse(pins("StringNotEquals", "aws:SourceAccount", "123456789012"))
    assert.isFalse(pins("StringEqualsIfExists", "aws:SourceAccount", "123456789012"))
    assert.isFalse(pins("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-abcdefghij"))
    assert.isFalse(pins("Null", "aws:SourceArn", "false"))
    assert.isFalse(pins("Bool", "aws:SecureTransport", "true"))
    assert.isFalse(pins("StringEquals", "s3:prefix", "home/"))
    assert.isFalse(pins("IpAddress", "aws:SourceIp", ["0.0.0.0/0"]))
    assert.isFalse(pins("IpAddress", "aws:SourceIp", ["0.0.0.0/1"]))
    assert.isFalse(pins("IpAddress", "aws:SourceIp", ["2001:db8::/8"]))
    assert.isFalse(pins("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "128.0.0.0/1"]))
    assert.isFalse(pins("StringEquals", "aws:SourceAccount", []))
  })
})

describe("public principals", () => {
  it("in every form but Service", () => {
    const publicEntries = [
      { kind: "*", value: "*" },
      { kind: "AWS", value: "*" },
      { kind: "aws", value: " * " },
      { kind: "CanonicalUser", value: "*" },
      { kind: "Federated", value: "*" },
      { kind: "AWS", value: "arn:aws:iam::*:root" }
    ]
    for (const entry of publicEntries) assert.isTrue(isPublicEntry(entry), JSON.stringify(entry))
    assert.isFalse(isPublicEntry({ kind: "Service", value: "*" }))
    assert.isFalse(isPublicEntry({ kind: "AWS", value: "arn:aws:iam::123456789012:root" }))
  })

  it("Allow with NotPrincipal is public; Deny with it is not", () => {
    const base = { NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:*", Resource: "*" }
    assert.include(publicAccessOf(statementOf({ Effect: "Allow", ...base })), "NotPrincipal")
    assert.isUndefined(publicAccessOf(statementOf({ Effect: "Deny", ...base })))
  })
})

describe("address ranges", () => {
  it("parse every spelling of the whole space", () => {
    for (const cidr of [
      "0.0.0.0/0",
      " 000.00.0.0/0 ",
      "::/0",
      "::0/0",
      "0:0:0:0:0:0:0:0/0",
      "0000::/0",
      "::FFFF:0.0.0.0/0"
    ])
      assert.isTrue(coversWholeSpace([parseCidr(cidr)!], cidr.includes(":") ? "ipv6" : "ipv4"), cidr)
  })

  it("union halves and quarters, and see gaps", () => {
    const ranges = (...cidrs: Array<string>) => cidrs.map((c) => parseCidr(c)!)
    assert.isTrue(coversWholeSpace(ranges("0.0.0.0/1", "128.0.0.0/1"), "ipv4"))
    assert.isTrue(coversWholeSpace(ranges("128.0.0.0/2", "0.0.0.0/1", "192.0.0.0/2"), "ipv4"))
    assert.isFalse(coversWholeSpace(ranges("0.0.0.0/1", "128.0.0.0/2"), "ipv4"))
    assert.isTrue(coversWholeSpace(ranges("::/1", "8000::/1"), "ipv6"))
    assert.isFalse(coversWholeSpace(ranges("::/1", "0.0.0.0/0"), "ipv6"))
  })

  it("refuse malformed addresses", () => {
    for (const bad of ["256.0.0.0/0", "1.2.3/8", "::1::/0", "0.0.0.0/33", "x/0", "1:2:3:4:5:6:7:8:9/0"])
      assert.isUndefined(parseCidr(bad), bad)
  })

  it("count port ranges and protocol -1 as reaching admin ports", () => {
    const open = (rule: JsonObject) =>
      openAdminPorts(ingressRulesOf("AWS::EC2::SecurityGroupIngress", { GroupId: "sg", ...rule }))
    assert.isTrue(open({ IpProtocol: "-1", CidrIp: "0.0.0.0/0" })?.everyPort)
    assert.isTrue(open({ IpProtocol: "ALL", CidrIpv6: "::/0" })?.everyPort)
    assert.deepStrictEqual(open({ IpProtocol: "udp", FromPort: 11000, ToPort: 12000, CidrIp: "0.0.0.0/0" })?.ports, [
      11211
    ])
    assert.isUndefined(open({ IpProtocol: "icmp", FromPort: -1, ToPort: -1, CidrIp: "0.0.0.0/0" }))
    assert.isUndefined(open({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" }))
  })
})

describe("what the schema tells the guardrails", () => {
  it("defaults fill what the state leaves out, at any depth", () => {
    const schema = syntheticSchema({
      properties: {
        Name: { type: "string" },
        Encrypted: { type: "boolean", default: false },
        Nested: { $ref: "#/definitions/Nested" }
      },
      definitions: { Nested: { type: "object", properties: { Public: { type: "boolean", default: true } } } }
    })
    assert.deepStrictEqual(withSchemaDefaults(schema, { Name: "n", Nested: {} }), {
      Name: "n",
      Nested: { Public: true },
      Encrypted: false
    })
    assert.deepStrictEqual(withSchemaDefaults(schema, { Encrypted: true }), { Encrypted: true })
  })

  it("finds where real types carry principals, documents or not", () => {
    const patterns = (type: string) => principalLocationsOf(schemaOf(type)).map((l) => l.pattern.join("/"))
    assert.deepStrictEqual(patterns("AWS::Lambda::Permission"), ["Principal"])
    assert.deepStrictEqual(patterns("AWS::EC2::VPCEndpointServicePermissions"), ["AllowedPrincipals"])
    assert.include(patterns("AWS::QuickSight::DataSource"), "Permissions/*/Principal")
    assert.deepStrictEqual(patterns("AWS::S3::Bucket"), [])
  })
})
