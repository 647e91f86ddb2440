/** The `ApprovalStore` port on Redis, for a fleet of ccapi replicas that share workflow tokens. */
export * as RedisApprovalStore from "./RedisApprovalStore.js"
