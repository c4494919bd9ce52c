import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine

/// `--dry-run` and `atom validate`: probe, check every platform's limits, print the plan. Sends nothing.
enum DryRun {
    struct PlatformJSON: Encodable {
        var platform: String
        var ok: Bool
        var ingestion: String
        var issues: [String]
        var notes: [String]
        var texts: [String: String]
    }

    struct ReportJSON: Encodable {
        var schemaVersion = Output.schemaVersion
        var video: String
        var media: MediaInfo
        var ok: Bool
        var platforms: [PlatformJSON]
        var refusals: [RefusalJSON]
        var dryRun: Bool
        var configuration: ConfigurationJSON
    }

    static func run(
        video: String, targets: [PostTarget], orchestrator: Orchestrator, global: GlobalOptions, paths: ConfigurationPaths,
        dryRun: Bool = true
    ) async throws -> ExitCode {
        let file = try MediaFileHandle(path: video)
        let inspection = try await orchestrator.inspect(file, targets: targets)
        let media = inspection.media
        var platforms: [PlatformJSON] = []
        for entry in inspection.plans {
            let issues = inspection.issues.filter { $0.platform == entry.platform }.map { "\($0.field): \($0.message)" }
            platforms.append(PlatformJSON(
                platform: entry.platform.rawValue, ok: issues.isEmpty,
                ingestion: entry.ingestion == .publicURL ? "staged URL" : "direct upload",
                issues: issues, notes: entry.plan.notes,
                texts: Dictionary(uniqueKeysWithValues: entry.plan.texts.map { ($0.key.rawValue, $0.value) })
            ))
        }
        let ok = inspection.issues.isEmpty
        if global.json {
            let refusals = inspection.issues.map { RefusalJSON(platform: $0.platform?.rawValue, field: $0.field, problem: $0.message) }
            try Output.json(ReportJSON(
                video: video, media: media, ok: ok, platforms: platforms, refusals: refusals, dryRun: dryRun,
                configuration: ConfigurationJSON(paths)))
        } else {
            var lines: [String] = []
            lines.append("\(video): \(media.container.uppercased()) \(media.width)×\(media.height)\(media.rotation != 0 ? " (rotated \(media.rotation)°)" : ""), "
                + String(format: "%.2f s", media.duration) + (media.frameRate.map { String(format: ", %.2f fps", $0) } ?? "")
                + ", \(media.videoCodec ?? "no video")/\(media.audioCodec ?? "no audio"), \(ByteFormat.string(media.sizeBytes))"
                + (media.moovAtStart ? "" : ", moov at the end"))
            for platform in platforms {
                lines.append("\(platform.ok ? "✔" : "✘") \(platform.platform): \(platform.ok ? "ok" : "refused") (\(platform.ingestion))")
                for issue in platform.issues { lines.append("    ✘ \(issue)") }
                for note in platform.notes { lines.append("    · \(note)") }
                if dryRun, platform.ok {
                    for (field, text) in platform.texts.sorted(by: { $0.key < $1.key }) where !text.isEmpty {
                        lines.append("    \(field): \(text.replacingOccurrences(of: "\n", with: "⏎").prefix(120))")
                    }
                }
            }
            lines.append("configuration: \(paths.envFile) (\(paths.envFileSource)); record: \(paths.stateDirectory) (\(paths.stateDirectorySource))")
            if dryRun { lines.append(ok ? "dry run: nothing was sent to any platform or to S3." : "dry run: the post would be refused; nothing was sent.") }
            Output.lines(lines.map { Text.oneLine($0) })
        }
        return ok ? Exit.ok : Exit.badInput
    }
}

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Pre-flight checks only: probe the video and check each platform's limits. Uploads nothing.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var input: PostInput

    func validate() throws { try input.to.validate(against: Registry.platforms) }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            return try await AppContext.with(global) { app in
                let drafts = try input.drafts(registry: app.registry, credentials: nil)
                // Validation needs no tokens: build publishers from an empty credential chain plus any settings.
                let publishers = try drafts.map { name, _ in try app.offlinePublisher(named: name) }
                var targets = zip(publishers, drafts).map { PostTarget(publisher: $0, draft: $1.draft) }
                if let at = drafts.first?.draft.scheduledAt {
                    // --at: checked as `atom post` would post it (natively, or by atom when due; ScheduleSubmit).
                    let plan = try await ScheduleSubmit.plan(targets, at: at, dotEnv: app.dotEnv)
                    plan.describe()
                    targets = plan.targets
                }
                let orchestrator = Orchestrator(stager: OfflineStager(), records: app.records)
                return try await DryRun.run(
                    video: input.video, targets: targets, orchestrator: orchestrator, global: global, paths: app.paths, dryRun: false)
            }
        }
    }
}

/// Stands in for the stager during `validate`, which never stages.
struct OfflineStager: MediaStager {
    func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject {
        throw PublishError(.configuration, message: "validate never stages")
    }
    func url(for object: StagedObject, validFor duration: Duration) async throws -> URL {
        throw PublishError(.configuration, message: "validate never stages")
    }
    func release(_ object: StagedObject) async throws {}
}

/// Which `.env` file and state folder are in use (`platforms --json`, `--dry-run --json`).
struct ConfigurationJSON: Encodable {
    var envFile: String
    var envFileSource: String
    var envFileExists: Bool
    var stateDirectory: String
    var stateDirectorySource: String

    init(_ paths: ConfigurationPaths) {
        envFile = paths.envFile
        envFileSource = paths.envFileSource
        envFileExists = FileManager.default.fileExists(atPath: paths.envFile)
        stateDirectory = paths.stateDirectory
        stateDirectorySource = paths.stateDirectorySource
    }
}
