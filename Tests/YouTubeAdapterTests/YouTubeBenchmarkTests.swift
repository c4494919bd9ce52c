import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
import YouTubeAdapter

/// Opt-in figures (`ATOM_BENCH=1 swift test --filter YouTubeBenchmark`): a large upload through the fake with the
/// default 8 MiB chunks, with one dropped connection, timing it and watching the process's peak memory.
@Suite("YouTube benchmark", .enabled(if: ProcessInfo.processInfo.environment["ATOM_BENCH"] != nil))
struct YouTubeBenchmarkTests {
    static let size = 256 << 20

    /// Peak resident set size (VmHWM) in KiB, Linux only.
    static func peakRSS() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    @Test("256 MiB in 8 MiB chunks with a dropped connection: throughput and peak memory")
    func largeUpload() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory + "/large.mp4"
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            var block = [UInt8](repeating: 0, count: 1 << 20)
            var generator = SystemRandomNumberGenerator()
            for i in block.indices { block[i] = UInt8.random(in: 0...255, using: &generator) }
            for index in 0..<(Self.size >> 20) {
                block[0] = UInt8(truncatingIfNeeded: index)
                block[1] = UInt8(truncatingIfNeeded: index >> 8)
                try handle.write(contentsOf: block)
            }
            try handle.close()
            let file = try MediaFileHandle(path: path)
            let sha = try await FileDigest.sha256(of: file)
            let fake = FakeYouTube(now: { YouTubeHarness.now })
            await fake.inject(.dropConnection(chunk: 10, afterBytes: 3_000_000))
            try await FakeServer.run(services: fake.services) { server in
                try await TestTransport.with { transport in
                    var values: [String: String] = [:]
                    for service in fake.services { values.merge(service.sandboxEnvironment(server: server)) { $1 } }
                    let publisher = try PublisherFactory.youtube().makePublisher(
                        PublisherEnvironment(
                            credentials: MemoryCredentialStore(values), transport: transport, now: { YouTubeHarness.now }))
                    let job = PublishJob(
                        recordID: "bench", draft: PostDraft(title: "bench"),
                        media: YouTubeHarness.landscape(size: file.size), file: file, sha256: sha)
                    let context = PublishContext(
                        clock: ImmediateClock(), jitter: FixedJitter(0.5), now: { YouTubeHarness.now })
                    let rssBefore = Self.peakRSS()
                    let start = ContinuousClock.now
                    let receipt = try await publisher.publish(job, context: context)
                    let elapsed = ContinuousClock.now - start
                    let rssAfter = Self.peakRSS()
                    let video = try #require(await fake.videos().first)
                    #expect(receipt.status == .published)
                    #expect(video.sha256 == sha)
                    let stats = await fake.stats()
                    #expect(stats.bytesReceived == file.size)
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    print(
                        "youtube bench: \(Self.size >> 20) MiB in \(stats.chunkRequests) chunk requests, "
                            + "\(stats.statusQueries) status query, \(String(format: "%.2f", seconds)) s "
                            + "(\(String(format: "%.0f", Double(Self.size) / seconds / 1_048_576)) MiB/s), "
                            + "peak RSS \(rssBefore / 1024) → \(rssAfter / 1024) MiB")
                }
            }
        }
    }
}
