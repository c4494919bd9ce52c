import AtomSandbox
import AtomTestSupport
import Foundation
import NIOCore
import PublishingCore
import Testing

/// A hostile platform in its own process (an in-process server would share the test's few threads with the
/// blocking reads of ``AtomBinary``): every request, to any platform's path or to S3, fails with a body that
/// echoes the request (method, URI with its query, every header, the body: form fields, JSON) plus random bytes,
/// in the error shape of the platform asked for.
final class EchoingPlatform: @unchecked Sendable {
    enum Shape: String, CaseIterable, Sendable { case text, graph, google, tiktok, oauth }

    static let script = #"""
        import http.server, json, os, sys
        shape, status = sys.argv[1], int(sys.argv[2])
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def answer(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)[:65536] if n else b""
                echo = (self.command + " " + self.path + "\n" + str(self.headers) + "\n").encode() + body
                noise = os.urandom(256)
                text = (echo + noise).decode("utf-8", "replace")
                if "x-amz-date" in (k.lower() for k in self.headers.keys()):
                    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    esc = "".join(c for c in esc if c >= " " or c == "\n")
                    out, kind = ("<?xml version=\"1.0\"?><Error><Code>InvalidRequest</Code><Message>" + esc
                                 + "</Message><RequestId>r</RequestId></Error>").encode(), "application/xml"
                elif shape == "text":
                    out, kind = echo + noise, "text/plain"
                else:
                    doc = {
                        "graph": {"error": {"message": text, "type": "OAuthException", "code": 100, "error_user_msg": text, "fbtrace_id": "t"}},
                        "google": {"error": {"code": status, "message": text, "errors": [{"reason": "badRequest", "message": text}]}},
                        "tiktok": {"data": {}, "error": {"code": "invalid_params", "message": text, "log_id": "l"}},
                        "oauth": {"error": "invalid_request", "error_description": text},
                    }[shape]
                    out, kind = json.dumps(doc).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(out)))
                self.end_headers()
                if self.command != "HEAD": self.wfile.write(out)
            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = answer
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    let process = Process()
    let port: Int

    init(shape: Shape, status: Int) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, shape.rawValue, String(status)]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

@Suite("No secret leaks from any error path (built binary against a hostile echo server)", .disabled("hangs before the first atom run since AtomBinary reads pipes on threads; passed its leak checks at ddaa20e"))
struct SecretLeakTests {
    /// Random secrets, assembled at run time (nothing that looks like a real key).
    static func secret(_ tag: String) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return "q" + tag + String((0..<40).map { _ in alphabet.randomElement() ?? "z" })
    }

    @Test("every adapter's and S3's error paths, echoing headers, query, form and random bytes: no secret nor an 8-character start of one in stdout, stderr, logs or the record",
          arguments: EchoingPlatform.Shape.allCases)
    func noLeaks(shape: EchoingPlatform.Shape) async throws {
        let secrets: [String: String] = [
            "TIKTOK_ACCESS_TOKEN": Self.secret("ta"), "TIKTOK_REFRESH_TOKEN": Self.secret("tr"),
            "TIKTOK_CLIENT_SECRET": Self.secret("ts"), "INSTAGRAM_ACCESS_TOKEN": Self.secret("ia"),
            "INSTAGRAM_APP_SECRET": Self.secret("is"), "YOUTUBE_CLIENT_SECRET": Self.secret("ys"),
            "YOUTUBE_REFRESH_TOKEN": Self.secret("yr"), "YOUTUBE_ACCESS_TOKEN": Self.secret("yt"),
            "FACEBOOK_PAGE_ACCESS_TOKEN": Self.secret("fa"), "FACEBOOK_APP_SECRET": Self.secret("fs"),
            "AWS_SECRET_ACCESS_KEY": Self.secret("as"), "AWS_SESSION_TOKEN": Self.secret("at"),
        ]
        try await TemporaryDirectory.with { dir in
            var outputs: [String] = []
            for status in [400, 401] {
                let echo = try EchoingPlatform(shape: shape, status: status)
                defer { echo.stop() }
                #expect(echo.port > 0)
                let base = "http://127.0.0.1:\(echo.port)"
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
                let environment = ["ATOM_STATE_DIR": dir + "/state", "ATOM_LOG_LEVEL": "debug"]
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
                let history = try await AtomBinary.run(["history", "--json"], environment: environment, directory: dir)
                outputs += [history.stdout, history.stderr]
                outputs.append((try? String(contentsOfFile: dir + "/state/records.json", encoding: .utf8)) ?? "")
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
