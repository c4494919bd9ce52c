import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Testing
@testable import TikTokAdapter

/// Answers each operation with a recorded body from `Fixtures/tiktok/`.
private struct RecordedTransport: HTTPTransport {
    let answers: [String: (Int, String)]

    func send(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let answer = answers[operationID] else {
            Issue.record("unexpected request \(operationID)")
            throw TransportError(message: "no recording", operationID: operationID)
        }
        let (status, name) = answer
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiktok/" + name)))
        return (HTTPResponse(status: .init(code: status)), HTTPBody(Array(bytes)))
    }
}

private func client(_ answers: [String: (Int, String)], refreshable: Bool = false) throws -> TikTokClient {
    var values = ["TIKTOK_ACCESS_TOKEN": "sandbox-tiktok-access-token"]
    if refreshable {
        values["TIKTOK_REFRESH_TOKEN"] = "sandbox-tiktok-refresh-token"
        values["TIKTOK_CLIENT_KEY"] = "sandbox-tiktok-client-key"
        values["TIKTOK_CLIENT_SECRET"] = "sandbox-tiktok-client-secret"
        values["TIKTOK_ACCESS_TOKEN_EXPIRES_AT"] = "2020-01-01T00:00:00Z"
    }
    let store = MemoryCredentialStore(values)
    let publisher = TikTokPublisher(
        configuration: try TikTokPublisher.Configuration(store: store),
        environment: PublisherEnvironment(credentials: store, transport: RecordedTransport(answers: answers)))
    return publisher.client
}

@Suite("TikTok documented response shapes (Fixtures/tiktok)")
struct FixtureTests {
    @Test("creator info decodes with its options and limits")
    func creatorInfo() async throws {
        let info = try await client(["tiktok.creatorInfo": (200, "creator_info.json")]).creatorInfo()
        #expect(info.creatorUsername == "example.creator")
        #expect(info.privacyLevelOptions == ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
        #expect(info.stitchDisabled == true)
        #expect(info.maxVideoPostDurationSec == 300)
    }

    @Test("an error envelope with HTTP 200 is an error")
    func spamWithOK() async throws {
        await expectPublishError {
            try await client(["tiktok.creatorInfo": (200, "creator_info_spam.json")]).creatorInfo()
        } where: { error in
            error.code == .quotaExceeded && error.diagnosticID == "202601011200000000EXAMPLE0002"
                && error.httpStatus == 200
        }
    }

    @Test("init gives the publish_id and the upload_url as sent")
    func initFileUpload() async throws {
        let plan = try TikTokChunkPlan(videoSize: 50_000_123)
        let data = try await client(["tiktok.init": (200, "init_file_upload.json")])
            .initialize(TikTokInitRequest(postInfo: nil, sourceInfo: .fileUpload(plan)), inbox: false)
        #expect(data.publishID == "v_pub_file~v2-1.7300000000000000001")
        #expect(
            data.uploadURL
                == "https://open-upload.tiktokapis.com/video/?upload_id=7100000000000000001&upload_token=example-upload-token"
        )
    }

    @Test("an error body without data maps by code")
    func initUnverified() async throws {
        await expectPublishError {
            try await client(["tiktok.init": (403, "init_url_unverified.json")])
                .initialize(
                    TikTokInitRequest(
                        postInfo: nil, sourceInfo: .pull(try #require(URL(string: "https://example.com/v.mp4")))),
                    inbox: false)
        } where: { error in
            error.code == .configuration && error.platformCode == "url_ownership_unverified"
        }
    }

    @Test("status keeps a 19-digit post id exact and reads fail_reason")
    func status() async throws {
        let complete = try await client(["tiktok.status": (200, "status_complete.json")]).status(publishID: "p")
        #expect(complete.status == "PUBLISH_COMPLETE")
        #expect(complete.publicalyAvailablePostID == [TikTokPostID("7345678901234567891")])
        #expect(complete.uploadedBytes == 50_000_123)
        let failed = try await client(["tiktok.status": (200, "status_failed.json")]).status(publishID: "p")
        #expect(failed.failReason == "picture_size_check_failed")
        #expect(failed.publicalyAvailablePostID == [])
    }

    @Test("a refresh reads the token response; invalid_grant maps to re-authorisation")
    func tokens() async throws {
        let refreshed = try client(
            [
                "tiktok.token.refresh": (200, "token_refresh.json"), "tiktok.creatorInfo": (200, "creator_info.json"),
            ], refreshable: true)
        _ = try await refreshed.creatorInfo()
        #expect(try await refreshed.tokens.token().value == "example-rotated-access-token")

        await expectPublishError {
            try await client(["tiktok.token.refresh": (400, "token_invalid_grant.json")], refreshable: true)
                .creatorInfo()
        } where: { error in
            error.code == .authentication && error.platformCode == "invalid_grant"
                && error.message == "Refresh token is invalid or expired."
        }
    }
}
