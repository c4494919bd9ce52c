import AtomSandbox
import AtomTestSupport
import Foundation
import GraphAPISupport
import PlatformKit
import PublishingCore
import Testing
import TikTokAdapter

@Suite("atom auth (the binary)", .enabled(if: AtomBinary.isBuilt, "build the atom binary first (swift build)"))
struct AuthCommandTests {
    @Test("missing client keys: exit 78 naming both keys and where to get them; the .env is untouched")
    func missingClientKeys() async throws {
        try await TemporaryDirectory.with { dir in
            let envPath = dir + "/.env"
            try "OTHER=1\n".write(toFile: envPath, atomically: true, encoding: .utf8)
            let run = try AtomBinary.Run(
                arguments: ["auth", "tiktok", "--no-browser", "--env-file", envPath],
                environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 78)
            #expect(run.errorOutput.contains("TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are not set"))
            #expect(run.errorOutput.contains("developers.tiktok.com"))
            #expect(try String(contentsOfFile: envPath, encoding: .utf8) == "OTHER=1\n")
        }
    }

    @Test("atom auth facebook --page ID picks that Page among several without a prompt; a non-numeric --page is 64")
    func facebookPageFlag() async throws {
        let pages = [
            FakeFacebookLogin.Page(id: "100000000000001", name: "Sunrise Films", accessToken: "sandbox-fb-page-1"),
            FakeFacebookLogin.Page(id: "100000000000002", name: "Bay Timelapses", accessToken: "sandbox-fb-page-2"),
        ]
        let fake = FakeFacebookLogin(configuration: .init(pages: pages))
        try await FakeServer.run(services: fake.services) { server in
            try await TemporaryDirectory.with { dir in
                let envPath = dir + "/.env"
                let environment = AtomBinary.environment(fake.sandboxEnvironment(server: server), stateDirectory: dir)
                let refused = try AtomBinary.Run(
                    arguments: ["auth", "facebook", "--no-browser", "--page", "Bay", "--env-file", envPath],
                    environment: environment)
                #expect(await refused.finish() == 64)
                let run = try AtomBinary.Run(
                    arguments: ["auth", "facebook", "--no-browser", "--page", "100000000000002", "--env-file", envPath],
                    environment: environment)
                let line = try #require(await run.line { $0.contains("state=") })
                let url = try #require(
                    line.split(separator: " ").first { $0.hasPrefix("http") }.flatMap { URL(string: String($0)) })
                try await TestTransport.with { transport in
                    let redirect = try await TestBrowser(transport: transport).consent(url)
                    try run.answer(redirect.absoluteString)
                }
                #expect(await run.finish() == 0, "\(run.errorOutput)")
                let written = try DotEnvFile(path: envPath).values
                #expect(written["FACEBOOK_PAGE_ID"] == "100000000000002")
                #expect(written["FACEBOOK_PAGE_ACCESS_TOKEN"] == "sandbox-fb-page-2")
            }
        }
    }

    @Test(
        "atom auth tiktok --no-browser: URL on stderr, redirect pasted on stdin, keys written and listed, values never printed; then configured"
    )
    func tiktokNoBrowser() async throws {
        let fake = TikTokFake()
        try await FakeServer.run(services: [fake]) { server in
            try await TemporaryDirectory.with { dir in
                let envPath = dir + "/.env"
                try "# mine\nOTHER=1\n".write(toFile: envPath, atomically: true, encoding: .utf8)
                let environment = AtomBinary.environment(
                    TikTokAuthTests.settings(fake, server: server), stateDirectory: dir)
                let run = try AtomBinary.Run(
                    arguments: ["auth", "tiktok", "--no-browser", "--env-file", envPath], environment: environment)
                let line = try #require(await run.line { $0.contains("state=") })
                let url = try #require(
                    line.split(separator: " ").first { $0.hasPrefix("http") }.flatMap { URL(string: String($0)) })
                try await TestTransport.with { transport in
                    let redirect = try await TestBrowser(transport: transport).consent(url)
                    #expect(redirect.absoluteString.hasPrefix("http://127.0.0.1:8765/callback/?code="))
                    try run.answer(redirect.absoluteString)
                }
                #expect(await run.finish() == 0)
                let written = try DotEnvFile(path: envPath).values
                let token = try #require(written["TIKTOK_ACCESS_TOKEN"])
                #expect(token == (await fake.state.currentAccessToken))
                #expect(written["OTHER"] == "1")
                #expect(try String(contentsOfFile: envPath, encoding: .utf8).hasPrefix("# mine\nOTHER=1\n"))
                #expect(
                    run.output.contains(
                        "wrote TIKTOK_ACCESS_TOKEN, TIKTOK_ACCESS_TOKEN_EXPIRES_AT, TIKTOK_OPEN_ID, TIKTOK_REFRESH_TOKEN to \(envPath)"
                    ))
                for secret in [token, written["TIKTOK_REFRESH_TOKEN"] ?? "?"] {
                    #expect(!run.output.contains(secret))
                    #expect(!run.errorOutput.contains(secret))
                }
                let attributes = try FileManager.default.attributesOfItem(atPath: envPath)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

                let platforms = try AtomBinary.Run(
                    arguments: ["platforms", "--json", "--env-file", envPath], environment: environment)
                #expect(await platforms.finish() == 0)
                let rows = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(platforms.output.utf8))
                let tiktok = try #require(rows.first { $0["platform"]?.stringValue == "tiktok" })
                #expect(tiktok["configured"]?.boolValue == true)
            }
        }
    }

    @Test("atom auth tiktok --json with a denied consent: exit 1, the error as JSON, the .env untouched")
    func deniedJSON() async throws {
        let fake = TikTokFake()
        await fake.state.inject(.consentDenied)
        try await FakeServer.run(services: [fake]) { server in
            try await TemporaryDirectory.with { dir in
                let envPath = dir + "/.env"
                let environment = AtomBinary.environment(
                    TikTokAuthTests.settings(fake, server: server), stateDirectory: dir)
                let run = try AtomBinary.Run(
                    arguments: ["auth", "tiktok", "--no-browser", "--json", "--env-file", envPath],
                    environment: environment)
                let line = try #require(await run.line { $0.contains("state=") })
                let url = try #require(
                    line.split(separator: " ").first { $0.hasPrefix("http") }.flatMap { URL(string: String($0)) })
                try await TestTransport.with { transport in
                    try run.answer(try await TestBrowser(transport: transport).consent(url).absoluteString)
                }
                #expect(await run.finish() == 1)
                #expect(run.output.contains("\"code\" : \"access_denied\""))
                #expect(run.errorOutput.contains("authorization was denied in the browser"))
                #expect(!FileManager.default.fileExists(atPath: envPath))
            }
        }
    }

    @Test("an unknown platform is a usage error listing the known ones")
    func unknownPlatform() async throws {
        try await TemporaryDirectory.with { dir in
            let run = try AtomBinary.Run(
                arguments: ["auth", "myspace"], environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 64)
            #expect(run.errorOutput.contains("tiktok, instagram, youtube, facebook"))
        }
    }

    @Test("--facebook-login is for instagram only")
    func facebookLoginFlag() async throws {
        try await TemporaryDirectory.with { dir in
            let run = try AtomBinary.Run(
                arguments: ["auth", "youtube", "--facebook-login"],
                environment: AtomBinary.environment([:], stateDirectory: dir))
            #expect(await run.finish() == 64)
        }
    }
}
