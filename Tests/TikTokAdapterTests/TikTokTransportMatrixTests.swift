import AsyncHTTPTransport
import AtomTestSupport
import Testing

/// The TikTok adapter's transport-level tests (against its loopback fake) over each production transport: uploads
/// byte-exact, retries, resumption, token refresh and error documents.
///
/// Not here: the tests that drop a connection in the middle of a request. URLSession (libcurl on Linux) resends such
/// a request by itself, so the fake sees the bytes twice (or a second request on a connection it is closing); AsyncHTTPClient does
/// not, and atom's own retry decides. Those tests run over AsyncHTTPClient in their own suites.
@Suite("TikTok over both transports")
struct TikTokTransportMatrixTests {
    @Test("PushTests.multiChunkByteExact", arguments: TransportChoice.allCases)
    func multiChunkByteExact(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await PushTests().multiChunkByteExact() }
    }

    @Test("PushTests.chunkRetriedAfter5xx", arguments: TransportChoice.allCases)
    func chunkRetriedAfter5xx(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await PushTests().chunkRetriedAfter5xx() }
    }

    @Test("PushTests.resumeFromCheckpoint", arguments: TransportChoice.allCases)
    func resumeFromCheckpoint(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await PushTests().resumeFromCheckpoint() }
    }

    @Test("PullTests.pullsStagedURL", arguments: TransportChoice.allCases)
    func pullsStagedURL(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await PullTests().pullsStagedURL() }
    }

    @Test("PullTests.pullFailure", arguments: TransportChoice.allCases)
    func pullFailure(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await PullTests().pullFailure() }
    }
}
