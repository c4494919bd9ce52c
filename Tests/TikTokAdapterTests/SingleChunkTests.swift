import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

/// TikTok since about 2026-08-09: a multi-chunk `video/init` for a file of at most 64,000,000 bytes is refused with
/// `400 invalid_params` "The chunk size is invalid", while the same file as one chunk goes through
/// (DayMoonDevelopment/post-for-me issue #327).
@Suite("TikTok single-chunk uploads up to 64,000,000 bytes")
struct SingleChunkTests {
    @Test("a 30,000,000-byte post under the documented rules is one PUT of the whole file")
    func thirtyMillionIsOnePut() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/thirty.mp4"
            // Sparse: 30 MB of zeros without writing them.
            _ = FileManager.default.createFile(atPath: path, contents: Data())
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 30_000_000)
            try handle.close()
            let file = try MediaFileHandle(path: path)
            let sha = try await FileDigest.sha256(of: file)
            try await TikTokRig.run(fake: TikTokFake.Configuration(), configure: { $0.chunkRules = .documented }) {
                rig in
                let receipt = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                #expect(receipt.status == .published)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(
                    await rig.fake.state.received(publishID)
                        == TikTokFakeUpload(bytes: 30_000_000, sha256: sha, chunks: 1))
                #expect(
                    await rig.fake.state.requests(to: .upload).map(\.contentRange) == ["bytes 0-29999999/30000000"])
            }
        }
    }

    @Test("a refused multi-chunk init says what atom sent: size, chunk size and count")
    func refusalNamesThePlan() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            // The fake refuses multi-chunk plans up to 2,000,000 bytes; the adapter still cuts above 640,000.
            var rules = SmallChunks.fake
            rules.multiChunkRefusedUpTo = 2_000_000
            try await TikTokRig.run(fake: TikTokFake.Configuration(chunkRules: rules)) { rig in
                await expectPublishError {
                    try await rig.publisher.publish(
                        TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                } where: { error in
                    error.code == .invalidInput && error.platform == .tiktok && error.httpStatus == 400
                        && error.platformCode == "invalid_params"
                        && error.message.contains("The chunk size is invalid")
                        && error.message.contains(
                            "video_size 1000123, chunk_size 200000, total_chunk_count 5")
                        && error.remediation?.contains("64,000,000") == true
                }
                #expect(await rig.fake.state.requests(to: .upload).isEmpty)
            }
        }
    }
}
