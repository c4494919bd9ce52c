import AsyncHTTPClient
import AsyncHTTPTransport
import Foundation
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import PublishingCore
import URLSessionTransportSupport

/// A clock whose sleeps return at once, advancing its own time and recording each sleep — so retry and
/// polling tests run without waiting and can assert the delays chosen.
public final class ImmediateClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Sendable {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = LockedBox<(now: Duration, sleeps: [Duration])>((.zero, []))

    public init() {}

    public var now: Instant { Instant(offset: state.value.now) }
    public var minimumResolution: Duration { .nanoseconds(1) }
    /// Every sleep requested, in order.
    public var sleeps: [Duration] { state.value.sleeps }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { value in
            let delta = deadline.offset - value.now
            value.sleeps.append(max(.zero, delta))
            if delta > .zero { value.now = deadline.offset }
        }
        await Task.yield()
    }
}

/// Jitter that always returns the same fraction (1.0 gives the full backoff ceiling).
public struct FixedJitter: JitterSource {
    public let value: Double
    public init(_ value: Double) { self.value = value }
    public func unit() -> Double { value }
}

/// Paths of the committed fixtures.
public enum Fixtures {
    /// The repository's `Fixtures/` folder, found from this source file's location.
    public static var directory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").path
    }

    /// The path of a fixture file.
    public static func path(_ name: String) -> String { directory + "/" + name }
}

/// Temporary folders removed when the test ends.
public enum TemporaryDirectory {
    /// Runs `body` with a fresh folder, then deletes it.
    public static func with<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "atom-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// Writes a file of `size` pseudo-random bytes (deterministic from `seed`) in bounded chunks.
    public static func writeRandomFile(at path: String, size: Int, seed: UInt64 = 42) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        var state = seed
        var remaining = size
        while remaining > 0 {
            let count = min(remaining, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: count)
            for i in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                chunk[i] = UInt8(truncatingIfNeeded: state >> 33)
            }
            handle.write(Data(chunk))
            remaining -= count
        }
    }
}

/// A real transport for integration tests, with atom's production middlewares, shut down after `body`.
public enum TestTransport {
    /// The transport ``with(_:_:)`` builds when none is named: AsyncHTTPClient unless a test runs its body under
    /// `TestTransport.$choice.withValue(.urlSession) { … }` (the adapters' transport matrices do).
    @TaskLocal public static var choice: TransportChoice = .asyncHTTPClient

    public static func with<T>(_ choice: TransportChoice? = nil, _ body: (any HTTPTransport) async throws -> T) async throws -> T {
        let choice = choice ?? Self.choice
        let configuration = TransportConfiguration(connectTimeout: .seconds(5), readTimeout: .seconds(30), requestTimeout: .seconds(300))
        let client = AtomTransport.makeClient(configuration: configuration)
        do {
            let result = try await body(AtomTransport.make(choice, client: client, configuration: configuration) { InProcessURLSession.library })
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The body of a `GET` of `url` (at most 16 MiB), for tests that read a fake's state. (`Data(contentsOf:)` needs
    /// FoundationNetworking on Linux, which atom does not link.)
    public static func get(_ url: URL) async throws -> Data {
        let request = HTTPClientRequest(url: url.absoluteString)
        let response = try await HTTPClient.shared.execute(request, deadline: .now() + .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else {
            let description = "GET \(url.path) answered \(response.status.code)"
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: description])
        }
        return Data(body.readableBytesView)
    }
}

/// The local S3 server (moto) started by the test script, if any: `ATOM_TEST_S3_ENDPOINT`.
public enum LocalS3 {
    /// The endpoint URL, or `nil` when no server was started.
    public static var endpoint: URL? {
        ProcessInfo.processInfo.environment["ATOM_TEST_S3_ENDPOINT"].flatMap(URL.init(string:))
    }
}

/// The AtomURLSession library's entry points linked into the test binary: the transport matrices test
/// swift-openapi-urlsession through the same C boundary as atom, without loading the library.
public enum InProcessURLSession {
    public static let library = URLSessionLibrary(
        open: AtomURLSessionEntryPoints.open, close: AtomURLSessionEntryPoints.close, send: AtomURLSessionEntryPoints.send,
        cancel: AtomURLSessionEntryPoints.cancel, release: AtomURLSessionEntryPoints.release)
}
