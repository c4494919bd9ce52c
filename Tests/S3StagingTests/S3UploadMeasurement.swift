import AtomTestSupport
import Foundation
import PublishingCore
@testable import S3Staging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Not a test: the in-process measurement scripts/bench-s3.sh runs (`ATOM_S3_BENCH_FILE`) while the
/// `atom staging put` command is not wired yet. It stages the file on the local S3 server the way
/// `atom staging put` does (hash, HEAD, multipart) and prints wall time, CPU time and peak RSS.
@Suite(
    "S3UploadMeasurement",
    .enabled(if: ProcessInfo.processInfo.environment["ATOM_S3_BENCH_FILE"] != nil && LocalS3.endpoint != nil,
             "benchmark only: scripts/bench-s3.sh sets ATOM_S3_BENCH_FILE and ATOM_TEST_S3_ENDPOINT")
)
struct S3UploadMeasurement {
    static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6, Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    /// `VmHWM` (peak) or `VmRSS` (current) of this process, in KiB.
    static func memoryKiB(_ field: String = "VmHWM") -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? -1
    }

    @Test("stage the benchmark file and report wall time, CPU and peak RSS")
    func upload() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment["ATOM_S3_BENCH_FILE"])
        let endpoint = try #require(LocalS3.endpoint)
        try await TestTransport.with { transport in
            var configuration = S3Configuration(bucket: environment["ATOM_S3_BENCH_BUCKET"] ?? S3Test.bucketName(), endpoint: endpoint)
            // Knobs for exploring the buffer/concurrency trade-off (defaults: atom's own).
            if let kib = environment["ATOM_S3_BENCH_CHUNK_KIB"].flatMap(Int.init) { configuration.chunkSize = kib << 10 }
            if let count = environment["ATOM_S3_BENCH_CONCURRENCY"].flatMap(Int.init) { configuration.concurrency = count }
            let stager = S3Stager(configuration: configuration,
                                  credentials: AWSCredentials(accessKeyID: "BENCHACCESSKEYEXAMPLE", secretAccessKey: "bench-secret-access-key"),
                                  transport: transport)
            if environment["ATOM_S3_BENCH_BUCKET"] == nil { try await S3Test.createBucket(stager) }
            let baseline = Self.memoryKiB("VmRSS")
            let before = Self.cpuSeconds()
            let start = ContinuousClock.now
            let result: S3PutResult
            switch environment["ATOM_S3_BENCH_PHASE"] {
            case "hash":
                // Hashing alone (what `put` does before uploading).
                let sha = try await FileDigest.sha256(of: MediaFileHandle(path: path))
                result = S3PutResult(object: StagedObject(key: "none", size: 0), url: endpoint, expiresAt: nil, sha256: sha)
            case "upload":
                // Uploading alone, under a made-up hash.
                let file = try MediaFileHandle(path: path)
                let object = try await stager.stage(file, sha256: UUID().uuidString.lowercased(), contentType: "video/mp4",
                                                    context: StagingContext(progress: ProgressReporter(platform: .staging, continuation: nil)))
                result = S3PutResult(object: object, url: endpoint, expiresAt: nil, sha256: "")
            default:
                result = try await stager.put(path: path, ttl: .seconds(600))
            }
            let wall = ContinuousClock.now - start
            let after = Self.cpuSeconds()
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            print(String(format: "ATOM-BENCH wall=%.3f cpu_user=%.3f cpu_sys=%.3f peak_rss_kib=%d bytes=%lld rss_before_kib=%d",
                         seconds, after.user - before.user, after.system - before.system, Self.memoryKiB(), result.object.size, baseline))
            if result.object.size > 0 { try await stager.release(result.object) }
        }
    }
}
