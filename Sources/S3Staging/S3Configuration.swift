import Foundation
import PublishingCore

/// Where and how atom stages videos in S3, read from the credential store at construction.
public struct S3Configuration: Sendable {
    /// Server-side encryption requested on upload (`ATOM_S3_SSE`).
    public struct ServerSideEncryption: Hashable, Sendable, CustomStringConvertible {
        /// The `x-amz-server-side-encryption` value.
        public let headerValue: String
        private init(_ value: String) { headerValue = value }
        /// SSE-S3.
        public static let aes256 = ServerSideEncryption("AES256")
        /// SSE-KMS with the bucket's default key.
        public static let kms = ServerSideEncryption("aws:kms")
        /// Parses `AES256` or `aws:kms`.
        public init?(parsing text: String) {
            switch text.lowercased() {
            case "aes256": self = .aes256
            case "aws:kms", "kms": self = .kms
            default: return nil
            }
        }
        public var description: String { headerValue }
    }

    /// Whether request bodies are hashed into the signature or sent as `UNSIGNED-PAYLOAD`.
    public struct PayloadSigning: Hashable, Sendable {
        private let mode: Int
        private init(_ mode: Int) { self.mode = mode }
        /// `UNSIGNED-PAYLOAD` over TLS or loopback (TLS already protects integrity); hashed otherwise.
        public static let automatic = PayloadSigning(0)
        /// `UNSIGNED-PAYLOAD` wherever it is safe — the same as ``automatic``: plain HTTP to a host other than
        /// loopback is always signed, whatever this says.
        public static let unsigned = PayloadSigning(1)
        /// Always hash the body first (a second read of each part).
        public static let signed = PayloadSigning(2)
    }

    /// The bucket (`ATOM_S3_BUCKET`).
    public var bucket: String
    /// The region (`AWS_REGION`, `AWS_DEFAULT_REGION`, default `us-east-1`).
    public var region: String
    /// An S3-compatible endpoint (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`), addressed path-style; may carry a path prefix.
    public var endpoint: URL?
    /// The key prefix for staged objects (`ATOM_S3_PREFIX`, default `atom-staging/`).
    public var prefix: String
    /// The default lifetime of staged URLs (`ATOM_S3_URL_TTL`, seconds, default 3600, at most 604800).
    public var urlTTL: Duration
    /// A base URL serving the bucket's keys (`ATOM_S3_PUBLIC_BASE_URL`); staged URLs are then base + key.
    public var publicBaseURL: URL?
    /// Files from this size on go up in parts (`ATOM_S3_MULTIPART_THRESHOLD`, default 16 MiB).
    public var multipartThreshold: Int64
    /// The part size before growing it to keep within 10,000 parts (`ATOM_S3_PART_SIZE`, default 16 MiB, at least 5 MiB).
    public var partSize: Int64
    /// Parts in flight at once (`ATOM_S3_CONCURRENCY`, default 4).
    public var concurrency: Int
    /// The read buffer of each request body (default 1 MiB). A body holds about two chunks (the one being sent
    /// and the next being read), so upload buffers stay near 2 × concurrency × chunkSize whatever the file size.
    public var chunkSize: Int
    /// Server-side encryption (`ATOM_S3_SSE`).
    public var serverSideEncryption: ServerSideEncryption?
    /// Retries of each request (each part on its own).
    public var retryPolicy: RetryPolicy
    /// Payload hashing.
    public var payloadSigning: PayloadSigning
    /// Whether every object and part carries a CRC-32C that S3 checks before it keeps the bytes
    /// (`AWS_REQUEST_CHECKSUM_CALCULATION`: `when_supported`, the default, as in the AWS SDKs; `when_required` turns it
    /// off for S3-compatible stores that refuse `aws-chunked` uploads).
    public var requestChecksums: Bool

    /// S3's smallest part (except the last).
    public static let minimumPartSize: Int64 = 5 << 20
    /// S3's largest part.
    public static let maximumPartSize: Int64 = 5 << 30
    /// S3's most parts per upload.
    public static let maximumParts: Int64 = 10_000
    /// The largest single PUT.
    public static let maximumSinglePut: Int64 = 5 << 30

    /// Creates a configuration with atom's defaults.
    public init(
        bucket: String, region: String = "us-east-1", endpoint: URL? = nil, prefix: String = "atom-staging/",
        urlTTL: Duration = .seconds(3600), publicBaseURL: URL? = nil, multipartThreshold: Int64 = 16 << 20,
        partSize: Int64 = 16 << 20, concurrency: Int = 4, chunkSize: Int = 1 << 20,
        serverSideEncryption: ServerSideEncryption? = nil, retryPolicy: RetryPolicy = .default, payloadSigning: PayloadSigning = .automatic,
        requestChecksums: Bool = true
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.prefix = prefix
        self.urlTTL = urlTTL
        self.publicBaseURL = publicBaseURL
        self.multipartThreshold = min(max(multipartThreshold, 1), Self.maximumSinglePut)
        self.partSize = min(max(partSize, Self.minimumPartSize), Self.maximumPartSize)
        self.concurrency = max(1, concurrency)
        self.chunkSize = max(16 * 1024, chunkSize)
        self.serverSideEncryption = serverSideEncryption
        self.retryPolicy = retryPolicy
        self.payloadSigning = payloadSigning
        self.requestChecksums = requestChecksums
    }

    /// Every key atom reads for staging, for `atom platforms` and documentation.
    public static let keys = [
        "ATOM_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
        "ATOM_S3_PREFIX", "ATOM_S3_URL_TTL", "ATOM_S3_PUBLIC_BASE_URL", "ATOM_S3_SSE", "ATOM_S3_MULTIPART_THRESHOLD",
        "ATOM_S3_PART_SIZE", "ATOM_S3_CONCURRENCY", "AWS_REQUEST_CHECKSUM_CALCULATION",
    ]

