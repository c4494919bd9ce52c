import AtomTestSupport
import Foundation
import PublishingCore
import Testing

/// The promise "a platform is one module": `atom-with-toy` is atom's composition root plus one line (the toy
/// plug-in, Examples/ToyPlatform), and the toy goes through the sandbox, `validate`, `post` and `history`.
@Suite("A fifth platform added by one line: the toy plug-in end to end")
struct ToyPlatformTests {
    static let binary = "atom-with-toy"

    @Test("atom sandbox --json: one JSON object with the root, each service's base URL and the .env settings")
    func sandboxJSON() async throws {
        let sandbox = try SandboxProcess.start(json: true)
        defer { sandbox.stop() }
        let ready = try #require(sandbox.ready?.objectValue)
        #expect(ready["schemaVersion"] == .number(1))
        let root = try #require(ready["root"]?.stringValue)
        #expect(root.hasPrefix("http://127.0.0.1:"))
        let services = try #require(ready["services"]?.objectValue)
        #expect(services["/tiktok"]?.stringValue == root + "/tiktok")
        #expect(services["/s3"]?.stringValue == root + "/s3")
        #expect(services["/toy"] == nil, "the shipped atom does not list the toy")
        #expect(sandbox.environment["ATOM_TIKTOK_API_BASE"] == root + "/tiktok")
        #expect(try await sandbox.state().uploads.isEmpty)
    }

    @Test("the toy is listed, validates, posts to its fake in the sandbox and shows in history")
    func toyEndToEnd() async throws {
        let shipped = try await AtomBinary.run(["platforms", "--json"])
        #expect(!shipped.stdout.contains("\"toy\""))
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start(executable: Self.binary, json: true)
            defer { sandbox.stop() }
            let services = sandbox.ready?.objectValue?["services"]?.objectValue ?? [:]
            #expect(services["/toy"] != nil)
            #expect(sandbox.environment["TOY_TOKEN"] == "sandbox-toy-token")
            var dotEnv = ""
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let environment = ["ATOM_STATE_DIR": dir + "/state"]
            let run = { (arguments: [String]) in
                try await AtomBinary.run(arguments, environment: environment, directory: dir, executable: Self.binary)
            }

            let platforms = try await run(["platforms", "--json"])
            #expect(platforms.code == 0, "\(platforms.stderr)")
            #expect(platforms.stdout.contains("\"toy\""))

            let video = Fixtures.path("vertical.mp4")
            let validated = try await run(["validate", video, "--to", "toy", "--json"])
            #expect(validated.code == 0, "\(validated.stdout) \(validated.stderr)")

            let posted = try await run(["post", video, "--to", "toy", "--caption", "a toy post", "--json"])
            #expect(posted.code == 0, "\(posted.stdout) \(posted.stderr)")
            let results = try JSONDecoder().decode(JSONValue.self, from: Data(posted.stdout.utf8)).objectValue?["results"]
            let entry = try #require(results?.arrayValue?.first?.objectValue)
            #expect(entry["platform"]?.stringValue == "toy")
            #expect(entry["status"]?.stringValue == "published")
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: video))
            let uploads = try await sandbox.state().uploads.filter { $0.platform == "toy" }
            #expect(uploads.count == 1)
            #expect(uploads.first?.sha256 == sha)

            let history = try await run(["history", "--json"])
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.contains { $0["platform"]?.stringValue == "toy" && $0["status"]?.stringValue == "published" })

            // The built-in sandbox of the same binary mounts the toy's fake too.
            let inSandbox = try await run(["post", video, "--to", "toy", "--sandbox", "--force", "--json"])
            #expect(inSandbox.code == 0, "\(inSandbox.stdout) \(inSandbox.stderr)")
        }
    }
}
