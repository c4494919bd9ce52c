import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("DotEnvFile")
struct DotEnvFileTests {
    static let sample = """
        # atom settings
        export TIKTOK_ACCESS_TOKEN=abc123token

        QUOTED_SINGLE='literal \\n $HOME # not a comment'
        QUOTED_DOUBLE="line one\\nline \\"two\\" \\\\ end"   # trailing comment
        URL=https://example.test/path?a=1&b=2
        WITH_COMMENT=value # comment here
        EMPTY=
        SPACED = padded value
        """

    @Test("parses comments, export, quotes, escapes, = in values and inline comments")
    func parses() throws {
        let lines = try DotEnvFile.parse(Self.sample)
        var values: [String: String] = [:]
        for case .assignment(let key, let value, _, _) in lines { values[key] = value }
        #expect(values["TIKTOK_ACCESS_TOKEN"] == "abc123token")
        #expect(values["QUOTED_SINGLE"] == "literal \\n $HOME # not a comment")
        #expect(values["QUOTED_DOUBLE"] == "line one\nline \"two\" \\ end")
        #expect(values["URL"] == "https://example.test/path?a=1&b=2")
        #expect(values["WITH_COMMENT"] == "value")
        #expect(values["EMPTY"] == "")
        #expect(values["SPACED"] == "padded value")
        #expect(lines.count == 9)
    }

    @Test("malformed lines are configuration errors naming the file and line", arguments: [
        ("A=1\nnot an assignment\n", 2),
        ("A=1\nB=\"unterminated\n", 2),
        ("1BAD=x\n", 1),
        ("OK='a' trailing\n", 1),
    ])
    func malformed(text: String, line: Int) throws {
        let error = #expect(throws: PublishError.self) { try DotEnvFile.parse(text, file: "my.env") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("my.env:\(line):") == true)
    }

    @Test("set() keeps every other line, comment and order, appends new keys, writes mode 0600")
    func roundTrip() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try Self.sample.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o644)
            let env = try DotEnvFile(path: path)
            try env.set(["TIKTOK_ACCESS_TOKEN": "new token with spaces", "NEW_KEY": "fresh"])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var expected = Self.sample.components(separatedBy: "\n")
            expected[1] = "export TIKTOK_ACCESS_TOKEN=\"new token with spaces\""
            expected.append("NEW_KEY=fresh")
            #expect(text == expected.joined(separator: "\n") + "\n")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let reread = try DotEnvFile(path: path)
            #expect(try reread.value(for: "TIKTOK_ACCESS_TOKEN") == "new token with spaces")
            #expect(try reread.value(for: "QUOTED_DOUBLE") == "line one\nline \"two\" \\ end")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("values with quotes and newlines survive a write and re-read")
    func escapingRoundTrip() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            let env = try DotEnvFile(path: path)
            let tricky = "a \"quoted\" value\nwith a newline, a \\ backslash and # hash"
            try env.set(["TRICKY": tricky])
            #expect(try DotEnvFile(path: path).value(for: "TRICKY") == tricky)
        }
    }

    @Test("the process environment wins over the .env file")
    func environmentWins() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try "A=from-file\nB=only-file\n".write(toFile: path, atomically: true, encoding: .utf8)
            let file = try DotEnvFile(path: path)
            let chain = ChainedCredentialStore([EnvironmentStore(["A": "from-env"]), file], writer: file)
            #expect(try chain.value(for: "A") == "from-env")
            #expect(try chain.value(for: "B") == "only-file")
            try chain.set(["C": "written"])
            #expect(try DotEnvFile(path: path).value(for: "C") == "written")
        }
    }
}
