import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// What `atom doctor` learned about the staging bucket.
public struct S3BucketReport: Sendable, Equatable, Codable {
    /// The bucket's public access block, or `nil` when the bucket has none.
    public struct PublicAccessBlock: Sendable, Equatable, Codable {
        public var blockPublicAcls: Bool
        public var ignorePublicAcls: Bool
        public var blockPublicPolicy: Bool
        public var restrictPublicBuckets: Bool

        /// All four settings on: nothing in the bucket can be made public.
        public var blocksEverything: Bool {
            blockPublicAcls && ignorePublicAcls && blockPublicPolicy && restrictPublicBuckets
        }
    }

    /// A lifecycle rule that expires objects under a prefix.
    public struct ExpirationRule: Sendable, Equatable, Codable {
        public var id: String?
        public var prefix: String
        public var days: Int
    }

    /// The bucket.
    public var bucket: String
    /// atom's key prefix.
    public var prefix: String
    /// The public access block (`GetPublicAccessBlock`), `nil` for none.
    public var publicAccessBlock: PublicAccessBlock?
    /// `GetBucketPolicyStatus`'s `IsPublic`: `false` also when the bucket has no policy; `nil` when the endpoint
    /// does not answer the call (some S3-compatible servers).
    public var policyIsPublic: Bool?
    /// The enabled rule that expires atom's prefix soonest, if any.
    public var expiration: ExpirationRule?
    /// The endpoint's clock minus this machine's (from the `Date` header), in seconds.
    public var clockSkewSeconds: Double?
}

extension S3Stager {
    /// Checks the bucket: reachable with the credentials, public access block, policy status, a lifecycle rule that
    /// expires the staging prefix, and the clock skew against the endpoint.
    /// - Throws: ``PublishError`` when the bucket cannot be reached (missing, credentials refused, network).
    public func checkBucket() async throws -> S3BucketReport {
        var report = S3BucketReport(bucket: configuration.bucket, prefix: configuration.prefix)
        report.clockSkewSeconds = try await client.probeBucket(prefix: configuration.prefix)
        report.publicAccessBlock = try await client.publicAccessBlock()
        report.policyIsPublic = try await client.policyIsPublic()
        let rules = try await client.lifecycle()?.rules ?? []
        report.expiration = rules.filter { configuration.prefix.hasPrefix($0.prefix) }.min { $0.days < $1.days }
        return report
    }

    /// Adds a rule expiring the staging prefix after `days` (and aborting its unfinished uploads after one day),
    /// keeping every existing rule (`PutBucketLifecycleConfiguration` replaces the whole configuration).
    /// - Returns: `false` when a rule already expires the prefix (nothing was changed).
    /// - Throws: ``PublishError`` when S3 refuses (e.g. no `s3:PutLifecycleConfiguration` permission).
    @discardableResult
    public func applyStagingLifecycle(days: Int = 1) async throws -> Bool {
        let existing = try await client.lifecycle()
        if existing?.rules.contains(where: { configuration.prefix.hasPrefix($0.prefix) }) == true { return false }
        let rule =
            "<Rule><ID>atom-staging-expiry</ID><Filter><Prefix>\(XMLNode.escape(configuration.prefix))</Prefix></Filter>"
            + "<Status>Enabled</Status><Expiration><Days>\(max(1, days))</Days></Expiration>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
            + "</AbortIncompleteMultipartUpload></Rule>"
        var document =
            #"<?xml version="1.0" encoding="UTF-8"?>"#
            + #"<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        for raw in existing?.rawRules ?? [] { document += raw }
        document += rule + "</LifecycleConfiguration>"
        try await client.putLifecycle(document)
        return true
    }
}

