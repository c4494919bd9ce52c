import Foundation
import HTTPTypes
import PublishingCore

/// An S3 error document: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`.
struct S3ErrorDocument: Sendable, Equatable {
    var code: String
    var message: String
    var requestID: String?
    /// The region S3 names in `AuthorizationHeaderMalformed`/`PermanentRedirect` answers.
    var region: String?

    /// Parses an `<Error>` document (also one embedded in a 200 answer); `nil` if the body is none.
    static func parse(_ bytes: [UInt8]) -> S3ErrorDocument? {
        guard let root = XMLNode.parse(bytes), root.name == "Error", let code = root.value("Code") else { return nil }
        return S3ErrorDocument(code: code, message: root.value("Message") ?? "", requestID: root.value("RequestId"),
                               region: root.value("Region"))
    }
}

/// Maps S3's answers to ``PublishError`` (platform `staging`) with S3's code and message and a line
/// saying what to do. Only `Code`, `Message`, `RequestId` and `Region` are read: S3's
/// `SignatureDoesNotMatch` also echoes the string to sign and the signature, which never leave here.
enum S3ErrorMapping {
    /// The error for a non-2xx answer (or a 200 with an `<Error>` body).
    static func error(
        status: Int, body: [UInt8], headers: HTTPFields, operationID: String, bucket: String
    ) -> PublishError {
        let requestID = headers.s3Value("x-amz-request-id")
        if let document = S3ErrorDocument.parse(body) {
            return error(document: document, status: status, operationID: operationID, bucket: bucket, requestID: requestID)
        }
        // HEAD answers and some proxies carry no error document: fall back on the status.
        let fallback: (String, String)
        switch status {
        case 301, 307: fallback = ("PermanentRedirect", "the bucket is in another region")
        case 400: fallback = ("BadRequest", "S3 refused the request")
        case 403: fallback = ("AccessDenied", "Access Denied")
        case 404: fallback = ("NotFound", "Not Found")
        case 503: fallback = ("SlowDown", "Please reduce your request rate.")
        default: fallback = ("HTTP\(status)", "S3 answered HTTP \(status)")
        }
        let document = S3ErrorDocument(code: fallback.0, message: fallback.1, requestID: requestID, region: headers.s3Value("x-amz-bucket-region"))
        return error(document: document, status: status, operationID: operationID, bucket: bucket, requestID: requestID)
    }

    static func error(document: S3ErrorDocument, status: Int, operationID: String, bucket: String, requestID: String?) -> PublishError {
        let (code, remediation, retryable) = classify(document, status: status, bucket: bucket)
        let message = document.message.isEmpty ? document.code : "\(document.code): \(document.message)"
        return PublishError(
            code, platform: .staging, operationID: operationID, httpStatus: status, 
            platformCode: Redaction.outsideText(document.code, limit: 64),
            message: Redaction.outsideText(message), remediation: remediation, retryable: retryable,
            diagnosticID: document.requestID ?? requestID
        )
    }

    static func classify(_ document: S3ErrorDocument, status: Int, bucket: String) -> (PublishError.Code, String?, Bool) {
        switch document.code {
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity", "MissingSecurityHeader", "IncompleteSignature":
            return (.authentication, "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS profile) are the bucket owner's current keys", false)
        case "AuthorizationHeaderMalformed" where document.region == nil:
            return (.authentication, "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS profile) are the bucket owner's current keys", false)
        case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
            return (.authentication, "the temporary credentials expired: renew AWS_SESSION_TOKEN with its key pair", false)
        case "NoSuchBucket":
            return (.configuration, "create the bucket \(bucket) or fix ATOM_S3_BUCKET (and AWS_REGION / AWS_ENDPOINT_URL_S3)", false)
        case "AccessDenied", "AllAccessDisabled", "AccountProblem":
            return (.permissionDenied,
                    "the bucket policy or IAM policy must allow s3:PutObject, s3:GetObject, s3:DeleteObject, s3:ListBucket, "
                    + "s3:ListBucketMultipartUploads, s3:AbortMultipartUpload and s3:ListMultipartUploadParts on \(bucket)", false)
        case "RequestTimeTooSkewed", "RequestExpired":
            return (.configuration, "the computer's clock is off by more than 15 minutes: fix the system clock (enable NTP)", false)
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
            let region = document.region.map { " (S3 says \($0))" } ?? ""
            return (.configuration, "set AWS_REGION to the bucket's region\(region)", false)
        case "KMS.AccessDeniedException", "KMS.DisabledException", "KMS.NotFoundException":
            return (.permissionDenied, "allow kms:GenerateDataKey and kms:Decrypt on the bucket's key, or unset ATOM_S3_SSE", false)
        case "SlowDown", "ServiceUnavailable", "Busy", "RequestLimitExceeded", "ThrottlingException":
            return (.rateLimited, "S3 is throttling; atom retries with backoff — run the same command again later", true)
        case "InternalError", "InternalFailure", "OperationAborted":
            return (.server, "S3 had an internal error; atom retries — run the same command again later", true)
        case "RequestTimeout", "IncompleteBody":
            return (.network, "the connection to S3 stalled; atom retries — check the network", true)
        case "NoSuchUpload":
            return (.notFound, "the multipart upload is gone (aborted or expired); atom starts a new one", false)
        case "NoSuchKey", "NotFound":
            return (.notFound, nil, false)
        case "BadDigest":
            return (.network, "the bytes S3 received did not match their checksum (changed on the way); atom sends them again", true)
        case "NotImplemented", "MissingContentLength":
            // What S3-compatible stores answered when the AWS SDKs began sending aws-chunked bodies with checksum
            // trailers by default (storj/gateway-st#89, seaweedfs/seaweedfs#6517).
            return (.protocolViolation, "the endpoint refused atom's upload encoding (aws-chunked with a CRC-32C trailer, as the AWS SDKs "
                        + "send); for an S3-compatible store without it, set AWS_REQUEST_CHECKSUM_CALCULATION=when_required in .env", false)
        case "EntityTooLarge", "EntityTooSmall", "InvalidPart", "InvalidPartOrder", "MalformedXML",
             "XAmzContentSHA256Mismatch", "InvalidDigest", "InvalidArgument", "InvalidRequest":
            return (.protocolViolation, "S3 refused the upload's shape; run the same command again, and report it if it persists", false)
        default:
            if status >= 500 { return (.server, "S3 had an error; run the same command again later", true) }
            if status == 429 { return (.rateLimited, nil, true) }
            if status == 403 { return (.permissionDenied, "check the bucket policy / IAM permissions for \(bucket)", false) }
            return (.rejected, nil, false)
        }
    }
}

extension HTTPFields {
    /// The first value of the field named `name` (case-insensitive), without a force-unwrapped `HTTPField.Name`.
    func s3Value(_ name: String) -> String? {
        first { $0.name.canonicalName == name.lowercased() }?.value
    }
}
