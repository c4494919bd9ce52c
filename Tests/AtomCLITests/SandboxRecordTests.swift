import AtomTestSupport
import Foundation
import PublishingCore
import PublishingEngine
import Testing

/// The sandbox is an environment and the record it writes to: `sandbox-records.json` beside `records.json`.
@Suite("atom CLI: the sandbox's own record (built binary)")
struct SandboxRecordTests {
    static let video = Fixtures.path("vertical.mp4")

    static func real(_ dir: String) -> RecordStore { RecordStore(directory: dir + "/state") }
    static func sandbox(_ dir: String) -> RecordStore { RecordStore(directory: dir + "/state", baseName: "sandbox-records") }

    /// The fixture's SHA-256, as `atom digest` prints it.
    static func digest(_ dir: String) async throws -> String {
        let result = try await AtomBinary.run(["digest", video], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
        return try #require(result.stdout.split(separator: " ").first.map(String.init))
    }

    /// A published real entry of the fixture on `platform`, as a real post leaves it.
    static func realEntry(id: String, platform: String, sha256: String) -> PostRecord {
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        return PostRecord(
            id: id, platform: PlatformID(platform), status: .published, postId: "real-\(platform)", url: "https://example.test/\(platform)",
            video: video, sha256: sha256, sizeBytes: 10, createdAt: time, updatedAt: time, startedAt: time, finishedAt: time)
    }

    static func entries(_ output: String) throws -> [[String: JSONValue]] {
        try JSONDecoder().decode([[String: JSONValue]].self, from: Data(output.utf8))
    }

    @Test("a sandbox post lands in sandbox-records.json, is not a duplicate of a real post of the file, and is one of another sandbox post")
    func sandboxPostHasItsOwnRecord() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let sha = try await Self.digest(dir)
            try await Self.real(dir).updateAsync { $0.entries = [Self.realEntry(id: "aaa111111111", platform: "tiktok", sha256: sha)] }
            let post = try await AtomBinary.run(
                ["post", Self.video, "--sandbox", "--to", "tiktok", "--caption", "x", "--json"], environment: environment, directory: dir)
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(post.stdout.utf8)).objectValue ?? [:]
            #expect(json["sandbox"]?.boolValue == true)
            let result = try #require(json["results"]?.arrayValue?.first?.objectValue)
            #expect(result["status"]?.stringValue == "published", "the real entry of the same file does not count in the sandbox")
            #expect(result["sandbox"]?.boolValue == true)
            let id = try #require(result["id"]?.stringValue)
            #expect(try await Self.sandbox(dir).readAsync().entries.map(\.id) == [id])
            #expect(try await Self.real(dir).readAsync().entries.map(\.id) == ["aaa111111111"], "the real record is untouched")
            // Within the sandbox record the same file is a duplicate.
            let again = try await AtomBinary.run(
                ["post", Self.video, "--sandbox", "--to", "tiktok", "--caption", "x", "--json"], environment: environment, directory: dir)
            #expect(again.code == 0, "stderr: \(again.stderr)")
            let skipped = try JSONDecoder().decode(JSONValue.self, from: Data(again.stdout.utf8))
                .objectValue?["results"]?.arrayValue?.first?.objectValue
            #expect(skipped?["status"]?.stringValue == "skipped")
            #expect(skipped?["id"]?.stringValue == id)
        }
    }

    @Test("a real post of a file posted to the sandbox is not a duplicate: it goes to the platform", .timeLimit(.minutes(2)))
    func realPostIgnoresSandboxRecord() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let sandboxPost = try await AtomBinary.run(
                ["post", Self.video, "--sandbox", "--to", "tiktok", "--caption", "x", "--json"], environment: environment, directory: dir)
            #expect(sandboxPost.code == 0, "stderr: \(sandboxPost.stderr)")
            #expect(try await Self.sandbox(dir).readAsync().entries.count == 1)
            // Real settings (https, not loopback) whose host refuses at once: the run reaches for the platform
            // instead of answering `skipped` from the sandbox's entry.
            try "TIKTOK_ACCESS_TOKEN=t\nTIKTOK_OPEN_ID=o\nATOM_TIKTOK_API_BASE=https://0.0.0.0:1\n"
                .write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let real = try await AtomBinary.run(
                ["post", Self.video, "--to", "tiktok", "--caption", "x", "--json", "--wait", "0"], environment: environment, directory: dir)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(real.stdout.utf8)).objectValue ?? [:]
            let result = json["results"]?.arrayValue?.first?.objectValue
            #expect(result?["status"]?.stringValue == "failed", "stdout: \(real.stdout) stderr: \(real.stderr)")
            #expect(result?["sandbox"]?.boolValue == false)
            #expect(json["sandbox"]?.boolValue == false)
            #expect(real.stdout.contains("0.0.0.0"), "the error names the real endpoint")
            #expect(try await Self.sandbox(dir).readAsync().entries.count == 1, "the sandbox record is untouched")
        }
    }

    @Test("history lists both records with their sandbox field; --sandbox/--real, csv, show, status and forget reach both")
    func historyMergesBothRecords() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let sha = try await Self.digest(dir)
            try await Self.real(dir).updateAsync { $0.entries = [Self.realEntry(id: "aaa111111111", platform: "youtube", sha256: sha)] }
            let post = try await AtomBinary.run(
                ["post", Self.video, "--sandbox", "--to", "tiktok", "--caption", "x"], environment: environment, directory: dir)
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let sandboxID = try #require(try await Self.sandbox(dir).readAsync().entries.first?.id)

            let all = try Self.entries(try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir).stdout)
            let flags = Dictionary(uniqueKeysWithValues: all.compactMap { entry in
                entry["id"]?.stringValue.map { ($0, entry["sandbox"]?.boolValue) }
            })
            #expect(flags == ["aaa111111111": false, sandboxID: true])
            let onlySandbox = try Self.entries(
                try await AtomBinary.run(["history", "--json", "--sandbox"], environment: environment, directory: dir).stdout)
            #expect(onlySandbox.map { $0["id"]?.stringValue } == [sandboxID])
            let onlyReal = try Self.entries(try await AtomBinary.run(["history", "--json", "--real"], environment: environment, directory: dir).stdout)
            #expect(onlyReal.map { $0["id"]?.stringValue } == ["aaa111111111"])
            let csv = try await AtomBinary.run(["history", "--format", "csv"], environment: environment, directory: dir)
            let rows = csv.stdout.split(separator: "\n").map(String.init)
            #expect(rows.count == 3)
            #expect(rows.contains { $0.hasPrefix(sandboxID + ",") && $0.hasSuffix(",true") })
            #expect(rows.contains { $0.hasPrefix("aaa111111111,") && $0.hasSuffix(",false") })
            let table = try await AtomBinary.run(["history"], environment: environment, directory: dir)
            #expect(table.stdout.contains("tiktok*") && table.stdout.contains("* sandbox: not posted anywhere real"))

            // `history show` of a sandbox entry says so, as the record used to.
            let show = try await AtomBinary.run(["history", "show", sandboxID, "--json"], environment: environment, directory: dir)
            #expect(show.code == 0, "stderr: \(show.stderr)")
            let shown = try JSONDecoder().decode(JSONValue.self, from: Data(show.stdout.utf8)).objectValue?["entry"]?.objectValue
            #expect(shown?["id"]?.stringValue == sandboxID)
            #expect(shown?["sandbox"]?.boolValue == true)
            let showReal = try await AtomBinary.run(["history", "show", "aaa111111111", "--json"], environment: environment, directory: dir)
            #expect(JSONValue.parsed(showReal.stdout)?.objectValue?["entry"]?.objectValue?["sandbox"] == nil)

            // `status` finds either; a published entry is settled and printed.
            let status = try await AtomBinary.run(["status", sandboxID, "--json"], environment: environment, directory: dir)
            #expect(status.code == 0, "stderr: \(status.stderr)")
            #expect(JSONValue.parsed(status.stdout)?.objectValue?["sandbox"]?.boolValue == true)

            // `unpublish` checks --sandbox against the record the entry is in.
            let unpublish = try await AtomBinary.run(
                ["unpublish", sandboxID, "--platform", "tiktok", "--yes"], environment: environment, directory: dir)
            #expect(unpublish.code != 0)
            #expect(unpublish.stderr.contains("was posted to the sandbox: add --sandbox"))

            let forget = try await AtomBinary.run(["history", "forget", "--all"], environment: environment, directory: dir)
            #expect(forget.code == 0, "stderr: \(forget.stderr)")
            #expect(forget.stdout.contains(sandboxID) && forget.stdout.contains("aaa111111111"))
            #expect(try await Self.real(dir).readAsync().entries.isEmpty)
            #expect(try await Self.sandbox(dir).readAsync().entries.isEmpty)
        }
    }

    /// `records.json` as atom wrote it before the sandbox had its own record: one real entry, one sandbox entry
    /// (`"sandbox": true`), and the staging record of the sandbox entry's video.
    static let legacyRecord = """
        {
          "entries" : [
            {
              "createdAt" : "2026-11-01T10:00:00Z", "finishedAt" : "2026-11-01T10:01:00Z", "id" : "aaa111111111",
              "platform" : "youtube", "postId" : "yt-1", "sha256" : "\(String(repeating: "a", count: 64))", "sizeBytes" : 10,
              "startedAt" : "2026-11-01T10:00:00Z", "status" : "published", "updatedAt" : "2026-11-01T10:01:00Z",
              "url" : "https://youtube.test/yt-1", "video" : "/videos/real.mp4"
            },
            {
              "createdAt" : "2026-11-02T10:00:00Z", "finishedAt" : "2026-11-02T10:01:00Z", "id" : "bbb222222222",
              "platform" : "tiktok", "postId" : "tt-1", "sandbox" : true, "sha256" : "\(String(repeating: "b", count: 64))",
              "sizeBytes" : 20, "startedAt" : "2026-11-02T10:00:00Z", "status" : "published",
              "updatedAt" : "2026-11-02T10:01:00Z", "video" : "/videos/sandbox.mp4"
            }
          ],
          "staging" : [
            {
              "createdAt" : "2026-11-02T10:00:00Z", "key" : "atom/bbb", "location" : "http://127.0.0.1:9/s3/bucket/atom/bbb",
              "released" : false, "sha256" : "\(String(repeating: "b", count: 64))", "size" : 20, "updatedAt" : "2026-11-02T10:00:00Z"
            }
          ],
          "version" : 1
        }
        """

    @Test("an earlier version's records.json: its sandbox entries (and their staging) move to the sandbox record once")
    func migratesLegacySandboxEntries() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            try Self.legacyRecord.write(toFile: dir + "/state/records.json", atomically: true, encoding: .utf8)
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            #expect(history.code == 0, "stderr: \(history.stderr)")
            let flags = Dictionary(uniqueKeysWithValues: try Self.entries(history.stdout).compactMap { entry in
                entry["id"]?.stringValue.map { ($0, entry["sandbox"]?.boolValue) }
            })
            #expect(flags == ["aaa111111111": false, "bbb222222222": true])
            let real = try await Self.real(dir).readAsync()
            let sandbox = try await Self.sandbox(dir).readAsync()
            #expect(real.entries.map(\.id) == ["aaa111111111"])
            #expect(real.staging.isEmpty)
            #expect(sandbox.entries.map(\.id) == ["bbb222222222"])
            #expect(sandbox.entries.first?.postId == "tt-1")
            #expect(sandbox.staging.map(\.key) == ["atom/bbb"])
            let text = try String(contentsOfFile: dir + "/state/records.json", encoding: .utf8)
            #expect(!text.contains("\"sandbox\""))
            // Once: a second run changes nothing.
            let second = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            #expect(second.stdout == history.stdout)
            #expect(try await Self.sandbox(dir).readAsync() == sandbox)
        }
    }

    @Test("a move cut short (the sandbox record written, records.json not yet) is finished without a second copy")
    func migrationFinishesAfterCrash() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            try Self.legacyRecord.write(toFile: dir + "/state/records.json", atomically: true, encoding: .utf8)
            // The state a crash between the two writes leaves: the entry is already in the sandbox record (and has
            // moved on there since), and still marked in records.json.
            let legacy = try JSONDecoder.atom.decode(RecordFile.self, from: Data(Self.legacyRecord.utf8))
            var moved = try #require(legacy.entries.last)
            moved.status = .deleted
            let copy = moved
            try await Self.sandbox(dir).updateAsync { $0.entries = [copy] }
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            #expect(history.code == 0, "stderr: \(history.stderr)")
            #expect(try Self.entries(history.stdout).count == 2)
            #expect(try await Self.real(dir).readAsync().entries.map(\.id) == ["aaa111111111"])
            let sandbox = try await Self.sandbox(dir).readAsync().entries
            #expect(sandbox.map(\.id) == ["bbb222222222"])
            #expect(sandbox.first?.status == .deleted, "the sandbox record's own copy wins")
        }
    }

    @Test("a move that cannot write the sandbox record is reported, and records.json keeps the entry")
    func migrationWriteFailureIsReported() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            try Self.legacyRecord.write(toFile: dir + "/state/records.json", atomically: true, encoding: .utf8)
            // A folder where the sandbox record's file should be: it reads as empty but cannot be replaced.
            try FileManager.default.createDirectory(atPath: dir + "/state/sandbox-records.json", withIntermediateDirectories: true)
            try "keep".write(toFile: dir + "/state/sandbox-records.json/x", atomically: true, encoding: .utf8)
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            #expect(history.code != 0)
            #expect(history.stdout.contains("sandbox-records.json"), "stdout: \(history.stdout) stderr: \(history.stderr)")
            let text = try String(contentsOfFile: dir + "/state/records.json", encoding: .utf8)
            #expect(text == Self.legacyRecord, "records.json is left as it was")
        }
    }
}

extension JSONValue {
    /// Parses `text`, or `nil`.
    static func parsed(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
}
