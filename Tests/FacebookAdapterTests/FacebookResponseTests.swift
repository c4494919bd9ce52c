import AtomTestSupport
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore
import Testing

@testable import FacebookAdapter

private func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("facebook/\(name)"))))
}

private func status(_ name: String) throws -> VideoStatus {
    try #require(try SnakeCaseJSON.decode(VideoNode.self, from: Array(fixture(name))).status)
}

private struct Unused: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        throw TransportError(message: "unused", operationID: operationID)
    }
}

private let client = GraphClient(
    configuration: FacebookPublisher.Configuration(pageID: "100000000000001", pageAccessToken: "sandbox-facebook-page-access-token"),
    transport: Unused(), logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { Date() })

@Suite("Facebook responses (recorded JSON in Fixtures/facebook)")
struct FacebookResponseTests {
    @Test("status between upload and finish: uploaded, not finished, pending")
    func uploaded() throws {
        let status = try status("status-uploaded.json")
        #expect(status.isUploaded)
        #expect(!status.hasFinished)
        #expect(status.outcome == .pending("processing"))
        #expect(status.uploadingPhase?.bytesTransferred?.value == 151_626)
    }

    @Test("a partial upload reports the bytes to resume from")
    func partial() throws {
        let status = try status("status-partial-upload.json")
        #expect(!status.isUploaded)
        #expect(status.uploadingPhase?.bytesTransferred?.value == 50_002)
        #expect(status.outcome == .pending("uploading in progress"))
    }

    @Test("published: done, finished, with the permalink path")
    func published() throws {
        let node = try SnakeCaseJSON.decode(VideoNode.self, from: Array(fixture("status-published.json")))
        #expect(node.status?.outcome == .done(publishStatus: "published"))
        #expect(node.status?.hasFinished == true)
        #expect(node.permalinkURL == "/100000000000001/videos/2210969582438920/")
    }

    @Test("a copyright check error alone is not a processing failure")
    func copyright() throws {
        #expect(try status("status-copyright-check-error.json").failureMessage == nil)
    }

    @Test("a processing error carries Facebook's message")
    func processingError() throws {
        #expect(try status("status-processing-error.json").outcome == .failed("Video file is corrupt or not a supported format"))
    }

    @Test("subcode 1363037 becomes an offset correction with the server's offsets")
    func offsetCorrection() throws {
        let error = client.graphFailure(status: 400, body: try fixture("error-offset-1363037.json"), headers: [:], operationID: "facebook.video.transfer")
        guard case FacebookFailure.offsetCorrection(let start, let end)? = error as? FacebookFailure else {
            Issue.record("expected an offset correction, got \(error)")
            return
        }
        #expect(start == 1_048_576)
        #expect(end == 2_097_152)
    }

    @Test("code 190 is an authentication error telling the user to run atom auth facebook")
    func expiredToken() throws {
        let error = try #require(client.graphFailure(status: 400, body: try fixture("error-token-expired.json"), headers: [:],
                                                     operationID: "facebook.status") as? PublishError)
        #expect(error.code == .authentication)
        #expect(error.platformCode == "190/463")
        #expect(error.remediation?.contains("run `atom auth facebook`") == true)
        #expect(error.diagnosticID == "AFakeTrace190")
        #expect(!error.isRetryable)
    }

    @Test("the Reels cap is a quota error on video_reels calls only")
    func reelsCap() throws {
        let body = try fixture("error-reels-cap.json")
        let reels = try #require(client.graphFailure(status: 400, body: body, headers: [:], operationID: "facebook.reels.finish") as? PublishError)
        #expect(reels.code == .quotaExceeded)
        #expect(!reels.isRetryable)
        #expect(reels.message.contains("30 Reels"))
        #expect(reels.remediation?.contains("reel: false") == true)
        let other = try #require(client.graphFailure(status: 400, body: body, headers: [:], operationID: "facebook.video.finish") as? PublishError)
        #expect(other.code != .quotaExceeded)
    }

    @Test("rupload errors: unauthorized is authentication; a header problem is a non-retryable rejection")
    func ruploadErrors() throws {
        let unauthorized = try #require(client.ruploadFailure(status: 401, body: try fixture("rupload-unauthorized.json"), headers: [:],
                                                              operationID: "facebook.reels.upload") as? PublishError)
        #expect(unauthorized.code == .authentication)
        #expect(unauthorized.remediation?.contains("atom auth facebook") == true)
        let header = try #require(client.ruploadFailure(status: 400, body: try fixture("rupload-offset-header.json"), headers: [:],
                                                        operationID: "facebook.reels.upload") as? PublishError)
        #expect(header.code == .rejected)
        #expect(header.platformCode == "ParameterValidationError")
        #expect(!header.isRetryable)
        let busy = try #require(client.ruploadFailure(status: 503, body: Array(#"{"debug_info":{"retriable":true,"type":"X","message":"busy"}}"#.utf8),
                                                      headers: [:], operationID: "facebook.reels.upload") as? PublishError)
        #expect(busy.isRetryable)
    }

    @Test("a multipart form streams head, file and tail with a known length")
    func multipart() async throws {
        let path = NSTemporaryDirectory() + "atom-form-" + UUID().uuidString
        try Data("xxDATAyy".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MediaFileHandle(path: path)
        let form = MultipartForm(fields: [("upload_phase", "transfer"), ("start_offset", "0")], fileField: "video_file_chunk",
                                 fileName: "chunk.mp4", contentType: "application/octet-stream", file: file.chunks(in: 2..<6),
                                 boundary: "b0undary")
        let body = form.body
        #expect(body.length == .known(Int64(form.head.count + 4 + form.tail.count)))
        let text = String(decoding: try await ArraySlice<UInt8>(collecting: body, upTo: 1 << 16), as: UTF8.self)
        #expect(text == "--b0undary\r\nContent-Disposition: form-data; name=\"upload_phase\"\r\n\r\ntransfer\r\n"
                + "--b0undary\r\nContent-Disposition: form-data; name=\"start_offset\"\r\n\r\n0\r\n"
                + "--b0undary\r\nContent-Disposition: form-data; name=\"video_file_chunk\"; filename=\"chunk.mp4\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nDATA\r\n--b0undary--\r\n")
        #expect(form.contentType == "multipart/form-data; boundary=b0undary")
        // The default transport reads the same three parts itself.
        let source = try #require(FileRegion.source(of: body))
        #expect(source.prefix == form.head && source.suffix == form.tail && source.region.range == 2..<6)
    }
}
