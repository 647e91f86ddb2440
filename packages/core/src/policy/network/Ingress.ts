import { isJsonObject, type JsonObject, type JsonValue } from "../../model/Json.js"
import { asList, child } from "../iam/PolicyDocument.js"
import { type AddressRange, coversWholeSpace, type Family, parseCidr } from "./Cidr.js"

/*
 * Ingress as arithmetic: every rule of the resulting state becomes (protocol, port range, address range); for each
 * administrative port the ranges that reach it are unioned and compared with the whole IPv4 and IPv6 space, so no
 * spelling of 0.0.0.0/0 or ::/0, no split into /1 halves and no port range or "all protocols" slips by.
 */

/**
 * Administrative and database ports. Sources: AWS Security Hub control EC2.19 ("Security groups should not allow
 * unrestricted access to ports with high risk": 20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306,
 * 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300) without its web ports (3000, 5000, 5500,
 * 8080, 8088, 8888), plus the default ports of databases and control planes: NetBIOS 137–139, Oracle 1521,
 * Docker 2375–2376, etcd 2379–2380, Redshift 5439, VNC 5900, CouchDB 5984, Redis 6379, Cassandra 9042,
 * Memcached 11211, MongoDB 27017–27019.
 */
export const adminPorts: ReadonlyArray<number> = [
  20, 21, 22, 23, 25, 110, 135, 137, 138, 139, 143, 445, 1433, 1434, 1521, 2375, 2376, 2379, 2380, 3306, 3389, 4333,
  5432, 5439, 5601, 5900, 5984, 6379, 9042, 9200, 9300, 11211, 27017, 27018, 27019
]

export interface IngressRule {
  readonly path: string
  /** "all" (-1), "tcp", "udp", or another protocol (no ports). */
  readonly protocol: "all" | "tcp" | "udp" | "other"
  readonly from: number
  readonly to: number
  readonly range: AddressRange
}

const protocolOf = (value: JsonValue | undefined): IngressRule["protocol"] => {
  const text = String(value ?? "")
    .trim()
    .toLowerCase()
  if (text === "-1" || text === "all") return "all"
  if (text === "tcp" || text === "6") return "tcp"
  if (text === "udp" || text === "17") return "udp"
  return "other"
}

const portOf = (value: JsonValue | undefined): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  return Number.isInteger(n) ? n : undefined
}

const portRange = (fromValue: JsonValue | undefined, toValue: JsonValue | undefined) => {
  const from = portOf(fromValue)
  const to = portOf(toValue)
  if (from === undefined || from < 0) return { from: 0, to: 65535 }
  const last = to === undefined || to < 0 ? from : to
  return { from: Math.min(from, last), to: Math.max(from, last) }
}

const rulesOf = (
  rule: JsonObject,
  path: string,
  protocol: IngressRule["protocol"],
  ports: { from: number; to: number },
  cidrKeys: ReadonlyArray<string>
): ReadonlyArray<IngressRule> =>
  cidrKeys.flatMap((key) => {
    const range = parseCidr(rule[key])
    return range === undefined ? [] : [{ path, protocol, ...ports, range }]
  })

const securityGroupRule = (rule: JsonObject, path: string) =>
  rulesOf(rule, path, protocolOf(rule["IpProtocol"]), portRange(rule["FromPort"], rule["ToPort"]), [
    "CidrIp",
    "CidrIpv6"
  ])

const networkAclRule = (entry: JsonObject, path: string): ReadonlyArray<IngressRule> => {
  const egress = entry["Egress"]
  if (egress === true || (typeof egress === "string" && egress.trim().toLowerCase() === "true")) return []
  if (
    String(entry["RuleAction"] ?? "")
      .trim()
      .toLowerCase() !== "allow"
  )
    return []
  const range = isJsonObject(entry["PortRange"]) ? entry["PortRange"] : {}
  return rulesOf(entry, path, protocolOf(entry["Protocol"]), portRange(range["From"], range["To"]), [
    "CidrBlock",
    "Ipv6CidrBlock"
  ])
}

/** The ingress rules a resource's resulting state holds, whatever type carries them. */
export const ingressRulesOf = (typeName: string, state: JsonObject): ReadonlyArray<IngressRule> => {
  switch (typeName) {
    case "AWS::EC2::SecurityGroupIngress":
      return securityGroupRule(state, "")
    case "AWS::EC2::SecurityGroup":
      return asList(state["SecurityGroupIngress"]).flatMap((rule, i) =>
        isJsonObject(rule) ? securityGroupRule(rule, child("/SecurityGroupIngress", i)) : []
      )
    case "AWS::EC2::NetworkAclEntry":
      return networkAclRule(state, "")
    default:
      return []
  }
}

export interface OpenPorts {
  /** The rules that together open the ports; one path when a single rule does. */
  readonly paths: ReadonlyArray<string>
  readonly families: ReadonlyArray<Family>
  readonly ports: ReadonlyArray<number>
  /** Every port of TCP and UDP is open. */
  readonly everyPort: boolean
}

const reaches = (rule: IngressRule, protocol: "tcp" | "udp", port: number) =>
  (rule.protocol === "all" || rule.protocol === protocol) && rule.from <= port && port <= rule.to

/** The administrative ports the rules open, together, to the whole internet (IPv4 or IPv6), or `undefined`. */
export const openAdminPorts = (rules: ReadonlyArray<IngressRule>): OpenPorts | undefined => {
  if (!rules.some((r) => r.protocol !== "other")) return undefined
  const ports: Array<number> = []
  const paths = new Set<string>()
  const families = new Set<Family>()
  for (const port of adminPorts) {
    let open = false
    for (const protocol of ["tcp", "udp"] as const) {
      const reaching = rules.filter((r) => reaches(r, protocol, port))
      for (const family of ["ipv4", "ipv6"] as const) {
        if (
          !coversWholeSpace(
            reaching.map((r) => r.range),
            family
          )
        )
          continue
        open = true
        families.add(family)
        // The smallest explanation: one rule covering the space alone, else every rule that contributes.
        const alone = reaching.find((r) => coversWholeSpace([r.range], family))
        for (const r of alone ? [alone] : reaching.filter((r) => r.range.family === family)) paths.add(r.path)
      }
    }
    if (open) ports.push(port)
  }
  if (ports.length === 0) return undefined
  const everyPort = (["tcp", "udp"] as const).some((protocol) =>
    (["ipv4", "ipv6"] as const).some((family) =>
      coversWholeSpace(
        rules.filter((r) => reaches(r, protocol, 0) && r.to >= 65535).map((r) => r.range),
        family
      )
    )
  )
  return { paths: [...paths].sort(), families: [...families].sort(), ports, everyPort }
}
