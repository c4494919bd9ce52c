import AtomTestSupport
import Foundation
import PublishingCore
import PublishingEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("atom CLI: hostile input, the sandbox's isolation, the record (built binary)")
struct CLIHostileInputTests {
    @Test("a YAML alias bomb is refused at once (65), not expanded", .timeLimit(.minutes(1)))
    func aliasBomb() async throws {
        try await TemporaryDirectory.with { dir in
            var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            for level in 1...12 {
                let previous = "*a\(level - 1)"
                yaml += "a\(level): &a\(level) [\(Array(repeating: previous, count: 9).joined(separator: ", "))]\n"
            }
            yaml += "caption: *a12\n"
            try yaml.write(toFile: dir + "/post.yaml", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "youtube", "--manifest", dir + "/post.yaml"],
                environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 65)
            #expect(result.stderr.contains("aliases"))
        }
    }

    @Test("a manifest over 256 KiB is refused (65)")
    func manifestSize() async throws {
        try await TemporaryDirectory.with { dir in
            let yaml = "caption: \"" + String(repeating: "a", count: 300 * 1024) + "\"\n"
            try yaml.write(toFile: dir + "/post.yaml", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "youtube", "--manifest", dir + "/post.yaml"],
                environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 65)
            #expect(result.stderr.contains("larger than 256 KiB"))
        }
    }

    @Test("--env-file /dev/zero is refused at once (78); a FIFO as --env-file or as the digest input does not hang",
          .timeLimit(.minutes(1)))
    func devicesAndFIFOs() async throws {
        try await TemporaryDirectory.with { dir in
            let zero = try await AtomBinary.run(
                ["platforms", "--env-file", "/dev/zero"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(zero.code == 78)
            #expect(zero.stderr.contains("1 MiB"))
            #expect(mkfifo(dir + "/fifo", 0o600) == 0)
            let fifoEnv = try await AtomBinary.run(
                ["platforms", "--env-file", dir + "/fifo"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(fifoEnv.code == 78)
            #expect(fifoEnv.stderr.contains("not a regular file"))
            let digest = try await AtomBinary.run(["digest", dir + "/fifo"], environment: [:], directory: dir)
            #expect(digest.code != 0)
            #expect(digest.stderr.contains("not a regular file"))
            let null = try await AtomBinary.run(
                ["platforms", "--env-file", "/dev/null", "--json"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(null.code == 0)
        }
    }

    @Test("a NUL or an escape sequence in a title is refused by validate (65)")
    func controlCharacters() async throws {
        try await TemporaryDirectory.with { dir in
            let result = try await AtomBinary.run(
                ["validate", Fixtures.path("vertical.mp4"), "--to", "youtube", "--title", "Sun\u{1B}[2Jrise", "--caption", "x"],
                environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 65)
            // The report is a result (stdout); neither stream carries the escape sequence.
            #expect((result.stdout + result.stderr).contains("control characters"))
            #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"))
        }
    }

    @Test("an AWS_REGION that is not a region name is refused (78) before it goes into a host name")
    func region() async throws {
        try await TemporaryDirectory.with { dir in
            let env = "ATOM_S3_BUCKET=atom-test-bucket\nAWS_ACCESS_KEY_ID=test\nAWS_SECRET_ACCESS_KEY=test-secret-value\n"
                + "AWS_REGION=\"evil.example/x\"\n"
            try env.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(
                ["staging", "list"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.code == 78)
            #expect(result.stderr.contains("AWS_REGION"))
        }
    }

    @Test("a .env key set twice is reported once on stderr")
    func duplicateKeyWarning() async throws {
        try await TemporaryDirectory.with { dir in
            try "ATOM_S3_PREFIX=a/\nATOM_S3_PREFIX=b/\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let result = try await AtomBinary.run(["platforms"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.stderr.components(separatedBy: "ATOM_S3_PREFIX is set more than once").count == 2)
        }
    }

    @Test("a state folder open to other users gets a warning")
    func stateFolderWarning() async throws {
        try await TemporaryDirectory.with { dir in
            try FileManager.default.createDirectory(
                atPath: dir + "/state", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let result = try await AtomBinary.run(["history"], environment: ["ATOM_STATE_DIR": dir + "/state"], directory: dir)
            #expect(result.stderr.contains("chmod 700"))
        }
    }

    @Test("--sandbox never reads real S3 settings from the process environment")
    func sandboxIgnoresRealS3Settings() async throws {
        try await TemporaryDirectory.with { dir in
            // A public base URL nothing listens on: if the sandbox used it, the Instagram fake could not fetch the video.
            let result = try await AtomBinary.run(
                ["post", Fixtures.path("vertical.mp4"), "--to", "instagram", "--caption", "x", "--sandbox", "--json"],
                environment: ["ATOM_STATE_DIR": dir + "/state", "ATOM_S3_PUBLIC_BASE_URL": "http://127.0.0.1:9/real-cdn"],
                directory: dir)
            #expect(result.code == 0, "stderr: \(result.stderr)")
            #expect(!result.stdout.contains("real-cdn"))
        }
    }

    @Test("a post through the settings `atom sandbox` prints is recorded as a sandbox post; a sandbox entry is continued only in the sandbox")
    func sandboxSettingsRecordSandbox() async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try SandboxProcess.start()
            defer { sandbox.stop() }
            var dotEnv = ""
            for (key, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) { dotEnv += "\(key)=\(value)\n" }
            try dotEnv.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let environment = ["ATOM_STATE_DIR": dir + "/state"]
            let post = try await AtomBinary.run(
                ["post", Fixtures.path("vertical.mp4"), "--to", "tiktok", "--caption", "x", "--json"],
                environment: environment, directory: dir)
            #expect(post.code == 0, "stderr: \(post.stderr)")
            let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
            let entries = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(history.stdout.utf8))
            #expect(entries.count == 1)
            #expect(entries.first?["sandbox"]?.boolValue == true)
            // The same entry, with real settings in the .env (no loopback endpoint): continued in a fresh sandbox,
            // never against the real platform with the real token.
            let id = try #require(entries.first?["id"]?.stringValue)
            // A sandbox entry is in the sandbox record, not the real one.
            let sandboxRecord = RecordStore(directory: dir + "/state", baseName: "sandbox-records")
            #expect(try await RecordStore(directory: dir + "/state").readAsync().entries.isEmpty)
            try await sandboxRecord.updateAsync { file in
                file.entries[0].status = .processing
            }
            try "TIKTOK_ACCESS_TOKEN=t\nTIKTOK_OPEN_ID=o\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
            let status = try await AtomBinary.run(["status", id], environment: environment, directory: dir)
            #expect(status.code == 0, "stderr: \(status.stderr)")
            #expect(!status.stderr.contains("atom auth"))
            let after = try await sandboxRecord.readAsync().entries
            #expect(after.count == 1 && after.first?.id == id && after.first?.status == .published)
            #expect(try await RecordStore(directory: dir + "/state").readAsync().entries.isEmpty)
        }
    }
}
