import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("atom CLI exit codes and JSON (built binary)")
struct CLIExitCodeTests {
    @Test("posting without credentials is a configuration error (78) naming every missing key, before any upload")
    func missingCredentials() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(
                ["post", Fixtures.path("vertical.mp4"), "--to", "youtube,tiktok", "--caption", "x", "--json"],
                environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 78)
            #expect(result.stderr.contains("YOUTUBE_REFRESH_TOKEN"))
            #expect(result.stderr.contains("TIKTOK_ACCESS_TOKEN"))
            #expect(result.stderr.contains("atom auth youtube"))
            let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(result.stdout.utf8))
            #expect(json["error"]?.objectValue?["code"]?.stringValue == "configuration")
            #expect(!FileManager.default.fileExists(atPath: dir + "/state/records.json"))
        }
    }

    @Test("a file that is not a video is bad input (65)", arguments: ["not-a-video.mp4", "truncated.mp4"])
    func notAVideo(file: String) async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path(file), "--to", "youtube", "--caption", "x"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 65)
            #expect(result.stderr.contains(file))
        }
    }

    @Test("validate --json gives each platform's verdict from its declared limits")
    func validateVerdicts() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("moov-at-end.mp4"), "--to", "tiktok,instagram,youtube,facebook", "--caption", "Sunrise #sunrise", "--json"],
                environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 65)  // Instagram needs the moov box at the front
            let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(result.stdout.utf8))
            let verdicts = Dictionary(uniqueKeysWithValues: (json["platforms"]?.arrayValue ?? []).compactMap { entry -> (String, Bool)? in
                guard let object = entry.objectValue, let name = object["platform"]?.stringValue, let ok = object["ok"]?.boolValue else { return nil }
                return (name, ok)
            })
            #expect(verdicts == ["tiktok": true, "instagram": false, "youtube": true, "facebook": true])
            #expect(json["media"]?.objectValue?["moovAtStart"]?.boolValue == false)
        }
    }

    @Test("an explicit caption over a platform's limit is refused (65), never truncated")
    func overLimit() async throws {
        try await TemporaryDirectory.with { dir in
            let caption = String(repeating: "a", count: 2201)
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "instagram,youtube", "--caption", caption],
                environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 65)
            #expect(result.stdout.isEmpty || !result.stdout.contains(caption))
            // The report is the result: on stdout (issue 20), so `atom validate … > report.txt` keeps it.
            #expect(result.stdout.contains("instagram: refused"))
            #expect(result.stdout.contains("2201 characters is over the 2200 limit"))
        }
    }
}
