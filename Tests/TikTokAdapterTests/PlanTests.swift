import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Testing
@testable import TikTokAdapter

/// A transport that fails the test if anything is sent: `plan` and configuration never touch the network.
private struct NoNetwork: HTTPTransport {
    func send(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        Issue.record("unexpected request \(operationID)")
        throw TransportError(message: "no network in this test", operationID: operationID)
    }
}

private func publisher(_ values: [String: String] = [:]) throws -> TikTokPublisher {
    let store = MemoryCredentialStore(["TIKTOK_ACCESS_TOKEN": "sandbox-tiktok-access-token"].merging(values) { $1 })
    return try #require(
        try PublisherFactory.tiktok().makePublisher(PublisherEnvironment(credentials: store, transport: NoNetwork()))
            as? TikTokPublisher)
}

private func plan(
    _ draft: PostDraft, duration: Double = 4, size: Int64 = 1_000_000
) throws -> (PostPlan, [ValidationIssue]) {
    let tiktok = try publisher()
    let media = TestMedia.info(size: size, duration: duration)
    let plan = tiktok.plan(draft, media: media)
    let textIssues = Validation.check(plan.texts, against: tiktok.capabilities.textLimits, platform: .tiktok)
    return (plan, plan.problems + textIssues)
}

@Suite("TikTok plan and configuration (offline)")
struct PlanTests {
    @Test("an unknown manifest key is refused, naming it")
    func unknownKey() throws {
        let (_, issues) = try plan(
            PostDraft(caption: "hi", options: ["colour": .string("blue"), "privacy": .string("SELF_ONLY")]))
        #expect(issues.map(\.field) == ["platforms.tiktok.colour"])
    }

    @Test(
        "a wrong value type is refused",
        arguments: [
            ("disable_comment", JSONValue.string("yes")), ("draft", .number(1)),
            ("cover_timestamp_ms", .string("1000")),
            ("cover_timestamp_ms", .number(1.5)), ("privacy", .bool(true)), ("caption", .number(3)),
        ])
    func wrongType(key: String, value: JSONValue) throws {
        let (_, issues) = try plan(PostDraft(caption: "hi", options: [key: value]))
        #expect(issues.contains { $0.field == "platforms.tiktok.\(key)" })
    }

    @Test(
        "generic privacy maps to TikTok's nearest level",
        arguments: [
            (Privacy.public, "PUBLIC_TO_EVERYONE"), (.private, "SELF_ONLY"), (.friends, "MUTUAL_FOLLOW_FRIENDS"),
            (.followers, "FOLLOWER_OF_CREATOR"),
        ])
    func privacyMapping(privacy: Privacy, level: String) throws {
        let (plan, issues) = try plan(PostDraft(caption: "hi", privacy: privacy))
        #expect(issues.isEmpty)
        #expect(plan.notes.first == "privacy: \(level)")
    }

    @Test("unlisted has no TikTok level and is refused; the per-platform value wins over it")
    func unlisted() throws {
        let (_, refused) = try plan(PostDraft(caption: "hi", privacy: .unlisted))
        #expect(refused.map(\.field) == ["privacy"])
        let (overridden, fine) = try plan(
            PostDraft(caption: "hi", privacy: .unlisted, options: ["privacy": .string("SELF_ONLY")]))
        #expect(fine.isEmpty)
        #expect(overridden.notes.first == "privacy: SELF_ONLY")
    }

    @Test("no privacy: SELF_ONLY, said in the dry-run notes")
    func defaultPrivacy() throws {
        let (plan, issues) = try plan(PostDraft(caption: "hi"))
        #expect(issues.isEmpty)
        #expect(plan.notes.contains { $0.contains("no privacy given: posting SELF_ONLY") })
    }

    @Test("the caption limit is 2200 UTF-16 units: 1100 emoji fit, 1101 do not, and nothing is truncated")
    func captionCountsUTF16() throws {
        let fits = String(repeating: "😀", count: 1100)
        let (fitting, none) = try plan(PostDraft(caption: fits))
        #expect(none.isEmpty)
        #expect(fitting.texts[.caption] == fits)
        let over = String(repeating: "😀", count: 1101)
        let (refused, issues) = try plan(PostDraft(caption: over))
        #expect(refused.texts[.caption] == over)
        #expect(issues.map(\.field) == ["caption"])
        #expect(issues.first?.message.contains("2202 UTF-16 units") == true)
    }

    @Test("tags become hashtags when they fit, never twice")
    func tagsAppended() throws {
        let (plan, _) = try plan(PostDraft(caption: "Sunrise #sunrise", tags: ["sunrise", "timelapse"]))
        #expect(plan.texts[.caption] == "Sunrise #sunrise #timelapse")
    }

    @Test("branded content cannot be SELF_ONLY; a cover frame past the end is refused")
    func contentRules() throws {
        let (_, branded) = try plan(
            PostDraft(caption: "ad", options: ["brand_content": .bool(true), "privacy": .string("SELF_ONLY")]))
        #expect(branded.map(\.field) == ["platforms.tiktok.brand_content"])
        let (_, cover) = try plan(
            PostDraft(caption: "x", privacy: .private, options: ["cover_timestamp_ms": .number(5000)]), duration: 4)
        #expect(cover.map(\.field) == ["platforms.tiktok.cover_timestamp_ms"])
    }

