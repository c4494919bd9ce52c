import AtomTestSupport
import Foundation
import PublishingCore
import Testing

/// What the plug-ins declare reaches the command line's surface: completion scripts, help and `atom platforms`.
@Suite("plug-in flags and keys on the command line (built binary)")
struct PluginSurfaceTests {
    @Test(
        "completion scripts offer the plug-ins' flags (--tiktok-draft, --facebook-login)",
        arguments: [("bash", "--tiktok-draft", "--facebook-login"), ("zsh", "'--tiktok-draft[", "'--facebook-login["),
                    ("fish", "-l 'tiktok-draft'", "-l 'facebook-login'")])
    func completions(shell: String, post: String, login: String) async throws {
        let result = try await AtomBinary.run(["--generate-completion-script", shell])
        #expect(result.code == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains(post))
        #expect(result.stdout.contains(login))
    }

    @Test("--help lists a plug-in's flag with its own help line")
    func help() async throws {
        let result = try await AtomBinary.run(["post", "--help"])
        #expect(result.stdout.contains("--tiktok-draft"))
    }

    @Test("atom platforms prints each platform's keys with one help line each, and --json carries them")
    func platformKeys() async throws {
        try await TemporaryDirectory.with { dir in
            let environment = ["ATOM_STATE_DIR": dir + "/state"]
            let text = try await AtomBinary.run(["platforms"], environment: environment, directory: dir)
            #expect(text.code == 0, "stderr: \(text.stderr)")
            #expect(text.stdout.contains("tiktok keys:\n  TIKTOK_ACCESS_TOKEN (required): The user access token `atom auth tiktok` writes."))
            for platform in ["instagram", "youtube", "facebook"] { #expect(text.stdout.contains("\(platform) keys:\n  ")) }

            let json = try await AtomBinary.run(["platforms", "--json"], environment: environment, directory: dir)
            #expect(json.code == 0, "stderr: \(json.stderr)")
            let rows = try JSONDecoder().decode([JSONValue].self, from: Data(json.stdout.utf8)).compactMap(\.objectValue)
            let tiktok = try #require(rows.first { $0["platform"]?.stringValue == "tiktok" })
            for field in ["name", "configured", "missing", "keys"] { #expect(tiktok[field] != nil, "\(field)") }
            let keys = (tiktok["keys"]?.arrayValue ?? []).compactMap(\.objectValue)
            let token = try #require(keys.first { $0["name"]?.stringValue == "TIKTOK_ACCESS_TOKEN" })
            #expect(token["isRequired"] == .bool(true))
            #expect(token["help"]?.stringValue == "The user access token `atom auth tiktok` writes.")
        }
    }
}
