import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine

/// `atom history forget …`: delete entries from the local record, with their checkpoints and staged copies.
struct HistoryForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Delete entries from the local record, with their checkpoints and any staged copy they still hold.",
        discussion: """
            Select entries by id (a unique prefix is enough), or with --platform, --before DATE (ISO 8601, e.g. \
            2026-11-01) or --all; filters combine. --dry-run lists what would go. An entry being posted right now by \
            another atom process is kept. Posts stay on the platforms: see `atom unpublish`.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Record ids (from `atom history`).")
    var ids: [String] = []

    @Option(help: "Every entry of this platform.")
    var platform: String?

    @Option(help: "Every entry created before this date (ISO 8601 date or date-time).")
    var before: String?

    @Flag(help: "Every entry.")
    var all = false

    @Flag(name: .customLong("dry-run"), help: "List what would be forgotten; change nothing.")
    var dryRun = false

    func validate() throws {
        if ids.isEmpty, platform == nil, before == nil, !all {
            throw ValidationError("name record ids, or select with --platform, --before or --all")
        }
        if all, !ids.isEmpty || platform != nil || before != nil {
            throw ValidationError("--all selects every entry; give it alone")
        }
        if !ids.isEmpty, platform != nil || before != nil {
            throw ValidationError("give record ids or filters (--platform, --before), not both")
        }
        if let platform { try OwnerControl.validate(platform: platform) }
        if let before, Self.date(before) == nil {
            throw ValidationError("--before must be an ISO 8601 date (2026-11-01) or date-time (2026-11-01T12:00:00Z)")
        }
    }

    static func date(_ text: String) -> Date? {
        if let full = try? Date(text, strategy: .iso8601) { return full }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    func run() async throws {
        let (ids, platform, before, all, dryRun, json) = (
            ids, platform, before.flatMap(Self.date), all, dryRun, global.json
        )
        throw try await OwnerControl.run(global, sandbox: false) { app in
            // Both records: the owner's controls reach the sandbox's entries too. An id (or unique prefix) is
            // resolved across both first; the decision itself is made in each record's locked update.
            let known = try await app.book.entries()
            let resolved = ids.map { RecordBook.entry($0, in: known)?.record.id }
            var outcome = Selection()
            outcome.unknown = ids.indices.filter { resolved[$0] == nil }.map { ids[$0] }
            var deletedKeys: [String] = []
            var stagingProblems: [String] = []
            var live: [StagingRecord] = []
            for store in [app.book.real, app.book.sandbox] {
                let part = try await Self.forget(
                    in: store, ids: ids.isEmpty ? nil : resolved.compactMap { $0 }, platform: platform, before: before, all: all, dryRun: dryRun)
                outcome.forgotten += part.forgotten
                outcome.busy += part.busy
                outcome.staged += part.staged
                let released = try await Self.releaseStaged(part.staged, in: store, app: app, dryRun: dryRun)
                live += released.live
                deletedKeys += released.deleted
                stagingProblems += released.problems
            }
            // An id resolved above but gone from both records by now (forgotten by another process) is unknown.
            let handled = Set((outcome.forgotten + outcome.busy).map(\.id))
            outcome.unknown += ids.indices.filter { resolved[$0].map { !handled.contains($0) } ?? false }.map { ids[$0] }
            for id in outcome.unknown { Console.error("atom: error: no record entry '\(id)' (see `atom history`)") }
            for entry in outcome.busy {
                Console.error(
                    "atom: \(entry.id) (\(entry.platform)) is being posted by process \(entry.owner?.pid ?? 0); kept")
            }
            for problem in stagingProblems { Console.error("atom: staged copy kept: \(problem)") }
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)), "dryRun": .bool(dryRun),
                        "forgotten": .array(
                            outcome.forgotten.map { entry in
                                .object([
                                    "id": .string(entry.id), "platform": .string(entry.platform.rawValue),
                                    "status": .string(entry.status.rawValue), "video": OwnerControl.json(entry.video),
                                    "createdAt": OwnerControl.json(entry.createdAt),
                                ])
                            }),
                        "stagedObjects": OwnerControl.json(dryRun ? live.compactMap(\.key) : deletedKeys),
                        "kept": OwnerControl.json(outcome.busy.map(\.id) + outcome.unknown),
                    ]))
            } else if outcome.forgotten.isEmpty {
                Console.out("nothing to forget")
            } else {
                let verb = dryRun ? "would forget" : "forgot"
                for entry in outcome.forgotten {
                    Console.out(
                        "\(verb) \(entry.id) \(entry.platform) \(entry.status) \((entry.video as NSString).lastPathComponent)"
                    )
                }
                for key in dryRun ? live.compactMap(\.key) : deletedKeys {
                    Console.out("\(dryRun ? "would delete" : "deleted") staged copy \(key)")
                }
            }
            let clean = outcome.unknown.isEmpty && outcome.busy.isEmpty && stagingProblems.isEmpty
            return clean ? Exit.ok : (outcome.unknown.isEmpty ? Exit.platformFailed : Exit.badInput)
        }
    }

    /// Decides and removes in one locked update of `store`, so a concurrent post cannot slip in between.
    /// - Parameter ids: Exact ids to forget, or `nil` to select with the filters.
    static func forget(
        in store: RecordStore, ids: [String]?, platform: String?, before: Date?, all: Bool, dryRun: Bool
    ) async throws -> Selection {
        let now = Date()
        return try await store.updateAsync { file -> Selection in
            var selection = Selection()
            let chosen: [Int]
            if let ids {
                chosen = file.entries.indices.filter { ids.contains(file.entries[$0].id) }
            } else {
                chosen = file.entries.indices.filter { index in
                    let entry = file.entries[index]
                    return all
                        || (platform.map { entry.platform.rawValue == $0.lowercased() } ?? true)
                            && (before.map { entry.createdAt < $0 } ?? true)
                }
            }
            for index in chosen {
                let entry = file.entries[index]
                if entry.status == .uploading, let owner = entry.owner, owner.isAlive(now: now),
                    owner.pid != getpid()
                {
                    selection.busy.append(entry)
                } else {
                    selection.forgotten.append(entry)
                }
            }
            let gone = Set(selection.forgotten.map(\.id))
            let remaining = file.entries.filter { !gone.contains($0.id) }
            let stillNeeded = Set(remaining.map(\.sha256))
            let forgottenDigests = Set(selection.forgotten.map(\.sha256))
            selection.staged = file.staging.filter { staged in
                forgottenDigests.contains(staged.sha256) && !stillNeeded.contains(staged.sha256)
            }
            guard !dryRun else { return selection }
            file.entries = remaining
            return selection
        }
    }

    /// Deletes the staged copies the forgotten entries of `store` held; a copy that cannot be deleted stays
    /// recorded, so `atom staging list` and `clean` still find it.
    /// - Returns: The copies not yet released, the keys deleted, and what could not be deleted.
    static func releaseStaged(
        _ staged: [StagingRecord], in store: RecordStore, app: AppContext, dryRun: Bool
    ) async throws -> (live: [StagingRecord], deleted: [String], problems: [String]) {
        let live = staged.filter { !$0.released }
        var deletedKeys: [String] = []
        var stagingProblems: [String] = []
        guard !dryRun, !staged.isEmpty else { return (live, deletedKeys, stagingProblems) }
        let stager = live.isEmpty ? nil : try? app.stager()
        var dropped = Set(staged.filter(\.released).map(\.sha256))
        for staged in live {
            guard let key = staged.key else {
                dropped.insert(staged.sha256)
                continue
            }
            guard let stager else {
                stagingProblems.append(
                    "\(key): staging is not configured here; `atom staging clean` deletes it")
                continue
            }
            do {
                try await stager.release(StagedObject(location: staged.location, key: key, size: staged.size))
                deletedKeys.append(key)
                dropped.insert(staged.sha256)
            } catch {
                stagingProblems.append(
                    "\(key): \(PublishError.wrapping(error, platform: .staging).description)")
            }
        }
        let droppedDigests = dropped
        let droppedKeys = Set(deletedKeys)
        try await store.updateAsync { file in
            file.staging.removeAll { staged in
                droppedDigests.contains(staged.sha256)
                    && (staged.key.map(droppedKeys.contains) ?? true || staged.released)
            }
        }
        return (live, deletedKeys, stagingProblems)
    }

    struct Selection: Sendable {
        var forgotten: [PostRecord] = []
        var busy: [PostRecord] = []
        var unknown: [String] = []
        var staged: [StagingRecord] = []
    }
}

/// `atom history show <id>`: one record entry, whole.
struct HistoryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print one record entry whole (checkpoint, draft, media, errors).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The record id (a unique prefix is enough).")
    var recordID: String

    func run() async throws {
        let (recordID, json) = (recordID, global.json)
        throw try await OwnerControl.run(global, sandbox: false) { app in
            // Either record; a sandbox entry shows `"sandbox": true`.
            guard let found = try await app.book.entry(recordID) else {
                throw PublishError(
                    .invalidInput, message: "no record entry '\(recordID)'", remediation: "see `atom history` for ids")
            }
            let entry = try JSONValue.encoding(found)
            if json {
                try Output.json(
                    JSONValue.object(["schemaVersion": .number(Double(OwnerControl.schemaVersion)), "entry": entry]))
            } else {
                try Output.json(entry)
            }
            return Exit.ok
        }
    }
}
