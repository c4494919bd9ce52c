import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import Testing

/// The API setup follows the token: `IG…` is an Instagram Login token (graph.instagram.com), `EAA…` a Facebook Login
/// token (graph.facebook.com); each host answers 190 "Cannot parse access token" to the other's tokens.
@Suite("Instagram API setup from the token")
struct InstagramSetupTests {
    /// A Facebook-Login-shaped test token, assembled at run time (short and obviously fake).
    static let facebookToken = "EAA" + "-test-facebook-login"
    static let instagramToken = "IG" + "-test-instagram-login"

    @Test("a Facebook Login token with no INSTAGRAM_LOGIN posts through graph.facebook.com")
    func facebookTokenPostsWithoutLoginKey() async throws {
        try await InstagramHarness.run(InstagramFake(accessToken: Self.facebookToken)) { h in
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": nil])
            #expect(publisher.configuration.login == .facebook)
            let job = try await InstagramHarness.job()
            let plan = publisher.plan(job.draft, media: job.media)
            #expect(
                plan.notes.contains {
                    $0.hasPrefix("API setup: Instagram API with Facebook Login") && $0.contains("starts with EAA")
                })
            let receipt = try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            #expect(await h.fake.requests.allSatisfy { $0.mount == "/graph" })
        }
    }

    @Test("an Instagram Login token with no INSTAGRAM_LOGIN goes to graph.instagram.com")
    func instagramTokenChoosesInstagramLogin() async throws {
        try await InstagramHarness.run(InstagramFake(accessToken: Self.instagramToken)) { h in
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": nil])
            #expect(publisher.configuration.login == .instagram)
            let job = try await InstagramHarness.job()
            let receipt = try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            #expect(await h.fake.requests.allSatisfy { $0.mount == "/instagram" })
        }
    }

    @Test("INSTAGRAM_LOGIN still overrides; the Instagram host cannot parse a Facebook token (190), as on Meta")
    func explicitOverrideAndHostRefusal() async throws {
        try await InstagramHarness.run(InstagramFake(accessToken: Self.facebookToken)) { h in
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": "instagram"])
            #expect(publisher.configuration.login == .instagram)
            #expect(publisher.configuration.loginReason == "INSTAGRAM_LOGIN=instagram")
            let job = try await InstagramHarness.job()
            await #expect {
                _ = try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            } throws: { error in
                let error = error as? PublishError
                return error?.platformCode == "190" && error?.message.contains("Cannot parse access token") == true
            }
        }
    }

    @Test("a token of neither shape, with no INSTAGRAM_LOGIN, is a configuration error naming both setups")
    func neitherShape() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": nil])
            #expect(publisher.configuration.loginProblem != nil)
            let job = try await InstagramHarness.job()
            #expect(publisher.plan(job.draft, media: job.media).notes.contains { $0.hasPrefix("API setup: unknown") })
            await #expect {
                try await publisher.preflight(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            } throws: { error in
                (error as? PublishError)?.code == .configuration
            }
            #expect(await h.fake.requests.isEmpty)
        }
        let store = MemoryCredentialStore([
            "INSTAGRAM_ACCESS_TOKEN": "not-a-meta-token", "INSTAGRAM_USER_ID": "17841400000000001",
        ])
        let error = try #require(try InstagramConfiguration(store: store).loginProblem)
        #expect(error.code == .configuration)
        #expect(error.message.contains("Instagram Login tokens start with IG"))
        #expect(error.message.contains("Facebook Login tokens with EAA"))
        #expect(error.remediation?.contains("INSTAGRAM_LOGIN=facebook") == true)
    }
}
