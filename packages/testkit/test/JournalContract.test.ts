import { MemoryJournal } from "@ccapi/testkit"
import { journalContract } from "@ccapi/testkit/contracts"
import { Effect } from "effect"

journalContract("testkit's MemoryJournal", {
  make: () => Effect.map(MemoryJournal.make, ({ journal, reader }) => ({ journal, entries: reader.entries }))
})
