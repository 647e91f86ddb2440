/** The `ApprovalStore` and `PendingApprovals` ports on Redis, for a fleet of ccapi replicas that share them. */
export * as RedisApprovalStore from "./RedisApprovalStore.js"
export * as RedisPendingApprovals from "./RedisPendingApprovals.js"
