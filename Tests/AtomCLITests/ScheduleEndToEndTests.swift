import AtomTestSupport
import Dispatch
import Foundation
import PublishingCore
import Testing

/// `atom post --at` against `atom sandbox` in its own process, then `atom schedule run-due` at a faked time
/// (its hidden `--now`), as the OS timer would run it. `ATOM_SCHEDULER=cron` keeps the machine's real
/// scheduler out of it: the job records "your cron line" as its wake-up.
@Suite("End to end: scheduled posts (atom post --at, atom schedule)", .serialized)
struct ScheduleEndToEndTests {
    static let platforms = ["tiktok", "instagram", "youtube", "facebook"]

    /// A sandbox process, a folder with its .env, and the environment for atom.
    struct Setup {
        var sandbox: SandboxProcess
        var dir: String
        var environment: [String: String]

        func atom(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> AtomBinary.Result {
            try await AtomBinary.run(arguments, environment: environment.merging(extra) { $1 }, directory: dir)
        }

        func uploads(_ platform: String) async throws -> Int {
            try await sandbox.state().uploads.filter { $0.platform == platform }.count
        }
    }

    func withSetup(_ body: (Setup) async throws -> Void) async throws {
        try await TemporaryDirectory.with { dir in
            // Starting the sandbox blocks until it prints its settings: keep that off the cooperative pool.
            let sandbox = try await offPool { try SandboxProcess.start() }
            defer { sandbox.stop() }
            let dotEnv = sandbox.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            try await body(
                Setup(
                    sandbox: sandbox, dir: dir,
                    environment: ["ATOM_STATE_DIR": dir + "/state", "ATOM_SCHEDULER": "cron"]))
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    static func object(_ text: String) throws -> [String: JSONValue] {
        try #require(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).objectValue)
    }

    @Test("all four: YouTube and Facebook schedule natively, TikTok and Instagram post at run-due; each published once")
    func scheduleAllFour() async throws {
        try await withSetup { setup in
            let video = Fixtures.path("vertical.mp4")
            let at = Date().addingTimeInterval(3600).rounded()
            let post = try await setup.atom([
                "post", video, "--to", Self.platforms.joined(separator: ","), "--caption", "Sunrise #sunrise",
                "--at", Self.iso(at), "--json",
            ])
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let results = try Self.object(post.stdout)["results"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(results.compactMap { $0["platform"]?.stringValue } == Self.platforms)
            let status = Dictionary(
                uniqueKeysWithValues: results.map {
                    ($0["platform"]?.stringValue ?? "", $0["status"]?.stringValue ?? "")
                })
            #expect(
                status == [
                    "tiktok": "scheduled", "instagram": "scheduled", "youtube": "published", "facebook": "published",
                ])
            #expect(try await setup.uploads("youtube") == 1)
            #expect(try await setup.uploads("facebook") == 1)
            #expect(try await setup.uploads("tiktok") == 0)
            #expect(try await setup.uploads("instagram") == 0)

            // The job, as `atom schedule list --json` shows it.
            let list = try await setup.atom(["schedule", "list", "--json"])
            #expect(list.code == 0, "stderr: \(list.stderr)")
            let listed = try Self.object(list.stdout)
            #expect(listed["schemaVersion"] == .number(1))
            let jobs = listed["jobs"]?.arrayValue?.compactMap(\.objectValue) ?? []
            try #require(jobs.count == 1)
            let job = jobs[0]
            let id = try #require(job["id"]?.stringValue)
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: video))
            #expect(job["sha256"]?.stringValue == sha)
            #expect(job["at"]?.stringValue == Self.iso(at))
            #expect(job["wakeUp"]?.objectValue?["kind"]?.stringValue == "cron")
            let modes = (job["platforms"]?.arrayValue ?? []).compactMap(\.objectValue).map {
                "\($0["platform"]?.stringValue ?? "")=\($0["mode"]?.stringValue ?? "")"
            }
            #expect(modes == ["tiktok=deferred", "instagram=deferred", "youtube=native", "facebook=native"])

            // Before its time nothing is due.
            let early = try await setup.atom(["schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(-60))])
            #expect(early.code == 0)
            #expect(early.stdout == "no scheduled posts due\n")
            #expect(try await setup.uploads("tiktok") == 0)

            // At its time the deferred platforms are posted.
            let due = try await setup.atom([
                "schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(60)), "--json",
            ])
            #expect(due.code == 0, "stderr: \(due.stderr)")
            let ran = (try Self.object(due.stdout)["jobs"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(ran.map { $0["id"]?.stringValue } == [id])
            #expect(ran.first?["status"]?.stringValue == "done")
            let parts = (ran.first?["platforms"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(
                parts.filter { $0["mode"]?.stringValue == "deferred" }.allSatisfy {
                    $0["status"]?.stringValue == "published"
                })

            // A second run (another timer, cron) posts nothing again.
            let again = try await setup.atom(["schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(120))])
            #expect(again.code == 0)
            #expect(again.stdout == "no scheduled posts due\n")
            for platform in Self.platforms {
                #expect(try await setup.uploads(platform) == 1, "\(platform) uploads")
            }
            let history = try await setup.atom(["history", "--json"])
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.compactMap { $0["platform"]?.stringValue }.sorted() == Self.platforms.sorted())
            #expect(entries.allSatisfy { $0["status"]?.stringValue == "published" && $0["sha256"]?.stringValue == sha })
            let after = try await setup.atom(["schedule", "list", "--json"])
            #expect(try Self.object(after.stdout)["jobs"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("a file changed after scheduling: run-due refuses the job, nothing is posted")
    func changedFile() async throws {
        try await withSetup { setup in
            let video = setup.dir + "/clip.mp4"
            try FileManager.default.copyItem(atPath: Fixtures.path("vertical.mp4"), toPath: video)
            let at = Date().addingTimeInterval(3600).rounded()
            let post = try await setup.atom(["post", video, "--to", "tiktok", "--caption", "x", "--at", Self.iso(at)])
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let handle = try #require(FileHandle(forWritingAtPath: video))
            handle.seekToEndOfFile()
            handle.write(Data([0]))
            try handle.close()
            let due = try await setup.atom(["schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(60))])
            #expect(due.code == 1)
            #expect(
                due.stdout.contains("failed: the video \(video) changed since it was scheduled"),
                "stdout: \(due.stdout)")
            #expect(try await setup.uploads("tiktok") == 0)
        }
    }

    @Test("missed by more than the window: reported missed, not posted")
    func missed() async throws {
        try await withSetup { setup in
            let at = Date().addingTimeInterval(3600).rounded()
            let post = try await setup.atom([
                "post", Fixtures.path("vertical.mp4"), "--to", "instagram", "--caption", "x",
                "--at", Self.iso(at), "--missed-window", "30m",
            ])
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let due = try await setup.atom([
                "schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(2 * 3600)), "--json",
            ])
            #expect(due.code == 1)
            let job = try #require((try Self.object(due.stdout)["jobs"]?.arrayValue ?? []).first?.objectValue)
            #expect(job["status"]?.stringValue == "missed")
            #expect(job["reason"]?.stringValue?.hasPrefix("missed its time by 2.0 h (the window is 30 min)") == true)
            #expect(try await setup.uploads("instagram") == 0)
        }
    }

    @Test("no OS scheduler: the post is refused up front with the alternatives, nothing uploaded anywhere")
    func noScheduler() async throws {
        try await withSetup { setup in
            let at = Date().addingTimeInterval(3600).rounded()
            // ATOM_SCHEDULER=systemd with no systemd-run on PATH: unavailable on any machine.
            let post = try await setup.atom(
                [
                    "post", Fixtures.path("vertical.mp4"), "--to", "youtube,tiktok", "--caption", "x", "--at",
                    Self.iso(at),
                ],
                environment: ["ATOM_SCHEDULER": "systemd", "PATH": "/nonexistent"])
            #expect(post.code == 78, "stderr: \(post.stderr)")
            #expect(post.stderr.contains("tiktok cannot schedule through the platform's API"), "stderr: \(post.stderr)")
            #expect(post.stderr.contains("no systemd-run on PATH"))
            #expect(post.stderr.contains("ATOM_SCHEDULER=cron"))
            #expect(post.stderr.contains("nothing was uploaded"))
            #expect(try await setup.sandbox.state().uploads.isEmpty)
            let list = try await setup.atom(["schedule", "list", "--json"])
            #expect(try Self.object(list.stdout)["jobs"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("validate and --dry-run with --at: every platform accepted, each one's way said, nothing sent or recorded")
    func validateAndDryRun() async throws {
        try await withSetup { setup in
            let at = Self.iso(Date().addingTimeInterval(3600).rounded())
            let video = Fixtures.path("vertical.mp4")
            let validate = try await setup.atom([
                "validate", video, "--to", "tiktok,youtube", "--caption", "x", "--at", at,
            ])
            #expect(validate.code == 0, "stderr: \(validate.stderr)")
            #expect(
                validate.stderr.contains("tiktok: posted by atom at \(at), woken by cron"), "stderr: \(validate.stderr)"
            )
            #expect(validate.stderr.contains("youtube: uploaded now, published by the platform at \(at)"))
            let dryRun = try await setup.atom([
                "post", video, "--to", "instagram,facebook", "--caption", "x", "--at", at, "--dry-run",
            ])
            #expect(dryRun.code == 0, "stderr: \(dryRun.stderr)")
            #expect(try await setup.sandbox.state().uploads.isEmpty)
            let list = try await setup.atom(["schedule", "list", "--json"])
            #expect(try Self.object(list.stdout)["jobs"]?.arrayValue?.isEmpty == true)
            let usage = try await setup.atom(["post", video, "--to", "tiktok", "--late-ok"])
            #expect(usage.code == 64)
            let past = try await setup.atom(["post", video, "--to", "tiktok", "--at", "2020-01-01T00:00:00Z"])
            #expect(past.code == 64)
            #expect(past.stderr.contains("is in the past"))
        }
    }

    @Test("already published: run-due skips it (exactly once), unless it was scheduled with --force")
    func alreadyPublished() async throws {
        try await withSetup { setup in
            let video = Fixtures.path("vertical.mp4")
            let now = try await setup.atom(["post", video, "--to", "tiktok", "--caption", "x"])
            #expect(now.code == 0, "stderr: \(now.stderr)")
            let at = Date().addingTimeInterval(3600).rounded()
            for flags in [[String](), ["--force"]] {
                let post = try await setup.atom(["post", video, "--to", "tiktok", "--caption", "x", "--at", Self.iso(at)] + flags)
                #expect(post.code == 0, "stderr: \(post.stderr)")
            }
            let due = try await setup.atom(["schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(60)), "--json"])
            #expect(due.code == 0, "stderr: \(due.stderr)")
            let jobs = (try Self.object(due.stdout)["jobs"]?.arrayValue ?? []).compactMap(\.objectValue)
            let statuses = jobs.map { ($0["platforms"]?.arrayValue?.first?.objectValue?["status"]?.stringValue) ?? "" }
            #expect(statuses.sorted() == ["published", "skipped"])
            #expect(try await setup.uploads("tiktok") == 2)
        }
    }

    @Test("cancel: YouTube set back to private, the Facebook video deleted, TikTok never posted")
    func cancel() async throws {
        try await withSetup { setup in
            let at = Date().addingTimeInterval(3600).rounded()
            let post = try await setup.atom([
                "post", Fixtures.path("vertical.mp4"), "--to", "tiktok,youtube,facebook",
                "--caption", "x", "--at", Self.iso(at), "--json",
            ])
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let list = try await setup.atom(["schedule", "list", "--json"])
            let id = try #require(
                (try Self.object(list.stdout)["jobs"]?.arrayValue ?? []).first?.objectValue?["id"]?.stringValue)
            let cancel = try await setup.atom(["schedule", "cancel", String(id.prefix(5)), "--json"])
            #expect(cancel.code == 0, "stdout: \(cancel.stdout) stderr: \(cancel.stderr)")
            let outcomes = (try Self.object(cancel.stdout)["results"]?.arrayValue ?? []).compactMap(\.objectValue)
            let byPlatform = Dictionary(uniqueKeysWithValues: outcomes.map { ($0["platform"]?.stringValue ?? "", $0) })
            #expect(byPlatform["tiktok"]?["cancelled"] == .bool(true))
            #expect(byPlatform["youtube"]?["message"]?.stringValue?.hasPrefix("set back to private") == true)
            #expect(byPlatform["facebook"]?["message"]?.stringValue?.hasPrefix("deleted the scheduled video") == true)
            let due = try await setup.atom(["schedule", "run-due", "--now", Self.iso(at.addingTimeInterval(60))])
            #expect(due.stdout == "no scheduled posts due\n")
            #expect(try await setup.uploads("tiktok") == 0)
            let again = try await setup.atom(["schedule", "cancel", id])
            #expect(again.code == 1)
            #expect(again.stderr.contains("is cancelled; there is nothing to cancel"))
        }
    }
}

extension Date {
    /// Whole seconds, so that ISO 8601 round trips compare equal.
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

/// Runs blocking work on a Dispatch thread: on the cooperative pool (one thread per core) it would stall other tests.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
