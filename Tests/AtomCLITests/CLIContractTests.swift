import AtomTestSupport
import Foundation
import PublishingCore
@testable import PublishingEngine
import Testing

/// The CLI people expect (issue 20): configuration found from anywhere, one output contract, a display that
/// fits, a history that keeps everything. Every test runs the built binary as a user or script would.
@Suite("atom CLI contract (built binary)")
struct CLIContractTests {
    static let platforms = ["tiktok", "instagram", "youtube", "facebook"]

    // MARK: Configuration found from anywhere

    @Test("with no ./.env, $XDG_CONFIG_HOME/atom/.env is used, and ATOM_STATE_DIR set in it moves the record")
    func xdgConfiguration() async throws {
        try await TemporaryDirectory.with { dir in
            let config = dir + "/config/atom"
            try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
            try "TIKTOK_ACCESS_TOKEN=fake-short\nATOM_STATE_DIR=\(dir)/from-dotenv\n".write(
                toFile: config + "/.env", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
            let result = try await AtomBinary.run(
                ["platforms"], environment: ["XDG_CONFIG_HOME": dir + "/config", "HOME": dir + "/home"], directory: dir + "/elsewhere")
            #expect(result.code == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("configuration: \(config)/.env (XDG_CONFIG_HOME)"))
            #expect(result.stdout.contains("record: \(dir)/from-dotenv (ATOM_STATE_DIR in the .env file)"))
        }
    }

    @Test("./.env wins over the XDG file; with neither, the record goes to $XDG_STATE_HOME/atom")
    func searchOrder() async throws {
        try await TemporaryDirectory.with { dir in
            try "# local\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let local = try await AtomBinary.run(["platforms"], environment: ["HOME": dir + "/home"], directory: dir)
            #expect(local.stdout.contains("configuration: \(dir)/.env (./.env)"))
            try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
            let neither = try await AtomBinary.run(
                ["platforms"], environment: ["HOME": dir + "/home", "XDG_STATE_HOME": dir + "/state"], directory: dir + "/empty")
            #expect(neither.stdout.contains("configuration: \(dir)/home/.config/atom/.env (XDG_CONFIG_HOME; does not exist yet)"))
            #expect(neither.stdout.contains("record: \(dir)/state/atom (XDG_STATE_HOME)"))
        }
    }

    @Test("an explicit .env file that does not exist is a configuration error (78)", arguments: [true, false])
    func missingExplicitFile(viaFlag: Bool) async throws {
        try await TemporaryDirectory.with { dir in
            let missing = dir + "/nope.env"
            let result = try await AtomBinary.run(
                viaFlag ? ["platforms", "--env-file", missing] : ["platforms"],
                environment: viaFlag ? ["HOME": dir] : ["HOME": dir, "ATOM_ENV_FILE": missing], directory: dir)
            #expect(result.code == 78)
            #expect(result.stderr.contains("\(missing) (from \(viaFlag ? "--env-file" : "ATOM_ENV_FILE")) does not exist"))
        }
    }

    // MARK: One output contract

    @Test("validate prints its report on stdout, so `atom validate x > report.txt` keeps it")
    func validateOnStdout() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "youtube", "--caption", "x"], environment: ["HOME": dir], directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("youtube: ok"))
        }
    }

    @Test("usage errors answer in JSON with --json, and unknown names get a 'did you mean'",
          arguments: [
              (["history", "--platform", "tiktk", "--json"], "did you mean 'tiktok'?"),
              (["pots", "clip.mp4", "--json"], "did you mean 'post'?"),
              (["validate", "clip.mp4", "--to", "youtub", "--json"], "did you mean 'youtube'?"),
              (["history", "--status", "publisehd", "--json"], "did you mean 'published'?"),
          ])
    func usageErrors(arguments: [String], suggestion: String) async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(arguments, environment: ["HOME": dir], directory: dir)
            #expect(result.code == 64)
            #expect(result.stderr.contains(suggestion))
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            #expect(json["schemaVersion"] == .number(1))
            let error = json["error"]?.objectValue ?? [:]
            #expect(error["code"]?.stringValue == "usage")
            #expect(error["exitCode"] == .number(64))
            #expect(error["message"]?.stringValue?.contains(suggestion) == true)
        }
    }

    @Test("a refusal in JSON lists {platform, field, problem}")
    func refusalsInJSON() async throws {
        try await TemporaryDirectory.with { dir in
            let caption = String(repeating: "a", count: 2201)
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "instagram", "--caption", caption, "--json"],
                environment: ["HOME": dir], directory: dir)
            #expect(result.code == 65)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            let refusals = json["refusals"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(refusals.count == 1)
            #expect(refusals.first?["platform"]?.stringValue == "instagram")
            #expect(refusals.first?["field"]?.stringValue?.contains("caption") == true)
            #expect(refusals.first?["problem"]?.stringValue?.contains("2200") == true)
        }
    }

    @Test("post to the sandbox: one stdout line per platform, the table (with record ids) on stderr, every JSON key present")
    func postOutput() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let video = Fixtures.path("vertical.mp4")
            let result = try await AtomBinary.run(
                ["post", video, "--sandbox", "--to", "all", "--caption", "Sunrise"], environment: environment, directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == Self.platforms.map { "\($0) published" })
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.count == 4)
            for entry in entries {
                #expect(result.stderr.contains(entry["id"]?.stringValue ?? "?"), "the table shows the record id")
                for key in ["schemaVersion", "id", "platform", "status", "postId", "url", "video", "sha256", "createdAt", "updatedAt",
                            "startedAt", "finishedAt", "error", "note", "sandbox", "previousPostIds"] {
                    #expect(entry[key] != nil, "history entry lacks \(key)")
                }
            }
        }
    }

    // MARK: A history that keeps everything

    @Test("--force keeps every attempt as its own entry; history filters and csv")
    func forceAndHistory() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let video = Fixtures.path("vertical.mp4")
            let first = try await AtomBinary.run(
                ["post", video, "--sandbox", "--to", "youtube", "--caption", "first", "--json"], environment: environment, directory: dir)
            #expect(first.code == 0, "stderr: \(first.stderr)")
            let forced = try await AtomBinary.run(
                ["post", video, "--sandbox", "--to", "youtube", "--caption", "second", "--force", "--json"], environment: environment,
                directory: dir)
            #expect(forced.code == 0, "stderr: \(forced.stderr)")
            let firstURL = try JSONDecoder().decode(JSONValue.self, from: Data(first.stdout.utf8))
                .objectValue?["results"]?.arrayValue?.first?.objectValue?["url"]?.stringValue
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.count == 2)
            #expect(entries.last?["url"]?.stringValue == firstURL, "the first attempt keeps its URL")
            #expect(entries.first?["previousPostIds"]?.arrayValue?.count == 1)
            let limited = try await AtomBinary.run(["history", "--json", "--limit", "1", "--sandbox", "--since", "1h", "--status", "published"],
                                                   environment: environment, directory: dir)
            #expect(try JSONDecoder().decode([JSONValue].self, from: Data(limited.stdout.utf8)).count == 1)
            let real = try await AtomBinary.run(["history", "--json", "--real"], environment: environment, directory: dir)
            #expect(try JSONDecoder().decode([JSONValue].self, from: Data(real.stdout.utf8)).isEmpty)
            let csv = try await AtomBinary.run(["history", "--format", "csv"], environment: environment, directory: dir)
            let rows = csv.stdout.split(separator: "\n")
            #expect(rows.first?.hasPrefix("id,platform,status,postId,url,video,sha256,createdAt") == true)
            #expect(rows.count == 3)
        }
    }

    // MARK: atom status of a whole post, ambiguous prefixes

    /// Writes a record with two published entries of one video whose ids share a prefix.
    static func writeRecord(_ dir: String) throws -> String {
        let sha = String(repeating: "ab", count: 32)
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        let entries = [("abc111111111", "tiktok"), ("abc222222222", "youtube")].map { id, platform in
            PostRecord(id: id, platform: PlatformID(platform), status: .published, postId: "p-\(platform)", url: "https://example.test/\(platform)",
                       video: "/videos/clip.mp4", sha256: sha, sizeBytes: 10, createdAt: time, updatedAt: time, startedAt: time, finishedAt: time)
        }
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        try JSONEncoder.atom.encode(RecordFile(entries: entries)).write(to: URL(fileURLWithPath: dir + "/state/records.json"))
        return sha
    }

    @Test("an id prefix matching several entries is 'ambiguous', listing them (65)")
    func ambiguousPrefix() async throws {
        try await TemporaryDirectory.with { dir in
            _ = try Self.writeRecord(dir)
            let result = try await AtomBinary.run(["status", "abc"], environment: ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 65)
            #expect(result.stderr.contains("'abc' is ambiguous"))
            #expect(result.stderr.contains("abc111111111") && result.stderr.contains("abc222222222"))
        }
    }

    @Test("status takes a whole post by its video's SHA-256: every platform's entry")
    func statusOfPost() async throws {
        try await TemporaryDirectory.with { dir in
            let sha = try Self.writeRecord(dir)
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            let result = try await AtomBinary.run(["status", String(sha.prefix(10)), "--json"], environment: environment, directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            #expect(json["sha256"]?.stringValue == sha)
            #expect(json["results"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ["abc111111111", "abc222222222"])
            let one = try await AtomBinary.run(["status", "abc1"], environment: environment, directory: dir)
            #expect(one.stdout == "tiktok published https://example.test/tiktok\n")
        }
    }

    // MARK: A display that fits

    @Test("at 80 columns the live display never wraps, leaves one row per platform, and says done")
    func displayFits() async throws {
        try await TemporaryDirectory.with { dir in
            var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir, "ATOM_STATE_DIR": dir + "/state"]
            environment["TERM"] = "xterm"
            let caption = "A caption long enough that any note quoting it would run past eighty columns on a terminal, easily"
            let result = try await PTYRun.run(
                AtomBinary.path, ["post", Fixtures.path("vertical.mp4"), "--sandbox", "--to", Self.platforms.joined(separator: ","), "--caption", caption],
                environment: environment, directory: dir, columns: 80)
            #expect(result.code == 0, "terminal: \(result.terminal)")
            var screen = TerminalScreen(columns: 80)
            screen.feed(result.terminal)
            #expect(screen.wraps == 0, "a line reached the margin and wrapped:\n\(screen.lines.joined(separator: "\n"))")
            #expect(screen.lines.allSatisfy { $0.count <= 80 })
            // The live rows are what is above the summary table's header.
            let header = try #require(screen.lines.firstIndex { $0.hasPrefix("platform ") && $0.contains("status") })
            let lines = Array(screen.lines[..<header])
            for platform in Self.platforms {
                let rows = lines.filter { $0.hasPrefix(platform + " ") }
                #expect(rows.count == 1, "\(platform) rows: \(rows)")
                #expect(rows.first?.hasSuffix("published") == true, "\(platform) row: \(rows)")
            }
            let video = lines.filter { $0.hasPrefix("video ") }
            #expect(video.count == 1)
            #expect(video.first?.contains("done") == true, "the hashing row says done: \(video)")
            #expect(result.terminal.contains("\u{1B}[32mpublished"), "status words are coloured on a terminal")
            // NO_COLOR turns colour off; a piped stdout never gets it.
            environment["NO_COLOR"] = "1"
            let plain = try await PTYRun.run(
                AtomBinary.path, ["post", Fixtures.path("vertical.mp4"), "--sandbox", "--to", "youtube", "--caption", "again", "--force"],
                environment: environment, directory: dir, columns: 80)
            #expect(plain.code == 0)
            #expect(!plain.terminal.contains("\u{1B}[3"))
            #expect(!plain.stdout.contains("\u{1B}"))
        }
    }

    @Test("Ctrl-C at 80 columns: the notice stays on screen once, no duplicate rows, exit 130")
    func interruptedDisplay() async throws {
        try await TemporaryDirectory.with { dir in
            let video = dir + "/big.mp4"
            try SparseVideo.make(from: Fixtures.path("vertical.mp4"), to: video, size: 1 << 29)
            let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir,
                               "ATOM_STATE_DIR": dir + "/state", "TERM": "xterm"]
            let result = try await PTYRun.run(
                AtomBinary.path, ["post", video, "--sandbox", "--to", "youtube,tiktok", "--caption", "big"], environment: environment, directory: dir,
                columns: 80, interruptWhen: "uploading")
            #expect(result.code == 130, "terminal: \(result.terminal)")
            var screen = TerminalScreen(columns: 80)
            screen.feed(result.terminal)
            #expect(screen.wraps == 0, "\(screen.lines.joined(separator: "\n"))")
            let header = screen.lines.firstIndex { $0.hasPrefix("platform ") && $0.contains("status") } ?? screen.lines.count
            let live = Array(screen.lines[..<header])
            #expect(live.filter { $0.hasPrefix("interrupting: stopping uploads") }.count == 1, "\(live)")
            for platform in ["youtube", "tiktok"] {
                let rows = live.filter { $0.hasPrefix(platform + " ") }
                #expect(rows.count == 1, "\(platform) rows: \(rows)")
                #expect(rows.first?.hasSuffix("interrupted") == true, "\(rows)")
            }
        }
    }

    @Test("history shows local time by default and UTC with --utc")
    func historyDates() async throws {
        try await TemporaryDirectory.with { dir in
            _ = try Self.writeRecord(dir)
            let environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state", "TZ": "Asia/Tokyo"]
            let local = try await AtomBinary.run(["history"], environment: environment, directory: dir)
            #expect(local.stdout.contains("2026-09-21 23:13"), "\(local.stdout)")  // 1_790_000_000 in Tokyo (UTC+9)
            let utc = try await AtomBinary.run(["history", "--utc"], environment: environment, directory: dir)
            #expect(utc.stdout.contains("2026-09-21 14:13 UTC"), "\(utc.stdout)")
            #expect(utc.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        }
    }
}
