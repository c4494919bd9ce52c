import ArgumentParser
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine
import Scheduling

/// Options shared by `post` and `validate`: what to post where.
struct PostInput: ParsableArguments {
    @Argument(help: "The video file (MP4 or MOV).")
    var video: String

    @Option(
        name: .customLong("to"),
        help: "Comma-separated platforms (`atom platforms` lists them); 'all' means every configured platform.")
    var to: PlatformList

    @Option(help: "Default text for every platform.")
    var caption: String?

    @Option(help: "Title, where a platform has one (`--dry-run` shows which).")
    var title: String?

    @Option(help: "Comma-separated tags.")
    var tags: String?

    @Option(
        help: ArgumentHelp(
            "public|private|unlisted|friends|followers (default: the platform's, below).",
            discussion: Registry.plugins.compactMap { plugin in plugin.privacyHelp.map { "\(plugin.displayName): \($0)." } }
                .joined(separator: " ")
                + " Any other value is refused (exit 65), nothing is mapped silently. `--dry-run` shows what each platform gets."))
    var privacy: Privacy?

    @Option(help: "Publish at this ISO 8601 time: through the platform's own scheduling where it has one, else posted by atom then, woken by the OS scheduler (see `atom schedule`).")
    var at: String?

    @Option(help: "A YAML or JSON manifest with per-platform overrides.")
    var manifest: String?

    @Option(name: .customLong(PluginFlags.postOption), help: PluginFlags.postHelp)
    var platformFlags: [String] = []

    @Flag var shorthands: [PostShorthandFlag] = []

    @Option(help: "A cover image (local JPEG or PNG) for every platform whose API takes one.")
    var cover: String?

    @Option(name: .customLong("cover-at"), help: "Seconds into the video of the frame to use as the cover, where the API can pick a frame.")
    var coverAt: Double?

    /// Builds one draft per platform: flags over the manifest's top level; per-platform values stay in options.
    /// - Parameter credentials: Decides what `--to all` means (every configured platform); `nil` means every registered one.
    func drafts(registry: PlatformRegistry, credentials: (any CredentialStore)?) throws -> [(name: String, draft: PostDraft)] {
        try to.validate(against: registry)
        let names = try credentials.map { try to.resolve(registry: registry, credentials: $0) } ?? (to.isAll ? registry.names : to.names)
        let manifest = try manifest.map { try Manifest.load(path: $0, known: registry.names) } ?? Manifest()
        var scheduled = manifest.at
        if let at {
            guard let date = ISO8601Text.parse(at) else {
                throw ValidationError("--at must be an ISO 8601 date-time such as 2026-12-01T18:00:00Z")
            }
            scheduled = date
        }
        if let coverAt, !(coverAt >= 0 && coverAt.isFinite) {
            throw ValidationError("--cover-at must be a number of seconds, 0 or more")
        }
        // Tags are keywords: a leading '#' is dropped (platforms that use hashtags add their own).
        let flagTags = tags.map {
            $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces).drop { $0 == "#" }) }.filter { !$0.isEmpty }
        }
        return try names.map { name in
            var options = manifest.platforms[name] ?? [:]
            // A platform's shorthand flag sets its option unless the manifest does.
            options.merge(try PluginFlags.postOptions(platformFlags + shorthands.map(\.name), for: name)) { manifest, _ in manifest }
            let sectionCover = manifest.platformCovers[name] ?? CoverChoice()
            let choice = CoverChoice(
                imagePath: sectionCover.imagePath ?? cover ?? manifest.cover.imagePath,
                frameAt: sectionCover.frameAt ?? coverAt ?? manifest.cover.frameAt)
            let draft = PostDraft(
                caption: caption ?? manifest.caption, title: title ?? manifest.title, tags: flagTags ?? manifest.tags ?? [],
                privacy: privacy ?? manifest.privacy, scheduledAt: scheduled, options: options,
                cover: choice.isEmpty ? nil : choice
            )
            return (name, draft)
        }
    }
}

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Publish a video to the chosen platforms at once.",
        discussion: "Exit codes: 0 all published, 1 a platform failed, 3 still processing, 130 interrupted, 64 usage, 65 bad input, 78 configuration."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var input: PostInput

    @Flag(name: .customLong("dry-run"), help: "Validate, resolve credentials and print the plan; send nothing.")
    var dryRun = false

    @Flag(help: "Post again where this file is already published (or in progress elsewhere).")
    var force = false

    @Option(help: "Seconds to wait for platform processing (default 600).")
    var wait: Int = 600

    @Flag(help: "Post to atom's built-in loopback sandbox instead of the real platforms.")
    var sandbox = false

    @Flag(name: .customLong("late-ok"), help: "With --at: post even if the machine wakes later than the missed window.")
    var lateOK = false

    @Option(name: .customLong("missed-window"),
            help: "With --at: how late atom may still post (e.g. 90m, 6h; default 6h); later, the job is reported missed.")
    var missedWindow: WindowDuration?

    func validate() throws {
        try input.to.validate(against: Registry.platforms)
        guard wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
        if input.at == nil, lateOK || missedWindow != nil {
            throw ValidationError("--late-ok and --missed-window go with --at")
        }
    }

    func run() async throws {
        let code: ExitCode
        if sandbox {
            code = try await SandboxRunner.withSandbox(log: nil) { overrides in
                await runPost(overrides: overrides)
            }
        } else {
            code = await runPost(overrides: nil)
        }
        throw code
    }

    /// Runs the post and returns its exit code; errors are printed here.
    func runPost(overrides: [String: String]?) async -> ExitCode {
        do {
            return try await AppContext.with(global, overrides: overrides) { app in
                let drafts = try input.drafts(registry: app.registry, credentials: app.credentials)
                let publishers = try app.publishers(for: drafts.map(\.name))
                var targets = zip(publishers, drafts).map { PostTarget(publisher: $0, draft: $1.draft) }
                // --at: the platform schedules where its API can; elsewhere atom posts at that time (ScheduleSubmit).
                var schedule: ScheduleSubmit.Plan?
                if let at = drafts.first?.draft.scheduledAt {
                    let plan = try await ScheduleSubmit.plan(targets, at: at, dotEnv: app.dotEnv)
                    targets = plan.targets
                    schedule = plan
                }
                let orchestrator = try app.orchestrator()
                let needURL = publishers.filter { $0.capabilities.ingestion == .publicURL }.map(\.platform.rawValue)
                if !needURL.isEmpty, orchestrator.stager == nil {
                    throw PublishError(
                        .configuration, message: "\(needURL.joined(separator: ", ")) fetch\(needURL.count == 1 ? "es" : "") the video from a URL, but S3 staging is not configured",
                        remediation: "set ATOM_S3_BUCKET and AWS credentials in \(app.paths.envFile) (or use the platform's push mode); nothing was uploaded")
                }
                if dryRun {
                    schedule?.describe()
                    return try await DryRun.run(
                        video: input.video, targets: targets, orchestrator: orchestrator, global: global, paths: app.paths)
                }
                let report: PostReport
                if let schedule {
                    let submit = ScheduleSubmit(
                        app: app, global: global, video: input.video, lateOK: lateOK,
                        missedWindow: missedWindow?.seconds ?? ScheduledJob.defaultMissedWindow, force: force, wait: wait)
                    report = try await submit.submit(schedule, orchestrator: orchestrator)
                } else {
                    let request = PostRequest(
                        videoPath: input.video, targets: targets, force: force, waitLimit: .seconds(wait))
                    report = try await Interruptible.run(
                        platforms: publishers.map(\.platform), quiet: global.quiet || global.json && !Console.stderrIsTTY,
                        finalStatuses: { report in report.results.map { ($0.platform, $0.status.rawValue) } }
                    ) { progress in
                        try await orchestrator.post(request, progress: progress)
                    }
                }
                let records = try await app.book.entries()
                PostOutput.print(report, records: records, sandbox: app.sandbox, global: global)
                return Exit.code(for: report)
            }
        } catch {
            return Failure.report(error, json: global.json)
        }
    }
}

