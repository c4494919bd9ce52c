import AsyncHTTPTransport
import AtomTestSupport
import Testing

/// The YouTube adapter's transport-level tests (against its loopback fake) over each production transport: uploads
/// byte-exact, retries, resumption, token refresh and error documents.
///
/// Not here: the tests that drop a connection in the middle of a request. URLSession (libcurl on Linux) resends such
/// a request by itself, so the fake sees the bytes twice (or a second request on a connection it is closing); AsyncHTTPClient does
/// not, and atom's own retry decides. Those tests run over AsyncHTTPClient in their own suites.
@Suite("YouTube over both transports")
struct YouTubeTransportMatrixTests {
    @Test("YouTubeUploadTests.multiChunkUpload", arguments: TransportChoice.allCases)
    func multiChunkUpload(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeUploadTests().multiChunkUpload() }
    }

    @Test("YouTubeUploadTests.serverErrorWithoutStoring", arguments: TransportChoice.allCases)
    func serverErrorWithoutStoring(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeUploadTests().serverErrorWithoutStoring() }
    }

    @Test("YouTubeProcessingTests.pollsUntilProcessed", arguments: TransportChoice.allCases)
    func pollsUntilProcessed(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeProcessingTests().pollsUntilProcessed() }
    }

    @Test("YouTubeTokenTests.refreshWritesBack", arguments: TransportChoice.allCases)
    func refreshWritesBack(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeTokenTests().refreshWritesBack() }
    }

    @Test("YouTubeTokenTests.unauthorizedRefreshesAndRetries", arguments: TransportChoice.allCases)
    func unauthorizedRefreshesAndRetries(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeTokenTests().unauthorizedRefreshesAndRetries() }
    }

    @Test("YouTubeErrorTests.retryAfter", arguments: TransportChoice.allCases)
    func retryAfter(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeErrorTests().retryAfter() }
    }

    @Test("YouTubeErrorTests.nonJSONErrors", arguments: TransportChoice.allCases)
    func nonJSONErrors(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await YouTubeErrorTests().nonJSONErrors() }
    }
}
