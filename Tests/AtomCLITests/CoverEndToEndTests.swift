import AtomTestSupport
import Foundation
import PublishingCore
import Testing

/// `atom post … --cover … --cover-at …` against `atom sandbox` in its own process.
@Suite("End to end: one cover for every platform")
struct CoverEndToEndTests {
    static let platforms = SandboxEndToEndTests.platforms

    static func withSandbox(_ body: (SandboxProcess, String, [String: String]) async throws -> Void) async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start()
            defer { sandbox.stop() }
            var dotEnv = ""
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            try await body(sandbox, dir, ["ATOM_STATE_DIR": dir + "/state"])
        }
    }

    @Test("--cover and --cover-at: each platform gets the cover it can take, the staged image is deleted")
    func coverEverywhere() async throws {
        try await Self.withSandbox { sandbox, dir, environment in
            let arguments = [
                Fixtures.path("vertical.mp4"), "--to", Self.platforms.joined(separator: ","), "--caption", "Sunrise",
                "--cover", Fixtures.path("cover.jpg"), "--cover-at", "1.5", "--json",
            ]
            let plan = try await AtomBinary.run(
                ["post"] + arguments + ["--dry-run"], environment: environment, directory: dir)
            #expect(plan.code == 0, "stderr: \(plan.stderr)")
            let planned = try JSONDecoder().decode(JSONValue.self, from: Data(plan.stdout.utf8)).objectValue ?? [:]
            let notes = Dictionary(
                uniqueKeysWithValues: (planned["platforms"]?.arrayValue ?? []).compactMap(\.objectValue).map {
                    ($0["platform"]?.stringValue ?? "", ($0["notes"]?.arrayValue ?? []).compactMap(\.stringValue))
                })
            #expect(
                notes["tiktok"]?.contains("cover: TikTok's API takes no cover image; using the frame at 1.5 s") == true)
            #expect(notes["instagram"]?.contains { $0.hasPrefix("cover: the image cover.jpg (JPEG 720×1280") } == true)
            #expect(notes["youtube"]?.contains { $0.contains("uploaded once the video is up") } == true)

            let result = try await AtomBinary.run(["post"] + arguments, environment: environment, directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            let results = (json["results"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(results.count == 4)
            for entry in results {
                #expect(entry["status"]?.stringValue == "published")
                #expect(entry["cover"]?.objectValue?["state"]?.stringValue == "set", "\(entry)")
            }
            let tiktok = try #require(results.first { $0["platform"]?.stringValue == "tiktok" })
            #expect(tiktok["cover"]?.objectValue?["reason"]?.stringValue == "TikTok's API takes no cover image")

            let state = try await sandbox.state()
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("cover.jpg")))
            #expect(state.covers.first { $0.platform == "tiktok" }?.frameMs == 1500)
            for platform in ["instagram", "youtube", "facebook"] {
                let covers = state.covers.filter { $0.platform == platform }
                #expect(covers.count == 1, "\(platform): \(covers)")
                #expect(covers.first?.format == "jpeg")
                #expect(covers.first?.sha256 == sha)
            }
            #expect(state.storedObjects.isEmpty, "staged objects left behind: \(state.storedObjects)")
            // The record keeps each cover's outcome.
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.count == 4)
            #expect(entries.allSatisfy { $0["cover"]?.objectValue?["state"]?.stringValue == "set" })
        }
    }

    @Test("a 25 MB cover and a text file named .jpg are refused with 65, every problem listed, before any upload")
    func badCoversRefused() async throws {
        try await Self.withSandbox { sandbox, dir, environment in
            let huge = dir + "/huge.jpg"
            try Data(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("cover.jpg"))).prefix(1024))
                .write(to: URL(fileURLWithPath: huge))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
            try handle.truncate(atOffset: 25 << 20)
            try handle.close()
            let text = dir + "/notes.jpg"
            try "not a picture\n".write(toFile: text, atomically: true, encoding: .utf8)
            let video = Fixtures.path("vertical.mp4")
            let to = Self.platforms.joined(separator: ",")

            let big = try await AtomBinary.run(
                ["post", video, "--to", to, "--caption", "x", "--cover", huge], environment: environment, directory: dir
            )
            #expect(big.code == 65, "stderr: \(big.stderr)")
            #expect(big.stderr.contains("youtube: cover: 25.0 MiB is over YouTube's 2.0 MiB cover limit"))
            #expect(big.stderr.contains("instagram: cover: 25.0 MiB is over Instagram's 8.0 MiB cover limit"))
            #expect(big.stderr.contains("facebook: cover: 25.0 MiB is over Facebook's 10.0 MiB cover limit"))

            let notImage = try await AtomBinary.run(
                ["post", video, "--to", to, "--caption", "x", "--cover", text, "--cover-at", "1"],
                environment: environment,
                directory: dir)
            #expect(notImage.code == 65, "stderr: \(notImage.stderr)")
            #expect(notImage.stderr.contains("is not a JPEG or PNG image"))

            let state = try await sandbox.state()
            #expect(state.uploads.isEmpty, "uploads: \(state.uploads)")
            #expect(state.covers.isEmpty)
            #expect(state.storedObjects.isEmpty)
        }
    }

    @Test("manifest covers: per-platform values over flags over the top level, each checked (validate, offline)")
    func manifestPrecedence() async throws {
        try await TemporaryDirectory.with { dir in
            try "not a picture\n".write(toFile: dir + "/notes.jpg", atomically: true, encoding: .utf8)
            let manifest = """
                caption: Sunrise
                cover: \(Fixtures.path("cover.jpg"))
                cover_at: 3
                platforms:
                  tiktok: {cover_at: 2}
                  youtube: {cover: \(dir)/notes.jpg}
                """
            try manifest.write(toFile: dir + "/post.yaml", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(
                [
                    "validate", Fixtures.path("vertical.mp4"), "--to", "tiktok,youtube,facebook", "--manifest",
                    dir + "/post.yaml",
                    "--cover-at", "1", "--json",
                ],
                environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 65, "stderr: \(result.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            let platforms = Dictionary(
                uniqueKeysWithValues: (json["platforms"]?.arrayValue ?? []).compactMap(\.objectValue).map {
                    ($0["platform"]?.stringValue ?? "", $0)
                })
            let tiktokNotes = (platforms["tiktok"]?["notes"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(
                tiktokNotes.contains("cover: TikTok's API takes no cover image; using the frame at 2 s"),
                "\(tiktokNotes)")
            let youtubeIssues = (platforms["youtube"]?["issues"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(
                youtubeIssues.contains { $0.hasPrefix("cover: cover \(dir)/notes.jpg is not a JPEG or PNG image") },
                "\(youtubeIssues)")
            #expect(platforms["facebook"]?["ok"] == .bool(true))
            let facebookNotes = (platforms["facebook"]?["notes"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(facebookNotes.contains { $0.hasPrefix("cover: the image cover.jpg") })
        }
    }
}
