import ArgumentParser
import Foundation
import PublishingCore
import Scheduling

/// `atom schedule cancel <id>`: removes the wake-up, and takes back what the platforms scheduled natively
/// where their API allows; says what it could not.
struct ScheduleCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a scheduled post: remove its timer, and cancel at the platform where the API allows.",
        discussion: "Exit codes: 0 everything cancelled, 1 something could not be (each line says what to do)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job id (from `atom schedule list`); a unique prefix is enough.")
    var id: String

    struct Outcome: Encodable {
        var platform: String
        var cancelled: Bool
        var message: String
    }

    struct CancelJSON: Encodable {
        var schemaVersion = 1
        var id: String
        var results: [Outcome]
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            let book = try ScheduleStores.book(global)
            let job = try await book.cancel(id, now: Date())
            var outcomes: [Outcome] = []
            if let wakeUp = job.wakeUp {
                if let problem = await book.disarm(job) {
                    outcomes.append(Outcome(platform: "-", cancelled: false, message: problem))
                } else {
                    outcomes.append(Outcome(platform: "-", cancelled: true, message: "removed \(wakeUp.summary)"))
                }
            }
            for part in job.deferredParts where part.status == "cancelled" {
                outcomes.append(
                    Outcome(platform: part.platform.rawValue, cancelled: true, message: "will not be posted"))
            }
            let native = job.parts.filter { $0.mode == .native }
            if !native.isEmpty { outcomes += await cancelNative(native, of: job) }
            if global.json {
                try Output.json(CancelJSON(id: job.id, results: outcomes))
            } else {
                Console.out("job \(job.id) cancelled")
                for outcome in outcomes {
                    Console.out(
                        "\(outcome.platform) \(outcome.cancelled ? "cancelled" : "NOT cancelled") \(outcome.message)")
                }
            }
            return outcomes.allSatisfy(\.cancelled) ? Exit.ok : Exit.platformFailed
        }
    }

    /// Asks each platform that scheduled natively to take its post back, where the adapter declares it can.
    private func cancelNative(_ parts: [ScheduledJob.Part], of job: ScheduledJob) async -> [Outcome] {
        var options = global
        options.envFile = job.envFile
        let body: @Sendable ([String: String]?) async -> [Outcome] = { [options] overrides in
            do {
                return try await AppContext.with(options, overrides: overrides) { app in
                    var outcomes: [Outcome] = []
                    for part in parts {
                        outcomes.append(await Self.cancel(part, app: app, at: job.at))
                    }
                    return outcomes
                }
            } catch {
                return parts.map { Outcome(platform: $0.platform.rawValue, cancelled: false, message: "\(error)") }
            }
        }
        if job.sandbox {
            return (try? await SandboxRunner.withSandbox(log: nil) { overrides in await body(overrides) })
                ?? parts.map {
                    Outcome(platform: $0.platform.rawValue, cancelled: false, message: "the sandbox did not start")
                }
        }
        return await body(nil)
    }

    private static func cancel(_ part: ScheduledJob.Part, app: AppContext, at: Date) async -> Outcome {
        let name = part.platform.rawValue
        guard let postID = part.postId else {
            return Outcome(
                platform: name, cancelled: true,
                message: "was not uploaded (\(part.status ?? "no result")); nothing to cancel")
        }
        do {
            let publisher = try app.publishers(for: [name]).first
            guard let canceller = publisher as? any ScheduleCancelling else {
                return Outcome(
                    platform: name, cancelled: false,
                    message:
                        "its API cannot cancel a scheduled post: delete \(postID) in the app before \(at.formatted(.iso8601))"
                )
            }
            let done = try await canceller.cancelScheduledPost(
                postID: postID, context: PublishContext(logger: app.logger))
            return Outcome(platform: name, cancelled: true, message: done)
        } catch let error as PublishError {
            return Outcome(
                platform: name, cancelled: false,
                message:
                    "\(error.attributed(to: part.platform).description) — it may still publish at \(at.formatted(.iso8601)); "
                    + "remove \(postID) in the app")
        } catch {
            return Outcome(platform: name, cancelled: false, message: "\(error)")
        }
    }
}
