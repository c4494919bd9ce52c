import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine
import S3Staging

struct StagingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staging", abstract: "The S3 staging area: put a file, list or clean what atom left behind.",
        subcommands: [Put.self, List.self, Clean.self, StagingLifecycleCommand.self]
    )

    /// The configured stager, or a configuration error (78) saying what to set.
    static func stager(_ app: AppContext) throws -> S3Stager {
        guard let stager = try app.stager() as? S3Stager else {
            throw PublishError(.configuration, platform: .staging, message: "S3 staging is not configured (ATOM_S3_BUCKET is unset)",
                               remediation: "set ATOM_S3_BUCKET, AWS_REGION and AWS credentials in \(app.paths.envFile)")
        }
        return stager
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stage a file and print its s3:// address (with --show-url, a URL valid for --ttl seconds).",
            discussion: "A presigned URL is a credential for that object: it is printed only with --show-url.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file to stage.") var file: String
        @Option(help: "Seconds the URL stays valid (default ATOM_S3_URL_TTL or 3600; at most 604800).") var ttl: Int?
        @Flag(name: .customLong("show-url"), help: "Print the URL with its signature, ready to use.") var showURL = false

        func run() async throws {
            try await Failure.exit(json: global.json) {
                return try await AppContext.with(global) { app in
                    let stager = try StagingCommand.stager(app)
                    let result = try await Interruptible.run(platforms: [.staging], quiet: global.quiet) { progress in
                        try await stager.put(path: file, ttl: ttl.map { .seconds($0) },
                                             progress: ProgressReporter(platform: .staging, continuation: progress),
                                             hashes: HashCache(directory: app.records.directory))
                    }
                    let time = Date()
                    try await app.records.updateAsync { record in
                        record.staging.append(StagingRecord(sha256: result.sha256, location: result.object.location, key: result.object.key,
                                                            size: result.object.size, createdAt: time, updatedAt: time, released: false, checkpoint: nil))
                    }
                    let address = "s3://\(stager.configuration.bucket)/\(result.object.key)"
                    let url = showURL ? result.url.absoluteString : nil
                    if global.json {
                        struct Payload: Encodable {
                            var schemaVersion = Output.schemaVersion
                            var key: String
                            var address: String
                            var size: Int64
                            var sha256: String
                            @NullEncoded var url: String? = nil
                            @NullEncoded var expiresAt: Date? = nil
                        }
                        let payload = Payload(key: result.object.key, address: address, size: result.object.size, sha256: result.sha256,
                                              url: url, expiresAt: showURL ? result.expiresAt : nil)
                        let encoder = JSONEncoder.atom
                        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
                        // Not through Output.json: with --show-url the signature is the point.
                        Console.out(String(decoding: try encoder.encode(payload), as: UTF8.self))
                    } else {
                        Console.out(url ?? address)
                        Console.info("staged \(ByteFormat.string(result.object.size)) as \(address)"
                            + (showURL ? result.expiresAt.map { "; the URL expires \($0.formatted(.iso8601))" } ?? "" : " (--show-url prints a presigned URL)")
                            + "; `atom staging clean` deletes it")
                    }
                    return Exit.ok
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List objects and unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Failure.exit(json: global.json) {
                return try await AppContext.with(global) { app in
                    let listing = try await StagingCommand.stager(app).list()
                    if global.json {
                        try Output.json(listing)
                    } else if listing.isEmpty {
                        Console.out("nothing staged under s3://\(listing.bucket)/\(listing.prefix)")
                    } else {
                        var rows: [[String]] = [["kind", "key", "size", "since"]]
                        for object in listing.objects {
                            rows.append(["object", object.key, ByteFormat.string(object.size), object.lastModified?.formatted(.iso8601) ?? ""])
                        }
                        for upload in listing.uploads {
                            rows.append(["unfinished upload", upload.key, "", upload.initiated?.formatted(.iso8601) ?? ""])
                        }
                        Console.out(SummaryTable.table(rows).joined(separator: "\n"))
                    }
                    return Exit.ok
                }
            }
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete objects and abort unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("older-than"), help: "Only what is older than this age: seconds, or 90m, 12h, 7d, 2w (default: everything).")
        var olderThan: String?
        @Flag(name: .customLong("dry-run"), help: "List what would be deleted; delete nothing.") var dryRun = false

        func validate() throws {
            if let olderThan, Age.seconds(olderThan) == nil {
                throw ValidationError("--older-than must be seconds or an age such as 90m, 12h, 7d")
            }
        }

        func run() async throws {
            try await Failure.exit(json: global.json) {
                return try await AppContext.with(global) { app in
                    let stager = try StagingCommand.stager(app)
                    let cutoff = olderThan.flatMap(Age.seconds).map { Date().addingTimeInterval(-$0) }
                    if dryRun {
                        let listing = try await stager.list()
                        // The same selection as `clean`: under atom's prefix, older than the cutoff (undated counts as old).
                        let prefix = stager.configuration.prefix
                        let isOld = { (date: Date?) in cutoff.map { cutoff in date.map { $0 < cutoff } ?? true } ?? true }
                        let objects = listing.objects.filter { isOld($0.lastModified) && $0.key.hasPrefix(prefix) }
                        let uploads = listing.uploads.filter { isOld($0.initiated) && $0.key.hasPrefix(prefix) }
                        if global.json {
                            struct Payload: Encodable {
                                var schemaVersion = Output.schemaVersion
                                var dryRun = true
                                var deletedObjects: [String]
                                var abortedUploads: [String]
                                var failures: [String] = []
                            }
                            try Output.json(Payload(deletedObjects: objects.map(\.key), abortedUploads: uploads.map(\.key)))
                        } else {
                            Output.lines(objects.map { "would delete \($0.key)" } + uploads.map { "would abort unfinished upload of \($0.key)" })
                            if objects.isEmpty, uploads.isEmpty { Console.out("nothing to clean") }
                        }
                        return Exit.ok
                    }
                    let report = try await stager.clean(olderThan: cutoff)
                    let deleted = Set(report.deletedObjects)
                    let time = Date()
                    try await app.records.updateAsync { record in
                        for i in record.staging.indices where record.staging[i].key.map(deleted.contains) == true {
                            record.staging[i].released = true
                            record.staging[i].updatedAt = time
                        }
                    }
                    if global.json {
                        struct Failed: Encodable { var key: String; var error: String }
                        struct Payload: Encodable {
                            var schemaVersion = Output.schemaVersion
                            var dryRun = false
                            var deletedObjects: [String]
                            var abortedUploads: [String]
                            var failures: [Failed]
                        }
                        try Output.json(Payload(
                            deletedObjects: report.deletedObjects, abortedUploads: report.abortedUploads.map(\.key),
                            failures: report.failures.map { Failed(key: $0.key, error: "\($0.error)") }))
                    } else {
                        Output.lines(report.deletedObjects.map { "deleted \($0)" } + report.abortedUploads.map { "aborted unfinished upload of \($0.key)" })
                        if report.deletedObjects.isEmpty, report.abortedUploads.isEmpty, report.failures.isEmpty { Console.out("nothing to clean") }
                    }
                    for failure in report.failures { Console.error("atom: error: \(failure.key): \(failure.error)") }
                    return report.succeeded ? Exit.ok : Exit.platformFailed
                }
            }
        }
    }
}
