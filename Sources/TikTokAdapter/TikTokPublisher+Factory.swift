import PublishingCore

extension PlatformID {
    /// TikTok (`--to tiktok`).
    public static let tiktok = PlatformID("tiktok")
}

extension PublisherFactory {
    /// Registers TikTok: builds a ``TikTokPublisher`` from the credential store
    /// (`TIKTOK_ACCESS_TOKEN`, refresh keys, `TIKTOK_UPLOAD_MODE`, `ATOM_TIKTOK_API_BASE`, …).
    /// - Returns: The factory for `PlatformRegistry`.
    public static func tiktok() -> PublisherFactory {
        PublisherFactory(
            platform: .tiktok, displayName: "TikTok", requiredKeys: [TikTokKeys.accessToken],
            optionalKeys: TikTokKeys.optional
        ) { environment in
            TikTokPublisher(
                configuration: try TikTokPublisher.Configuration(store: environment.credentials),
                environment: environment)
        }
    }
}
