import AtomSandbox
import AtomTestSupport
import FacebookAdapter
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing
import TikTokAdapter
import YouTubeAdapter

/// The owner's control over stored data, through the built binary against the sandbox's fakes on a loopback server:
/// `atom auth status`, `atom auth revoke`, `atom unpublish`, `atom history show/forget`, `atom doctor`,
/// `atom staging lifecycle`.
/// Serialized: each test runs several atom processes and waits for them, and running them all at once starves the
/// other suites' timing-sensitive tests on a small machine.
@Suite(
    "atom auth status/revoke, unpublish, history forget, doctor (the binary)", .serialized,
    .enabled(if: AtomBinary.isBuilt))
struct OwnerControlTests {
    /// Runs `body` with every fake on one server and a `.env` pointing at them (plus the owner's own line).
    static func withSandbox(
        _ body:
            @Sendable (Sandbox, _ dir: String, _ envPath: String, _ environment: [String: String]) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { dir in
            let sandbox = try Sandbox(storage: dir + "/fakes")
            try await FakeServer.run(services: sandbox.services) { server in
                var text = "# the owner's settings\nOTHER=1\n"
                for (key, value) in sandbox.environment(server: server).sorted(by: { $0.key < $1.key }) {
                    text += "\(key)=\(value)\n"
                }
                let envPath = dir + "/.env"
                try text.write(toFile: envPath, atomically: true, encoding: .utf8)
                chmod(envPath, 0o600)
                try await body(sandbox, dir, envPath, AtomBinary.environment([:], stateDirectory: dir))
            }
        }
    }

    static func atom(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) async throws
        -> (code: Int32, out: String, err: String)
    {
        let run = try AtomBinary.Run(arguments: arguments, environment: environment)
        if let stdin { try run.answer(stdin) }
        let code = await run.finish()
        return (code, run.output, run.errorOutput)
    }

    static func object(_ text: String) throws -> [String: JSONValue] {
        try #require(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).objectValue)
    }

