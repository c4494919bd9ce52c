import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import Testing
@testable import YouTubeAdapter

@Suite("YouTube plan: metadata, limits, options")
struct YouTubePlanTests {
    static let publisher = YouTubePublisher(
        configuration: .init(
            clientID: "sandbox-id", clientSecret: "sandbox-secret", refreshToken: "sandbox-refresh", chunkSize: 8 << 20),
        transport: UnreachableTransport(), credentials: MemoryCredentialStore(), now: { YouTubeHarness.now }
    )
    static let landscape = YouTubeHarness.landscape(size: 50_000_000)

    static func plan(_ draft: PostDraft, media: MediaInfo = landscape) -> (PostPlan, [ValidationIssue]) {
        let plan = publisher.plan(draft, media: media)
        let issues =
            Validation.check(plan.texts, against: publisher.capabilities.textLimits, platform: .youtube) + plan.problems
        return (plan, issues)
    }

    @Test("a derived title is the caption's first line, shortened at a word boundary with …, shown as a note")
    func derivedTitleShortened() {
        let line = (1...30).map { "word\($0)" }.joined(separator: " ")  // 199 characters
        let (plan, issues) = Self.plan(PostDraft(caption: line + "\nsecond line"))
        let title = plan.texts[.title] ?? ""
        #expect(issues.isEmpty)
        #expect(title.count <= 100)
        #expect(title.hasSuffix("…"))
        #expect(line.hasPrefix(String(title.dropLast())))
        #expect(line.dropFirst(title.count - 1).first == " ")  // cut at a word boundary
        #expect(plan.notes.contains { $0.contains("shortened at a word boundary") && $0.contains(title) })
        #expect(plan.texts[.description] == line + "\nsecond line")
    }

    @Test("a short caption line becomes the title unchanged; < and > are left out of a derived title")
    func derivedTitleShort() {
        let (plan, issues) = Self.plan(PostDraft(caption: "\n  Sunrise <3 over the bay  \nmore"))
        #expect(plan.texts[.title] == "Sunrise 3 over the bay")
        #expect(plan.notes.contains { $0.contains("derived from the caption") })
        #expect(issues.contains { $0.field == "description" })  // the explicit caption keeps its '<' and is refused
    }

    @Test("an explicit title over 100 characters is refused, never truncated")
    func explicitTitleRefused() {
        let long = String(repeating: "a", count: 101)
        let (plan, issues) = Self.plan(PostDraft(caption: "c", title: long))
        #expect(plan.texts[.title] == long)
        #expect(issues.contains { $0.field == "title" && $0.message.contains("101 characters") })
        let (fromManifest, manifestIssues) = Self.plan(PostDraft(title: "short", options: ["title": .string(long)]))
        #expect(fromManifest.texts[.title] == long)
        #expect(manifestIssues.contains { $0.field == "title" })
    }

    @Test("title limits count characters, not bytes or UTF-16 units")
    func titleCountsCharacters() {
        let emoji = String(repeating: "👍🏽", count: 100)  // 100 characters, 400 UTF-16 units... 800 bytes
        #expect(Self.plan(PostDraft(title: emoji)).1.isEmpty)
        #expect(!Self.plan(PostDraft(title: emoji + "x")).1.isEmpty)
    }

    @Test("the description limit is 5,000 UTF-8 bytes")
    func descriptionBytes() {
        #expect(Self.plan(PostDraft(caption: String(repeating: "é", count: 2500), title: "t")).1.isEmpty)
        let issues = Self.plan(PostDraft(caption: String(repeating: "é", count: 2501), title: "t")).1
        #expect(issues.contains { $0.field == "description" && $0.message.contains("5002 bytes") })
    }

    @Test("tags are counted YouTube's way: commas count, a tag with a space counts its quotes")
    func tagCounting() {
        #expect(YouTubeTags.countedLength(["Foo-Baz"]) == 7)
        #expect(YouTubeTags.countedLength(["Foo Baz"]) == 9)
        #expect(YouTubeTags.countedLength(["a", "b"]) == 3)
        #expect(YouTubeTags.countedLength(["time lapse", "bay"]) == 16)
        #expect(YouTubeTags.countedLength([]) == 0)
        // 49 tags of 9 characters + 48 commas = 489; a 50th tag "ab cd eefg" (10 + 2 quotes) + comma = 502.
        let base = Array(repeating: "abcdefghi", count: 49)
        let (atLimit, atLimitIssues) = Self.plan(PostDraft(title: "t", tags: base + ["abcdefghij"]))  // 489 + 1 + 10 = 500
        #expect(atLimitIssues.isEmpty)
        #expect(atLimit.notes.contains("tags: 50, 500 of 500 characters as YouTube counts them"))
        let over = Self.plan(PostDraft(title: "t", tags: base + ["ab cd eefg"])).1
        #expect(over.contains { $0.field == "tags" && $0.message.contains("502") })
    }

