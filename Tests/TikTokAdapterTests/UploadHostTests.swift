import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

/// A server that is not TikTok's: it counts every request (and the bytes of its body) it gets.
private struct ForeignHost: FakeService {
    let mountPath = "/"
    let requests = LockedBox(0)
    let authorizations = LockedBox(0)

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        requests.withLock { $0 += 1 }
        if request.headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            authorizations.withLock { $0 += 1 }
        }
        return .text(201, "stored")
    }
}

@Suite("TikTok upload host policy")
struct UploadHostTests {
    @Test("an upload_url on a host that is neither TikTok's nor the configured base gets no byte and no token")
    func foreignUploadURLRefused() async throws {
        let foreign = ForeignHost()
        try await FakeServer.run(services: [foreign]) { elsewhere in
            try await TemporaryDirectory.with { dir in
                let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
                var configuration = TikTokFake.Configuration(chunkRules: SmallChunks.fake)
                configuration.uploadURLBase = elsewhere.baseURL(for: "/collect").absoluteString
                try await TikTokRig.run(fake: configuration) { rig in
                    await expectPublishError {
                        try await rig.publisher.publish(
                            TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                    } where: { error in
                        let host = elsewhere.baseURL(for: "/").port.map { ":\($0)" } ?? "?"
                        return error.code == .protocolViolation && error.platform == .tiktok
                            && error.message.contains("refused to send the video or the token to 127.0.0.1\(host)")
                            && error.operationID == "tiktok.upload.chunk"
                    }
                    #expect(await rig.fake.state.requests(to: .upload).isEmpty)
                }
            }
        }
        #expect(foreign.requests.value == 0)
        #expect(foreign.authorizations.value == 0)
    }
}
