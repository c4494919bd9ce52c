import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
@testable import S3Staging
import Testing

/// A transport that must never be called (configuration tests are offline).
struct NoNetwork: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        Issue.record("unexpected request \(operationID)")
        throw TransportError(message: "offline", operationID: operationID)
    }
}

@Suite("S3 configuration, credentials and addressing")
struct S3ConfigurationTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "SANDBOXKEYIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "sandbox-config-secret-key"]

    @Test("no ATOM_S3_BUCKET: staging is off (nil), whatever else is set")
    func offWithoutBucket() throws {
        #expect(try S3Stager.fromCredentials(MemoryCredentialStore(Self.keys), transport: NoNetwork(), environment: [:]) == nil)
    }

    @Test("a bucket without credentials is a configuration error naming the missing keys")
    func missingCredentials() throws {
        let store = MemoryCredentialStore(["ATOM_S3_BUCKET": "my-bucket"])
        let error = try #require(throws: PublishError.self) {
            try S3Stager.fromCredentials(store, transport: NoNetwork(), environment: ["HOME": "/nonexistent-home"])
        }
        #expect(error.code == .configuration)
        #expect(error.platform == .staging)
        #expect(error.message.contains("AWS_ACCESS_KEY_ID"))
        #expect(error.message.contains("AWS_SECRET_ACCESS_KEY"))
    }

    @Test("half a key pair names the missing half")
    func halfPair() throws {
        let store = MemoryCredentialStore(["ATOM_S3_BUCKET": "my-bucket", "AWS_ACCESS_KEY_ID": "SANDBOXKEYIDEXAMPLE"])
        let error = try #require(throws: PublishError.self) { try S3Stager.fromCredentials(store, transport: NoNetwork(), environment: [:]) }
        #expect(error.message.contains("AWS_SECRET_ACCESS_KEY"))
    }

    @Test("defaults: us-east-1, atom-staging/, 3600 s, 16 MiB threshold and parts, 4 in flight, virtual-hosted")
    func defaults() throws {
        var values = Self.keys
        values["ATOM_S3_BUCKET"] = "my-bucket"
        let stager = try #require(try S3Stager.fromCredentials(MemoryCredentialStore(values), transport: NoNetwork(), environment: [:]))
        let configuration = stager.configuration
        #expect(configuration.region == "us-east-1")
        #expect(configuration.prefix == "atom-staging/")
        #expect(configuration.urlTTL == .seconds(3600))
        #expect(configuration.multipartThreshold == 16 << 20)
        #expect(configuration.partSize == 16 << 20)
        #expect(configuration.concurrency == 4)
        #expect(stager.client.addressing.host == "my-bucket.s3.us-east-1.amazonaws.com")
        #expect(stager.client.addressing.path(forKey: "atom-staging/x.mp4") == "/atom-staging/x.mp4")
        #expect(stager.client.sendsUnsignedPayload)
    }

    @Test("settings: region, prefix, TTL, SSE, sizes; AWS_REGION over AWS_DEFAULT_REGION")
    func settings() throws {
        let values = Self.keys.merging([
            "ATOM_S3_BUCKET": "my-bucket", "AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "us-west-2", "ATOM_S3_PREFIX": "videos/tmp",
            "ATOM_S3_URL_TTL": "7200", "ATOM_S3_SSE": "aws:kms", "ATOM_S3_MULTIPART_THRESHOLD": "64MiB", "ATOM_S3_PART_SIZE": "8M",
            "ATOM_S3_CONCURRENCY": "6",
        ]) { $1 }
        let configuration = try #require(try S3Stager.fromCredentials(MemoryCredentialStore(values), transport: NoNetwork(), environment: [:])?.configuration)
        #expect(configuration.region == "eu-west-3")
        #expect(configuration.prefix == "videos/tmp/")
        #expect(configuration.urlTTL == .seconds(7200))
        #expect(configuration.serverSideEncryption == .kms)
        #expect(configuration.multipartThreshold == 64 << 20)
        #expect(configuration.partSize == 8 << 20)
        #expect(configuration.concurrency == 6)
    }

    @Test("malformed settings are configuration errors naming the key", arguments: [
        ("ATOM_S3_URL_TTL", "604801"), ("ATOM_S3_URL_TTL", "soon"), ("ATOM_S3_SSE", "rot13"), ("ATOM_S3_PART_SIZE", "1MiB"),
        ("ATOM_S3_CONCURRENCY", "0"), ("AWS_ENDPOINT_URL_S3", "ftp://x"), ("ATOM_S3_BUCKET", "Bad_Bucket"),
    ])
    func malformed(_ key: String, _ value: String) throws {
        var values = Self.keys.merging(["ATOM_S3_BUCKET": "my-bucket"]) { $1 }
        values[key] = value
        let error = try #require(throws: PublishError.self) {
            try S3Stager.fromCredentials(MemoryCredentialStore(values), transport: NoNetwork(), environment: [:])
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains(key))
    }

    @Test("bucket names with dots use path style on AWS")
    func dottedBucket() {
        let addressing = S3Addressing(bucket: "my.videos.bucket", region: "eu-west-1", endpoint: nil)
        #expect(addressing.host == "s3.eu-west-1.amazonaws.com")
        #expect(addressing.path(forKey: "k") == "/my.videos.bucket/k")
        #expect(addressing.origin.absoluteString == "https://s3.eu-west-1.amazonaws.com")
    }

    @Test("a custom endpoint is path-style, keeps its path prefix and signs a non-default port")
    func endpoint() throws {
        let addressing = S3Addressing(bucket: "b", region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:9000/s3/"))
        #expect(addressing.host == "127.0.0.1:9000")
        #expect(addressing.path(forKey: "a b.mp4") == "/s3/b/a b.mp4")
        #expect(addressing.bucketRequestPath == "/s3/b")
        #expect(addressing.isProtectedTransport)
        let remote = S3Addressing(bucket: "b", region: "auto", endpoint: URL(string: "https://acct.r2.cloudflarestorage.com:443"))
        #expect(remote.host == "acct.r2.cloudflarestorage.com")
        #expect(!S3Addressing(bucket: "b", region: "x", endpoint: URL(string: "http://minio.lan:9000")).isProtectedTransport)
    }

    @Test("UNSIGNED-PAYLOAD only over TLS or loopback: plain HTTP to another host signs the body even when asked not to")
    func unsignedPayloadOnlyWhereProtected() throws {
        let credentials = AWSCredentials(accessKeyID: "TESTKEY", secretAccessKey: "test-secret")
        func unsigned(_ endpoint: String, _ signing: S3Configuration.PayloadSigning) -> Bool {
            let configuration = S3Configuration(bucket: "b", endpoint: URL(string: endpoint), payloadSigning: signing)
            return S3Stager(configuration: configuration, credentials: credentials, transport: NoNetwork()).client.sendsUnsignedPayload
        }
        for signing in [S3Configuration.PayloadSigning.automatic, .unsigned] {
            #expect(unsigned("https://minio.lan:9000", signing))
            #expect(unsigned("http://127.0.0.1:9000", signing))
            #expect(unsigned("http://[::1]:9000", signing))
            #expect(!unsigned("http://minio.lan:9000", signing))
            #expect(!unsigned("http://192.0.2.10:9000", signing))
            #expect(!unsigned("http://127.example.com:9000", signing))
        }
        #expect(!unsigned("https://minio.lan:9000", .signed))
        #expect(!unsigned("http://127.0.0.1:9000", .signed))
    }

    @Test("AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL")
    func endpointPrecedence() throws {
        let values = Self.keys.merging(["ATOM_S3_BUCKET": "b-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2"]) { $1 }
        let stager = try #require(try S3Stager.fromCredentials(MemoryCredentialStore(values), transport: NoNetwork(), environment: [:]))
        #expect(stager.client.addressing.host == "127.0.0.1:2")
    }

    @Test("part size grows (to whole MiB) to keep within 10,000 parts")
    func partSizing() {
        let configuration = S3Configuration(bucket: "b")
        #expect(configuration.partSize(forFileSize: 50 << 20) == 16 << 20)
        let huge: Int64 = 1 << 40  // 1 TiB
        let part = configuration.partSize(forFileSize: huge)
        #expect(part % (1 << 20) == 0)
        #expect((huge + part - 1) / part <= 10_000)
        #expect(S3Configuration(bucket: "b", partSize: 1).partSize == 5 << 20)
    }

    @Test("credentials come from a named profile of the shared credentials file when the store has none")
    func profileFile() async throws {
        try await TemporaryDirectory.with { dir in
            let file = dir + "/credentials"
            try """
            [default]
            aws_access_key_id = DEFAULTKEYIDEXAMPLE
            aws_secret_access_key = default-profile-secret

            # the one we want
            [staging]
            aws_access_key_id=STAGINGKEYIDEXAMPLE
            aws_secret_access_key = staging-profile-secret
            aws_session_token = staging-profile-session-token
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let store = MemoryCredentialStore(["ATOM_S3_BUCKET": "my-bucket", "AWS_PROFILE": "staging"])
            let stager = try #require(try S3Stager.fromCredentials(store, transport: NoNetwork(), environment: ["AWS_SHARED_CREDENTIALS_FILE": file]))
            #expect(stager.credentials.accessKeyID == "STAGINGKEYIDEXAMPLE")
            #expect(stager.credentials.sessionToken == "staging-profile-session-token")
            let chain = AWSCredentialChain(store: MemoryCredentialStore([:]), environment: ["HOME": dir, "AWS_SHARED_CREDENTIALS_FILE": "~/credentials"])
            #expect(try chain.resolve()?.credentials.accessKeyID == "DEFAULTKEYIDEXAMPLE")
            // The store (environment over .env) wins over the file.
            let both = AWSCredentialChain(store: MemoryCredentialStore(Self.keys), environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
            #expect(try both.resolve()?.source == .store)
            // A profile that is asked for by name but missing is an error.
            let missing = AWSCredentialChain(store: MemoryCredentialStore(["AWS_PROFILE": "nope"]), environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
            #expect(throws: PublishError.self) { try missing.resolve() }
        }
    }

    @Test("credentials print redacted and their secrets are registered with Redaction")
    func redacted() {
        let credentials = AWSCredentials(accessKeyID: "SANDBOXKEYIDEXAMPLE", secretAccessKey: "sandbox-redaction-secret-key", sessionToken: "sandbox-redaction-token")
        #expect(!"\(credentials)".contains("sandbox-redaction-secret-key"))
        #expect(!String(reflecting: credentials).contains("sandbox-redaction-token"))
        #expect(!Redaction.redact("key sandbox-redaction-secret-key and sandbox-redaction-token").contains("sandbox-redaction"))
    }

    @Test("object keys: {prefix}{sha256}/{token}.{ext}, the same on every run, unguessable without the secret")
    func keys() throws {
        let sha = String(repeating: "ab", count: 32)
        let stager = S3Stager(configuration: S3Configuration(bucket: "b"), credentials: AWSCredentials(accessKeyID: "K", secretAccessKey: "sandbox-key-secret-one"),
                              transport: NoNetwork())
        let key = stager.objectKey(sha256: sha)
        #expect(key.hasPrefix("atom-staging/\(sha)/"))
        #expect(key.hasSuffix(".mp4"))
        #expect(key == stager.objectKey(sha256: sha))
        let other = S3Stager(configuration: S3Configuration(bucket: "b"), credentials: AWSCredentials(accessKeyID: "K", secretAccessKey: "sandbox-key-secret-two"),
                             transport: NoNetwork())
        #expect(other.objectKey(sha256: sha) != key)
        #expect(S3Stager.fileExtension(of: "/x/clip.MOV") == "mov")
        #expect(S3Stager.fileExtension(of: "/x/clip") == "mp4")
    }

    @Test("ATOM_S3_PUBLIC_BASE_URL: the URL is base + key, no signature")
    func publicBase() async throws {
        var configuration = S3Configuration(bucket: "b")
        configuration.publicBaseURL = URL(string: "https://cdn.example.com/media/")
        let stager = S3Stager(configuration: configuration, credentials: AWSCredentials(accessKeyID: "K", secretAccessKey: "sandbox-public-secret"),
                              transport: NoNetwork())
        let url = try await stager.url(for: StagedObject(location: "b", key: "atom-staging/abc/t 1.mp4", size: 1), validFor: .seconds(60))
        #expect(url.absoluteString == "https://cdn.example.com/media/atom-staging/abc/t%201.mp4")
    }

    @Test("presigned URLs: host and path of the addressing style, lifetime clamped to 7 days")
    func presignedURL() async throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let stager = S3Stager(configuration: S3Configuration(bucket: "my-bucket", region: "eu-west-1"),
                              credentials: AWSCredentials(accessKeyID: "SANDBOXKEYIDEXAMPLE", secretAccessKey: "sandbox-presign-secret"),
                              transport: NoNetwork(), now: { now })
        let url = try await stager.url(for: StagedObject(location: "my-bucket", key: "atom-staging/k.mp4", size: 1), validFor: .seconds(30 * 86400))
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.host == "my-bucket.s3.eu-west-1.amazonaws.com")
        #expect(components.path == "/atom-staging/k.mp4")
        #expect(components.queryItems?.first { $0.name == "X-Amz-Expires" }?.value == "604800")
        #expect(components.queryItems?.first { $0.name == "X-Amz-Credential" }?.value == "SANDBOXKEYIDEXAMPLE/20231114/eu-west-1/s3/aws4_request")
        #expect(!Redaction.redact(url.absoluteString).contains(components.queryItems?.last?.value ?? "?"))
    }
}
