import AtomTestSupport
import Foundation
import Logging
import PublishingCore
import PublishingEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A secret no other test registers: random letters and digits assembled at run time.
func uniqueSecret(_ length: Int = 42) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "t" + String((1..<length).map { _ in alphabet.randomElement() ?? "x" })
}

@Suite("Redaction: outside text")
struct RedactionOutsideTextTests {
    @Test("a body that echoes a token is masked before it is capped: no prefix survives the cut")
    func maskBeforeCap() {
        let secret = uniqueSecret()
        Redaction.register(secret: secret)
        // The cap (300) falls 38 characters into the token, as on main.
        let body = String(repeating: "x", count: 262) + "\"access\": \"" + secret + "\"}"
        let text = Redaction.outsideText(body)
        #expect(!text.contains(secret.prefix(8)))
        #expect(text.count <= Redaction.outsideTextLimit + 1)
    }

    @Test("an 8+ character start of a registered secret is masked where text was cut or ends the token")
    func prefixes() {
        let secret = uniqueSecret()
        Redaction.register(secret: secret)
        #expect(Redaction.redact("token " + secret.prefix(20)) == "token <redacted>")
        #expect(Redaction.redact("token " + secret.prefix(12) + "… expired") == "token <redacted>… expired")
        #expect(!Redaction.redact("k=" + secret.prefix(30) + "%21rest").contains(secret.prefix(8)))
        // Shorter than 8 characters: ordinary text.
        #expect(Redaction.redact("id " + secret.prefix(5)) == "id " + secret.prefix(5))
    }

    @Test("form-encoded and JSON-escaped echoes of a secret are masked")
    func encodedEchoes() {
        let secret = "tok/" + uniqueSecret(20) + "+!end"
        Redaction.register(secret: secret)
        let form = "access_token_x=" + (secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        #expect(!Redaction.redact(form).contains(uniqueSecretCore(secret)))
        let json = #"{"echo":""# + secret.replacingOccurrences(of: "/", with: "\\/") + #""}"#
        #expect(!Redaction.redact(json).contains(uniqueSecretCore(secret)))
    }

    func uniqueSecretCore(_ secret: String) -> String { String(secret.dropFirst(4).prefix(12)) }

    @Test("control characters (terminal escapes, NUL, bidi overrides) become spaces; the result is one line")
    func controls() {
        let text = Redaction.outsideText("bad\u{1B}[2J\u{0}news\r\nline\u{202E}two\u{9B}")
        #expect(text == "bad [2J news  line two")
        #expect(!text.unicodeScalars.contains { Redaction.isControl($0) })
    }

    @Test("the cap holds for kilobytes of binary")
    func binary() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Redaction.outsideText(bytes: bytes)
        #expect(text.count <= Redaction.outsideTextLimit + 1)
        #expect(!text.unicodeScalars.contains { Redaction.isControl($0) })
    }

    @Test("upload_token= in a URL is masked")
    func uploadToken() {
        let text = Redaction.redact("PUT https://open-upload.tiktokapis.com/upload/?upload_id=7&upload_token=abcdef123456 failed")
        #expect(!text.contains("abcdef123456"))
    }

    @Test("log metadata values are masked, nested ones too")
    func metadata() {
        let secret = uniqueSecret()
        Redaction.register(secret: secret)
        let metadata: Logger.Metadata = [
            "header": "Bearer \(secret)", "nested": .dictionary(["list": .array([.string("x \(secret.prefix(16))")])]),
        ]
        let masked = Redaction.redact(metadata: metadata)
        #expect(!"\(masked)".contains(secret.prefix(8)))
    }
}

@Suite("DotEnvFile: hostile and concurrent files")
struct DotEnvFileSafetyTests {
    @Test("a malformed line is named by number only, never echoed")
    func malformedNotEchoed() {
        let pasted = uniqueSecret(30)
        let error = #expect(throws: PublishError.self) { try DotEnvFile.parse("A=1\n\(pasted)!=x\n", file: "my.env") }
        #expect(error?.message.contains("my.env:2:") == true)
        #expect(error.map { !"\($0.message) \($0.remediation ?? "")".contains(pasted.prefix(8)) } == true)
    }

