import PublishingCore

extension PlatformID {
    /// A Facebook Page (Reels and Page videos).
    public static let facebook = PlatformID("facebook")
}

extension PublisherFactory {
    /// Registers Facebook: builds a ``FacebookPublisher`` from `FACEBOOK_PAGE_ID`, `FACEBOOK_PAGE_ACCESS_TOKEN`
    /// and the optional settings (`FACEBOOK_UPLOAD_MODE`, `FACEBOOK_APPSECRET_PROOF`, endpoint overrides).
    public static func facebook() -> PublisherFactory {
        PublisherFactory(
            platform: .facebook, displayName: "Facebook", requiredKeys: ["FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"],
            optionalKeys: FacebookPublisher.Configuration.optionalKeys
        ) { environment in
            FacebookPublisher(
                configuration: try .load(from: environment.credentials), transport: environment.transport,
                logger: environment.logger, now: environment.now)
        }
    }
}
