import ArgumentParser
import Foundation
import PublishingCore
import S3Staging

struct StagingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staging", abstract: "The S3 staging area: put a file, list or clean what atom left behind.",
        subcommands: [Put.self, List.self, Clean.self]
    )

    /// The configured stager, or a configuration error (78) saying what to set.
    static func stager(_ app: AppContext) throws -> S3Stager {
        guard let stager = try app.stager() as? S3Stager else {
            throw PublishError(.configuration, platform: .staging, message: "S3 staging is not configured (ATOM_S3_BUCKET is unset)",
                               remediation: "set ATOM_S3_BUCKET, AWS_REGION and AWS credentials in .env")
        }
        return stager
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stage a file and print a URL valid for --ttl seconds (to check a bucket setup, or share a file).",
            discussion: "The URL's signature is masked unless --show-url is given: a presigned URL is a credential for that object.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file to stage.") var file: String
        @Option(help: "Seconds the URL stays valid (default ATOM_S3_URL_TTL or 3600; at most 604800).") var ttl: Int?
        @Flag(name: .customLong("show-url"), help: "Print the URL with its signature, ready to use.") var showURL = false

        func run() async throws {
            let code: ExitCode
            do {
                code = try await AppContext.with(global) { app in
                    let stager = try StagingCommand.stager(app)
                    let result = try await Interruptible.run(platforms: [.staging], quiet: global.quiet) { progress in
                        try await stager.put(path: file, ttl: ttl.map { .seconds($0) } ?? app.stagingURLLifetime,
                                             progress: ProgressReporter(platform: .staging, continuation: progress),
                                             hashes: HashCache(directory: app.records.directory))
                    }
                    let time = Date()
                    try await app.records.updateAsync { record in
                        record.staging.append(StagingRecord(sha256: result.sha256, location: result.object.location, key: result.object.key,
                                                            size: result.object.size, createdAt: time, updatedAt: time, released: false, checkpoint: nil))
                    }
                    let url = showURL ? result.url.absoluteString : Redaction.redact(result.url.absoluteString)
                    if global.json {
                        struct Payload: Encodable { var key: String; var size: Int64; var sha256: String; var url: String; var expiresAt: Date? }
                        let payload = Payload(key: result.object.key, size: result.object.size, sha256: result.sha256, url: url, expiresAt: result.expiresAt)
                        let encoder = JSONEncoder.atom
                        encoder.outputFormatting.insert(.prettyPrinted)
                        Console.out(String(decoding: try encoder.encode(payload), as: UTF8.self))
                    } else {
                        Console.out(url)
                        Console.info("staged \(ByteFormat.string(result.object.size)) as \(result.object.key)"
                            + (result.expiresAt.map { "; the URL expires \($0.formatted(.iso8601))" } ?? "")
                            + (showURL ? "" : " (signature masked; --show-url prints it)") + "; `atom staging clean` deletes it")
                    }
                    return Exit.ok
                }
            } catch {
                code = Failure.report(error, json: global.json)
            }
            throw code
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List objects and unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let code: ExitCode
            do {
                code = try await AppContext.with(global) { app in
                    let listing = try await StagingCommand.stager(app).list()
                    if global.json {
                        let encoder = JSONEncoder.atom
                        encoder.outputFormatting.insert(.prettyPrinted)
                        Console.out(String(decoding: try encoder.encode(listing), as: UTF8.self))
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
            } catch {
                code = Failure.report(error, json: global.json)
            }
            throw code
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete objects and abort unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("older-than"), help: "Only what is older than this many seconds (default: everything).") var olderThan: Int?

        func run() async throws {
            let code: ExitCode
            do {
                code = try await AppContext.with(global) { app in
                    let stager = try StagingCommand.stager(app)
                    let report = try await stager.clean(olderThan: olderThan.map { Date().addingTimeInterval(-TimeInterval($0)) })
                    let deleted = Set(report.deletedObjects)
                    let time = Date()
                    try await app.records.updateAsync { record in
                        for i in record.staging.indices where record.staging[i].key.map(deleted.contains) == true {
                            record.staging[i].released = true
                            record.staging[i].updatedAt = time
                        }
                    }
                    for key in report.deletedObjects { Console.info("deleted \(key)") }
                    for upload in report.abortedUploads { Console.info("aborted unfinished upload of \(upload.key)") }
                    for failure in report.failures { Console.error("atom: error: \(failure.key): \(failure.error)") }
                    if report.deletedObjects.isEmpty, report.abortedUploads.isEmpty, report.failures.isEmpty { Console.info("nothing to clean") }
                    return report.succeeded ? Exit.ok : Exit.platformFailed
                }
            } catch {
                code = Failure.report(error, json: global.json)
            }
            throw code
        }
    }
}
