import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Testing

@testable import FacebookAdapter

/// A transport that must never be called (plans are offline).
private struct NoNetwork: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        Issue.record("unexpected network call \(operationID)")
        throw TransportError(message: "no network in this test", operationID: operationID)
    }
}

private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let vertical = media(width: 1080, height: 1920, duration: 4)
private let landscape = media(width: 1920, height: 1080, duration: 5, fps: 25)

private func publisher(_ settings: [String: String] = [:]) throws -> FacebookPublisher {
    let values = ["FACEBOOK_PAGE_ID": "100000000000001", "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-facebook-page-access-token"]
        .merging(settings) { $1 }
    return FacebookPublisher(configuration: try .load(from: EnvironmentStore(values)), transport: NoNetwork(), now: { now })
}

@Suite("Facebook plan and configuration (offline)")
struct FacebookPlanTests {
    @Test("a vertical 9:16 video within the Reels limits is a Reel by default; landscape is a Page video")
    func autoFormat() throws {
        let facebook = try publisher()
        let reel = FacebookPost.resolve(PostDraft(caption: "hi"), media: vertical, mode: .push, now: now)
        #expect(reel.format == .reel)
        #expect(reel.problems.isEmpty)
        let video = FacebookPost.resolve(PostDraft(caption: "hi"), media: landscape, mode: .push, now: now)
        #expect(video.format == .video)
        #expect(video.notes.contains { $0.contains("not a Reel") && $0.contains("aspect") })
        #expect(facebook.plan(PostDraft(caption: "hi"), media: landscape).problems.isEmpty)
    }

    @Test("auto falls back to a Page video outside the Reels spec", arguments: [
        media(width: 1080, height: 1920, duration: 120),  // too long
        media(width: 1080, height: 1920, duration: 2),  // too short
        media(width: 360, height: 640, duration: 10),  // too small
        media(width: 1080, height: 1920, duration: 10, fps: 15),  // too slow
        media(width: 1080, height: 1350, duration: 10),  // 4:5
    ])
    func autoFallsBack(info: MediaInfo) {
        #expect(FacebookPost.resolve(PostDraft(), media: info, mode: .push, now: now).format == .video)
    }

    @Test("reel: true on a video outside the Reels spec is refused with the reason")
    func forcedReel() {
        let post = FacebookPost.resolve(PostDraft(options: ["reel": .bool(true)]), media: landscape, mode: .push, now: now)
        #expect(post.format == .reel)
        #expect(post.problems.map(\.field) == ["platforms.facebook.reel"])
        #expect(post.problems.first?.message.contains("aspect") == true)
        let string = FacebookPost.resolve(PostDraft(options: ["reel": .string("false")]), media: vertical, mode: .push, now: now)
        #expect(string.format == .video)
        #expect(string.problems.isEmpty)
    }

    @Test("unknown keys and wrong types are issues naming the key")
    func unknownKeys() {
        let draft = PostDraft(options: ["descripton": .string("typo"), "title": .number(3), "reel": .string("maybe")])
        let fields = FacebookPost.resolve(draft, media: vertical, mode: .push, now: now).problems.map(\.field)
        #expect(fields == ["platforms.facebook.descripton", "platforms.facebook.title", "platforms.facebook.reel"])
    }

    @Test("the description defaults to the caption; explicit values win; texts go to the core's limit check")
    func texts() throws {
        let facebook = try publisher()
        let plan = facebook.plan(PostDraft(caption: "Sunrise", title: "Dawn"), media: landscape)
        #expect(plan.texts == [.description: "Sunrise", .title: "Dawn"])
        let explicit = facebook.plan(PostDraft(caption: "Sunrise", options: ["description": .string("Bay"), "title": .string("T")]), media: landscape)
        #expect(explicit.texts == [.description: "Bay", .title: "T"])
        let reel = facebook.plan(PostDraft(caption: "Sunrise", title: "Dawn"), media: vertical)
        #expect(reel.texts == [.description: "Sunrise"])
        #expect(reel.notes.contains { $0.contains("title is not sent with a Reel") })
        let reelTitle = facebook.plan(PostDraft(caption: "Sunrise", title: "Dawn", options: ["title": .string("Reel title")]), media: vertical)
        #expect(reelTitle.texts[.title] == "Reel title")
        let long = String(repeating: "a", count: 63_207)
        #expect(!Validation.check([.description: long], against: facebook.capabilities.textLimits, platform: .facebook).isEmpty)
    }

    @Test("privacy other than public has no Facebook Page equivalent")
    func privacy() {
        #expect(FacebookPost.resolve(PostDraft(privacy: .public), media: vertical, mode: .push, now: now).problems.isEmpty)
        let refused = FacebookPost.resolve(PostDraft(privacy: .private), media: vertical, mode: .push, now: now)
        #expect(refused.problems.map(\.field) == ["privacy"])
    }

