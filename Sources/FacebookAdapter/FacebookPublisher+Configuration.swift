import Foundation
import GraphAPISupport
import PublishingCore

extension FacebookPublisher {
    /// How the video reaches Facebook (`FACEBOOK_UPLOAD_MODE`).
    public struct UploadMode: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// atom sends the bytes: rupload for Reels, the resumable chunked `/videos` protocol for Page videos (default).
        public static let push = UploadMode("push")
        /// Facebook fetches the staged copy: the `file_url` header for Reels, the `file_url` parameter for Page videos.
        public static let url = UploadMode("url")

        /// The mode named by a `.env` value, or `nil` when the value names none.
        public init?(named value: String) {
            switch value.lowercased() {
            case "push": self = .push
            case "url": self = .url
            default: return nil
            }
        }

        public var description: String { name }
    }

    /// Everything the Facebook adapter needs, read once from the credential store.
    public struct Configuration: Sendable {
        /// The Page the videos go to (`FACEBOOK_PAGE_ID`).
        public var pageID: String
        /// The Page access token (`FACEBOOK_PAGE_ACCESS_TOKEN`); sent in headers only.
        public var pageAccessToken: String
        /// The Graph API host (`ATOM_GRAPH_API_BASE`, default `https://graph.facebook.com`).
        public var graphBaseURL: URL
        /// The upload host for Reels bytes (`ATOM_RUPLOAD_BASE`, default `https://rupload.facebook.com`).
        public var ruploadBaseURL: URL
        /// The Graph API version in paths (`ATOM_GRAPH_API_VERSION`), e.g. `v24.0`.
        public var graphVersion: String
        /// Push the bytes or hand Facebook the staged URL (`FACEBOOK_UPLOAD_MODE`).
        public var uploadMode: UploadMode
        /// `appsecret_proof` sent with every Graph call, when the app requires it (`FACEBOOK_APPSECRET_PROOF=1`).
        public var appSecretProof: String?
        /// How long to wait between status polls.
        public var pollInterval: Duration
        /// Retries of one step (a chunk, a status read, a finish whose outcome is unknown).
        public var retryPolicy: RetryPolicy

        /// The production Graph API host.
        public static let defaultGraphBaseURL = fixedURL("https://graph.facebook.com")
        /// The production upload host for Reels.
        public static let defaultRuploadBaseURL = fixedURL("https://rupload.facebook.com")
        /// The Graph API version used unless `ATOM_GRAPH_API_VERSION` says otherwise.
        public static let defaultGraphVersion = GraphAPIVersion.default

        /// Creates a configuration.
        public init(
            pageID: String, pageAccessToken: String, graphBaseURL: URL = defaultGraphBaseURL,
            ruploadBaseURL: URL = defaultRuploadBaseURL, graphVersion: String = defaultGraphVersion,
            uploadMode: UploadMode = .push, appSecretProof: String? = nil, pollInterval: Duration = .seconds(5),
            retryPolicy: RetryPolicy = .default
        ) {
            self.pageID = pageID
            self.pageAccessToken = pageAccessToken
            self.graphBaseURL = graphBaseURL
            self.ruploadBaseURL = ruploadBaseURL
            self.graphVersion = graphVersion
            self.uploadMode = uploadMode
            self.appSecretProof = appSecretProof
            self.pollInterval = pollInterval
            self.retryPolicy = retryPolicy
            Redaction.register(secret: pageAccessToken)
        }

        /// The keys this adapter reads besides the required ones.
        public static let optionalKeys = [
            "FACEBOOK_UPLOAD_MODE", "FACEBOOK_APP_SECRET", "FACEBOOK_APPSECRET_PROOF", "ATOM_GRAPH_API_BASE",
            "ATOM_RUPLOAD_BASE", "ATOM_GRAPH_API_VERSION",
        ]

        /// Reads the configuration from `store`.
        /// - Throws: ``PublishError`` (`configuration`) naming a missing or malformed key.
        public static func load(from store: any CredentialStore) throws -> Configuration {
            let platform = PlatformID.facebook
            let reauthorize = "run `atom auth facebook`"
            let pageID = try store.required("FACEBOOK_PAGE_ID", platform: platform, remediation: reauthorize)
            let token = try store.required("FACEBOOK_PAGE_ACCESS_TOKEN", platform: platform, remediation: reauthorize)
            guard pageID.allSatisfy(\.isNumber) else {
                throw PublishError(.configuration, platform: platform, message: "FACEBOOK_PAGE_ID must be the Page's numeric id",
                                   remediation: reauthorize)
            }
            let graph = try url(store, "ATOM_GRAPH_API_BASE", default: defaultGraphBaseURL)
            let rupload = try url(store, "ATOM_RUPLOAD_BASE", default: defaultRuploadBaseURL)
            let version = try store.nonEmpty("ATOM_GRAPH_API_VERSION") ?? defaultGraphVersion
            guard version.wholeMatch(of: /v[0-9]+\.[0-9]+/) != nil else {
                throw PublishError(.configuration, platform: platform,
                                   message: "ATOM_GRAPH_API_VERSION must look like v24.0 (got \(version))")
            }
            var mode = UploadMode.push
            if let value = try store.nonEmpty("FACEBOOK_UPLOAD_MODE") {
                guard let parsed = UploadMode(named: value) else {
                    throw PublishError(.configuration, platform: platform,
                                       message: "FACEBOOK_UPLOAD_MODE must be push or url (got \(value))")
                }
                mode = parsed
            }
            var proof: String?
            if let flag = try store.nonEmpty("FACEBOOK_APPSECRET_PROOF"), ["1", "true", "yes"].contains(flag.lowercased()) {
                let secret = try store.required(
                    "FACEBOOK_APP_SECRET", platform: platform,
                    remediation: "FACEBOOK_APPSECRET_PROOF=1 needs the app secret: add FACEBOOK_APP_SECRET=… to your .env file")
                let computed = AppSecretProof.compute(accessToken: token, appSecret: secret)
                // Not the token, but a stand-in for it on every call: masked wherever a server echoes it.
                Redaction.register(secret: computed)
                proof = computed
            }
            return Configuration(pageID: pageID, pageAccessToken: token, graphBaseURL: graph, ruploadBaseURL: rupload,
                                 graphVersion: version, uploadMode: mode, appSecretProof: proof)
        }

        private static func fixedURL(_ text: StaticString) -> URL {
            guard let url = URL(string: "\(text)") else { preconditionFailure("invalid URL literal \(text)") }
            return url
        }

        private static func url(_ store: any CredentialStore, _ key: String, default value: URL) throws -> URL {
            try UploadHostPolicy.overrideBase(try store.nonEmpty(key), key: key, platform: .facebook) ?? value
        }
    }
}
