/** The `Journal` port on PostgreSQL, for a fleet of ccapi replicas that share one record of every change. */
export * as PostgresJournal from "./PostgresJournal.js"
