import Foundation
import PlatformKit
import PublishingCore
import S3Staging

extension FakeS3 {
    /// S3 refuses requests whose `x-amz-date` is more than 15 minutes off its clock.
    static let allowedSkew: TimeInterval = 15 * 60

    /// Verifies the request's SigV4 signature (header or presigned query).
    /// - Returns: Whether the request was presigned.
    /// - Throws: ``FakeS3Failure`` with S3's error for the problem.
    func verify(_ request: FakeRequest) throws -> Bool {
        let fullPath = Self.decodedPath(of: request.uri)
        if let authorization = request.header("Authorization") {
            try verifyHeader(authorization, request: request, path: fullPath)
            return false
        }
        if request.query("X-Amz-Signature") != nil || request.query("X-Amz-Algorithm") != nil {
            try verifyQuery(request, path: fullPath)
            return true
        }
        throw FakeS3Failure(403, "AccessDenied", "Access Denied")
    }

    private func verifyHeader(_ authorization: String, request: FakeRequest, path: String) throws {
        guard authorization.hasPrefix(SigV4Signer.algorithm + " ") else {
            throw FakeS3Failure(400, "InvalidArgument", "Unsupported Authorization Type")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SigV4Signer.algorithm.count + 1).split(separator: ",") {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pieces.count == 2 { fields[String(pieces[0])] = String(pieces[1]) }
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw FakeS3Failure(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; incomplete Credential, SignedHeaders or Signature.")
        }
        guard let amzDate = request.header("x-amz-date"), let date = SigV4Signer.parseAMZDate(amzDate) else {
            throw FakeS3Failure(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        }
        let secret = try credentials(for: credential, amzDate: amzDate)
        if abs(date.timeIntervalSince(now())) > Self.allowedSkew {
            throw FakeS3Failure(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
                                extra: [("RequestTime", amzDate), ("MaxAllowedSkewMilliseconds", "900000")])
        }
        guard let payloadHash = request.header("x-amz-content-sha256") else {
            throw FakeS3Failure(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        }
        guard payloadHash == SigV4Signer.unsignedPayload || payloadHash.hasPrefix("STREAMING-")
                || (payloadHash.count == 64 && payloadHash.allSatisfy(\.isHexDigit)) else {
            throw FakeS3Failure(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- value or a SHA-256 hash")
        }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("host"), names.contains("x-amz-date"), names.contains("x-amz-content-sha256") else {
            throw FakeS3Failure(403, "AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed")
        }
        if let token = secret.sessionToken {
            guard request.header("x-amz-security-token") == token, names.contains("x-amz-security-token") else {
                throw FakeS3Failure(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
            }
        }
        let headers = names.flatMap { name in request.headers.filter { $0.0.lowercased() == name } }
        let query = request.queryItems
        let signer = SigV4Signer(credentials: secret, region: region, service: "s3")
        let canonical = signer.canonicalRequest(.init(method: request.method, path: path, query: query, headers: headers), payloadHash: payloadHash)
        guard canonical.signedHeaders == signedHeaders, signer.signature(canonicalRequest: canonical.text, amzDate: amzDate) == signature else {
            throw FakeS3Failure(403, "SignatureDoesNotMatch",
                                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                                extra: [("AWSAccessKeyId", secret.accessKeyID),
                                        ("StringToSign", signer.stringToSign(canonicalRequest: canonical.text, amzDate: amzDate)),
                                        ("SignatureProvided", signature), ("CanonicalRequest", canonical.text)])
        }
    }

    private func verifyQuery(_ request: FakeRequest, path: String) throws {
        guard request.query("X-Amz-Algorithm") == SigV4Signer.algorithm, let credential = request.query("X-Amz-Credential"),
              let amzDate = request.query("X-Amz-Date"), let date = SigV4Signer.parseAMZDate(amzDate),
              let expiresText = request.query("X-Amz-Expires"), let expires = Int(expiresText),
              let signedHeaders = request.query("X-Amz-SignedHeaders"), let signature = request.query("X-Amz-Signature")
        else {
            throw FakeS3Failure(400, "AuthorizationQueryParametersError",
                                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        guard expires >= 1, expires <= SigV4Signer.maxPresignedLifetime else {
            throw FakeS3Failure(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
        }
        let secret = try credentials(for: credential, amzDate: amzDate)
        if now() > date.addingTimeInterval(TimeInterval(expires)) {
            throw FakeS3Failure(403, "AccessDenied", "Request has expired",
                                extra: [("X-Amz-Expires", expiresText), ("Expires", ISO8601DateFormatter().string(from: date.addingTimeInterval(TimeInterval(expires))))])
        }
        if date.timeIntervalSince(now()) > Self.allowedSkew {
            throw FakeS3Failure(403, "AccessDenied", "Request is not yet valid")
        }
        if let token = secret.sessionToken, request.query("X-Amz-Security-Token") != token {
            throw FakeS3Failure(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
        }
        let names = signedHeaders.split(separator: ";").map(String.init)
        let headers = names.flatMap { name in request.headers.filter { $0.0.lowercased() == name } }
        let query = request.queryItems.filter { $0.0 != "X-Amz-Signature" }
        let signer = SigV4Signer(credentials: secret, region: region, service: "s3")
        let canonical = signer.canonicalRequest(
            .init(method: request.method, path: path, query: query, headers: headers), payloadHash: SigV4Signer.unsignedPayload)
        guard signer.signature(canonicalRequest: canonical.text, amzDate: amzDate) == signature else {
            throw FakeS3Failure(403, "SignatureDoesNotMatch",
                                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                                extra: [("SignatureProvided", signature)])
        }
    }

    /// The credentials named by a `Credential` scope, checked against the fake's region and the request date.
    private func credentials(for credential: String, amzDate: String) throws -> AWSCredentials {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[3] == "s3", parts[4] == "aws4_request" else {
            throw FakeS3Failure(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the Credential is mal-formed.")
        }
        guard let secret = credentials[parts[0]] else {
            throw FakeS3Failure(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                                extra: [("AWSAccessKeyId", parts[0])])
        }
        guard parts[1] == String(amzDate.prefix(8)) else {
            throw FakeS3Failure(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard parts[2] == region else {
            throw FakeS3Failure(400, "AuthorizationHeaderMalformed",
                                "The authorization header is malformed; the region '\(parts[2])' is wrong; expecting '\(region)'",
                                extra: [("Region", region)])
        }
        return secret
    }

    /// The percent-decoded path of a request URI (mount prefix included: it was signed).
    static func decodedPath(of uri: String) -> String {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        return path.removingPercentEncoding ?? path
    }
}
