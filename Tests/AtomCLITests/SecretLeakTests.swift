import AtomSandbox
import AtomTestSupport
import Foundation
import NIOCore
import PlatformKit
import PublishingCore
import Testing

/// A hostile platform: every request, to any platform's path or to S3, fails with a body that echoes the request
/// (method, URI with its query, every header, the start of the body: form fields, JSON) plus random bytes, in the
/// error shape of the platform asked for.
final class EchoingPlatform: FakeService, Sendable {
    enum Shape: String, CaseIterable, Sendable { case text, graph, google, tiktok, oauth }

    let mountPath = "/"
    let shape: LockedBox<Shape> = LockedBox(.text)
    let status: LockedBox<Int> = LockedBox(400)
    let requests = LockedBox(0)

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        requests.withLock { $0 += 1 }
        var head: [UInt8] = []
        // Only a request that declares a body has one to read (reading a body-less request would wait forever).
        if (request.contentLength ?? 0) > 0 || request.header("Transfer-Encoding") != nil {
            try await request.body.consume { chunk in
                if head.count < 65_536 { head += chunk.readableBytesView.prefix(65_536 - head.count) }
            }
        }
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<256).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let echo = "\(request.method) \(request.uri)\n"
            + request.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n\n"
            + String(decoding: head, as: UTF8.self)
        let status = status.value
        if request.method == "HEAD" { return FakeResponse(status: status) }
        if request.headers.contains(where: { $0.0.lowercased() == "x-amz-date" || $0.0.lowercased() == "x-amz-content-sha256" }) {
            let xml = "<?xml version=\"1.0\"?><Error><Code>InvalidRequest</Code><Message>\(Self.xmlEscaped(echo))"
                + String(decoding: noise, as: UTF8.self).unicodeScalars.filter { $0.value > 0x1F && $0 != "<" && $0 != "&" }
                    .map(String.init).joined()
                + "</Message><RequestId>r</RequestId></Error>"
            return FakeResponse(status: status, headers: [("Content-Type", "application/xml")], body: .bytes(Array(xml.utf8)))
        }
        let text = echo + String(decoding: noise, as: UTF8.self)
        let body: JSONValue
        switch shape.value {
        case .text:
            return FakeResponse(status: status, headers: [("Content-Type", "text/plain")], body: .bytes(Array(echo.utf8) + noise))
        case .graph:
            body = .object(["error": .object([
                "message": .string(text), "type": .string("OAuthException"), "code": .number(100),
                "error_user_msg": .string(text), "fbtrace_id": .string("trace"),
            ])])
        case .google:
            body = .object(["error": .object([
                "code": .number(Double(status)), "message": .string(text),
                "errors": .array([.object(["reason": .string("badRequest"), "message": .string(text)])]),
            ])])
        case .tiktok:
            body = .object(["data": .object([:]), "error": .object([
                "code": .string("invalid_params"), "message": .string(text), "log_id": .string("log"),
            ])])
        case .oauth:
            body = .object(["error": .string("invalid_request"), "error_description": .string(text)])
        }
        return FakeResponse.json(status, body)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

