import AsyncHTTPTransport
import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import OpenAPIRuntime
import PlatformKit
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
    /// A loopback port nothing listens on: bound, read, and closed again.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("a refused connection fails at once, in plain words naming the host", arguments: TransportChoice.allCases)
    func refusedNamesHost(_ choice: TransportChoice) async throws {
        let port = try Self.closedPort()
        try await TestTransport.with(choice) { transport in
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    HTTPRequest(method: .get, path: "/"), body: nil, baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                    operationID: "test.get")
            }
            #expect(error?.message == "cannot connect to 127.0.0.1: connection refused (nothing listens there, or a firewall says no)")
            let wrapped = PublishError.wrapping(try #require(error), platform: PlatformID("tiktok"))
            #expect(wrapped.description.hasPrefix("tiktok: cannot connect to 127.0.0.1: connection refused"))
        }
    }

    @Test("sends a file region byte-exact (streamed by AsyncHTTPClient, buffered by URLSession on Linux)", arguments: TransportChoice.allCases)
    func streamsFileRegion(_ choice: TransportChoice) async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/blob.bin"
            try TemporaryDirectory.writeRandomFile(at: path, size: 3 * (1 << 20) + 12345)
            let file = try MediaFileHandle(path: path)
            let expected = try await FileDigest.sha256(of: file)
            try await FakeServer.run(services: [HashingEcho()]) { server in
                try await TestTransport.with(choice) { transport in
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

    @Test("a client that sends `Expect: 100-continue` gets `100 Continue` before its body, as from S3 or Google")
    func continueBeforeBody() async throws {
        try await FakeServer.run(services: [HashingEcho()]) { server in
            let port = server.port
            // A blocking socket, as curl and botocore use (on the blocking-I/O pool, never a cooperative thread): the head,
            // then wait for the interim answer (30 s at most, for a loaded machine running the whole suite; without one
            // the server would wait for the body forever).
            let answers = try await NIOThreadPool.singleton.runIfActive { () throws -> (String, String) in
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { throw PublishError(.network, message: "cannot connect to the fake") }
                var timeout = timeval(tv_sec: 30, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
                func receive() -> String {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    var n = read(fd, &buffer, buffer.count)
                    while n < 0, errno == EINTR { n = read(fd, &buffer, buffer.count) }
                    return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
                }
                send("PUT /echo/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let interim = receive()
                send("hello")
                var final = receive()
                if !final.contains("count") { final += receive() }  // the body may come in a second segment
                return (interim, final)
            }
            #expect(answers.0.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(answers.0)")
            #expect(answers.1.hasPrefix("HTTP/1.1 200 OK"), "\(answers.1)")
            #expect(answers.1.contains("\"count\":5"), "\(answers.1)")
        }
    }

    @Test("a dropped connection surfaces as a retryable TransportError", arguments: TransportChoice.allCases)
    func droppedConnection(_ choice: TransportChoice) async throws {
        try await FakeServer.run(services: [HashingEcho()]) { server in
            try await TestTransport.with(choice) { transport in
                await #expect(throws: TransportError.self) {
                    _ = try await transport.send(
                        HTTPRequest(method: .post, path: "/drop"), body: HTTPBody(Array(repeating: UInt8(7), count: 200_000)),
                        baseURL: server.baseURL(for: "/echo"), operationID: "test.drop")
                }
            }
        }
    }

    @Test("ATOM_HTTP_TRANSPORT: empty is AsyncHTTPClient, `urlsession` is URLSession, anything else is refused by name")
    func transportSetting() throws {
        #expect(try TransportChoice(setting: nil) == .asyncHTTPClient)
        #expect(try TransportChoice(setting: "") == .asyncHTTPClient)
        #expect(try TransportChoice(setting: "async-http-client") == .asyncHTTPClient)
        #expect(try TransportChoice(setting: " URLSession ") == .urlSession)
        let error = #expect(throws: PublishError.self) { try TransportChoice(setting: "curl2") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("async-http-client or urlsession") == true)
    }

    #if !canImport(Darwin)
    @Test("URLSession on Linux refuses a body it would have to hold in memory past the limit, before reading it")
    func urlSessionRefusesLargeBodies() async throws {
        let body = HTTPBody(AsyncThrowingStream<ArraySlice<UInt8>, any Error> { $0.finish(throwing: CancellationError()) },
                            length: .known(300 << 20), iterationBehavior: .single)
        let error = try await TestTransport.with(.urlSession) { transport in
            await #expect(throws: PublishError.self) {
                _ = try await transport.send(
                    HTTPRequest(method: .put, path: "/upload"), body: body, baseURL: URL(string: "http://127.0.0.1:9")!,
                    operationID: "test.upload")
            }
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("ATOM_HTTP_TRANSPORT=urlsession holds each request body in memory") == true)
    }
    #endif
}
