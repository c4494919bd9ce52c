import AtomSandbox
import AtomTestSupport
import FacebookAdapter
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import Testing

/// Raw HTTP against the fake: it must be as strict as Facebook, or tests passing against it mean little.
@Suite("FakeFacebook is strict")
struct FakeFacebookTests {
    private struct Exchange: Sendable {
        var status: Int
        var json: [String: JSONValue]
    }

    private static let token = "sandbox-facebook-page-access-token"

    private func send(
        _ transport: any HTTPTransport, _ server: FakeServer, mount: String, method: HTTPRequest.Method, path: String,
        headers: [String: String] = ["Authorization": "Bearer \(FakeFacebookTests.token)"], form: [(String, String)]? = nil, body: [UInt8]? = nil
    ) async throws -> Exchange {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        var payload: HTTPBody?
        if let form {
            fields[.contentType] = "application/x-www-form-urlencoded"
            payload = HTTPBodies.form(form)
        } else if let body {
            payload = HTTPBody(body)
        }
        let (response, responseBody) = try await transport.send(
            HTTPRequest(method: method, path: path, headerFields: fields), body: payload, baseURL: server.baseURL(for: mount),
            operationID: "test")
        let bytes = try await HTTPBodies.collect(responseBody)
        let json = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))) ?? [:]
        return Exchange(status: response.status.code, json: json)
    }

    private func errorCode(_ exchange: Exchange) -> Int? {
        exchange.json["error"]?.objectValue?["code"]?.numberValue.map { Int($0) }
    }

    @Test("requests that are not its own get no answer from it (the shared /graph and /rupload mounts)")
    func notMine() async throws {
        let fake = FakeFacebook()
        try await FakeServer.run(services: fake.services) { server in
            try await TestTransport.with { transport in
                let page = fake.configuration.pageID
                let statuses = [
                    try await send(transport, server, mount: "/graph", method: .get, path: "/v24.0/178414000000").status,
                    try await send(transport, server, mount: "/graph", method: .post, path: "/v24.0/\(page)/media", form: []).status,
                    try await send(transport, server, mount: "/graph", method: .get, path: "/v24.0/\(page)?fields=instagram_business_account").status,
                    try await send(transport, server, mount: "/rupload", method: .post, path: "/ig-api-upload/v24.0/1", body: [1]).status,
                    try await send(transport, server, mount: "/graph", method: .get, path: "/v24.0/\(page)?fields=id,name").status,
                ]
                #expect(statuses == [404, 404, 404, 404, 200])
            }
        }
    }

    @Test("auth: no token, a wrong token and an OAuth-less rupload are refused with Graph's codes")
    func auth() async throws {
        let fake = FakeFacebook()
        try await FakeServer.run(services: fake.services) { server in
            try await TestTransport.with { transport in
                let path = "/v24.0/\(fake.configuration.pageID)/video_reels"
                let none = try await send(transport, server, mount: "/graph", method: .post, path: path, headers: [:], form: [("upload_phase", "start")])
                #expect(errorCode(none) == 104)
                let wrong = try await send(transport, server, mount: "/graph", method: .post, path: path,
                                           headers: ["Authorization": "Bearer sandbox-wrong"], form: [("upload_phase", "start")])
                #expect(errorCode(wrong) == 190)
                let start = try await send(transport, server, mount: "/graph", method: .post, path: path, form: [("upload_phase", "start")])
                let id = try #require(start.json["video_id"]?.stringValue)
                #expect(start.json["upload_url"]?.stringValue?.hasSuffix("/rupload/video-upload/v24.0/\(id)") == true)
                let bearer = try await send(transport, server, mount: "/rupload", method: .post, path: "/video-upload/v24.0/\(id)",
                                            headers: ["Authorization": "Bearer \(Self.token)", "offset": "0", "file_size": "3"], body: [1, 2, 3])
                #expect(bearer.status == 401)
                fake.inject(.expiredToken)
                let expired = try await send(transport, server, mount: "/rupload", method: .post, path: "/video-upload/v24.0/\(id)",
                                             headers: ["Authorization": "OAuth \(Self.token)", "offset": "0", "file_size": "3"], body: [1, 2, 3])
                #expect(expired.status == 401)
                let graph = try await send(transport, server, mount: "/graph", method: .post, path: path, form: [("upload_phase", "start")])
                #expect(errorCode(graph) == 190)
                #expect(graph.json["error"]?.objectValue?["error_subcode"]?.numberValue == 463)
                #expect(fake.video(id)?.bytesReceived == 0)
            }
        }
    }

    @Test("rupload: offsets must match the bytes received, the size must not change, finish needs every byte, once")
    func ruploadOffsets() async throws {
        let fake = FakeFacebook(configuration: FakeFacebook.Configuration(processingPolls: 0))
        try await FakeServer.run(services: fake.services) { server in
            try await TestTransport.with { transport in
                let reels = "/v24.0/\(fake.configuration.pageID)/video_reels"
                let start = try await send(transport, server, mount: "/graph", method: .post, path: reels, form: [("upload_phase", "start")])
                let id = try #require(start.json["video_id"]?.stringValue)
                let upload = "/video-upload/v24.0/\(id)"
                func put(_ offset: Int, _ size: Int, _ bytes: [UInt8]) async throws -> Exchange {
                    try await send(transport, server, mount: "/rupload", method: .post, path: upload,
                                   headers: ["Authorization": "OAuth \(Self.token)", "offset": String(offset), "file_size": String(size)], body: bytes)
                }
                let missing = try await send(transport, server, mount: "/rupload", method: .post, path: upload,
                                             headers: ["Authorization": "OAuth \(Self.token)"], body: [1])
                #expect(missing.json["debug_info"]?.objectValue?["type"]?.stringValue == "ParameterValidationError")
                let finishEarly = try await send(transport, server, mount: "/graph", method: .post, path: reels,
                                                 form: [("upload_phase", "finish"), ("video_id", id), ("video_state", "PUBLISHED")])
                #expect(errorCode(finishEarly) == 6000)
                #expect(try await put(2, 6, [3, 4, 5, 6]).json["debug_info"]?.objectValue?["type"]?.stringValue == "OffsetMismatchError")
                #expect(try await put(0, 6, [1, 2, 3, 4, 5, 6]).json["success"] == .bool(true))
                #expect(fake.video(id)?.bytesReceived == 6)
                #expect(fake.video(id)?.sha256 == "7192385c3c0605de55bb9476ce1d90748190ecb32a8eed7f5207b30cf6a1fe89")
                let finish = try await send(transport, server, mount: "/graph", method: .post, path: reels,
                                            form: [("upload_phase", "finish"), ("video_id", id), ("video_state", "PUBLISHED")])
                #expect(finish.json["success"] == .bool(true))
                let again = try await send(transport, server, mount: "/graph", method: .post, path: reels,
                                           form: [("upload_phase", "finish"), ("video_id", id), ("video_state", "PUBLISHED")])
                #expect(errorCode(again) == 100)
                #expect(fake.video(id)?.finishCount == 1)
                let status = try await send(transport, server, mount: "/graph", method: .get, path: "/v24.0/\(id)?fields=status")
                let phases = status.json["status"]?.objectValue
                #expect(phases?["video_status"]?.stringValue == "ready")
                #expect(phases?["publishing_phase"]?.objectValue?["publish_status"]?.stringValue == "published")
            }
        }
    }

    @Test("chunked /videos: a transfer with the wrong start_offset gets 1363037 with the expected offsets")
    func chunkOffsets() async throws {
        let fake = FakeFacebook(configuration: FakeFacebook.Configuration(chunkSize: 4))
        try await FakeServer.run(services: fake.services) { server in
            try await TestTransport.with { transport in
                let videos = "/v24.0/\(fake.configuration.pageID)/videos"
                let start = try await send(transport, server, mount: "/graph", method: .post, path: videos,
                                           form: [("upload_phase", "start"), ("file_size", "10")])
                #expect(start.json["start_offset"] == .string("0"))
                #expect(start.json["end_offset"] == .string("4"))
                let session = try #require(start.json["upload_session_id"]?.stringValue)
                func chunk(_ offset: Int, _ bytes: [UInt8]) async throws -> Exchange {
                    let boundary = "fakeboundary"
                    var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"upload_phase\"\r\n\r\ntransfer\r\n".utf8)
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"upload_session_id\"\r\n\r\n\(session)\r\n".utf8)
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"start_offset\"\r\n\r\n\(offset)\r\n".utf8)
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"video_file_chunk\"; filename=\"c\"\r\n\r\n".utf8)
                    body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
                    return try await send(transport, server, mount: "/graph", method: .post, path: videos,
                                          headers: ["Authorization": "Bearer \(Self.token)", "Content-Type": "multipart/form-data; boundary=\(boundary)"],
                                          body: body)
                }
                let wrong = try await chunk(4, [5, 6, 7, 8])
                #expect(wrong.json["error"]?.objectValue?["error_subcode"]?.numberValue == 1_363_037)
                #expect(wrong.json["error"]?.objectValue?["error_data"]?.objectValue?["start_offset"] == .string("0"))
                #expect(try await chunk(0, [1, 2, 3, 4]).json["end_offset"] == .string("8"))
                #expect(try await chunk(4, [5, 6, 7, 8]).json["end_offset"] == .string("10"))
                let last = try await chunk(8, [9, 10])
                #expect(last.json["start_offset"] == last.json["end_offset"])
                let finish = try await send(transport, server, mount: "/graph", method: .post, path: videos,
                                            form: [("upload_phase", "finish"), ("upload_session_id", session), ("title", "t")])
                #expect(finish.json["success"] == .bool(true))
                let id = try #require(fake.videos.first?.id)
                #expect(fake.video(id)?.bytesReceived == 10)
                #expect(fake.video(id)?.title == "t")
            }
        }
    }

    @Test("sandboxEnvironment points atom at the fake with its Page and token")
    func sandboxEnvironment() async throws {
        let fake = FakeFacebook()
        try await FakeServer.run(services: fake.services) { server in
            let values = fake.sandboxEnvironment(server: server)
            #expect(values["FACEBOOK_PAGE_ID"] == fake.configuration.pageID)
            #expect(values["FACEBOOK_PAGE_ACCESS_TOKEN"] == fake.configuration.accessToken)
            #expect(values["ATOM_GRAPH_API_BASE"] == server.baseURL(for: "/graph").absoluteString)
            #expect(values["ATOM_RUPLOAD_BASE"] == server.baseURL(for: "/rupload").absoluteString)
            #expect(fake.services.map(\.mountPath) == ["/graph", "/rupload"])
        }
    }
}
