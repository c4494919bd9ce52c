import Foundation
import HTTPTypes
import PublishingCore
@testable import S3Staging
import Testing

@Suite("S3 error documents become PublishErrors")
struct S3ErrorMappingTests {
    static func document(_ code: String, _ message: String, extra: String = "") -> [UInt8] {
        Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)<RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>
        """.utf8)
    }

    @Test("codes map to atom's codes, remediation and retryability", arguments: [
        ("InvalidAccessKeyId", 403, PublishError.Code.authentication, "AWS_ACCESS_KEY_ID", false),
        ("SignatureDoesNotMatch", 403, .authentication, "AWS_SECRET_ACCESS_KEY", false),
        ("NoSuchBucket", 404, .configuration, "ATOM_S3_BUCKET", false),
        ("AccessDenied", 403, .permissionDenied, "policy", false),
        ("RequestTimeTooSkewed", 403, .configuration, "clock", false),
        ("ExpiredToken", 400, .authentication, "AWS_SESSION_TOKEN", false),
        ("SlowDown", 503, .rateLimited, "retries", true),
        ("InternalError", 500, .server, "retries", true),
        ("ServiceUnavailable", 503, .rateLimited, "retries", true),
        ("RequestTimeout", 400, .network, "network", true),
        ("NoSuchUpload", 404, .notFound, "new one", false),
    ])
    func mapping(_ code: String, _ status: Int, _ expected: PublishError.Code, _ remedy: String, _ retryable: Bool) {
        let error = S3ErrorMapping.error(status: status, body: Self.document(code, "S3 says so."), headers: [:], operationID: "s3.put", bucket: "my-bucket")
        #expect(error.code == expected)
        #expect(error.platform == .staging)
        #expect(error.platformCode == code)
        #expect(error.httpStatus == status)
        #expect(error.message.contains("S3 says so."))
        #expect(error.remediation?.contains(remedy) == true)
        #expect(error.isRetryable == retryable)
        #expect(error.diagnosticID == "4442587FB7D0A2F9")
        #expect(error.operationID == "s3.put")
    }

    @Test("a wrong region names the bucket's region")
    func region() {
        let error = S3ErrorMapping.error(
            status: 400, body: Self.document("AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong; expecting 'eu-west-1'",
                                             extra: "<Region>eu-west-1</Region>"),
            headers: [:], operationID: "s3.put", bucket: "b")
        #expect(error.code == .configuration)
        #expect(error.remediation?.contains("eu-west-1") == true)
    }

    @Test("a HEAD-style answer without a body maps on the status; x-amz-request-id is kept")
    func bodiless() {
        var headers = HTTPFields()
        headers[HTTPField.Name("x-amz-request-id")!] = "REQ123"
        let error = S3ErrorMapping.error(status: 503, body: [], headers: headers, operationID: "s3.head", bucket: "b")
        #expect(error.code == .rateLimited)
        #expect(error.isRetryable)
        #expect(error.diagnosticID == "REQ123")
        #expect(S3ErrorMapping.error(status: 502, body: Array("<html>bad gateway</html>".utf8), headers: [:], operationID: "x", bucket: "b").isRetryable)
    }

    @Test("SignatureDoesNotMatch's echoed string to sign and signature never reach the error")
    func noSignatureEcho() {
        let signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        let body = Self.document("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.",
                                 extra: "<StringToSign>AWS4-HMAC-SHA256\n20130524T000000Z</StringToSign><SignatureProvided>\(signature)</SignatureProvided>")
        let error = S3ErrorMapping.error(status: 403, body: body, headers: [:], operationID: "s3.put", bucket: "b")
        #expect(!error.description.contains(signature))
        #expect(!error.description.contains("StringToSign"))
        #expect(error.description.contains("SignatureDoesNotMatch"))
    }

    @Test("the XML reader handles prologs, namespaces, entities, CDATA and self-closing tags")
    func xml() throws {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix/>
          <Contents><Key>a &amp; b&#x2F;c&#47;&lt;d&gt;</Key><ETag>&quot;e1&quot;</ETag><Size>12</Size></Contents>
          <Contents><Key><![CDATA[x<y]]></Key><Size>3</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>
        """
        let root = try #require(XMLNode.parse(Array(text.utf8)))
        #expect(root.name == "ListBucketResult")
        #expect(root.children("Contents").map { $0.value("Key") } == ["a & b/c/<d>", "x<y"])
        #expect(root.children("Contents").first?.value("ETag") == "\"e1\"")
        #expect(root.value("Prefix") == "")
        #expect(XMLNode.parse(Array("not xml".utf8)) == nil)
        #expect(XMLNode.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
        #expect(S3ErrorDocument.parse(Array("<Error><Code>X</Code></Error>".utf8))?.code == "X")
    }
}