extension S3Client {
    /// `GET /?list-type=2&prefix=P&max-keys=1`: proves the bucket exists and the credentials may list it; returns
    /// the endpoint's clock minus this machine's, from the `Date` header.
    func probeBucket(prefix: String) async throws -> Double? {
        let sent = now()
        let (response, body) = try await send(
            "s3.probe", method: .get, path: addressing.bucketRequestPath,
            query: [("list-type", "2"), ("max-keys", "1"), ("prefix", prefix)])
        await drain(body)
        guard let header = response.headerFields[.date], let date = Self.httpDate(header) else { return nil }
        let received = now()
        let midpoint = sent.addingTimeInterval(received.timeIntervalSince(sent) / 2)
        return date.timeIntervalSince(midpoint)
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// `GET /?publicAccessBlock`; `nil` for `NoSuchPublicAccessBlockConfiguration`.
    func publicAccessBlock() async throws -> S3BucketReport.PublicAccessBlock? {
        guard
            let (document, _) = try await bucketDocument(
                "publicAccessBlock", operation: "s3.public-access-block",
                absentCode: "NoSuchPublicAccessBlockConfiguration", named: "PublicAccessBlockConfiguration",
                call: "GetPublicAccessBlock")
        else { return nil }
        func flag(_ name: String) -> Bool { document.value(name)?.lowercased() == "true" }
        return S3BucketReport.PublicAccessBlock(
            blockPublicAcls: flag("BlockPublicAcls"), ignorePublicAcls: flag("IgnorePublicAcls"),
            blockPublicPolicy: flag("BlockPublicPolicy"), restrictPublicBuckets: flag("RestrictPublicBuckets"))
    }

    /// `GET /?policyStatus`: `false` for a bucket without a policy, `nil` when the endpoint does not implement it.
    func policyIsPublic() async throws -> Bool? {
        let operation = "s3.policy-status"
        let (response, body) = try await send(
            operation, method: .get, path: addressing.bucketRequestPath, query: [("policyStatus", "")],
            accepting: [404, 501])
        let bytes = try await HTTPBodies.collect(body, upTo: Self.maxDocumentBytes)
        if response.status.code == 404 || response.status.code == 501 {
            let code = S3ErrorDocument.parse(bytes)?.code
            if code == "NoSuchBucketPolicy" { return false }
            if response.status.code == 501 || code == "NotImplemented" { return nil }
            throw S3ErrorMapping.error(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operation,
                bucket: configuration.bucket)
        }
        // An endpoint that ignores the sub-resource answers a listing instead.
        guard let document = XMLNode.parse(bytes), document.name == "PolicyStatus" else { return nil }
        return document.value("IsPublic")?.lowercased() == "true"
    }

    /// `GET /?lifecycle`: the enabled expiration rules and every rule's raw XML, or `nil` for none.
    func lifecycle() async throws -> (rules: [S3BucketReport.ExpirationRule], rawRules: [String])? {
        guard
            let (document, bytes) = try await bucketDocument(
                "lifecycle", operation: "s3.lifecycle.get", absentCode: "NoSuchLifecycleConfiguration",
                named: "LifecycleConfiguration", call: "GetBucketLifecycleConfiguration")
        else { return nil }
        var rules: [S3BucketReport.ExpirationRule] = []
        for rule in document.children("Rule") where rule.value("Status") == "Enabled" {
            guard let days = rule.child("Expiration")?.value("Days").flatMap(Int.init) else { continue }
            // Filter/Prefix (current), Filter/And/Prefix, or the legacy top-level Prefix; no prefix means every key.
            let filter = rule.child("Filter")
            let prefix = filter?.value("Prefix") ?? filter?.child("And")?.value("Prefix") ?? rule.value("Prefix") ?? ""
            if filter?.child("Tag") != nil || filter?.child("And")?.child("Tag") != nil { continue }
            rules.append(S3BucketReport.ExpirationRule(id: rule.value("ID"), prefix: prefix, days: days))
        }
        return (rules, Self.rawRules(in: String(decoding: bytes, as: UTF8.self)))
    }

    /// The `<Rule>…</Rule>` elements of a lifecycle document, verbatim (rules never nest).
    static func rawRules(in text: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "<Rule>"),
            let end = rest.range(of: "</Rule>", range: start.upperBound..<rest.endIndex)
        {
            result.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// `PUT /?lifecycle` with `document` and the `Content-MD5` S3 requires for this call.
    func putLifecycle(_ document: String) async throws {
        let bytes = Array(document.utf8)
        let md5 = Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
        let hash = FileDigest.hex(SHA256.hash(data: bytes))
        let (_, body) = try await send(
            "s3.lifecycle.put", method: .put, path: addressing.bucketRequestPath, query: [("lifecycle", "")],
            headers: [("content-md5", md5), ("content-type", "application/xml")],
            body: HTTPBody(bytes), payloadHash: hash)
        await drain(body)
    }
}

extension S3Client {
    /// `GET /?<subresource>` read as its XML document named `name` (with the raw bytes); `nil` when the bucket
    /// has none (404 with `absentCode`).
    /// - Throws: The mapped S3 error for another 404, a `protocolViolation` for another document.
    fileprivate func bucketDocument(
        _ subresource: String, operation: String, absentCode: String, named name: String, call: String
    ) async throws -> (document: XMLNode, bytes: [UInt8])? {
        let (response, body) = try await send(
            operation, method: .get, path: addressing.bucketRequestPath, query: [(subresource, "")], accepting: [404])
        let bytes = try await HTTPBodies.collect(body, upTo: Self.maxDocumentBytes)
        if response.status.code == 404 {
            if S3ErrorDocument.parse(bytes)?.code == absentCode { return nil }
            throw S3ErrorMapping.error(
                status: 404, body: bytes, headers: response.headerFields, operationID: operation,
                bucket: configuration.bucket)
        }
        guard let document = XMLNode.parse(bytes), document.name == name else {
            throw PublishError(
                .protocolViolation, platform: .staging, operationID: operation,
                message: "the endpoint answered \(call) with something else than its document")
        }
        return (document, bytes)
    }
}
