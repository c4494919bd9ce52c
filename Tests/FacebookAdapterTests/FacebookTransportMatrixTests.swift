import AsyncHTTPTransport
import AtomTestSupport
import Testing

/// The Facebook adapter's transport-level tests (against its loopback fake) over each production transport: uploads
/// byte-exact, retries, resumption, token refresh and error documents.
///
/// Not here: the tests that drop a connection in the middle of a request. URLSession (libcurl on Linux) resends such
/// a request by itself, so the fake sees the bytes twice (or a second request on a connection it is closing); AsyncHTTPClient does
/// not, and atom's own retry decides. Those tests run over AsyncHTTPClient in their own suites.
@Suite("Facebook over both transports")
struct FacebookTransportMatrixTests {
    @Test("FacebookReelsTests.reelPushByteExact", arguments: TransportChoice.allCases)
    func reelPushByteExact(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookReelsTests().reelPushByteExact() }
    }

    @Test("FacebookReelsTests.retriesRuploadServerError", arguments: TransportChoice.allCases)
    func retriesRuploadServerError(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookReelsTests().retriesRuploadServerError() }
    }

    @Test("FacebookPageVideoTests.chunkedByteExact", arguments: TransportChoice.allCases)
    func chunkedByteExact(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookPageVideoTests().chunkedByteExact() }
    }

    @Test("FacebookPageVideoTests.transferServerError", arguments: TransportChoice.allCases)
    func transferServerError(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookPageVideoTests().transferServerError() }
    }

    @Test("FacebookErrorTests.expiredToken", arguments: TransportChoice.allCases)
    func expiredToken(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookErrorTests().expiredToken() }
    }

    @Test("FacebookErrorTests.transientStatus", arguments: TransportChoice.allCases)
    func transientStatus(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookErrorTests().transientStatus() }
    }

    @Test("FacebookErrorTests.rateLimited", arguments: TransportChoice.allCases)
    func rateLimited(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await FacebookErrorTests().rateLimited() }
    }
}
