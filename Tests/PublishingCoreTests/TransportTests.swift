import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import NIOCore
import OpenAPIRuntime
import PublishingCore
import Testing

/// A fake that hashes what it receives and can drop the connection mid-body.
private struct HashingEcho: FakeService {
    let mountPath = "/echo"
    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        if request.path == "/drop" {
            _ = try await request.body.consume(limit: 1000) { _ in }
            return .dropConnection
        }
        var digest = ReceivedDigest()
        try await request.body.consume { digest.update($0) }
        return .json(200, .object(["sha256": .string(digest.hex), "count": .number(Double(digest.count)),
                                   "path": .string(request.path), "query": .string(request.rawQuery)]))
    }
}

@Suite("HTTP transport over loopback")
struct TransportTests {
    @Test("streams a file region byte-exact through AsyncHTTPClient")
    func streamsFileRegion() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/blob.bin"
            try TemporaryDirectory.writeRandomFile(at: path, size: 3 * (1 << 20) + 12345)
            let file = try MediaFileHandle(path: path)
            let expected = try await FileDigest.sha256(of: file)
            try await FakeServer.run(services: [HashingEcho()]) { server in
                try await TestTransport.with { transport in
                    let sent = LockedBox<Int64>(0)
                    let body = file.chunks(in: 0..<file.size, chunkSize: 256 * 1024).body { n in sent.withLock { $0 += Int64(n) } }
                    let (response, responseBody) = try await transport.send(
                        HTTPRequest(method: .put, path: "/upload", query: [("a", "b c")]), body: body,
                        baseURL: server.baseURL(for: "/echo"), operationID: "test.upload")
                    #expect(response.status == .ok)
                    let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(try await HTTPBodies.collect(responseBody)))
                    #expect(json["sha256"]?.stringValue == expected)
                    #expect(json["count"]?.numberValue == Double(file.size))
                    #expect(json["path"]?.stringValue == "/upload")
                    #expect(json["query"]?.stringValue == "a=b%20c")
                    #expect(sent.value == file.size)
                }
            }
        }
    }

    @Test("a dropped connection surfaces as a retryable TransportError")
    func droppedConnection() async throws {
        try await FakeServer.run(services: [HashingEcho()]) { server in
            try await TestTransport.with { transport in
                await #expect(throws: TransportError.self) {
                    _ = try await transport.send(
                        HTTPRequest(method: .post, path: "/drop"), body: HTTPBody(Array(repeating: UInt8(7), count: 200_000)),
                        baseURL: server.baseURL(for: "/echo"), operationID: "test.drop")
                }
            }
        }
    }
}
