import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("atom CLI basics (built binary)")
struct CLIBasicsTests {
    @Test("an unknown platform is a usage error (64) that lists the known ones")
    func unknownPlatform() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(["validate", Fixtures.path("vertical.mp4"), "--to", "myspace"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 64)
            #expect(result.stderr.contains("unknown platform 'myspace'"))
            #expect(result.stderr.contains("known:"))
        }
    }

    @Test("a malformed .env is a configuration error (78) naming the file and line")
    func malformedEnv() async throws {
        try await TemporaryDirectory.with { dir in
            try "GOOD=1\nthis line is broken\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(["platforms"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 78)
            #expect(result.stderr.contains(".env:2:"))
        }
    }

    @Test("atom platforms shows which Instagram API setup a token means, and why")
    func platformsShowsInstagramSetup() async throws {
        try await TemporaryDirectory.with { dir in
            let token = "EAA" + "-test-facebook-login"
            try "INSTAGRAM_ACCESS_TOKEN=\(token)\nINSTAGRAM_USER_ID=17841400000000001\n".write(
                toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(["platforms"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            #expect(
                result.stdout.contains(
                    "instagram setup: Instagram API with Facebook Login (graph.facebook.com), because the token starts with EAA"))
            #expect(!result.stdout.contains(token))
        }
    }

    @Test("history --json on a new machine is an empty array")
    func emptyHistory() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(["history", "--json"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 0)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))
            #expect(json == .array([]))
        }
    }

    @Test("status of an unknown record id is bad input (65)")
    func unknownStatus() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(["status", "nope", "--json"], environment: ["ATOM_STATE_DIR": dir], directory: dir)
            #expect(result.code == 65)
            let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(result.stdout.utf8))
            #expect(json["error"]?.objectValue?["code"] != nil)
        }
    }
}
