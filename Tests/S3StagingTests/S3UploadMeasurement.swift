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

    static func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? -1
    }

    @Test("stage the benchmark file and report wall time, CPU and peak RSS")
    func upload() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment["ATOM_S3_BENCH_FILE"])
        let endpoint = try #require(LocalS3.endpoint)
        try await TestTransport.with { transport in
            let configuration = S3Configuration(bucket: environment["ATOM_S3_BENCH_BUCKET"] ?? S3Test.bucketName(), endpoint: endpoint)
            let stager = S3Stager(configuration: configuration,
                                  credentials: AWSCredentials(accessKeyID: "BENCHACCESSKEYEXAMPLE", secretAccessKey: "bench-secret-access-key"),
                                  transport: transport)
            if environment["ATOM_S3_BENCH_BUCKET"] == nil { try await S3Test.createBucket(stager) }
            let before = Self.cpuSeconds()
            let start = ContinuousClock.now
            let result = try await stager.put(path: path, ttl: .seconds(600))
            let wall = ContinuousClock.now - start
            let after = Self.cpuSeconds()
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            print(String(format: "ATOM-BENCH wall=%.3f cpu_user=%.3f cpu_sys=%.3f peak_rss_kib=%d bytes=%lld",
                         seconds, after.user - before.user, after.system - before.system, Self.peakRSSKiB(), result.object.size))
            try await stager.release(result.object)
        }
    }
}
