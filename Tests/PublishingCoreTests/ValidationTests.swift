import Foundation
import PublishingCore
import Testing

@Suite("Limits and text counting")
struct ValidationTests {
    let platform = PlatformID("example")
    let media = MediaInfo(container: "mp4", brand: "isom", sizeBytes: 400_000_000, duration: 95.5, width: 1920, height: 1080, rotation: 0,
                          frameRate: 20, videoCodec: "vp9", audioCodec: "opus", audioSampleRate: 48000, moovAtStart: true, hasEditList: false)

    @Test("every broken media limit is reported, with the limit and the actual value")
    func mediaLimits() {
        let limits = MediaLimits(maxFileSize: 300 << 20, minDuration: 3, maxDuration: 90, maxWidth: 1080, maxAspectRatio: 1.0,
                                 minFrameRate: 23, videoCodecs: ["h264", "hevc"], audioCodecs: ["aac"], containers: ["mp4", "mov"])
        let issues = Validation.check(media, against: limits, platform: platform)
        #expect(Set(issues.map(\.field)) == ["size", "duration", "width", "aspect", "frameRate", "videoCodec", "audioCodec"])
        #expect(issues.allSatisfy { $0.platform == platform })
        #expect(issues.first { $0.field == "duration" }?.message == "95.50 s is longer than the 90 s maximum")
    }

    @Test("a file within limits passes")
    func withinLimits() {
        let ok = MediaInfo(container: "mp4", brand: "isom", sizeBytes: 1000, duration: 10, width: 1080, height: 1920, rotation: 0, frameRate: 30,
                           videoCodec: "h264", audioCodec: nil, audioSampleRate: nil, moovAtStart: true, hasEditList: false)
        let limits = MediaLimits(maxFileSize: 1 << 30, minDuration: 3, maxDuration: 60, minAspectRatio: 0.5, maxAspectRatio: 0.6,
                                 minFrameRate: 23, maxFrameRate: 60, videoCodecs: ["h264"], audioCodecs: ["aac"])
        #expect(Validation.check(ok, against: limits, platform: platform).isEmpty)
    }

    @Test("lengths are counted in the platform's unit", arguments: [
        (TextUnit.characters, 1), (TextUnit.utf16, 2), (TextUnit.utf8Bytes, 4),
    ])
    func units(unit: TextUnit, expected: Int) {
        #expect(unit.length(of: "😀") == expected)
    }

    @Test("text limits: length, hashtags, mentions, forbidden characters, required")
    func textLimits() {
        let caption = String(repeating: "a", count: 10) + " #one #two #three @x @y"
        let limits: [TextField: TextLimit] = [
            .caption: TextLimit(maxLength: 20, unit: .utf16, maxHashtags: 2, maxMentions: 1),
            .title: TextLimit(maxLength: 100, forbiddenCharacters: ["<", ">"], required: true),
        ]
        let issues = Validation.check([.caption: caption], against: limits, platform: platform)
        #expect(issues.map(\.message).contains("33 UTF-16 units is over the 20 limit"))
        #expect(issues.map(\.message).contains("3 hashtags is over the 2 limit"))
        #expect(issues.map(\.message).contains("2 @mentions is over the 1 limit"))
        #expect(issues.contains { $0.field == "title" && $0.message == "is required" })
        let forbidden = Validation.check([.title: "a <b>"], against: [.title: limits[.title]!], platform: platform)
        #expect(forbidden.count == 1)
    }

    @Test("hashtags and mentions are found the way platforms parse them")
    func tokens() {
        #expect(Validation.hashtags(in: "#a b#c #d_e, #f.g #") == ["a", "d_e", "f.g"])
        #expect(Validation.mentions(in: "hi @bob and me@mail.com @x_y") == ["bob", "x_y"])
    }

    @Test("derived text is shortened at a word boundary with an ellipsis")
    func shorten() {
        let text = "Sunrise over the bay with the whole family watching"
        let short = Validation.shorten(text, toFit: 20, unit: .characters)
        #expect(short == "Sunrise over the…")
        #expect(short.count <= 20)
        #expect(Validation.shorten("short", toFit: 20, unit: .characters) == "short")
        #expect(Validation.shorten("Averyveryverylongwordwithoutspaces", toFit: 10, unit: .characters).count == 10)
    }
}

@Suite("Redaction")
struct RedactionTests {
    @Test("known secret shapes are masked even when never registered")
    func patterns() {
        let text = """
            GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIDEXAMPLE%2F20130524&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&X-Amz-Security-Token=FQoGZXIvYXdzEJr
            Authorization: Bearer abcdefghijklmnop
            ?access_token=EAABsecret123&x=1 {"refresh_token":"rt-secret-value"}
            """
        let redacted = Redaction.redact(text)
        #expect(!redacted.contains("aeeed9bb"))
        #expect(!redacted.contains("FQoGZXIvYXdzEJr"))
        #expect(!redacted.contains("abcdefghijklmnop"))
        #expect(!redacted.contains("EAABsecret123"))
        #expect(!redacted.contains("rt-secret-value"))
        #expect(!redacted.contains("AKIDEXAMPLE"))
    }

    @Test("registered secrets are masked anywhere, including in PublishError descriptions")
    func registered() {
        Redaction.register(secret: "my-registered-token-42")
        let error = PublishError(.authentication, platform: PlatformID("x"), message: "token my-registered-token-42 was refused")
        #expect(!error.description.contains("my-registered-token-42"))
        #expect(error.description.contains(Redaction.mask))
    }

    @Test("credential stores register secret-looking keys only")
    func storesRegister() {
        _ = EnvironmentStore(["SOME_ACCESS_TOKEN": "env-token-value-xyz", "SOME_USER_ID": "1234567890"])
        #expect(Redaction.redact("env-token-value-xyz") == Redaction.mask)
        #expect(Redaction.redact("1234567890") == "1234567890")
    }
}
