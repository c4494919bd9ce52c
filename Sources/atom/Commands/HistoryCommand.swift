import ArgumentParser
import Foundation
import PublishingCore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Every post atom attempted, with each platform's status, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this platform.")
    var platform: String?

    func run() async throws {
        let code: ExitCode
        do {
            let records = RecordStore(directory: RecordStore.defaultDirectory(environment: ProcessInfo.processInfo.environment))
            var entries = try await records.readAsync().entries
            if let platform { entries = entries.filter { $0.platform.rawValue == platform.lowercased() } }
            entries.sort { $0.createdAt > $1.createdAt }
            if global.json {
                try Console.json(entries.map(HistoryJSON.init))
            } else if entries.isEmpty {
                Console.out("no posts yet")
            } else {
                var rows: [[String]] = [["id", "when", "platform", "status", "video", "url / error"]]
                for entry in entries {
                    let detail = entry.error.map { "\($0.code): \($0.message)" } ?? entry.url ?? entry.note ?? ""
                    rows.append([entry.id, entry.createdAt.formatted(.iso8601), entry.platform.rawValue + (entry.sandbox == true ? " (sandbox)" : ""),
                                 entry.status.rawValue, (entry.video as NSString).lastPathComponent, detail])
                }
                Console.out(SummaryTable.table(rows).joined(separator: "\n"))
            }
            code = Exit.ok
        } catch {
            code = Failure.report(error, json: global.json)
        }
        throw code
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Finish a post left processing (or interrupted): poll the platform, resume the upload.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The record id (from `atom post` or `atom history`); a unique prefix is enough.")
    var recordID: String

    @Option(help: "Seconds to wait for platform processing (default 600).")
    var wait: Int = 600

    @Flag(help: "The entry was posted to the sandbox: continue it against a fresh sandbox.")
    var sandbox = false

    func run() async throws {
        let code: ExitCode
        if sandbox {
            code = try await SandboxRunner.withSandbox(log: nil) { overrides in await runStatus(overrides: overrides) }
        } else {
            code = await runStatus(overrides: nil)
        }
        throw code
    }

    func runStatus(overrides: [String: String]?) async -> ExitCode {
        do {
            return try await AppContext.with(global, overrides: overrides) { app in
                let file = try await app.records.readAsync()
                guard let index = file.index(ofID: recordID) else {
                    throw PublishError(.invalidInput, message: "no record entry '\(recordID)'", remediation: "see `atom history` for ids")
                }
                let entry = file.entries[index]
                // A published post whose cover could not be set is continued: `atom status` retries the cover alone.
                let coverPending = entry.status == .published && entry.cover?.state == .notSet && entry.cover?.retryable == true
                if entry.status == .published && !coverPending || entry.status == .failed && entry.checkpoint == nil {
                    let result = PlatformResult(status: entry.status, platform: entry.platform, id: entry.id, postId: entry.postId, url: entry.url,
                                                startedAt: entry.startedAt, finishedAt: entry.finishedAt, error: entry.error, note: entry.note,
                                                cover: entry.cover)
                    let report = PostReport(video: entry.video, sha256: entry.sha256, results: [result])
                    if global.json { try Console.json(ResultJSON(result: result, sandbox: entry.sandbox == true)) } else { Console.info(SummaryTable.render(report, sandbox: entry.sandbox == true)) }
                    return Exit.code(for: report)
                }
                let publisher = try app.publishers(for: [entry.platform.rawValue])
                guard let publisher = publisher.first else { throw PublishError(.configuration, message: "\(entry.platform) is not registered in this build") }
                let handle = try? MediaFileHandle(path: entry.video)
                let sameFile = handle.map { $0.size == entry.sizeBytes } ?? false
                let orchestrator = try app.orchestrator()
                let report = try await Interruptible.run(platforms: [entry.platform], quiet: global.quiet) { progress in
                    try await orchestrator.resume([(entry, publisher)], file: sameFile ? handle : nil, waitLimit: .seconds(wait), progress: progress)
                }
                if global.json, let result = report.results.first { try Console.json(ResultJSON(result: result, sandbox: app.sandbox)) }
                if !global.json || !global.quiet { Console.info(SummaryTable.render(report, sandbox: app.sandbox)) }
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
    }

    func run() async throws {
        let code: ExitCode
        do {
            code = try await AppContext.with(global) { app in
                let rows = app.registry.factories.map { factory in
                    let missing = factory.missingKeys(in: app.credentials)
                    return Row(platform: factory.platform.rawValue, name: factory.displayName, configured: missing.isEmpty, missing: missing)
                }
                if global.json {
                    try Console.json(rows)
                } else {
                    var table: [[String]] = [["platform", "name", "configured", "missing keys"]]
                    for row in rows {
                        table.append([row.platform, row.name, row.configured ? "yes" : "no", row.missing.isEmpty ? "" : row.missing.joined(separator: ", ") + " — run `atom auth \(row.platform)`"])
                    }
                    Console.out(SummaryTable.table(table).joined(separator: "\n"))
                    let staging = (try? app.credentials.nonEmpty("ATOM_S3_BUCKET")) ?? nil
                    Console.out("staging: " + (staging != nil ? "S3 bucket configured" : "not configured (ATOM_S3_BUCKET unset; needed for URL-ingesting platforms)"))
                }
                return Exit.ok
            }
        } catch {
            code = Failure.report(error, json: global.json)
        }
        throw code
    }
}
