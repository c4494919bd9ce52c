import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

/// Throughput and memory over loopback with a large file. Off by default: `ATOM_FACEBOOK_BENCH=<MiB> swift test
/// --filter FacebookBenchmark` runs it and prints `FB-BENCH` lines.
@Suite("Facebook loopback benchmark", .enabled(if: ProcessInfo.processInfo.environment["ATOM_FACEBOOK_BENCH"] != nil))
struct FacebookBenchmarkTests {
    static var mebibytes: Int { Int(ProcessInfo.processInfo.environment["ATOM_FACEBOOK_BENCH"] ?? "") ?? 256 }

    static func peakRSS() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map { $0.replacingOccurrences(of: "\t", with: " ") } ?? "VmHWM n/a"
    }

    @Test("Reel push and Page video push of a large file", arguments: [FacebookFormat.reel, .video])
    func throughput(format: FacebookFormat) async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory + "/big.bin"
            let size = Self.mebibytes << 20
            try TemporaryDirectory.writeRandomFile(at: path, size: size)
            let file = try MediaFileHandle(path: path)
            let sha = try await FileDigest.sha256(of: file)
            let (width, height) = format == .reel ? (1080, 1920) : (1920, 1080)
            let info = MediaInfo(container: "mp4", brand: "isom", sizeBytes: Int64(size), duration: 60, width: width, height: height,
                                 rotation: 0, frameRate: 30, videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48_000,
                                 moovAtStart: true, hasEditList: false)
            let job = PublishJob(recordID: "bench", draft: PostDraft(caption: "bench"), media: info, file: file, sha256: sha)
            try await withFacebookFake(FakeFacebook.Configuration(processingPolls: 0)) { fake, _, publisher in
                let clock = ContinuousClock()
                let start = clock.now
                let receipt = try await publisher.publish(job, context: Recorder().context())
                let elapsed = clock.now - start
                let video = try requireVideo(fake, receipt)
                #expect(video.sha256 == sha)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("FB-BENCH \(format.rawValue): \(Self.mebibytes) MiB in \(String(format: "%.2f", seconds)) s = "
                      + "\(String(format: "%.0f", Double(Self.mebibytes) / seconds)) MiB/s, \(fake.requests.count) requests, \(Self.peakRSS())")
            }
        }
    }
}