    @Test("a draft sends no caption and says where the settings are chosen")
    func draftPlan() throws {
        let (plan, issues) = try plan(PostDraft(caption: "hi", options: ["draft": .bool(true)]))
        #expect(issues.isEmpty)
        #expect(plan.texts.isEmpty)
        #expect(plan.notes.contains { $0.contains("TikTok inbox") })
    }

    @Test("the dry run shows the chunk plan")
    func chunkNote() throws {
        let (cut, _) = try plan(PostDraft(caption: "hi", privacy: .private), size: 100_000_123)
        #expect(cut.notes.contains("FILE_UPLOAD in 10 chunks of 10000000 bytes (last 10000123)"))
        let (whole, _) = try plan(PostDraft(caption: "hi", privacy: .private), size: 50_000_123)
        #expect(whole.notes.contains("FILE_UPLOAD in one chunk of 50000123 bytes"))
    }

    @Test("a missing access token is a configuration error pointing at `atom auth tiktok`")
    func missingToken() {
        expectPublishErrorSync {
            _ = try PublisherFactory.tiktok().makePublisher(
                PublisherEnvironment(credentials: MemoryCredentialStore(), transport: NoNetwork()))
        } where: { error in
            return error.code == .configuration && error.message == "TIKTOK_ACCESS_TOKEN is not set"
                && error.remediation == "run `atom auth tiktok`"
        }
    }

    @Test("pull mode needs TIKTOK_VERIFIED_URL_PREFIX; a bad mode or expiry is refused")
    func configurationErrors() throws {
        for values in [
            ["TIKTOK_UPLOAD_MODE": "pull"], ["TIKTOK_UPLOAD_MODE": "carrier-pigeon"],
            ["TIKTOK_ACCESS_TOKEN_EXPIRES_AT": "tomorrow"],
            ["ATOM_TIKTOK_API_BASE": "not a url"],
        ] {
            #expect(throws: PublishError.self) { try publisher(values) }
        }
        expectPublishErrorSync {
            _ = try publisher(["TIKTOK_UPLOAD_MODE": "pull"])
        } where: { error in
            error.message.contains("TIKTOK_VERIFIED_URL_PREFIX") == true
        }
        let pull = try publisher([
            "TIKTOK_UPLOAD_MODE": "pull", "TIKTOK_VERIFIED_URL_PREFIX": "https://media.example.com/atom/",
        ])
        #expect(pull.capabilities.ingestion == .publicURL)
        #expect(pull.capabilities.requiredCredentials.contains("TIKTOK_VERIFIED_URL_PREFIX"))
        #expect(try publisher().capabilities.ingestion == .push)
    }

    @Test("TIKTOK_ACCESS_TOKEN_EXPIRES_AT is read with or without fractional seconds")
    func expiryFormats() throws {
        let plain = try publisher(["TIKTOK_ACCESS_TOKEN_EXPIRES_AT": "2026-05-01T12:00:00Z"]).configuration
            .accessTokenExpiresAt
        let fractional = try publisher(["TIKTOK_ACCESS_TOKEN_EXPIRES_AT": "2026-05-01T12:00:00.250Z"]).configuration
            .accessTokenExpiresAt
        #expect(plain == Date(timeIntervalSince1970: 1_777_636_800))
        #expect(fractional == Date(timeIntervalSince1970: 1_777_636_800.25))
    }

    @Test("verified prefixes: a URL prefix must start the URL; a bare domain covers its subdomains")
    func verifiedPrefixes() throws {
        let prefix = try publisher([
            "TIKTOK_UPLOAD_MODE": "pull", "TIKTOK_VERIFIED_URL_PREFIX": "https://media.example.com/atom/",
        ]).configuration
        #expect(prefix.isVerified(try #require(URL(string: "https://media.example.com/atom/k1/clip.mp4"))))
        #expect(!prefix.isVerified(try #require(URL(string: "https://media.example.com/other/clip.mp4"))))
        #expect(
            !prefix.isVerified(
                try #require(URL(string: "https://bucket.s3.amazonaws.com/atom/clip.mp4?X-Amz-Signature=ab"))))
        let domain = try publisher(["TIKTOK_UPLOAD_MODE": "pull", "TIKTOK_VERIFIED_URL_PREFIX": "example.com"])
            .configuration
        #expect(domain.isVerified(try #require(URL(string: "https://cdn.example.com/clip.mp4"))))
        #expect(!domain.isVerified(try #require(URL(string: "https://badexample.com/clip.mp4"))))
    }

    @Test("the declared limits are TikTok's")
    func capabilities() throws {
        let caps = try publisher().capabilities
        #expect(caps.displayName == "TikTok")
        #expect(caps.textLimits[.caption]?.maxLength == 2200)
        #expect(caps.textLimits[.caption]?.unit == .utf16)
        #expect(caps.mediaLimits.maxDuration == 600)
        #expect(caps.mediaLimits.minFrameRate == 23)
        #expect(caps.mediaLimits.maxWidth == 4096)
        #expect(!caps.supportsScheduling)
    }
}