@Suite("No secret leaks from any error path (built binary against a hostile echo server)")
struct SecretLeakTests {
    /// Random secrets, assembled at run time (nothing that looks like a real key).
    static func secret(_ tag: String) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return "q" + tag + String((0..<40).map { _ in alphabet.randomElement() ?? "z" })
    }

    @Test("every adapter's and S3's error paths, echoing headers, query, form and random bytes: no secret nor an 8-character start of one in stdout, stderr, logs or the record",
          arguments: EchoingPlatform.Shape.allCases)
    func noLeaks(shape: EchoingPlatform.Shape) async throws {
        let echo = EchoingPlatform()
        echo.shape.withLock { $0 = shape }
        let secrets: [String: String] = [
            "TIKTOK_ACCESS_TOKEN": Self.secret("ta"), "TIKTOK_REFRESH_TOKEN": Self.secret("tr"),
            "TIKTOK_CLIENT_SECRET": Self.secret("ts"), "INSTAGRAM_ACCESS_TOKEN": Self.secret("ia"),
            "INSTAGRAM_APP_SECRET": Self.secret("is"), "YOUTUBE_CLIENT_SECRET": Self.secret("ys"),
            "YOUTUBE_REFRESH_TOKEN": Self.secret("yr"), "YOUTUBE_ACCESS_TOKEN": Self.secret("yt"),
            "FACEBOOK_PAGE_ACCESS_TOKEN": Self.secret("fa"), "FACEBOOK_APP_SECRET": Self.secret("fs"),
            "AWS_SECRET_ACCESS_KEY": Self.secret("as"), "AWS_SESSION_TOKEN": Self.secret("at"),
        ]
        try await FakeServer.run(services: [echo]) { server in
            try await TemporaryDirectory.with { dir in
                let base = "http://127.0.0.1:\(server.port)"
                var settings = secrets
                settings.merge([
                    "TIKTOK_CLIENT_KEY": "client-key", "TIKTOK_OPEN_ID": "open-id", "INSTAGRAM_USER_ID": "17841400000000009",
                    "INSTAGRAM_APP_ID": "1000000000000002", "YOUTUBE_CLIENT_ID": "client-id.apps.example",
                    "FACEBOOK_PAGE_ID": "1000000000000003", "FACEBOOK_APP_ID": "1000000000000004", "FACEBOOK_APPSECRET_PROOF": "1",
                    "AWS_ACCESS_KEY_ID": "test-key-id", "AWS_REGION": "us-east-1", "ATOM_S3_BUCKET": "atom-leak-test",
                    "AWS_ENDPOINT_URL_S3": base + "/s3",
                    "ATOM_TIKTOK_API_BASE": base + "/tiktok", "ATOM_GRAPH_API_BASE": base + "/graph",
                    "ATOM_INSTAGRAM_API_BASE": base + "/instagram", "ATOM_RUPLOAD_BASE": base + "/rupload",
                    "ATOM_YOUTUBE_API_BASE": base + "/youtube", "ATOM_GOOGLE_TOKEN_URL": base + "/google/token",
                ]) { first, _ in first }
                try settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
                    .write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
                let environment = ["ATOM_STATE_DIR": dir + "/state", "ATOM_LOG_LEVEL": "trace"]
                var outputs: [String] = []
                for status in [400, 401] {
                    echo.status.withLock { $0 = status }
                    for mode in ["url", "resumable"] {
                        let post = try await AtomBinary.run(
                            ["post", Fixtures.path("vertical.mp4"), "--to", "tiktok,instagram,youtube,facebook",
                             "--caption", "x", "--json", "--force", "--wait", "0"],
                            environment: environment.merging(
                                ["INSTAGRAM_UPLOAD_MODE": mode, "INSTAGRAM_LOGIN": mode == "url" ? "instagram" : "facebook"]) { $1 },
                            directory: dir)
                        // A failed platform (1), or a preflight refusal (65/78): either way an error path ran.
                        #expect([1, 65, 78].contains(post.code), "stderr: \(post.stderr)")
                        outputs += [post.stdout, post.stderr]
                    }
                    let staging = try await AtomBinary.run(["staging", "list", "--json"], environment: environment, directory: dir)
                    outputs += [staging.stdout, staging.stderr]
                }
                let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
                outputs += [history.stdout, history.stderr]
                // Runs against loopback endpoints are recorded in the sandbox record; both are checked.
                for name in ["records.json", "sandbox-records.json"] {
                    outputs.append((try? String(contentsOfFile: dir + "/state/" + name, encoding: .utf8)) ?? "")
                }
                // Every run reached the echo server (a preflight answered with an echo ends a platform early).
                #expect(echo.requests.value >= 8)
                let everything = outputs.joined(separator: "\n")
                // The error paths ran: each platform's failure is in the output.
                for platform in ["tiktok", "instagram", "youtube", "facebook"] { #expect(everything.contains(platform)) }
                for (key, value) in secrets {
                    #expect(!everything.contains(value.prefix(8)), "\(key): a start of the secret leaked")
                }
            }
        }
    }
}