/// Prints a post's results: JSON, or one line per platform on stdout with the table on stderr — or, when
/// stdout is a terminal, the table on stdout (a person reads it; nothing is printed twice).
enum PostOutput {
    static func print(_ report: PostReport, records: [RecordEntry], sandbox: Bool, global: GlobalOptions) {
        let environment = Launch.environment
        let json = PostJSON(report, records: records, sandbox: sandbox)
        if global.json {
            do { try Output.json(json) } catch { Console.error("atom: error: cannot encode the result: \(error)") }
            if Console.stderrIsTTY, !global.quiet {
                Console.info("\n" + SummaryTable.render(report, sandbox: sandbox, width: Terminal.width(),
                                                       palette: Palette.forStderr(environment: environment)))
            }
            return
        }
        if Console.stdoutIsTTY {
            Console.out(SummaryTable.render(report, sandbox: sandbox, width: Terminal.outputWidth(),
                                            palette: Palette.forStdout(environment: environment)))
            return
        }
        Output.lines(json.results.map(Output.line))
        if !global.quiet {
            Console.info("\n" + SummaryTable.render(report, sandbox: sandbox, width: Terminal.width(),
                                                   palette: Palette.forStderr(environment: environment)))
        }
    }
}

/// Prints an error that ended a command and picks its exit code: the message on stderr, and with `--json`
/// one `{schemaVersion, error, refusals}` document on stdout.
enum Failure {
    /// Runs a command's work and ends the command: with the exit code the work returns, or with the one
    /// ``report(_:json:)`` picks for the error it throws.
    static func exit(json: Bool, _ work: () async throws -> ExitCode) async throws -> Never {
        let code: ExitCode
        do {
            code = try await work()
        } catch {
            code = report(error, json: json)
        }
        throw code
    }

    static func report(_ error: any Error, json: Bool) -> ExitCode {
        if let code = error as? ExitCode { return code }
        let text: String
        var refusals: [RefusalJSON] = []
        if let failure = error as? ValidationFailure {
            text = failure.description
            refusals = failure.issues.map { RefusalJSON(platform: $0.platform?.rawValue, field: $0.field, problem: $0.message) }
        } else if let error = error as? PublishError {
            text = error.description
        } else if error is CancellationError {
            text = "interrupted"
        } else if let error = error as? ValidationError {
            text = error.message
        } else {
            text = String(describing: error)
        }
        let code = error is ValidationError ? Exit.usage : Exit.code(for: error)
        Console.error("atom: error: \(text)")
        if json {
            let summary: ErrorSummary
            if let error = error as? PublishError {
                summary = ErrorSummary(error)
            } else {
                let name = error is ValidationFailure ? "limitExceeded" : error is ValidationError ? "usage" : error is CancellationError ? "cancelled" : "error"
                summary = ErrorSummary(code: name, message: text, retryable: false)
            }
            let body = FailureJSON.Body(
                code: summary.code, message: summary.message, retryable: summary.retryable, remediation: summary.remediation,
                exitCode: code.rawValue)
            do { try Output.json(FailureJSON(error: body, refusals: refusals)) } catch {
                Console.error("atom: error: cannot encode the error as JSON: \(error)")
            }
        }
        return code
    }
}
