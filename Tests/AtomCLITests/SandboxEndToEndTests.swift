import AtomTestSupport
import Foundation
import PublishingCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `atom sandbox` running in its own process, and the built `atom` posting to it like a user's script would.
@Suite("End to end: atom post against atom sandbox (two processes)")
struct SandboxEndToEndTests {
    /// The platforms the sandbox serves in this build.
    static let platforms = ["tiktok", "instagram", "youtube", "facebook"]

    @Test("posts to every platform at once: exit 0, JSON results, bytes received, staged copy deleted, record written")
    func postToSandbox() async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start()
            defer { sandbox.stop() }
            var dotEnv = "# written by the end-to-end test\n"
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let video = Fixtures.path("vertical.mp4")
            let environment = ["ATOM_STATE_DIR": dir + "/state"]
            let result = try await AtomBinary.run(
                ["post", video, "--to", Self.platforms.joined(separator: ","), "--caption", "Sunrise over the bay #sunrise", "--json"],
                environment: environment, directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: video))
            #expect(json["sha256"]?.stringValue == sha)
            let results = json["results"]?.arrayValue ?? []
            #expect(results.compactMap { $0.objectValue?["platform"]?.stringValue } == Self.platforms)
            for entry in results.compactMap(\.objectValue) {
                #expect(entry["status"]?.stringValue == "published")
                #expect(entry["postId"]?.stringValue?.isEmpty == false)
                #expect(entry["error"] == .null)
                #expect(entry["id"]?.stringValue?.isEmpty == false)
            }
            // What each fake received, from the sandbox's inspection endpoint.
            let state = try await sandbox.state()
            let size = try #require(try FileManager.default.attributesOfItem(atPath: video)[.size] as? Int64)
            for platform in Self.platforms {
                let uploads = state.uploads.filter { $0.platform == platform }
                #expect(uploads.count == 1, "\(platform) uploads: \(uploads)")
                #expect(uploads.first?.bytes == size)
                #expect(uploads.first?.sha256 == sha)
            }
            #expect(state.storedObjects.isEmpty, "staged objects left behind: \(state.storedObjects)")
            // The record lists the post.
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(Set(entries.compactMap { $0["platform"]?.stringValue }) == Set(Self.platforms))
            #expect(entries.allSatisfy { $0["status"]?.stringValue == "published" && $0["sha256"]?.stringValue == sha })
            // A second post of the same file is skipped everywhere.
            let again = try await AtomBinary.run(["post", video, "--to", Self.platforms.joined(separator: ","), "--caption", "x", "--json"],
                                                 environment: environment, directory: dir)
            #expect(again.code == 0)
            let skipped = try JSONDecoder().decode(JSONValue.self, from: Data(again.stdout.utf8)).objectValue?["results"]?.arrayValue ?? []
            #expect(skipped.allSatisfy { $0.objectValue?["status"]?.stringValue == "skipped" })
        }
    }
}

extension SandboxEndToEndTests {
    @Test("a symbolic link to the video posts, and `atom digest` reads it; a FIFO is refused (65) without waiting")
    func symlinkedVideoPosts() async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start()
            defer { sandbox.stop() }
            var dotEnv = ""
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let video = Fixtures.path("vertical.mp4")
            let link = dir + "/latest.mp4"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: video)
            let environment = ["ATOM_STATE_DIR": dir + "/state"]
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: video))
            let digest = try await AtomBinary.run(["digest", link], environment: environment, directory: dir)
            #expect(digest.code == 0, "stderr: \(digest.stderr)")
            #expect(digest.stdout.hasPrefix(sha))
            let result = try await AtomBinary.run(
                ["post", link, "--to", "youtube", "--caption", "Linked", "--json"], environment: environment,
                directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            let state = try await sandbox.state()
            #expect(state.uploads.filter { $0.platform == "youtube" }.map(\.sha256) == [sha])
            let fifo = dir + "/pipe.mp4"
            #expect(mkfifo(fifo, 0o600) == 0)
            let refused = try await AtomBinary.run(
                ["post", fifo, "--to", "youtube", "--caption", "x"], environment: environment, directory: dir)
            #expect(refused.code == 65)
            #expect(refused.stderr.contains("is not a regular file"))
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
}

/// `atom sandbox --port 0` in a child process.
final class SandboxProcess: @unchecked Sendable {
    let process: Process
    let environment: [String: String]
    /// With `--json`: the object it printed.
    let ready: JSONValue?

    struct State: Decodable {
        struct Upload: Decodable { var platform: String; var id: String; var bytes: Int64; var sha256: String }
        struct Cover: Decodable { var platform: String; var id: String; var format: String?; var sha256: String?; var frameMs: Int? }
        var uploads: [Upload]
        var storedObjects: [String]
        var covers: [Cover]
    }

    private init(process: Process, environment: [String: String], ready: JSONValue?) {
        self.process = process
        self.environment = environment
        self.ready = ready
    }

    static func start(executable: String = "atom", json: Bool = false) throws -> SandboxProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: AtomBinary.path(of: executable))
        process.arguments = ["sandbox", "--port", "0"] + (json ? ["--json"] : [])
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains(json ? "\n" : "# ready\n"), Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        var environment: [String: String] = [:]
        var ready: JSONValue?
        if json {
            ready = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            for (key, value) in ready?.objectValue?["environment"]?.objectValue ?? [:] { environment[key] = value.stringValue }
        } else {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
            }
        }
        guard json ? ready != nil : text.contains("# ready") else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "atom sandbox did not start: \(text)"])
        }
        return SandboxProcess(process: process, environment: environment, ready: ready)
    }

    /// The inspection endpoint's view.
    func state() async throws -> State {
        let root = ready?.objectValue?["root"]?.stringValue.flatMap(URL.init(string:))
        guard let base = root ?? environment["ATOM_YOUTUBE_API_BASE"].flatMap(URL.init(string:)) else { throw CocoaError(.fileReadUnknown) }
        let url = base.origin.appendingPathComponent("_sandbox/state")
        let data = try await TestTransport.get(url)
        return try JSONDecoder().decode(State.self, from: data)
    }

    func stop() {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }
}
