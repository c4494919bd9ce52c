import ArgumentParser
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine

struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every post atom attempted, with each platform's status, newest first (the default).",
        discussion: "--json prints a flat array of entries (docs/cli.md); --format csv prints the same keys as CSV.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this platform.", completion: .list(Registry.platforms.names))
    var platform: String?

    @Option(help: "Only entries with this status (published, processing, failed, skipped, interrupted, uploading).")
    var status: String?

    @Option(help: "Only entries since this time: an ISO 8601 date-time or date, or an age such as 12h or 7d.")
    var since: String?

    @Option(help: "At most this many entries (the newest).")
    var limit: Int?

    @Flag(help: "Only sandbox entries.")
    var sandbox = false

    @Flag(help: "Only real entries (not the sandbox).")
    var real = false

    @Option(help: "table (default) or csv.")
    var format: HistoryFormat = .table

    enum HistoryFormat: String, ExpressibleByArgument, CaseIterable { case table, csv }

    static let statuses: [RecordStatus] = [.published, .processing, .failed, .skipped, .interrupted, .uploading]

    func validate() throws {
        if let platform { try PlatformName.check(platform, known: Registry.platforms.names) }
        if let status, !Self.statuses.map(\.rawValue).contains(status.lowercased()) {
            let known = Self.statuses.map(\.rawValue)
            let guess = Suggestion.closest(to: status.lowercased(), in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown status '\(status)'\(guess) (known: \(known.joined(separator: ", ")))")
        }
        if let since, Age.date(since, now: Date()) == nil {
            throw ValidationError("--since must be an ISO 8601 date(-time) such as 2026-12-01, or an age such as 12h or 7d")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if sandbox, real { throw ValidationError("--sandbox and --real exclude each other") }
        if global.json, format == .csv { throw ValidationError("--json and --format csv exclude each other") }
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            let (paths, _) = try ConfigurationPaths.load(explicit: global.envFile, environment: Launch.environment)
            let book = try RecordBook.open(directory: paths.stateDirectory)
            if let warning = book.real.permissionsWarning() { Console.info(warning) }
            // Both records: the real one and the sandbox's, each entry marked with where it is.
            var entries = try await book.entries()
            if let platform { entries = entries.filter { $0.record.platform.rawValue == platform.lowercased() } }
            if let status { entries = entries.filter { $0.record.status.rawValue == status.lowercased() } }
            if let since, let date = Age.date(since, now: Date()) { entries = entries.filter { $0.record.createdAt >= date } }
            if sandbox { entries = entries.filter(\.sandbox) }
            if real { entries = entries.filter { !$0.sandbox } }
            // Newest first; the record keeps seconds only, so within one second the later entry (appended last) wins.
            entries = entries.enumerated().sorted { ($0.element.record.createdAt, $0.offset) > ($1.element.record.createdAt, $1.offset) }
                .map(\.element)
            if let limit { entries = Array(entries.prefix(limit)) }
            if global.json {
                try Output.json(entries.map(EntryJSON.init(entry:)))
            } else if format == .csv {
                Console.out(CSV.render(entries.map(EntryJSON.init(entry:))))
            } else if entries.isEmpty {
                Console.out("no entries" + (platform ?? status ?? since != nil || sandbox || real ? " match" : " yet"))
            } else {
                let dates = DateStyle(utc: global.utc)
                let palette = Palette.forStdout(environment: Launch.environment)
                var rows: [[String]] = [["id", "when", "platform", "status", "video", "url / error"]]
                for (entry, inSandbox) in entries.map({ ($0.record, $0.sandbox) }) {
                    let detail = entry.error.map { "\($0.code): \($0.message)" } ?? entry.url ?? entry.note ?? ""
                    rows.append([entry.id, dates.string(entry.createdAt), entry.platform.rawValue + (inSandbox ? "*" : ""),
                                 entry.status.rawValue, Text.fit((entry.video as NSString).lastPathComponent, width: 16), detail])
                }
                var lines = SummaryTable.table(rows, width: Terminal.outputWidth(), palette: palette, statusColumn: 3)
                if entries.contains(where: \.sandbox) { lines.append("* sandbox: not posted anywhere real") }
                Console.out(lines.joined(separator: "\n"))
            }
            return Exit.ok
        }
    }
}

