import AtomSandbox
import AtomTestSupport
import Foundation
import PublishingCore
import Testing
@testable import TikTokAdapter

@Suite("TikTok retries on the progress stream")
struct RetryProgressTests {
    @Test("a retried init reports 'retrying <host> (2/m) in Ns: HTTP 429' before it succeeds")
    func retriedInitIsReported() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.inject(.rateLimited(on: .directInit))
            let recorder = ContextRecorder()
            var job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            try await TemporaryDirectory.with { dir in
                let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
                job.file = file
                let receipt = try await rig.publisher.publish(job, context: recorder.context())
                #expect(receipt.status == .published)
            }
            let lines = await recorder.drainEvents().filter { $0.phase == .retrying }.compactMap(\.message)
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(line.hasPrefix("retrying 127.0.0.1 (2/"))
            #expect(line.contains(" s: HTTP 429"))
        }
    }
}
