import Foundation
import PublishingCore
import Testing

@Suite("Upload host policy")
struct UploadHostPolicyTests {
    let policy = UploadHostPolicy(
        platform: PlatformID("example"), hostFamily: ["tiktokapis.com"],
        overrides: [URL(string: "http://127.0.0.1:8080/tiktok")!])

    @Test(
        "https on the family or its subdomains passes, and the override's origin passes",
        arguments: [
            "https://open-upload.tiktokapis.com/video/?upload_id=1", "https://tiktokapis.com/x",
            "http://127.0.0.1:8080/upload/video/?upload_id=1",
        ])
    func allowed(url: String) throws {
        try policy.check(try #require(URL(string: url)), operationID: "example.upload")
    }

    @Test(
        "plain http, look-alike hosts, other ports and other hosts are refused, naming the host",
        arguments: [
            ("http://open-upload.tiktokapis.com/video/", "open-upload.tiktokapis.com"),
            ("https://tiktokapis.com.evil.example/video/", "tiktokapis.com.evil.example"),
            ("https://eviltiktokapis.com/video/", "eviltiktokapis.com"),
            ("http://127.0.0.1:9090/upload/", "127.0.0.1:9090"),
            ("https://example.org/upload", "example.org"),
        ])
    func refused(url: String, host: String) throws {
        let error = #expect(throws: PublishError.self) {
            try policy.check(try #require(URL(string: url)), operationID: "example.upload")
        }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("to \(host),") == true)
        #expect(error?.operationID == "example.upload")
    }

    @Test("an ATOM_*_API_BASE override may be plain http only on loopback")
    func overrideBases() throws {
        for ok in ["https://api.example.com", "http://127.0.0.1:9/x", "http://localhost:1", "http://[::1]:2"] {
            #expect(try UploadHostPolicy.overrideBase(ok, key: "ATOM_X_API_BASE", platform: nil) != nil, "\(ok)")
        }
        #expect(try UploadHostPolicy.overrideBase(nil, key: "ATOM_X_API_BASE", platform: nil) == nil)
        for bad in ["http://api.example.com", "http://10.0.0.5:80", "ftp://127.0.0.1", "not a url"] {
            let error = #expect(throws: PublishError.self, "\(bad)") {
                try UploadHostPolicy.overrideBase(bad, key: "ATOM_X_API_BASE", platform: nil)
            }
            #expect(error?.code == .configuration)
            #expect(error?.message.hasPrefix("ATOM_X_API_BASE") == true)
        }
    }
}