    @Test("a line another process added while atom waited survives atom's write")
    func lostUpdate() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try "A=1\n".write(toFile: path, atomically: true, encoding: .utf8)
            let env = try DotEnvFile(path: path)
            // Meanwhile (atom auth waiting for the browser), the owner adds a line.
            try "A=1\nADDED_BY_HAND=yes\n".write(toFile: path, atomically: true, encoding: .utf8)
            try env.set(["TOKEN_X": "fresh"])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "A=1\nADDED_BY_HAND=yes\nTOKEN_X=fresh\n")
            #expect(try env.value(for: "ADDED_BY_HAND") == "yes")
        }
    }

    @Test("two writers at once (two handles, many threads) lose no key")
    func concurrentWriters() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try "# start\n".write(toFile: path, atomically: true, encoding: .utf8)
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        guard let env = try? DotEnvFile(path: path) else { return }
                        try? env.set(["KEY_\(i)": "v\(i)"])
                    }
                }
            }
            let values = try DotEnvFile(path: path).values
            #expect((0..<24).allSatisfy { values["KEY_\($0)"] == "v\($0)" })
        }
    }

    @Test("a key set twice is read and written at its last line, and reported once")
    func duplicates() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            try "TOKEN_A=zq-stale-0\nB=1\nTOKEN_A=zq-current-1\n".write(toFile: path, atomically: true, encoding: .utf8)
            let env = try DotEnvFile(path: path)
            #expect(try env.value(for: "TOKEN_A") == "zq-current-1")
            #expect(env.duplicateKeys == ["TOKEN_A"])
            try env.set(["TOKEN_A": "zq-fresh-2"])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "TOKEN_A=zq-stale-0\nB=1\nTOKEN_A=zq-fresh-2\n")
            #expect(try DotEnvFile(path: path).value(for: "TOKEN_A") == "zq-fresh-2")
        }
    }

    @Test("a symlinked .env is written through to its target, mode 0600, and stays a link")
    func symlink() async throws {
        try await TemporaryDirectory.with { dir in
            try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
            let target = dir + "/real/atom.env"
            try "A=1\n".write(toFile: target, atomically: true, encoding: .utf8)
            chmod(target, 0o644)
            let link = dir + "/.env"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real/atom.env")
            try DotEnvFile(path: link).set(["TOKEN_B": "new"])
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real/atom.env")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "A=1\nTOKEN_B=new\n")
            let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
        }
    }

    @Test("values with $, backquotes or quotes are written so a shell's `source` runs nothing and reads them back",
          arguments: ["$(touch PWNED)", "`touch PWNED`", "a'b$(touch PWNED)", "x\"$(touch PWNED)\"", "p$HOME q"])
    func shellSafe(value: String) async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/.env"
            let env = try DotEnvFile(path: path)
            try env.set(["TOKEN_C": value])
            #expect(try DotEnvFile(path: path).value(for: "TOKEN_C") == value)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", ". ./.env && printf %s \"$TOKEN_C\""]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(!FileManager.default.fileExists(atPath: dir + "/PWNED"))
            #expect(printed == value)
        }
    }

    @Test("/dev/zero is refused at once (1 MiB cap); /dev/null is an empty configuration")
    func devices() throws {
        let error = #expect(throws: PublishError.self) { try DotEnvFile(path: "/dev/zero") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("larger than 1 MiB") == true)
        #expect(try DotEnvFile(path: "/dev/null").values.isEmpty)
    }

    @Test("a FIFO as the .env is refused without waiting for a writer")
    func fifo() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/fifo.env"
            #expect(mkfifo(path, 0o600) == 0)
            let error = #expect(throws: PublishError.self) { try DotEnvFile(path: path) }
            #expect(error?.message.contains("not a regular file") == true)
        }
    }

    @Test("a FIFO as the video is refused without waiting for a writer")
    func fifoVideo() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/clip.mp4"
            #expect(mkfifo(path, 0o600) == 0)
            let error = #expect(throws: PublishError.self) { try MediaFileHandle(path: path) }
            #expect(error?.code == .invalidInput)
        }
    }
}

@Suite("RecordStore: the state folder")
struct RecordStoreSafetyTests {
    @Test("a symbolic link planted as records.lock is refused; nothing is created at its target")
    func plantedLockLink() async throws {
        try await TemporaryDirectory.with { dir in
            let state = dir + "/state"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            chmod(state, 0o700)
            let victim = dir + "/victim-file"
            try FileManager.default.createSymbolicLink(atPath: state + "/records.lock", withDestinationPath: victim)
            let error = #expect(throws: PublishError.self) { try RecordStore(directory: state).read() }
            #expect(error?.code == .storage)
            #expect(!FileManager.default.fileExists(atPath: victim))
        }
    }

    @Test("the state folder is made 0700; one open to others gets a warning naming the fix")
    func folderMode() async throws {
        try await TemporaryDirectory.with { dir in
            let store = RecordStore(directory: dir + "/made")
            try store.update { $0.entries = [] ; $0.staging = [] }
            _ = try store.read()
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/made")[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o700)
            #expect(store.permissionsWarning() == nil)
            chmod(dir + "/made", 0o755)
            #expect(store.permissionsWarning()?.contains("chmod 700") == true)
        }
    }
}

@Suite("Validation: control characters")
struct ControlCharacterValidationTests {
    @Test("a NUL or an escape in a text is refused; line breaks and tabs are fine", arguments: [
        ("Sun\u{0}rise", true), ("Sun\u{1B}[31mrise", true), ("a\u{7F}", true), ("line\nbreak\ttab", false),
    ])
    func controls(text: String, refused: Bool) {
        let limits: [TextField: TextLimit] = [.title: TextLimit(maxLength: 100, unit: .characters)]
        let issues = Validation.check([.title: text], against: limits, platform: PlatformID("p"))
        #expect(issues.contains { $0.message.contains("control characters") } == refused)
    }
}
