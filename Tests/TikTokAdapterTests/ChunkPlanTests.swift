import AtomSandbox
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

@Suite("TikTok chunk plan")
struct ChunkPlanTests {
    @Test("100,000,123 bytes: ten 10,000,000-byte chunks, the last 10,000,123 (the guide's way of cutting)")
    func guideExample() throws {
        let plan = try TikTokChunkPlan(videoSize: 100_000_123)
        #expect(plan.chunkSize == 10_000_000)
        #expect(plan.chunkCount == 10)
        #expect(plan.range(ofChunk: 0) == 0..<10_000_000)
        #expect(plan.range(ofChunk: 9) == 90_000_000..<100_000_123)
    }

    @Test(
        "up to 64,000,000 bytes goes as one chunk with chunk_size = video_size (TikTok refuses more since 2026-08)",
        arguments: [Int64(5_242_880), 10_000_000, 30_000_000, 50_000_123, 64_000_000])
    func upToSixtyFourMillionGoesWhole(size: Int64) throws {
        let plan = try TikTokChunkPlan(videoSize: size)
        #expect(plan.chunkCount == 1)
        #expect(plan.chunkSize == size)
        #expect(plan.range(ofChunk: 0) == 0..<size)
    }

    @Test("4,194,304 bytes: one chunk with chunk_size equal to the video size")
    func underMinimumGoesWhole() throws {
        let plan = try TikTokChunkPlan(videoSize: 4_194_304)
        #expect(plan.chunkCount == 1)
        #expect(plan.chunkSize == 4_194_304)
        #expect(plan.range(ofChunk: 0) == 0..<4_194_304)
    }

    @Test(
        "sizes either side of every bound satisfy the documented rules and the fake's",
        arguments: [
            Int64(1), 5_242_879, 5_242_880, 9_999_999, 10_000_000, 19_999_999, 20_000_000, 64_000_000, 64_000_001,
            127_999_999,
            1_000_000_007, 4_000_000_000, 4_294_967_296, 9_999_999_999,
        ])
    func everyPlanIsValid(size: Int64) throws {
        let plan = try TikTokChunkPlan(videoSize: size)
        #expect(plan.violation(of: .documented) == nil)
        #expect(
            TikTokFake.ChunkRules.documented.violation(
                videoSize: size, chunkSize: plan.chunkSize, chunkCount: Int64(plan.chunkCount)) == nil)
        #expect(Int64(plan.chunkCount) == size / plan.chunkSize)
        var next: Int64 = 0
        for index in 0..<plan.chunkCount {
            let range = plan.range(ofChunk: index)
            #expect(range.lowerBound == next)
            next = range.upperBound
        }
        #expect(next == size)
    }

    @Test("64,000,001 bytes must be chunked: six chunks, the last 14,000,001")
    func overSixtyFourMustBeChunked() throws {
        let plan = try TikTokChunkPlan(videoSize: 64_000_001)
        #expect(plan.chunkCount == 6)
        let last = plan.range(ofChunk: 5)
        #expect(last.upperBound - last.lowerBound == 14_000_001)
    }

    @Test("more than 1000 chunks of the preferred size grows the chunk")
    func growsChunksPastTheCount() throws {
        let plan = try TikTokChunkPlan(videoSize: 12_000_000_000)
        #expect(plan.chunkCount <= 1000)
        #expect(plan.chunkSize == 12_000_000)
        #expect(plan.violation(of: .documented) == nil)
    }

    @Test("an empty or impossibly large video is refused")
    func refusals() {
        #expect(throws: PublishError.self) { _ = try TikTokChunkPlan(videoSize: 0) }
        expectPublishErrorSync {
            _ = try TikTokChunkPlan(videoSize: 100_000_000_000)
        } where: { error in
            error.code == .limitExceeded
        }
    }

    @Test("a chunk is found by its first byte; other offsets are not chunk starts")
    func chunkIndex() throws {
        let plan = try TikTokChunkPlan(videoSize: 100_000_123)
        #expect(plan.chunkIndex(startingAt: 0) == 0)
        #expect(plan.chunkIndex(startingAt: 30_000_000) == 3)
        #expect(plan.chunkIndex(startingAt: 30_000_001) == nil)
        #expect(plan.chunkIndex(startingAt: 100_000_000) == nil)
    }

    @Test("the fake refuses plans that break the rules")
    func fakeRefusesBadPlans() {
        let rules = TikTokFake.ChunkRules.documented
        #expect(rules.violation(videoSize: 50_000_123, chunkSize: 10_000_000, chunkCount: 6) != nil)  // count not floor
        #expect(rules.violation(videoSize: 50_000_123, chunkSize: 4_000_000, chunkCount: 12) != nil)  // chunk under 5 MiB
        #expect(rules.violation(videoSize: 70_000_000, chunkSize: 70_000_000, chunkCount: 1) != nil)  // over 64 MB whole
        #expect(rules.violation(videoSize: 200_000_000, chunkSize: 60_000_000, chunkCount: 3) == nil)
        #expect(rules.violation(videoSize: 259_000_000, chunkSize: 64_000_000, chunkCount: 4) == nil)
        #expect(rules.violation(videoSize: 4_000_000, chunkSize: 4_000_000, chunkCount: 1) == nil)
        // Multi-chunk at or under 64,000,000 bytes: refused the way TikTok has since 2026-08.
        #expect(
            rules.violation(videoSize: 50_000_123, chunkSize: 10_000_000, chunkCount: 5)
                == TikTokFake.ChunkRules.chunkSizeInvalid)
        #expect(rules.violation(videoSize: 64_000_001, chunkSize: 10_000_000, chunkCount: 6) == nil)
    }
}
