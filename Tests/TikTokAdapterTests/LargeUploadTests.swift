import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import TikTokAdapter

/// Writes `size` pseudo-random bytes quickly (xorshift over 64-bit words, 8 MiB at a time).
private func writeLargeFile(at path: String, size: Int) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var remaining = size
    while remaining > 0 {
        let count = min(remaining, 8 << 20)
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for index in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[index] = state
        }
        let bytes = words.withUnsafeBytes { Data($0.prefix(count)) }
        try handle.write(contentsOf: bytes)
        remaining -= count
    }
}

@Suite("TikTok large upload (opt-in: ATOM_TEST_LARGE=1)")
struct LargeUploadTests {
    @Test(
        "64,000,001 bytes under the documented rules: six chunks, the last 14,000,001, byte-exact",
        .enabled(if: ProcessInfo.processInfo.environment["ATOM_TEST_LARGE"] == "1")
    )
    func documentedRules() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/large.mp4"
            let size = ProcessInfo.processInfo.environment["ATOM_TEST_LARGE_SIZE"].flatMap(Int.init) ?? 64_000_001
            try writeLargeFile(at: path, size: size)
            let file = try MediaFileHandle(path: path)
            let sha = try await FileDigest.sha256(of: file)
            try await TikTokRig.run(fake: TikTokFake.Configuration(), configure: { $0.chunkRules = .documented }) {
                rig in
                let started = ContinuousClock.now
                let receipt = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                let elapsed = ContinuousClock.now - started
                #expect(receipt.status == .published)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                let plan = try TikTokChunkPlan(videoSize: Int64(size))
                #expect(
                    await rig.fake.state.received(publishID)
                        == TikTokFakeUpload(bytes: Int64(size), sha256: sha, chunks: plan.chunkCount))
                if size == 64_000_001 {
                    let ranges = await rig.fake.state.requests(to: .upload).map(\.contentRange)
                    #expect(ranges.count == 6)
                    #expect(ranges.last == "bytes 50000000-64000000/64000001")
                }
                let peak =
                    (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
                    .split(separator: "\n").first { $0.hasPrefix("VmHWM") }
                    .map(String.init) ?? "VmHWM unknown"
                print("TikTok large upload: \(size) bytes in \(elapsed); \(peak)")
            }
        }
    }
}
