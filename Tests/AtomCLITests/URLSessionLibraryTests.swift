import AtomTestSupport
import Foundation
import PublishingCore
import Testing

/// ATOM_HTTP_TRANSPORT=urlsession in the built `atom`: the AtomURLSession library it loads only then, next to it
/// (`swift build` builds it into the same folder), or where ATOM_HTTP_TRANSPORT_LIBRARY says.
@Suite("End to end: atom with ATOM_HTTP_TRANSPORT=urlsession loads the AtomURLSession library")
struct URLSessionLibraryTests {
    static let platforms = ["tiktok", "instagram", "youtube", "facebook"]

    /// The library `swift build` put next to the binary.
    static var library: String {
        URL(fileURLWithPath: AtomBinary.path).deletingLastPathComponent().appendingPathComponent(libraryName).path
    }

    #if canImport(Darwin)
    static let libraryName = "libAtomURLSession.dylib"
    #else
    static let libraryName = "libAtomURLSession.so"
    #endif

    @Test(
        "posts to every platform through URLSession in the loaded library: exit 0, every byte received",
        .enabled(if: FileManager.default.fileExists(atPath: library), "build it with `swift build` (or --product AtomURLSession)"))
    func postsThroughTheLibrary() async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start()
            defer { sandbox.stop() }
            var dotEnv = "ATOM_HTTP_TRANSPORT=urlsession\n"
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let video = Fixtures.path("vertical.mp4")
            var environment = ["ATOM_STATE_DIR": dir + "/state"]
            #if os(Linux)
            environment["LD_DEBUG"] = "files"  // glibc's loader names every library it opens, on stderr
            #endif
            let result = try await AtomBinary.run(
                ["post", video, "--to", Self.platforms.joined(separator: ","), "--caption", "Through libcurl", "--json"],
                environment: environment, directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr.suffix(4000))")
            #if os(Linux)
            #expect(result.stderr.contains(Self.libraryName), "the library was not loaded")
            #expect(result.stderr.contains("libcurl"), "libcurl was not loaded")
            #endif
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)).objectValue ?? [:]
            let statuses = (json["results"]?.arrayValue ?? []).compactMap { $0.objectValue?["status"]?.stringValue }
            #expect(statuses == Array(repeating: "published", count: Self.platforms.count), "stdout: \(result.stdout)")
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: video))
            let size = try #require(try FileManager.default.attributesOfItem(atPath: video)[.size] as? Int64)
            let state = try await sandbox.state()
            for platform in Self.platforms {
                let uploads = state.uploads.filter { $0.platform == platform }
                #expect(uploads.map(\.bytes) == [size], "\(platform) uploads: \(uploads)")
                #expect(uploads.map(\.sha256) == [sha])
            }
        }
    }

    @Test("a missing library is a configuration error (exit 78) naming the file and the fix, before any request")
    func missingLibrary() async throws {
        try await TemporaryDirectory.with { dir in
            let missing = dir + "/nowhere/" + Self.libraryName
            let video = Fixtures.path("vertical.mp4")
            let result = try await AtomBinary.run(
                ["post", video, "--to", "youtube", "--caption", "x"],
                environment: [
                    "ATOM_STATE_DIR": dir + "/state", "ATOM_HTTP_TRANSPORT": "urlsession", "ATOM_HTTP_TRANSPORT_LIBRARY": missing,
                    "ATOM_YOUTUBE_API_BASE": "http://127.0.0.1:9",
                ],
                directory: dir)
            #expect(result.code == 78, "stderr: \(result.stderr)")
            #expect(result.stderr.contains(missing))
            #expect(result.stderr.contains("swift build --product AtomURLSession"))
            #expect(result.stderr.contains("unset ATOM_HTTP_TRANSPORT"))
        }
    }

    @Test("without ATOM_HTTP_TRANSPORT_LIBRARY it looks next to the running executable (a command that sends requests)")
    func looksNextToTheExecutable() async throws {
        try await TemporaryDirectory.with { dir in
            // A copy of atom in a folder without the library (a hard link when the file system allows).
            let copy = dir + "/bin/atom"
            try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
            do { try FileManager.default.linkItem(atPath: AtomBinary.path, toPath: copy) } catch {
                try FileManager.default.copyItem(atPath: AtomBinary.path, toPath: copy)
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: copy)
            process.arguments = ["post", Fixtures.path("vertical.mp4"), "--to", "youtube", "--caption", "x"]
            process.environment = ["HOME": dir, "ATOM_STATE_DIR": dir + "/state", "ATOM_HTTP_TRANSPORT": "urlsession"]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 78, "stderr: \(stderr)")
            #expect(stderr.contains(dir + "/bin/" + Self.libraryName), "stderr: \(stderr)")
        }
    }
}
