import AtomTestSupport
import Foundation
import HTTPTypes
@testable import InstagramAdapter
import MediaInspection
import OpenAPIRuntime
import PublishingCore
import Testing

@Suite("Instagram: configuration, capabilities and offline planning")
struct InstagramPlanTests {
    static let base = [
        "INSTAGRAM_ACCESS_TOKEN": "sandbox-instagram-access-token", "INSTAGRAM_USER_ID": "17841400000000001",
            "INSTAGRAM_LOGIN": "instagram",
    ]

    static func publisher(_ extra: [String: String] = [:]) throws -> InstagramPublisher {
        let store = MemoryCredentialStore(base.merging(extra) { $1 })
        let made = try PublisherFactory.instagram().makePublisher(
            PublisherEnvironment(credentials: store, transport: NoNetwork()))
        return try #require(made as? InstagramPublisher)
    }

    static func media(_ fixture: String = "vertical.mp4") async throws -> MediaInfo {
        try await MediaProbe.probe(path: Fixtures.path(fixture))
    }

    /// Everything the core would report for this draft and file (media limits, text limits, plan problems).
    static func issues(_ draft: PostDraft, fixture: String = "vertical.mp4", _ extra: [String: String] = [:])
        async throws -> [ValidationIssue]
    {
        let publisher = try publisher(extra)
        let media = try await media(fixture)
        let plan = publisher.plan(draft, media: media)
        return Validation.check(media, against: publisher.capabilities.mediaLimits, platform: .instagram)
            + Validation.check(plan.texts, against: publisher.capabilities.textLimits, platform: .instagram)
            + plan.problems
    }

