import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("DotEnvFile.removing (atom auth revoke)")
struct DotEnvFileRemovalTests {
    @Test("removes every assignment of the keys, keeps comments, order and other keys, writes mode 0600")
    func removesOnlyTheKeys() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            let text =
                "# mine\nYOUTUBE_CLIENT_ID=id\nexport YOUTUBE_REFRESH_TOKEN=one\n\nOTHER='x y' # note\n"
                + "YOUTUBE_REFRESH_TOKEN=two\nYOUTUBE_ACCESS_TOKEN=a\n"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try DotEnvFile(path: path).removing([
                "YOUTUBE_REFRESH_TOKEN", "YOUTUBE_ACCESS_TOKEN", "ABSENT",
            ])
            #expect(result.removed == ["YOUTUBE_REFRESH_TOKEN", "YOUTUBE_ACCESS_TOKEN"])
            #expect(
                try String(contentsOfFile: path, encoding: .utf8)
                    == "# mine\nYOUTUBE_CLIENT_ID=id\n\nOTHER='x y' # note\n")
            #expect(result.file.values == ["YOUTUBE_CLIENT_ID": "id", "OTHER": "x y"])
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
        }
    }

    @Test("nothing to remove leaves the file as it was (not even rewritten)")
    func nothingToRemove() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try "A=1\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o640)
            let result = try DotEnvFile(path: path).removing(["B"])
            #expect(result.removed.isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o640)
        }
    }
}
