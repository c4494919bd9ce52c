import ArgumentParser
import Foundation
import PublishingCore
import S3Staging

/// `atom staging lifecycle [--apply]`: the lifecycle rule that expires what atom stages.
struct StagingLifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Show the bucket's rule expiring the staging prefix; --apply adds a one-day rule.",
        discussion: """
            atom deletes what it stages once the platforms have it; a lifecycle rule is the safety net for copies a \
            crash left behind. --apply adds a rule expiring the staging prefix after --days (default 1) and aborting \
            its unfinished uploads after a day, keeping the bucket's other rules.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Add the rule when the bucket has none for the staging prefix.")
    var apply = false

    @Option(help: "Days after which staged objects expire (with --apply).")
    var days: Int = 1

    @Flag(help: "Use the built-in sandbox's bucket.")
    var sandbox = false

    func validate() throws {
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
    }

    func run() async throws {
        let (apply, days, json) = (apply, days, global.json)
        throw try await OwnerControl.run(global, sandbox: sandbox) { app in
            let stager = try StagingCommand.stager(app)
            var added = false
            if apply { added = try await stager.applyStagingLifecycle(days: days) }
            let report = try await stager.checkBucket()
            let rule = report.expiration
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)), "bucket": .string(report.bucket),
                        "prefix": .string(report.prefix), "added": .bool(added),
                        "expirationDays": rule.map { .number(Double($0.days)) } ?? .null,
                        "ruleId": OwnerControl.json(rule?.id),
                    ]))
            } else if let rule {
                Console.out(
                    "s3://\(report.bucket)/\(report.prefix): objects expire after \(rule.days) day(s)"
                        + " (rule \(rule.id ?? "unnamed")\(added ? ", added now" : ""))")
            } else {
                Console.out("s3://\(report.bucket)/\(report.prefix): no lifecycle rule expires staged objects")
                Console.info("fix: atom staging lifecycle --apply")
            }
            return rule == nil ? Exit.configuration : Exit.ok
        }
    }
}