    @Test("scheduling: at least 10 minutes ahead; at most 30 days for Reels and 75 days for Page videos")
    func schedulingWindow() {
        func problems(_ lead: TimeInterval, _ info: MediaInfo) -> [String] {
            FacebookPost.resolve(PostDraft(scheduledAt: now.addingTimeInterval(lead)), media: info, mode: .push, now: now).problems.map(\.field)
        }
        #expect(problems(5 * 60, vertical) == ["at"])
        #expect(problems(11 * 60, vertical).isEmpty)
        #expect(problems(29 * 86_400, vertical).isEmpty)
        #expect(problems(31 * 86_400, vertical) == ["at"])
        #expect(problems(31 * 86_400, landscape).isEmpty)
        #expect(problems(76 * 86_400, landscape) == ["at"])
    }

    @Test("Page videos by URL have the non-resumable limits (1 GB, 20 minutes)")
    func urlModeLimits() {
        let long = media(width: 1920, height: 1080, duration: 1500, size: 2_000_000_000)
        #expect(FacebookPost.resolve(PostDraft(), media: long, mode: .push, now: now).problems.isEmpty)
        let fields = FacebookPost.resolve(PostDraft(), media: long, mode: .url, now: now).problems.map(\.field)
        #expect(Set(fields) == ["size", "duration"])
    }

    @Test("capabilities: scheduling, push by default, publicURL in url mode, documented Page video limits")
    func capabilities() throws {
        let push = try publisher().capabilities
        #expect(push.supportsScheduling)
        #expect(push.ingestion == .push)
        #expect(push.mediaLimits.maxDuration == 14_400.0)
        #expect(push.requiredCredentials == ["FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"])
        #expect(try publisher(["FACEBOOK_UPLOAD_MODE": "url"]).capabilities.ingestion == .publicURL)
    }

    @Test("configuration: defaults, overrides, and errors naming the key")
    func configuration() throws {
        let defaults = try publisher().configuration
        #expect(defaults.graphBaseURL.absoluteString == "https://graph.facebook.com")
        #expect(defaults.ruploadBaseURL.absoluteString == "https://rupload.facebook.com")
        #expect(defaults.graphVersion.hasPrefix("v"))
        #expect(defaults.uploadMode == .push)
        #expect(defaults.appSecretProof == nil)
        #expect(try publisher(["ATOM_GRAPH_API_VERSION": "v23.0"]).configuration.graphVersion == "v23.0")

        func error(_ values: [String: String]) -> PublishError? {
            do {
                _ = try FacebookPublisher.Configuration.load(from: EnvironmentStore(values))
                return nil
            } catch { return error as? PublishError }
        }
        let missing = error(["FACEBOOK_PAGE_ID": "1"])
        #expect(missing?.code == .configuration)
        #expect(missing?.message == "FACEBOOK_PAGE_ACCESS_TOKEN is not set")
        #expect(missing?.remediation == "run `atom auth facebook`")
        let base = ["FACEBOOK_PAGE_ID": "1", "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-facebook-page-access-token"]
        #expect(error(base.merging(["FACEBOOK_UPLOAD_MODE": "pull"]) { $1 })?.message.contains("FACEBOOK_UPLOAD_MODE") == true)
        #expect(error(base.merging(["ATOM_GRAPH_API_VERSION": "24"]) { $1 })?.message.contains("ATOM_GRAPH_API_VERSION") == true)
        #expect(error(base.merging(["FACEBOOK_APPSECRET_PROOF": "1"]) { $1 })?.message == "FACEBOOK_APP_SECRET is not set")
        #expect(error(base.merging(["ATOM_RUPLOAD_BASE": "ftp://x"]) { $1 })?.message.contains("ATOM_RUPLOAD_BASE") == true)
        #expect(try FacebookPublisher.Configuration.load(from: EnvironmentStore(
            base.merging(["FACEBOOK_APPSECRET_PROOF": "1", "FACEBOOK_APP_SECRET": "sandbox-app-secret"]) { $1 })).appSecretProof != nil)
    }

    @Test("the factory registers facebook with its keys")
    func factory() throws {
        let factory = PublisherFactory.facebook()
        #expect(factory.platform == .facebook)
        #expect(factory.requiredKeys == ["FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"])
        #expect(factory.missingKeys(in: EnvironmentStore([:])) == factory.requiredKeys)
        let environment = PublisherEnvironment(
            credentials: EnvironmentStore(["FACEBOOK_PAGE_ID": "1", "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-facebook-page-access-token"]),
            transport: NoNetwork())
        #expect(try factory.makePublisher(environment).platform == .facebook)
    }

    @Test("appsecret_proof is hex HMAC-SHA256(token, app secret)")
    func appSecretProof() {
        // Known answer (RFC 4231 test case 2): key "Jefe", data "what do ya want for nothing?".
        #expect(AppSecretProof.compute(accessToken: "what do ya want for nothing?", appSecret: "Jefe")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