/// `--since 7d`: an age (s, m, h, d, w) or an ISO 8601 date-time or date.
enum Age {
    static func date(_ text: String, now: Date) -> Date? {
        if let date = ISO8601Text.parse(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        if text.count == 10, let date = formatter.date(from: text) { return date }
        return seconds(text).map { now.addingTimeInterval(-$0) }
    }

    /// `90`, `90s`, `15m`, `12h`, `7d`, `2w` in seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        var number = Substring(text.lowercased())
        var unit: TimeInterval = 1
        if let last = number.last, let scale = units[last] {
            unit = scale
            number = number.dropLast()
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return value * unit
    }
}

/// RFC 4180 CSV of entries: the JSON keys as the header, one row per entry.
enum CSV {
    static let columns = ["id", "platform", "status", "postId", "url", "video", "sha256", "createdAt", "updatedAt",
                          "startedAt", "finishedAt", "errorCode", "errorMessage", "note", "sandbox"]

    static func render(_ entries: [EntryJSON]) -> String {
        let iso = { (date: Date?) in date.map { $0.formatted(.iso8601) } ?? "" }
        var lines = [columns.joined(separator: ",")]
        for entry in entries {
            let cells = [entry.id ?? "", entry.platform, entry.status, entry.postId ?? "", entry.url ?? "", entry.video ?? "",
                         entry.sha256 ?? "", iso(entry.createdAt), iso(entry.updatedAt), iso(entry.startedAt), iso(entry.finishedAt),
                         entry.error?.code ?? "", entry.error?.message ?? "", entry.note ?? "", entry.sandbox ? "true" : "false"]
            lines.append(cells.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    /// Quotes a cell that holds a comma, quote or line break; a leading `=`, `+`, `-` or `@` gets a `'` so a
    /// spreadsheet never runs it as a formula (OWASP "CSV Injection").
    static func escape(_ cell: String) -> String {
        var cell = cell
        if let first = cell.first, "=+-@".contains(first) { cell = "'" + cell }
        guard cell.contains(where: { ",\"\n\r".contains($0) }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Finish a post left processing (or interrupted): poll the platform, resume the upload.",
        discussion: """
            Takes a record id (or a unique prefix) for one entry, or the video's SHA-256 (or a prefix of 8+ \
            characters, as `atom digest` prints it) for the whole post: the newest entry on each platform. \
            A sandbox entry continues only in a fresh sandbox.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: "A record id (from `atom post` or `atom history`; a unique prefix is enough) or a video's SHA-256.",
        completion: .custom(StatusCommand.completeIDs))
    var recordID: String

    @Option(help: "Seconds to wait for platform processing (default 600).")
    var wait: Int = 600

    @Flag(help: "Continue a sandbox entry (the default for sandbox entries; real entries never go to the sandbox).")
    var sandbox = false

    /// Record ids for shell completion (reads both records, writes nothing; never fails loudly).
    @Sendable static func completeIDs(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let loaded = try? ConfigurationPaths.load(explicit: nil, environment: Launch.environment) else { return [] }
        let book = RecordBook(directory: loaded.0.stateDirectory)
        let entries = [book.real, book.sandbox].flatMap { (try? $0.read().entries) ?? [] }
        return entries.sorted { $0.createdAt > $1.createdAt }.map(\.id).filter { $0.hasPrefix(prefix) }.prefix(50).map { $0 }
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            let (paths, _) = try ConfigurationPaths.load(explicit: global.envFile, environment: Launch.environment)
            let entries = try await RecordBook.open(directory: paths.stateDirectory).entries()
            let selection = try Self.select(recordID, in: entries, sandbox: sandbox)
            if selection.entries.contains(where: \.sandbox) {
                return try await SandboxRunner.withSandbox(log: nil) { overrides in await runStatus(selection, overrides: overrides) }
            } else {
                return await runStatus(selection, overrides: nil)
            }
        }
    }

    /// What the argument names: one entry, or a whole post.
    struct Selection: Sendable {
        /// Each with the record it is in.
        var entries: [RecordEntry]
        var wholePost: Bool
        var records: [PostRecord] { entries.map(\.record) }
    }

    /// Finds the entries: an exact id, a unique id prefix, else a video's SHA-256 (prefix) for the whole post.
    /// - Throws: A `invalidInput` error for no match, or an ambiguous prefix (listing the candidates).
    static func select(_ text: String, in entries: [RecordEntry], sandbox: Bool) throws -> Selection {
        let key = text.lowercased()
        if let exact = entries.first(where: { $0.record.id == key }) { return try check(Selection(entries: [exact], wholePost: false), sandbox) }
        let byID = entries.filter { $0.record.id.hasPrefix(key) }
        if byID.count == 1 { return try check(Selection(entries: byID, wholePost: false), sandbox) }
        if byID.count > 1 { throw ambiguous(text, byID.map(\.record)) }
        let byVideo = key.count >= 8 ? entries.filter { $0.record.sha256.hasPrefix(key) } : []
        let videos = Set(byVideo.map(\.record.sha256))
        if videos.count > 1 { throw ambiguous(text, byVideo.map(\.record)) }
        guard !byVideo.isEmpty else {
            throw PublishError(.invalidInput, message: "no record entry or post '\(text)'", remediation: "see `atom history` for ids")
        }
        // The newest entry on each platform, in the sandbox or not as asked (else whichever there is).
        let wanted = byVideo.contains { $0.sandbox == sandbox } ? byVideo.filter { $0.sandbox == sandbox } : byVideo
        var newest: [PlatformID: RecordEntry] = [:]
        for entry in wanted where newest[entry.record.platform].map({ $0.record.createdAt <= entry.record.createdAt }) ?? true {
            newest[entry.record.platform] = entry
        }
        let chosen = newest.values.sorted { $0.record.platform.rawValue < $1.record.platform.rawValue }
        if Set(chosen.map(\.sandbox)).count > 1 {
            throw PublishError(.invalidInput, message: "post '\(text)' has sandbox and real entries", remediation: "pass --sandbox, or give one record id")
        }
        return try check(Selection(entries: chosen, wholePost: true), sandbox)
    }

    private static func check(_ selection: Selection, _ sandbox: Bool) throws -> Selection {
        if sandbox, selection.entries.contains(where: { !$0.sandbox }) {
            throw ValidationError("--sandbox: \(selection.records.map(\.id).joined(separator: ", ")) was posted for real; it never continues in the sandbox")
        }
        return selection
    }

    private static func ambiguous(_ text: String, _ entries: [PostRecord]) -> PublishError {
        let list = entries.sorted { $0.createdAt > $1.createdAt }.prefix(10).map {
            "\($0.id) \($0.platform) \($0.status) \(($0.video as NSString).lastPathComponent) \($0.createdAt.formatted(.iso8601))"
        }
        return PublishError(
            .invalidInput, message: "'\(text)' is ambiguous: it matches \(entries.count) entries:\n  " + list.joined(separator: "\n  "),
            remediation: "give more characters of the id")
    }

    func runStatus(_ selection: Selection, overrides: [String: String]?) async -> ExitCode {
        do {
            return try await AppContext.with(global, overrides: overrides) { app in
                // A published post whose cover could not be set is continued: `atom status` retries the cover alone.
                let coverPending = { (entry: PostRecord) in
                    entry.status == .published && entry.cover?.state == .notSet && entry.cover?.retryable == true
                }
                let settled = selection.records.filter {
                    $0.status == .published && !coverPending($0) || $0.status == .deleted || $0.status == .failed && $0.checkpoint == nil
                }
                let openEntries = selection.entries.filter { entry in !settled.contains { $0.id == entry.record.id } }
                let open = openEntries.map(\.record)
                var results = settled.map { entry in
                    PlatformResult(status: entry.status, platform: entry.platform, id: entry.id, postId: entry.postId, url: entry.url,
                                   startedAt: entry.startedAt, finishedAt: entry.finishedAt, error: entry.error, note: entry.note,
                                   cover: entry.cover)
                }
                // A sandbox entry is continued only against a sandbox, a real one never against a sandbox.
                if let mismatch = openEntries.first(where: { $0.sandbox != app.recordsAsSandbox }) {
                    let entry = mismatch.record
                    throw PublishError(
                        .invalidInput, platform: entry.platform,
                        message: mismatch.sandbox
                            ? "entry \(entry.id) was posted to the sandbox, not to the real platform"
                            : "entry \(entry.id) is a real post but the settings point at a sandbox (a loopback endpoint)",
                        remediation: mismatch.sandbox
                            ? "run `atom status \(entry.id) --sandbox`" : "run `atom status \(entry.id)` with the real settings")
                }
                if !open.isEmpty {
                    let publishers = try app.publishers(for: open.map(\.platform.rawValue))
                    let first = open[0]
                    let handle = try? MediaFileHandle(path: first.video)
                    let sameFile = handle.map { $0.size == first.sizeBytes } ?? false
                    let orchestrator = try app.orchestrator()
                    let report = try await Interruptible.run(
                        platforms: open.map(\.platform), quiet: global.quiet || global.json && !Console.stderrIsTTY,
                        finalStatuses: { report in report.results.map { ($0.platform, $0.status.rawValue) } }
                    ) { progress in
                        try await orchestrator.resume(
                            zip(open, publishers).map { (record: $0, publisher: $1) }, file: sameFile ? handle : nil, waitLimit: .seconds(wait), progress: progress)
                    }
                    results += report.results
                }
                let order = selection.records.map(\.id)
                results.sort { (order.firstIndex(of: $0.id ?? "") ?? 0) < (order.firstIndex(of: $1.id ?? "") ?? 0) }
                let first = selection.records[0]
                let report = PostReport(video: first.video, sha256: first.sha256, results: results)
                let records = try await app.book.entries()
                if global.json, !selection.wholePost, let result = results.first {
                    try Output.json(EntryJSON(
                        result: result, entry: records.first { $0.record.id == result.id }, video: first.video, sha256: first.sha256,
                        sandbox: app.sandbox))
                } else {
                    PostOutput.print(report, records: records, sandbox: app.sandbox, global: global)
                }
                return Exit.code(for: report)
            }
        } catch {
            return Failure.report(error, json: global.json)
        }
    }
}

struct PlatformsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "platforms", abstract: "Registered platforms and whether each is configured.")

    @OptionGroup var global: GlobalOptions

    struct Row: Encodable {
        var platform: String
        var name: String
        var configured: Bool
        var missing: [String]
        /// The API setup a configured platform will use and why, for platforms with several.
        var setup: String?
        /// Its configuration keys, required first, each with one line of help.
        var keys: [ConfigurationKey]
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            return try await AppContext.with(global) { app in
                let rows = app.registry.factories.map { factory in
                    let missing = factory.missingKeys(in: app.credentials)
                    let setup = missing.isEmpty ? (try? factory.makePublisher(app.publisherEnvironment))?.capabilities.setup : nil
                    return Row(platform: factory.platform.rawValue, name: factory.displayName, configured: missing.isEmpty, missing: missing,
                               setup: setup, keys: Registry.plugin(named: factory.platform.rawValue)?.keys ?? [])
                }
                if global.json {
                    // A flat array as before; where the configuration comes from is on stderr and in `--dry-run --json`.
                    try Output.json(rows)
                    Console.info("configuration: \(app.paths.envFile) (\(app.paths.envFileSource)); record: \(app.paths.stateDirectory)")
                } else {
                    var table: [[String]] = [["platform", "name", "configured", "missing keys"]]
                    for row in rows {
                        table.append([row.platform, row.name, row.configured ? "yes" : "no", row.missing.isEmpty ? "" : row.missing.joined(separator: ", ") + " — run `atom auth \(row.platform)`"])
                    }
                    Console.out(SummaryTable.table(table, width: Terminal.outputWidth()).joined(separator: "\n"))
                    for row in rows { if let setup = row.setup { Console.out("\(row.platform) setup: \(setup)") } }
                    for row in rows where !row.keys.isEmpty {
                        Console.out("\(row.platform) keys:")
                        for key in row.keys {
                            Console.out("  \(key.name)\(key.isRequired ? " (required)" : "")\(key.help.isEmpty ? "" : ": " + key.help)")
                        }
                    }
                    let staging = (try? app.credentials.nonEmpty("ATOM_S3_BUCKET")) ?? nil
                    Console.out("staging: " + (staging != nil ? "S3 bucket configured" : "not configured (ATOM_S3_BUCKET unset; needed for URL-ingesting platforms)"))
                    let exists = FileManager.default.fileExists(atPath: app.paths.envFile)
                    Console.out("configuration: \(app.paths.envFile) (\(app.paths.envFileSource)\(exists ? "" : "; does not exist yet"))")
                    Console.out("record: \(app.paths.stateDirectory) (\(app.paths.stateDirectorySource))")
                }
                return Exit.ok
            }
        }
    }
}
