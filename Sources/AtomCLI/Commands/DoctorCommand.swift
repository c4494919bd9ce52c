import ArgumentParser
import Foundation
import PublishingCore
import S3Staging

/// `atom doctor`: one screen of checks of what the owner's data promises rest on, each failure with its fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the .env file, the staging bucket and every platform's grant; a fix for each failure.",
        discussion: """
            The .env file: mode 0600, and inside a git work tree not tracked and ignored. The staging bucket: \
            reachable with the configured credentials, public access blocked, no public policy, a lifecycle rule \
            expiring the staging prefix, the clock in step with the endpoint, no leftover staged objects. Then \
            `atom auth status` for each configured platform. Exit 0 when nothing failed, 78 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Check against the built-in sandbox (the .env file checks still look at the real file).")
    var sandbox = false

    /// One check's outcome.
    struct Check: Sendable {
        enum Result: String, Sendable { case ok, warn, fail, skip }
        var name: String
        var result: Result
        var detail: String
        var fix: String?

        var json: JSONValue {
            .object([
                "name": .string(name), "result": .string(result.rawValue), "detail": .string(Redaction.redact(detail)),
                "fix": OwnerControl.json(fix),
            ])
        }
    }

    func run() async throws {
        let json = global.json
        throw try await OwnerControl.run(global, sandbox: sandbox) { app in
            var checks = Self.envFileChecks(path: app.paths.envFile)
            checks += await Self.stagingChecks(app)
            for row in await AuthStatusCommand.check(app, only: nil) {
                if !row.configured {
                    checks.append(Check(name: "\(row.platform) grant", result: .skip, detail: "not configured"))
                } else if row.usable {
                    let account = [row.status?.account, row.status?.accountID].compactMap { $0 }.joined(separator: " ")
                    checks.append(Check(name: "\(row.platform) grant", result: .ok, detail: "usable — \(account)"))
                } else {
                    for problem in row.problems {
                        checks.append(
                            Check(
                                name: "\(row.platform) grant", result: .fail, detail: problem.message, fix: problem.fix)
                        )
                    }
                }
            }
            let failed = checks.contains { $0.result == .fail }
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)), "ok": .bool(!failed),
                        "checks": .array(checks.map(\.json)),
                    ]))
            } else {
                var lines: [String] = []
                for check in checks {
                    lines.append(
                        "\(check.result.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(check.name): \(check.detail)"
                    )
                    if let fix = check.fix, check.result != .ok { lines.append("      fix: \(fix)") }
                }
                lines.append(failed ? "some checks failed" : "all checks passed")
                Console.out(Redaction.redact(lines.joined(separator: "\n")))
            }
            return failed ? Exit.configuration : Exit.ok
        }
    }

    // MARK: The .env file

    static func envFileChecks(path: String) -> [Check] {
        let name = ".env file"
        guard let info = FileStatus.at(path) else {
            return [
                Check(name: name, result: .skip, detail: "\(path) does not exist (settings come from the environment)")
            ]
        }
        var checks: [Check] = []
        let mode = info.permissions & 0o777
        if mode & 0o077 == 0 {
            checks.append(
                Check(
                    name: name, result: .ok, detail: "\(path) is readable by its owner only (\(String(mode, radix: 8)))"
                ))
        } else {
            checks.append(
                Check(
                    name: name, result: .fail,
                    detail: "\(path) has mode \(String(mode, radix: 8)): other users can read the tokens",
                    fix: "chmod 600 \(path)"))
        }
        checks += gitChecks(path: path)
        return checks
    }

    /// Inside a git work tree, the `.env` must be neither tracked nor left unignored.
    static func gitChecks(path: String) -> [Check] {
        let name = ".env and git"
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        let directory = absolute.deletingLastPathComponent().path
        guard let inside = git(["rev-parse", "--is-inside-work-tree"], in: directory) else {
            return [Check(name: name, result: .skip, detail: "git is not installed")]
        }
        guard inside.status == 0, inside.output.trimmingCharacters(in: .whitespacesAndNewlines) == "true" else {
            return [Check(name: name, result: .ok, detail: "\(path) is not inside a git work tree")]
        }
        let file = absolute.lastPathComponent
        if git(["ls-files", "--error-unmatch", "--", file], in: directory)?.status == 0 {
            return [
                Check(
                    name: name, result: .fail,
                    detail: "\(path) is tracked by git: its tokens are in the repository's history",
                    fix: "git rm --cached \(file) && echo \(file) >> .gitignore && git commit; then revoke and "
                        + "re-authorize every platform (`atom auth revoke --all`, `atom auth <platform>`), since the "
                        + "committed tokens stay in the history")
            ]
        }
        if git(["check-ignore", "-q", "--", file], in: directory)?.status == 0 {
            return [Check(name: name, result: .ok, detail: "\(path) is ignored by git and not tracked")]
        }
        return [
            Check(
                name: name, result: .fail, detail: "\(path) is not ignored: `git add .` would commit the tokens",
                fix: "echo \(file) >> \(directory)/.gitignore")
        ]
    }

    /// Runs git with a clean, minimal environment; `nil` when git cannot be started.
    static func git(_ arguments: [String], in directory: String) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ["PATH": Launch.environment["PATH"] ?? "/usr/bin:/bin"]
        environment["HOME"] = Launch.environment["HOME"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { return nil }
        return (process.terminationStatus, String(decoding: data.prefix(4096), as: UTF8.self))
    }

    // MARK: Staging

    static func stagingChecks(_ app: AppContext) async -> [Check] {
        let name = "staging bucket"
        let stager: S3Stager
        do {
            guard let configured = try app.stager() as? S3Stager else {
                return [Check(name: name, result: .skip, detail: "not configured (ATOM_S3_BUCKET is unset)")]
            }
            stager = configured
        } catch {
            let wrapped = PublishError.wrapping(error, platform: .staging)
            return [Check(name: name, result: .fail, detail: wrapped.redactedMessage, fix: wrapped.remediation)]
        }
        let bucket = "s3://\(stager.configuration.bucket)/\(stager.configuration.prefix)"
        let report: S3BucketReport
        do {
            report = try await stager.checkBucket()
        } catch {
            let wrapped = PublishError.wrapping(error, platform: .staging)
            return [
                Check(
                    name: name, result: .fail, detail: "\(bucket) is not reachable: \(wrapped.redactedMessage)",
                    fix: wrapped.remediation ?? "check ATOM_S3_BUCKET, AWS_REGION and the AWS credentials")
            ]
        }
        var checks = [Check(name: name, result: .ok, detail: "\(bucket) is reachable with the configured credentials")]
        let block =
            "aws s3api put-public-access-block --bucket \(report.bucket) --public-access-block-configuration "
            + "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
        switch report.publicAccessBlock {
        case let flags? where flags.blocksEverything:
            checks.append(
                Check(name: "public access", result: .ok, detail: "all four public access block settings are on"))
        case .some:
            checks.append(
                Check(
                    name: "public access", result: .fail, detail: "some public access block settings are off",
                    fix: block))
        case nil:
            checks.append(
                Check(name: "public access", result: .fail, detail: "the bucket has no public access block", fix: block)
            )
        }
        switch report.policyIsPublic {
        case true?:
            checks.append(
                Check(
                    name: "bucket policy", result: .fail, detail: "the bucket policy makes the bucket public",
                    fix: "remove the public statements: aws s3api get-bucket-policy --bucket \(report.bucket)"))
        case false?:
            checks.append(Check(name: "bucket policy", result: .ok, detail: "no policy makes the bucket public"))
        case nil:
            checks.append(
                Check(name: "bucket policy", result: .warn, detail: "the endpoint does not report the policy status"))
        }
        if let rule = report.expiration {
            checks.append(
                Check(name: "lifecycle", result: .ok, detail: "staged objects expire after \(rule.days) day(s)"))
        } else {
            checks.append(
                Check(
                    name: "lifecycle", result: .fail, detail: "no lifecycle rule expires \(report.prefix)",
                    fix: "atom staging lifecycle --apply"))
        }
        if let skew = report.clockSkewSeconds {
            let seconds = Int(skew.rounded())
            checks.append(
                abs(skew) > 300
                    ? Check(
                        name: "clock", result: .fail,
                        detail:
                            "this machine's clock is \(abs(seconds)) s \(skew > 0 ? "behind" : "ahead of") the S3 endpoint",
                        fix: "sync the clock (e.g. `timedatectl set-ntp true`); S3 refuses requests 15 minutes off")
                    : Check(name: "clock", result: .ok, detail: "in step with the S3 endpoint (\(seconds) s)"))
        }
        do {
            let listing = try await stager.list()
            if listing.isEmpty {
                checks.append(Check(name: "leftovers", result: .ok, detail: "nothing staged under \(bucket)"))
            } else {
                checks.append(
                    Check(
                        name: "leftovers", result: .warn,
                        detail: "\(listing.objects.count) object(s) and \(listing.uploads.count) unfinished upload(s) "
                            + "under \(bucket) (another atom may be posting)",
                        fix: "atom staging list; atom staging clean"))
            }
        } catch {
            let wrapped = PublishError.wrapping(error, platform: .staging)
            checks.append(Check(name: "leftovers", result: .warn, detail: wrapped.redactedMessage))
        }
        return checks
    }
}