    @Test("defaults: Instagram Login host, URL ingestion, v24.0, declared limits")
    func defaults() throws {
        let publisher = try Self.publisher()
        let configuration = publisher.configuration
        #expect(configuration.login == .instagram)
        #expect(configuration.uploadMode == .url)
        #expect(configuration.baseURL.absoluteString == "https://graph.instagram.com")
        #expect(configuration.ruploadBase.absoluteString == "https://rupload.facebook.com")
        #expect(configuration.apiVersion == "v24.0")
        let capabilities = publisher.capabilities
        #expect(capabilities.displayName == "Instagram")
        #expect(capabilities.ingestion == .publicURL)
        #expect(!capabilities.supportsScheduling)
        #expect(capabilities.requiredCredentials == ["INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_USER_ID"])
        let caption = try #require(capabilities.textLimits[.caption])
        #expect(
            caption.maxLength == 2200 && caption.unit == .characters && caption.maxHashtags == 30
                && caption.maxMentions == 20)
        let limits = capabilities.mediaLimits
        #expect(limits.maxFileSize == 300_000_000)
        #expect(limits.minDuration == 3 && limits.maxDuration == 900)
        #expect(limits.minFrameRate == 23 && limits.maxFrameRate == 60)
        #expect(limits.maxWidth == 1920)
        #expect(limits.minAspectRatio == 0.01 && limits.maxAspectRatio == 10)
        #expect(limits.videoCodecs == ["h264", "hevc"] && limits.audioCodecs == ["aac"])
    }

    @Test("Facebook Login uses ATOM_GRAPH_API_BASE; overrides and version are read")
    func facebookLoginAndOverrides() throws {
        let configuration = try Self.publisher([
            "INSTAGRAM_LOGIN": "Facebook", "INSTAGRAM_UPLOAD_MODE": "resumable",
            "ATOM_GRAPH_API_BASE": "http://127.0.0.1:9/graph/",
            "ATOM_RUPLOAD_BASE": "http://127.0.0.1:9/rupload", "ATOM_GRAPH_API_VERSION": "v25.0",
            "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": "1800000000",
        ]).configuration
        #expect(configuration.login == .facebook)
        #expect(configuration.baseURL.absoluteString == "http://127.0.0.1:9/graph")
        #expect(configuration.ruploadBase.absoluteString == "http://127.0.0.1:9/rupload")
        #expect(configuration.apiVersion == "v25.0")
        #expect(configuration.accessTokenExpiresAt == Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test(
        "configuration errors name the key",
        arguments: [
            (["INSTAGRAM_ACCESS_TOKEN": ""], "INSTAGRAM_ACCESS_TOKEN is not set"),
            (["INSTAGRAM_USER_ID": "me"], "INSTAGRAM_USER_ID must be the numeric"),
            (["INSTAGRAM_LOGIN": "tiktok"], "INSTAGRAM_LOGIN=tiktok is not valid"),
            (["INSTAGRAM_UPLOAD_MODE": "push"], "INSTAGRAM_UPLOAD_MODE=push is not valid"),
            (["INSTAGRAM_UPLOAD_MODE": "resumable"], "needs Facebook Login"),
            (["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": "soon"], "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"),
            (["ATOM_GRAPH_API_VERSION": "24"], "ATOM_GRAPH_API_VERSION"),
            (["ATOM_INSTAGRAM_API_BASE": "ftp://x"], "ATOM_INSTAGRAM_API_BASE"),
        ])
    func configurationErrors(_ values: [String: String], _ expected: String) throws {
        let error = try #require(throws: PublishError.self) { try Self.publisher(values) }
        #expect(error.code == .configuration)
        #expect(error.message.contains(expected))
        #expect(!error.description.contains("sandbox-instagram-access-token"))
    }

    @Test(
        "the fixtures that suit a Reel pass; the rest are refused with the reason",
        arguments: [
            ("vertical.mp4", [String]()),
            ("hevc.mp4", []),
            ("landscape.mp4", []),
            ("rotated.mp4", []),
            ("moov-at-end.mp4", ["moov"]),
            ("silent.mov", ["duration", "moov"]),
        ])
    func fixtures(_ fixture: String, _ fields: [String]) async throws {
        let issues = try await Self.issues(PostDraft(caption: "ok"), fixture: fixture)
        #expect(issues.map(\.field) == fields)
    }

    @Test("the probe reads the fixtures' display size (guards the tkhd offset fix in MediaProbe)")
    func probedSizes() async throws {
        let vertical = try await Self.media()
        #expect((vertical.width, vertical.height, vertical.rotation) == (1080, 1920, 0))
        let rotated = try await Self.media("rotated.mp4")
        #expect((rotated.width, rotated.height) == (720, 1280))
    }

    @Test("caption limits: 2,200 characters, 30 hashtags, 20 mentions, counted as characters")
    func captionLimits() async throws {
        let emoji = String(repeating: "👩‍👩‍👧", count: 2200)  // 2,200 characters, many more UTF-16 units
        #expect(try await Self.issues(PostDraft(caption: emoji)).isEmpty)
        #expect(
            try await Self.issues(PostDraft(caption: emoji + "!")).map(\.message) == [
                "2201 characters is over the 2200 limit"
            ])
        let tags = (1...31).map { "#t\($0)" }.joined(separator: " ")
        #expect(try await Self.issues(PostDraft(caption: tags)).map(\.message) == ["31 hashtags is over the 30 limit"])
        let mentions = (1...21).map { "@u\($0)" }.joined(separator: " ")
        #expect(
            try await Self.issues(PostDraft(caption: mentions)).map(\.message) == ["21 @mentions is over the 20 limit"])
        // Tags appended by atom count too: 29 in the caption + 2 tags = 31.
        let appended = try await Self.issues(
            PostDraft(caption: (1...29).map { "#c\($0)" }.joined(separator: " "), tags: ["x", "y"]))
        #expect(appended.map(\.message) == ["31 hashtags is over the 30 limit"])
    }

    @Test("manifest keys: unknown keys and wrong types are issues on platforms.instagram.<key>")
    func manifestProblems() async throws {
        let draft = PostDraft(options: [
            "caption": .number(3), "share_to_feed": .string("yes"), "thumb_offset_ms": .number(-1),
            "collaborators": .array([.string("a"), .string("b"), .string("c"), .string("d")]),
            "location_id": .string("here"), "cover_url": .string("file:///tmp/cover.jpg"),
            "privacy": .string("SELF_ONLY"),
        ])
        let fields = try await Self.issues(draft).map(\.field)
        #expect(
            fields.sorted() == [
                "platforms.instagram.caption", "platforms.instagram.collaborators", "platforms.instagram.cover_url",
                "platforms.instagram.location_id", "platforms.instagram.privacy", "platforms.instagram.share_to_feed",
                "platforms.instagram.thumb_offset_ms",
            ])
    }

    @Test("thumb_offset_ms past the end, a location with Instagram Login and a non-public privacy are refused offline")
    func semanticProblems() async throws {
        let end = Int((try await Self.media().duration * 1000).rounded(.down))
        let late = try await Self.issues(
            PostDraft(caption: "x", options: ["thumb_offset_ms": .number(Double(end + 1))]))
        #expect(late.map(\.field) == ["platforms.instagram.thumb_offset_ms"])
        #expect(late.first?.message.hasPrefix("\(end + 1) ms is past the end of the") == true)
        #expect(
            try await Self.issues(PostDraft(caption: "x", options: ["thumb_offset_ms": .number(Double(end))])).isEmpty)
        let location = try await Self.issues(
            PostDraft(caption: "x", options: ["location_id": .number(110843418940484)]))
        #expect(location.first?.message.contains("INSTAGRAM_LOGIN=facebook") == true)
        #expect(
            try await Self.issues(
                PostDraft(caption: "x", options: ["location_id": .number(110843418940484)]),
                ["INSTAGRAM_LOGIN": "facebook"]
            ).isEmpty)
        #expect(try await Self.issues(PostDraft(caption: "x", privacy: .private)).map(\.field) == ["privacy"])
        #expect(try await Self.issues(PostDraft(caption: "x", privacy: .public)).isEmpty)
    }

    @Test("the plan returns the effective caption and explains itself; explicit captions are never shortened")
    func planTextsAndNotes() async throws {
        let publisher = try Self.publisher()
        let media = try await Self.media()
        let plan = publisher.plan(
            PostDraft(
                caption: "generic", tags: ["sunrise"],
                options: [
                    "caption": .string("Just for IG #sunrise"),
                    "share_to_feed": .bool(false),
                    "cover_url": .string("https://example.com/c.jpg"),
                    "thumb_offset_ms": .number(10),
                ]), media: media)
        #expect(plan.texts[.caption] == "Just for IG #sunrise")
        #expect(plan.problems.isEmpty)
        #expect(plan.notes.contains { $0.contains("video_url") })
        #expect(plan.notes.contains { $0.contains("cover_url is used") })
        #expect(plan.notes.contains { $0.contains("share_to_feed=false") })
        let long = String(repeating: "a", count: 2300)
        #expect(publisher.plan(PostDraft(caption: long), media: media).texts[.caption] == long)
    }

    @Test("container fields: only what was given, collaborators as a JSON array")
    func containerFields() {
        let options = InstagramPostOptions(
            caption: "Hi #x", shareToFeed: true, thumbOffsetMs: nil, collaborators: ["a.b"], locationID: nil,
            coverURL: nil)
        #expect(options.containerFields.map(\.0) == ["media_type", "caption", "share_to_feed", "collaborators"])
        #expect(options.containerFields.last?.1 == #"["a.b"]"#)
    }
}

/// A transport for offline tests: any request is a test failure.
struct NoNetwork: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        Issue.record("offline test sent \(operationID)")
        throw TransportError(message: "offline", operationID: operationID)
    }
}
