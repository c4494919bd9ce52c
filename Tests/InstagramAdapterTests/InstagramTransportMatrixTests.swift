import AsyncHTTPTransport
import AtomTestSupport
import Testing

/// The Instagram adapter's transport-level tests (against its loopback fake) over each production transport: uploads
/// byte-exact, retries, resumption, token refresh and error documents.
///
/// Not here: the tests that drop a connection in the middle of a request. URLSession (libcurl on Linux) resends such
/// a request by itself, so the fake sees the bytes twice (or a second request on a connection it is closing); AsyncHTTPClient does
/// not, and atom's own retry decides. Those tests run over AsyncHTTPClient in their own suites.
@Suite("Instagram over both transports")
struct InstagramTransportMatrixTests {
    @Test("InstagramPublishTests.urlModePublishes", arguments: TransportChoice.allCases)
    func urlModePublishes(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramPublishTests().urlModePublishes() }
    }

    @Test("InstagramResumableTests.uploadsByteExact", arguments: TransportChoice.allCases)
    func uploadsByteExact(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramResumableTests().uploadsByteExact() }
    }

    @Test("InstagramResumableTests.retriesBusyHost", arguments: TransportChoice.allCases)
    func retriesBusyHost(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramResumableTests().retriesBusyHost() }
    }

    @Test("InstagramErrorTests.transientServerError", arguments: TransportChoice.allCases)
    func transientServerError(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramErrorTests().transientServerError() }
    }

    @Test("InstagramErrorTests.downloadFailure", arguments: TransportChoice.allCases)
    func downloadFailure(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramErrorTests().downloadFailure() }
    }

    @Test("InstagramTokenTests.refreshWritesBack", arguments: TransportChoice.allCases)
    func refreshWritesBack(_ choice: TransportChoice) async throws {
        try await TestTransport.$choice.withValue(choice) { try await InstagramTokenTests().refreshWritesBack() }
    }
}
