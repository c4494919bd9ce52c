import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("atom auth (the binary)", .enabled(if: AtomBinary.isBuilt, "build the atom binary first (swift build)"))
struct AuthCommandTests {
    @Test("missing client keys: exit 78 naming both keys and where to get them; the .env is untouched")
    func missingClientKeys() async throws {
        try await TemporaryDirectory.with { dir in
            let envPath = dir + "/.env"
            try "OTHER=1\n".write(toFile: envPath, atomically: true, encoding: .utf8)
            let run = try AtomBinary.Run(arguments: ["auth", "tiktok", "--no-browser", "--env-file", envPath],
                                         environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 78)
            #expect(run.errorOutput.contains("TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are not set"))
            #expect(run.errorOutput.contains("developers.tiktok.com"))
            #expect(try String(contentsOfFile: envPath, encoding: .utf8) == "OTHER=1\n")
        }
    }

    @Test("an unknown platform is a usage error listing the known ones")
    func unknownPlatform() async throws {
        try await TemporaryDirectory.with { dir in
            let run = try AtomBinary.Run(arguments: ["auth", "myspace"], environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 64)
            #expect(run.errorOutput.contains("tiktok, instagram, youtube, facebook"))
        }
    }

    @Test("--facebook-login is for instagram only")
    func facebookLoginFlag() async throws {
        try await TemporaryDirectory.with { dir in
            let run = try AtomBinary.Run(arguments: ["auth", "youtube", "--facebook-login"], environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 64)
        }
    }
}