    @Test("auth status checks each grant live: account, scopes, expiry; exit 0 when all are usable")
    func statusAllUsable() async throws {
        try await Self.withSandbox { _, _, envPath, environment in
            let result = try await Self.atom(["auth", "status", "--json", "--env-file", envPath], environment)
            #expect(result.code == 0, "stderr: \(result.err)")
            let json = try Self.object(result.out)
            #expect(json["schemaVersion"] == .number(1))
            let rows = try #require(
                json["platforms"].flatMap { value -> [JSONValue]? in
                    if case .array(let list) = value { list } else { nil }
                })
            let byName = Dictionary(
                uniqueKeysWithValues: rows.compactMap(\.objectValue).map {
                    ($0["platform"]?.stringValue ?? "", $0)
                })
            #expect(byName["youtube"]?["account"]?.stringValue == FakeYouTube.channelTitle)
            #expect(byName["youtube"]?["refresh"]?.stringValue == "refreshed")
            #expect(byName["tiktok"]?["account"]?.stringValue == "Sandbox Creator")
            #expect(byName["facebook"]?["accessTokenNeverExpires"] == .bool(true))
            #expect(byName["instagram"]?["account"]?.stringValue == "atom.sandbox")
            for row in byName.values {
                #expect(row["usable"] == .bool(true))
                #expect(row["problems"] == .array([]))
                for key in ["account", "accountId", "scopes", "accessTokenExpiresAt", "refreshTokenExpiresAt", "error"]
                {
                    #expect(row[key] != nil, "key \(key) missing")
                }
            }
            // The refreshed YouTube token was saved; no token value was printed.
            let saved = try DotEnvFile(path: envPath).values
            let access = try #require(saved["YOUTUBE_ACCESS_TOKEN"])
            #expect(!result.out.contains(access))
        }
    }

    @Test("auth revoke youtube --yes: Google's grant ends at the fake, the .env loses only YouTube's tokens")
    func revokeYouTube() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            let result = try await Self.atom(
                ["auth", "revoke", "youtube", "--yes", "--env-file", envPath], environment)
            #expect(result.code == 0, "stderr: \(result.err)")
            #expect(await sandbox.youtube.revocationCount() == 1)
            #expect(await sandbox.youtube.acceptsRefreshToken(FakeYouTube.refreshToken) == false)
            let values = try DotEnvFile(path: envPath).values
            #expect(values["YOUTUBE_REFRESH_TOKEN"] == nil)
            #expect(values["YOUTUBE_ACCESS_TOKEN"] == nil)
            #expect(values["YOUTUBE_CLIENT_ID"] == FakeYouTube.clientID)
            #expect(values["YOUTUBE_CLIENT_SECRET"] == FakeYouTube.clientSecret)
            #expect(values["OTHER"] == "1")
            #expect(values["TIKTOK_ACCESS_TOKEN"] != nil)
            #expect(try String(contentsOfFile: envPath, encoding: .utf8).hasPrefix("# the owner's settings\nOTHER=1\n"))
            let mode = try FileManager.default.attributesOfItem(atPath: envPath)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            #expect(result.err.contains("youtube: revoked"))
            #expect(!result.err.contains(FakeYouTube.refreshToken) && !result.out.contains(FakeYouTube.refreshToken))
            // Afterwards YouTube is not configured, so status names the fix and exits 78.
            let status = try await Self.atom(["auth", "status", "youtube", "--env-file", envPath], environment)
            #expect(status.code == 78)
            #expect(status.out.contains("run `atom auth youtube`"))
        }
    }

    @Test("auth revoke facebook and tiktok end their grants at the fakes; instagram says where to remove the app")
    func revokeOthers() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            let result = try await Self.atom(
                ["auth", "revoke", "--all", "--yes", "--json", "--env-file", envPath], environment)
            #expect(result.code == 0, "stderr: \(result.err)")
            #expect(sandbox.facebook.permissionRevocations() == 1)
            #expect(await sandbox.tiktok.state.revocations == 1)
            let json = try Self.object(result.out)
            guard case .array(let results)? = json["results"] else {
                Issue.record("no results")
                return
            }
            let statuses = results.compactMap(\.objectValue).map {
                ($0["platform"]?.stringValue ?? "", $0["status"]?.stringValue ?? "")
            }
            #expect(statuses.map(\.0) == ["tiktok", "instagram", "youtube", "facebook"])
            #expect(statuses.map(\.1) == ["revoked", "manual", "revoked", "revoked"])
            let values = try DotEnvFile(path: envPath).values
            for key in ["TIKTOK_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN"] {
                #expect(values[key] == nil, "\(key) left")
            }
            #expect(values["TIKTOK_CLIENT_KEY"] != nil)
            #expect(values["FACEBOOK_APP_SECRET"] != nil)
        }
    }

    @Test("a refused revoke keeps the tokens (exit 1, the grant may remain) unless --force")
    func revokeRefused() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            _ = try DotEnvFile(path: envPath).set(["TIKTOK_CLIENT_SECRET": "wrong-secret"])
            let refused = try await Self.atom(
                ["auth", "revoke", "tiktok", "--yes", "--env-file", envPath], environment)
            #expect(refused.code == 1)
            #expect(refused.err.contains("the grant may remain"))
            #expect(try DotEnvFile(path: envPath).values["TIKTOK_ACCESS_TOKEN"] != nil)
            #expect(await sandbox.tiktok.state.revocations == 0)
            let forced = try await Self.atom(
                ["auth", "revoke", "tiktok", "--yes", "--force", "--env-file", envPath], environment)
            #expect(forced.code == 0)
            #expect(forced.err.contains("the grant may remain"))
            #expect(try DotEnvFile(path: envPath).values["TIKTOK_ACCESS_TOKEN"] == nil)
        }
    }

    @Test("without a terminal and without --yes, revoke does nothing and exits 64")
    func revokeNeedsConfirmation() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            let before = try String(contentsOfFile: envPath, encoding: .utf8)
            let result = try await Self.atom(["auth", "revoke", "youtube", "--env-file", envPath], environment)
            #expect(result.code == 64)
            #expect(result.err.contains("--yes"))
            #expect(try String(contentsOfFile: envPath, encoding: .utf8) == before)
            #expect(await sandbox.youtube.revocationCount() == 0)
        }
    }

    @Test("unpublish: Facebook deletes, YouTube needs a deletion scope, TikTok says how; the record says deleted")
    func unpublish() async throws {
        try await Self.withSandbox { sandbox, dir, envPath, environment in
            let post = try await Self.atom(
                [
                    "post", Fixtures.path("vertical.mp4"), "--to", "tiktok,youtube,facebook", "--caption", "Sunrise",
                    "--json", "--env-file", envPath,
                ], environment)
            #expect(post.code == 0, "stderr: \(post.err)")
            var ids: [String: (id: String, postId: String)] = [:]
            if case .array(let results)? = try Self.object(post.out)["results"] {
                for case .object(let entry) in results {
                    ids[entry["platform"]?.stringValue ?? ""] = (
                        entry["id"]?.stringValue ?? "", entry["postId"]?.stringValue ?? ""
                    )
                }
            }
            let facebook = try #require(ids["facebook"])
            #expect(sandbox.facebook.hasVideo(facebook.postId))
            // The wrong platform is refused before anything is sent.
            let wrong = try await Self.atom(
                ["unpublish", facebook.id, "--platform", "youtube", "--yes", "--env-file", envPath], environment)
            #expect(wrong.code == 64)
            #expect(sandbox.facebook.hasVideo(facebook.postId))

            let deleted = try await Self.atom(
                ["unpublish", facebook.id, "--platform", "facebook", "--yes", "--json", "--env-file", envPath],
                environment)
            #expect(deleted.code == 0, "stderr: \(deleted.err)")
            #expect(!sandbox.facebook.hasVideo(facebook.postId))
            let shown = try await Self.atom(["history", "show", facebook.id, "--json"], environment)
            let entry = try #require(try Self.object(shown.out)["entry"]?.objectValue)
            #expect(entry["status"]?.stringValue == "deleted")
            #expect(entry["deletedAt"]?.stringValue?.isEmpty == false)

            // atom's YouTube grant has no deletion scope: YouTube refuses, atom says where to delete by hand.
            let youtube = try #require(ids["youtube"])
            let refused = try await Self.atom(
                ["unpublish", youtube.id, "--platform", "youtube", "--yes", "--env-file", envPath], environment)
            #expect(refused.code == 1)
            #expect(refused.err.contains("studio.youtube.com"))
            #expect(await sandbox.youtube.videos().count == 1)
            await sandbox.youtube.setGrantedScopes(["https://www.googleapis.com/auth/youtube.force-ssl"])
            let allowed = try await Self.atom(
                ["unpublish", youtube.id, "--platform", "youtube", "--yes", "--env-file", envPath], environment)
            #expect(allowed.code == 0, "stderr: \(allowed.err)")
            #expect(await sandbox.youtube.videos().isEmpty)

            // TikTok has no delete endpoint: exit 1, how to delete in the app, the record unchanged.
            let tiktok = try #require(ids["tiktok"])
            let manual = try await Self.atom(
                ["unpublish", tiktok.id, "--platform", "tiktok", "--yes", "--env-file", envPath], environment)
            #expect(manual.code == 1)
            #expect(manual.err.contains("no delete endpoint"))
            let history = try await Self.atom(["history", "show", tiktok.id, "--json"], environment)
            #expect(try Self.object(history.out)["entry"]?.objectValue?["status"]?.stringValue == "published")
            _ = dir
        }
    }

    @Test("history forget: --dry-run lists and keeps; by id and by platform removes; show of a forgotten id is 65")
    func historyForget() async throws {
        try await Self.withSandbox { _, _, envPath, environment in
            let post = try await Self.atom(
                [
                    "post", Fixtures.path("vertical.mp4"), "--to", "tiktok,facebook", "--caption", "Sunrise", "--json",
                    "--env-file", envPath,
                ], environment)
            #expect(post.code == 0, "stderr: \(post.err)")
            let dry = try await Self.atom(
                ["history", "forget", "--platform", "tiktok", "--dry-run", "--json"], environment)
            #expect(dry.code == 0, "stderr: \(dry.err)")
            let dryJSON = try Self.object(dry.out)
            #expect(dryJSON["dryRun"] == .bool(true))
            guard case .array(let listed)? = dryJSON["forgotten"] else {
                Issue.record("no list")
                return
            }
            #expect(listed.count == 1)
            let tiktokID = try #require(listed.first?.objectValue?["id"]?.stringValue)
            let still = try await Self.atom(["history", "--json"], environment)
            #expect(still.out.contains(tiktokID))

            let forgot = try await Self.atom(["history", "forget", tiktokID], environment)
            #expect(forgot.code == 0, "stderr: \(forgot.err)")
            #expect(forgot.out.contains("forgot \(tiktokID)"))
            let show = try await Self.atom(["history", "show", tiktokID], environment)
            #expect(show.code == 65)
            let all = try await Self.atom(["history", "forget", "--all"], environment)
            #expect(all.code == 0)
            let empty = try await Self.atom(["history", "--json"], environment)
            #expect(try JSONDecoder().decode([JSONValue].self, from: Data(empty.out.utf8)).isEmpty)
            let unknown = try await Self.atom(["history", "forget", "nosuchid"], environment)
            #expect(unknown.code == 65)
        }
    }

    @Test("history forget deletes the staged copy only the forgotten entry still held, and its staging record")
    func forgetDeletesStagedCopy() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            let video = Fixtures.path("vertical.mp4")
            let post = try await Self.atom(
                ["post", video, "--to", "tiktok", "--caption", "Sunrise", "--json", "--env-file", envPath], environment)
            #expect(post.code == 0, "stderr: \(post.err)")
            // A copy of the same file left staged (as a crash would leave it), recorded as not yet released.
            let put = try await Self.atom(["staging", "put", video, "--env-file", envPath], environment)
            #expect(put.code == 0, "stderr: \(put.err)")
            #expect(await sandbox.s3.objects().count == 1)
            let dry = try await Self.atom(["history", "forget", "--all", "--dry-run"], environment)
            #expect(dry.out.contains("would delete staged copy"))
            #expect(await sandbox.s3.objects().count == 1)
            let forgot = try await Self.atom(["history", "forget", "--all", "--env-file", envPath], environment)
            #expect(forgot.code == 0, "stderr: \(forgot.err)")
            #expect(forgot.out.contains("deleted staged copy"))
            #expect(await sandbox.s3.objects().isEmpty)
            // The settings point at the sandbox, so the post and the staged copy were recorded in the sandbox record.
            let records = try String(
                contentsOfFile: environment["ATOM_STATE_DIR", default: ""] + "/sandbox-records.json", encoding: .utf8)
            let file = try JSONDecoder.atom.decode(RecordFile.self, from: Data(records.utf8))
            #expect(file.entries.isEmpty)
            #expect(file.staging.isEmpty)
            let real = try RecordStore(directory: environment["ATOM_STATE_DIR", default: ""]).read()
            #expect(real.entries.isEmpty && real.staging.isEmpty)
        }
    }

    @Test("doctor: all checks pass against the sandbox's fakes; a bare bucket fails until lifecycle --apply")
    func doctorAgainstFakes() async throws {
        try await Self.withSandbox { sandbox, _, envPath, environment in
            let good = try await Self.atom(["doctor", "--json", "--env-file", envPath], environment)
            #expect(good.code == 0, "stdout: \(good.out) stderr: \(good.err)")
            #expect(try Self.object(good.out)["ok"] == .bool(true))

            sandbox.s3Settings.set(.bare)
            let bare = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(bare.code == 78)
            #expect(bare.out.contains("fix: atom staging lifecycle --apply"))
            #expect(bare.out.contains("put-public-access-block"))
            let apply = try await Self.atom(["staging", "lifecycle", "--apply", "--env-file", envPath], environment)
            #expect(apply.code == 0, "stderr: \(apply.err)")
            #expect(sandbox.s3Settings.current().lifecycle?.contains("<Prefix>atom-staging/</Prefix>") == true)
            let after = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(!after.out.contains("FAIL  lifecycle"))
        }
    }

    @Test("doctor --sandbox on a fresh folder passes")
    func doctorSandbox() async throws {
        try await TemporaryDirectory.with { dir in
            // No .env anywhere (HOME is the fresh folder; an explicit --env-file that does not exist would be 78).
            let result = try await Self.atom(["doctor", "--sandbox"], AtomBinary.environment([:], stateDirectory: dir))
            #expect(result.code == 0, "stdout: \(result.out) stderr: \(result.err)")
            #expect(result.out.contains("all checks passed"))
        }
    }

    @Test("doctor: a .env tracked by git exits 78 and names the fix; ignored and 0600 passes; 0644 fails")
    func doctorGit() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = AtomBinary.environment([:], stateDirectory: dir)
            func git(_ arguments: String...) throws {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["git", "-C", dir] + arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "git \(arguments)")
            }
            try git("init", "-q")
            let envPath = dir + "/.env"
            try "OTHER=1\n".write(toFile: envPath, atomically: true, encoding: .utf8)
            chmod(envPath, 0o600)
            try git("add", ".env")
            let tracked = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(tracked.code == 78)
            #expect(tracked.out.contains("is tracked by git"))
            #expect(tracked.out.contains("git rm --cached .env"))

            try git("rm", "-q", "--cached", ".env")
            let unignored = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(unignored.code == 78)
            #expect(unignored.out.contains(".gitignore"))

            try ".env\n".write(toFile: dir + "/.gitignore", atomically: true, encoding: .utf8)
            let ignored = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(ignored.code == 0, "stdout: \(ignored.out)")

            chmod(envPath, 0o644)
            let readable = try await Self.atom(["doctor", "--env-file", envPath], environment)
            #expect(readable.code == 78)
            #expect(readable.out.contains("chmod 600"))
        }
    }
}