    @Test("unknown keys and wrong types in the youtube section are issues")
    func optionProblems() {
        let (_, issues) = Self.plan(
            PostDraft(
                title: "t",
                options: [
                    "titel": .string("typo"), "made_for_kids": .string("yes"), "tags": .string("a,b"),
                    "category_id": .string("music"),
                    "privacy": .string("friends"), "synthetic_media": .number(1),
                ]))
        let fields = Set(issues.map(\.field))
        #expect(
            fields == [
                "platforms.youtube.titel", "platforms.youtube.made_for_kids", "platforms.youtube.tags",
                "platforms.youtube.category_id", "platforms.youtube.privacy", "platforms.youtube.synthetic_media",
            ])
    }

    @Test(
        "generic privacy maps to YouTube's levels; friends and followers are refused",
        arguments: [
            (Privacy.public, "public"), (.private, "private"), (.unlisted, "unlisted"),
        ])
    func privacyMapping(_ privacy: Privacy, _ expected: String) {
        let resolution = YouTubeMetadata.resolve(PostDraft(title: "t", privacy: privacy), now: YouTubeHarness.now)
        #expect(resolution.problems.isEmpty)
        #expect(resolution.metadata.insertBody.status.privacyStatus == expected)
    }

    @Test("friends and followers have no YouTube level", arguments: [Privacy.friends, .followers])
    func privacyRefused(_ privacy: Privacy) {
        let issues = Self.plan(PostDraft(title: "t", privacy: privacy)).1
        #expect(issues.contains { $0.field == "privacy" })
    }

    @Test("the manifest's youtube privacy wins over the generic one")
    func manifestPrivacy() {
        let resolution = YouTubeMetadata.resolve(
            PostDraft(title: "t", privacy: .friends, options: ["privacy": .string("unlisted")]), now: YouTubeHarness.now
        )
        #expect(resolution.problems.isEmpty)
        #expect(resolution.metadata.privacyStatus == "unlisted")
    }

    @Test("scheduling sends private + publishAt; unlisted or past schedules are refused")
    func scheduling() {
        let at = YouTubeHarness.now.addingTimeInterval(3600)
        let resolution = YouTubeMetadata.resolve(PostDraft(title: "t", scheduledAt: at), now: YouTubeHarness.now)
        #expect(resolution.problems.isEmpty)
        #expect(
            resolution.metadata.insertBody.status
                == VideoInsertBody.Status(
                    privacyStatus: "private", publishAt: at.formatted(.iso8601), selfDeclaredMadeForKids: false,
                    containsSyntheticMedia: nil))
        #expect(resolution.notes.contains { $0.contains("scheduled") })
        #expect(Self.publisher.capabilities.supportsScheduling)
        #expect(
            !YouTubeMetadata.resolve(
                PostDraft(title: "t", privacy: .unlisted, scheduledAt: at), now: YouTubeHarness.now
            ).problems.isEmpty)
        #expect(
            !YouTubeMetadata.resolve(PostDraft(title: "t", scheduledAt: YouTubeHarness.now), now: YouTubeHarness.now)
                .problems.isEmpty)
    }

    @Test("the insert body carries the manifest's values; category defaults to 22")
    func insertBody() {
        let body = YouTubeMetadata.resolve(
            PostDraft(
                caption: "cap", title: "T", tags: ["x"],
                options: [
                    "description": .string("desc"), "tags": .array([.string("a b"), .string("c")]),
                    "category_id": .number(10),
                    "made_for_kids": .bool(false), "synthetic_media": .bool(false),
                ]), now: YouTubeHarness.now
        ).metadata.insertBody
        #expect(
            body.snippet
                == VideoInsertBody.Snippet(title: "T", description: "desc", tags: ["a b", "c"], categoryId: "10"))
        #expect(body.status.containsSyntheticMedia == false)
        #expect(YouTubeMetadata.resolve(PostDraft(title: "T"), now: YouTubeHarness.now).metadata.categoryID == "22")
    }

    @Test("no title and no caption: the title is required")
    func titleRequired() {
        #expect(Self.plan(PostDraft()).1.contains { $0.field == "title" && $0.message.contains("required") })
    }

    @Test(
        "Shorts: vertical or square and at most 3 minutes",
        arguments: [
            (1080, 1920, 60.0, true), (1080, 1080, 180.0, true), (1080, 1920, 181.0, false), (1920, 1080, 30.0, false),
            (0, 0, 0.0, false),
        ])
    func shortsChoice(_ width: Int, _ height: Int, _ duration: Double, _ short: Bool) {
        var media = Self.landscape
        media.width = width
        media.height = height
        media.duration = duration
        #expect(YouTubePublisher.isShort(media) == short)
        #expect(
            YouTubePublisher.url(videoID: "abc", isShort: short)
                == (short ? "https://www.youtube.com/shorts/abc" : "https://youtu.be/abc"))
    }

    @Test("capabilities declare push ingestion, the keys and the documented limits")
    func capabilities() {
        let capabilities = Self.publisher.capabilities
        #expect(capabilities.ingestion == .push)
        #expect(
            capabilities.requiredCredentials == ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"])
        #expect(capabilities.textLimits[.title]?.maxLength == 100)
        #expect(capabilities.textLimits[.description]?.unit == .utf8Bytes)
        #expect(capabilities.textLimits[.tags]?.maxLength == 500)
        #expect(PublisherFactory.youtube().platform == .youtube)
    }
}

/// A transport that must not be called (plan is offline).
struct UnreachableTransport: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        Issue.record("plan must not touch the network (\(operationID))")
        throw TransportError(message: "unreachable", operationID: operationID)
    }
}