    /// Reads the configuration, or `nil` when `ATOM_S3_BUCKET` is unset (staging is off).
    /// - Parameter setting: Looks a key up (credential store, then environment); empty means unset.
    /// - Throws: ``PublishError`` (`configuration`) naming a malformed key.
    public static func read(_ setting: (String) throws -> String?) throws -> S3Configuration? {
        guard let bucket = try setting("ATOM_S3_BUCKET") else { return nil }
        guard isValidBucketName(bucket) else {
            throw invalid("ATOM_S3_BUCKET", "\"\(bucket)\" is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)")
        }
        var configuration = S3Configuration(bucket: bucket)
        configuration.region = try setting("AWS_REGION") ?? setting("AWS_DEFAULT_REGION") ?? "us-east-1"
        guard isValidRegion(configuration.region) else {
            throw invalid(
                "AWS_REGION",
                "\"\(Redaction.outsideText(configuration.region, limit: 64))\" is not a region name "
                    + "(lowercase letters, digits and hyphens, e.g. us-east-1)")
        }
        if let text = try setting("AWS_ENDPOINT_URL_S3") ?? setting("AWS_ENDPOINT_URL") {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                throw invalid("AWS_ENDPOINT_URL_S3", "\"\(text)\" is not an http(s) URL")
            }
            configuration.endpoint = url
        }
        if let prefix = try setting("ATOM_S3_PREFIX") {
            configuration.prefix = prefix.hasSuffix("/") || prefix.isEmpty ? prefix : prefix + "/"
            while configuration.prefix.hasPrefix("/") { configuration.prefix.removeFirst() }
        }
        if let text = try setting("ATOM_S3_URL_TTL") {
            guard let seconds = Int(text), seconds >= 1, seconds <= SigV4Signer.maxPresignedLifetime else {
                throw invalid("ATOM_S3_URL_TTL", "must be a number of seconds from 1 to 604800 (7 days), not \"\(text)\"")
            }
            configuration.urlTTL = .seconds(seconds)
        }
        if let text = try setting("ATOM_S3_PUBLIC_BASE_URL") {
            guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw invalid("ATOM_S3_PUBLIC_BASE_URL", "\"\(text)\" is not an http(s) URL")
            }
            configuration.publicBaseURL = url
        }
        if let text = try setting("ATOM_S3_SSE") {
            guard let sse = ServerSideEncryption(parsing: text) else { throw invalid("ATOM_S3_SSE", "must be AES256 or aws:kms, not \"\(text)\"") }
            configuration.serverSideEncryption = sse
        }
        if let text = try setting("ATOM_S3_MULTIPART_THRESHOLD") {
            guard let bytes = parseSize(text), bytes >= 1, bytes <= maximumSinglePut else {
                throw invalid("ATOM_S3_MULTIPART_THRESHOLD", "must be a size from 1 byte to 5 GiB (e.g. 16MiB), not \"\(text)\"")
            }
            configuration.multipartThreshold = bytes
        }
        if let text = try setting("ATOM_S3_PART_SIZE") {
            guard let bytes = parseSize(text), bytes >= minimumPartSize, bytes <= maximumPartSize else {
                throw invalid("ATOM_S3_PART_SIZE", "must be a size from 5 MiB to 5 GiB (e.g. 16MiB), not \"\(text)\"")
            }
            configuration.partSize = bytes
        }
        if let text = try setting("ATOM_S3_CONCURRENCY") {
            guard let count = Int(text), (1...64).contains(count) else { throw invalid("ATOM_S3_CONCURRENCY", "must be 1 to 64, not \"\(text)\"") }
            configuration.concurrency = count
        }
        if let text = try setting("AWS_REQUEST_CHECKSUM_CALCULATION") {
            switch text.lowercased() {
            case "when_supported": configuration.requestChecksums = true
            case "when_required": configuration.requestChecksums = false
            default:
                throw invalid("AWS_REQUEST_CHECKSUM_CALCULATION", "must be when_supported or when_required, not \"\(Redaction.outsideText(text, limit: 64))\"")
            }
        }
        return configuration
    }

    /// Whether `region` can go into a host name (`s3.<region>.amazonaws.com`) and the SigV4 scope: one DNS label of
    /// lowercase letters, digits and hyphens (AWS's `us-east-1`, `us-gov-west-1`; R2's `auto`).
    static func isValidRegion(_ region: String) -> Bool {
        guard (1...63).contains(region.utf8.count), region.first != "-", region.last != "-" else { return false }
        return region.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// The part size for a file: at least ``partSize``, grown (to a whole MiB) so that there are at most 10,000 parts.
    public func partSize(forFileSize size: Int64) -> Int64 {
        let needed = (size + Self.maximumParts - 1) / Self.maximumParts
        let mebibyte: Int64 = 1 << 20
        let grown = (needed + mebibyte - 1) / mebibyte * mebibyte
        return min(max(partSize, grown), Self.maximumPartSize)
    }

    /// Parses `16777216`, `16MiB`, `16M`, `512KiB`, `1GiB` (binary units).
    static func parseSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let shift: Int64
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        default: return nil
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : value
    }

    /// S3's bucket naming rules (general purpose buckets).
    static func isValidBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count) else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard name.allSatisfy(allowed.contains), let first = name.first, let last = name.last else { return false }
        return first.isLetter || first.isNumber ? (last.isLetter || last.isNumber) && !name.contains("..") : false
    }

    private static func invalid(_ key: String, _ message: String) -> PublishError {
        PublishError(.configuration, platform: .staging, message: "\(key) \(message)", remediation: "fix \(key) in .env")
    }
}
